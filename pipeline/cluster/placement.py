"""Which synthesis actors a render needs, placed by the engines' resource needs (no Ray here).

One actor per CPU of the cluster, each with one engine thread; engines that run on torch
(Coqui) get one actor per GPU when the cluster has GPUs, and their lines go there. Never more
actors than lines: a five-line fix does not load models on a hundred nodes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pipeline.cluster.address import ClusterError

GPU_ENGINES = frozenset({"coqui"})  # much faster on a GPU; the rest are CPU engines


@dataclass(frozen=True)
class ActorKind:
    name: str  # "cpu" | "gpu"
    count: int
    num_cpus: float
    num_gpus: float


@dataclass(frozen=True)
class ActorPlan:
    kinds: tuple[ActorKind, ...]
    routes: dict[str, str]  # engine -> kind name

    def kind(self, name: str) -> ActorKind:
        return next(k for k in self.kinds if k.name == name)

    @property
    def actors(self) -> int:
        return sum(k.count for k in self.kinds)


def plan_actors(lines_per_engine: Counter[str] | dict[str, int], cpus: float,
                gpus: float) -> ActorPlan:
    """Actors for ``lines_per_engine`` on a cluster with ``cpus`` CPUs and ``gpus`` GPUs."""
    cpus_whole, gpus_whole = int(cpus), int(gpus)
    gpu_lines = sum(n for engine, n in lines_per_engine.items() if engine in GPU_ENGINES)
    gpu_count = min(gpus_whole, gpu_lines, max(cpus_whole, 0))
    routes = {engine: "gpu" if gpu_count and engine in GPU_ENGINES else "cpu"
              for engine in lines_per_engine}
    cpu_lines = sum(n for engine, n in lines_per_engine.items() if routes[engine] == "cpu")
    cpu_count = min(cpus_whole - gpu_count, cpu_lines)
    if cpu_lines and cpu_count < 1:
        raise ClusterError(f"the Ray cluster has {cpus:g} CPU(s) free for synthesis actors; "
                           "it needs at least one")
    kinds = []
    if cpu_count > 0:
        kinds.append(ActorKind("cpu", cpu_count, 1.0, 0.0))
    if gpu_count > 0:
        kinds.append(ActorKind("gpu", gpu_count, 1.0, 1.0))
    return ActorPlan(tuple(kinds), routes)
