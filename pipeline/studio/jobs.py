"""Background work and its progress: one worker thread, events fanned out to every open page.

Everything that changes an episode runs here, one job at a time, in the studio's own process,
so the engines, the mixer and matplotlib stay loaded between jobs (that is what makes a retake
fast) and two tabs editing one episode never interleave their read-modify-write of
``choices.json``. Edits go before re-mixes: a re-mix waits while edits are queued and one
re-mix serves every edit made before it starts (``submit(..., coalesce=True)``). Background
work nobody asked for (``preemptible``: the next takes made ahead) stops part-way as soon as a
more urgent job is queued, so a producer's request never waits behind it.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pipeline.engines.interrupt import Scope, interruptible
from pipeline.errors import CastwrightError

EDIT, REMIX, LONG = 0, 1, 2  # priorities: lower runs first
KEEP_JOBS = 200


@dataclass
class Job:
    id: str
    kind: str  # "retake", "remix", "cast", "audition", "publish", ...
    title: str
    episode: str | None = None  # slug
    line_id: str | None = None
    priority: int = EDIT
    state: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    message: str = "waiting"
    error: str | None = None
    result: dict = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds since start
    preemptible: bool = False  # background work that stops for any more urgent job
    _started: float = 0.0
    _scope: Scope = field(default_factory=Scope, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "episode": self.episode,
                "line_id": self.line_id, "state": self.state,
                "progress": round(self.progress, 3), "message": self.message,
                "error": self.error, "result": dict(self.result), "timings": dict(self.timings)}


class EventHub:
    """Events from any thread to the pages' event streams (one asyncio queue per stream)."""

    def __init__(self) -> None:
        self._subscribers: dict[asyncio.Queue, asyncio.AbstractEventLoop] = {}
        self._lock = threading.Lock()

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        with self._lock:
            self._subscribers[queue] = asyncio.get_running_loop()
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        with self._lock:
            self._subscribers.pop(queue, None)

    def publish(self, kind: str, data: dict) -> None:
        event = {"event": kind, "data": data}
        with self._lock:
            targets = list(self._subscribers.items())
        for queue, loop in targets:
            try:
                loop.call_soon_threadsafe(_offer, queue, event)
            except RuntimeError:  # that page's loop is gone
                self.unsubscribe(queue)


def _offer(queue: asyncio.Queue, event: dict) -> None:
    if not queue.full():  # a stalled page loses events rather than the studio its memory
        queue.put_nowait(event)


class JobContext:
    """What a running job sees: progress reports and extra events, both pushed to pages."""

    def __init__(self, runner: JobRunner, job: Job):
        self.runner, self.job = runner, job

    def progress(self, fraction: float, message: str) -> None:
        job = self.job
        job.progress, job.message = max(0.0, min(1.0, fraction)), message
        job.timings[message] = round(time.perf_counter() - job._started, 4)
        self.runner.hub.publish("job", job.to_dict())

    def emit(self, kind: str, data: dict) -> None:
        self.job.timings[kind] = round(time.perf_counter() - self.job._started, 4)
        self.runner.hub.publish(kind, {"job": self.job.id, **data})

    def preempted(self) -> bool:
        """True once a more urgent job has been queued (a preemptible job then stops)."""
        return self.job._scope.stopped.is_set() or self.runner.waiting(before=self.job.priority)

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """Model runs inside stop when the job is pre-empted (``Interrupted`` is raised)."""
        with interruptible(self.job._scope):
            yield


Work = Callable[[JobContext], dict | None]


class JobRunner:
    def __init__(self, hub: EventHub):
        self.hub = hub
        self.jobs: dict[str, Job] = {}
        self._work: dict[str, Work] = {}
        self._queue: list[Job] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._stopping = False
        self._running: Job | None = None
        self._thread = threading.Thread(target=self._loop, name="studio-jobs", daemon=True)
        self._thread.start()

    def submit(self, kind: str, title: str, work: Work, *, episode: str | None = None,
               line_id: str | None = None, priority: int = EDIT,
               coalesce: bool = False, preemptible: bool = False,
               preempt: bool = True) -> Job:
        """Queue ``work``; with ``coalesce``, an identical queued job (kind and episode) that
        has not started yet is returned instead of queueing another. A ``preemptible`` job
        that is running is asked to stop when a more urgent one is queued (unless
        ``preempt`` is False: it is making what this job needs; it stops after that)."""
        with self._cond:
            if coalesce:
                for queued in self._queue:
                    if queued.kind == kind and queued.episode == episode:
                        return queued
            job = Job(id=f"j{next(self._ids)}", kind=kind, title=title, episode=episode,
                      line_id=line_id, priority=priority, preemptible=preemptible)
            running = self._running
            if running is not None and running.preemptible and priority < running.priority \
                    and preempt:
                running._scope.interrupt()
            self.jobs[job.id] = job
            self._work[job.id] = work
            self._queue.append(job)
            self._forget_old()
            self.hub.publish("job", job.to_dict())  # before the worker can say "running"
            self._cond.notify()
        return job

    def busy(self, episode: str) -> list[Job]:
        """Jobs of ``episode`` queued or running."""
        with self._cond:
            return [j for j in self.jobs.values()
                    if j.episode == episode and j.state in ("queued", "running")]

    def waiting(self, before: int) -> bool:
        """Whether a job more urgent than priority ``before`` is queued."""
        with self._cond:
            return any(job.priority < before for job in self._queue)

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until the job has finished (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.jobs[job_id].state in ("queued", "running"):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(job_id)
                self._cond.wait(left)
            return self.jobs[job_id]

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=30)

    def _forget_old(self) -> None:
        done = [j for j in self.jobs.values() if j.state in ("done", "failed")]
        for job in done[:max(0, len(self.jobs) - KEEP_JOBS)]:
            self.jobs.pop(job.id, None)

    def _next(self) -> Job | None:
        with self._cond:
            while not self._queue and not self._stopping:
                self._cond.wait()
            if self._stopping:
                return None
            job = min(self._queue, key=lambda j: j.priority)  # FIFO within a priority
            self._queue.remove(job)
            job.state, job._started = "running", time.perf_counter()
            self._running = job
            return job

    def _loop(self) -> None:
        while (job := self._next()) is not None:
            self.hub.publish("job", job.to_dict())
            work = self._work.pop(job.id)
            try:
                job.result = work(JobContext(self, job)) or {}
                job.state, job.progress, job.message = "done", 1.0, "done"
            except CastwrightError as err:
                job.state, job.error = "failed", str(err)
            except OSError as err:
                where = f"{err.filename}: " if err.filename else ""
                job.state, job.error = "failed", f"{where}{err.strerror or err}"
            except Exception as err:  # noqa: BLE001 - a bug must not kill the worker
                traceback.print_exc()
                job.state, job.error = "failed", f"internal error: {err!r}"
            job.timings["total"] = round(time.perf_counter() - job._started, 4)
            if job.state == "failed":
                job.message = job.error or "failed"
            with self._cond:
                self._running = None
                self._cond.notify_all()
            self.hub.publish("job", job.to_dict())
