"""Render on a Ray cluster (the optional ``castwright[cluster]`` extra; see docs/cluster.md).

``address`` (which head, reachable or not) and ``placement`` (which actors a render needs) are
plain Python. ``session`` connects to Ray, ``pool`` runs line synthesis on actors that keep
their engines loaded, ``mixing`` mixes a season's episodes as Ray tasks; ``worker`` is the code
that runs on the cluster's nodes. Only a render given a cluster address imports Ray.
"""
