"""Rendering: synthesize every line into the take cache, then hand takes to the mixer."""
