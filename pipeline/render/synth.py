"""Synthesize missing takes into the cache, in worker processes, with a progress bar.

Workers (``workers.worker_pool``) share the render's models and write each finished take
straight into the cache, so a killed render keeps everything it finished.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import engines, progress
from pipeline.engines.base import Delivery, VoiceSpec
from pipeline.lexicon import Entry
from pipeline.memory import release_free_memory
from pipeline.render.cache import TakeCache
from pipeline.render.plan import LinePlan
from pipeline.render.workers import worker_pool

if TYPE_CHECKING:
    from pipeline.cluster.session import ClusterSession


@dataclass(frozen=True)
class SynthJob:
    key: str
    voice: VoiceSpec
    spoken_text: str
    delivery: Delivery
    take: int
    info: dict
    pronounce: tuple[Entry, ...] = ()

    @classmethod
    def from_plan(cls, plan: LinePlan) -> SynthJob:
        return cls(plan.key, plan.voice, plan.spoken_text, plan.delivery, plan.take, plan.info(),
                   plan.pronounce)


def run_job(job: SynthJob, cache_root: str) -> tuple[str, float]:
    """Synthesize one take and store it. Runs in a worker process (or inline for --jobs 1)."""
    take = engines.synthesize(job.voice, job.spoken_text, job.delivery, job.take, job.pronounce)
    meta = TakeCache(cache_root).store(job.key, take, job.info)
    del take
    release_free_memory()  # a long line's buffers would otherwise stay resident for the book
    return job.key, float(meta["duration"])


def missing_jobs(plans: Iterable[LinePlan], cache: TakeCache) -> list[SynthJob]:
    """One job per distinct missing key: identical lines are synthesized once. A recorded
    take is never synthesized: if it left the cache it is imported again from its file."""
    jobs: dict[str, SynthJob] = {}
    for plan in plans:
        if plan.recording is not None:
            from pipeline.render.recording import restore

            restore(plan.recording, cache, plan.line_id, plan.take)
            continue
        if plan.key not in jobs and not cache.has(plan.key):
            jobs[plan.key] = SynthJob.from_plan(plan)
    return list(jobs.values())


def synthesize_jobs(jobs: list[SynthJob], cache_root: Path, workers: int = 1,
                    show_progress: bool = True,
                    on_done: Callable[[str, float], None] | None = None,
                    cluster: ClusterSession | None = None) -> float:
    """Run ``jobs`` (here, or on the Ray ``cluster``); returns seconds of audio made.
    Interrupts cancel pending work cleanly."""
    if not jobs:
        return 0.0
    made = 0.0
    with progress.task("synthesizing", len(jobs), "lines", enabled=show_progress) as advance:

        def finished(key: str, seconds: float) -> None:
            nonlocal made
            made += seconds
            advance(1, f"{made / 60:.1f} min audio")
            if on_done:
                on_done(key, seconds)

        if cluster is not None:
            longest_first = sorted(jobs, key=lambda j: len(j.spoken_text), reverse=True)
            cluster.pool().synthesize(longest_first, TakeCache(cache_root), finished)
        elif workers <= 1 or len(jobs) == 1:
            for job in jobs:
                finished(*run_job(job, str(cache_root)))
        else:
            _run_pool(jobs, cache_root, workers, finished)
    return made


def _run_pool(jobs: list[SynthJob], cache_root: Path, workers: int,
              finished: Callable[[str, float], None]) -> None:
    # Longest texts first keeps both workers busy until the end.
    ordered = sorted(jobs, key=lambda j: len(j.spoken_text), reverse=True)
    # More synthesis processes than cores only costs memory: --jobs 1000 is 2.
    count = min(workers, len(jobs), os.cpu_count() or 1)
    with worker_pool(count, [job.voice for job in jobs]) as pool:
        pending: set[Future] = {pool.submit(run_job, job, str(cache_root)) for job in ordered}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                finished(*future.result())
