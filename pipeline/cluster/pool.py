"""Line synthesis on Ray actors, streamed back into the local take cache as lines finish.

The pool keeps its actors (and so their loaded models) for the whole command: every episode of
a ``publish`` or a season uses the same ones. Each actor has at most ``DEPTH`` lines in flight,
taken in the caller's order (longest first), so every worker stays busy until the end and a slow
node takes fewer.

Faults: an actor that dies (its process killed, its node gone) takes its lines back to the
queue; a fresh actor is started in its place (Ray puts it where there is room) and the lines
run there or on any other actor. A line that kills ``MAX_ATTEMPTS`` workers stops the render.
When the head itself stops answering, the render stops with one line; every take that came
back before that is already in the cache, so the next run resumes from there.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.cluster.address import ClusterError
from pipeline.cluster.placement import ActorKind, ActorPlan, plan_actors
from pipeline.cluster.worker import Done, SynthWorker, software, software_difference
from pipeline.memory import worker_environment
from pipeline.render.cache import TakeCache
from pipeline.render.synth import SynthJob

if TYPE_CHECKING:
    from pipeline.cluster.session import ClusterSession

DEPTH = 2  # lines in flight per actor: the next one is already there when one finishes
MAX_ATTEMPTS = 3  # workers a line may take down before the render gives up on it
POLL_SECONDS = 1.0
STALL_SECONDS = 20.0  # no result for this long: check the head is still there
START_SECONDS = 120.0  # no actor could be started (no room, no castwright on the nodes)


@dataclass(eq=False)
class Slot:
    kind: ActorKind
    handle: Any
    state: str = "starting"  # starting | ready | dead
    busy: int = 0
    host: str = ""
    pid: int = 0


@dataclass
class _Run:
    queues: dict[str, deque[SynthJob]]
    inflight: dict[Any, tuple[Slot, SynthJob]] = field(default_factory=dict)
    attempts: Counter[str] = field(default_factory=Counter)
    began: float = field(default_factory=time.monotonic)
    last_progress: float = field(default_factory=time.monotonic)

    @property
    def queued(self) -> int:
        return sum(len(q) for q in self.queues.values())


class SynthPool:
    def __init__(self, session: ClusterSession):
        self.session = session
        self.ray = session.connect()
        self.software = software()
        self.slots: list[Slot] = []
        self.starting: dict[Any, Slot] = {}
        self.made = 0  # takes stored this command (for the "head lost" message)
        self.replaced = 0

    # -- actors ---------------------------------------------------------------------------

    def _start(self, kind: ActorKind) -> Slot:
        # Heap settings are read when a process starts: they go in the actor's environment.
        heap: dict[str, str] = {}
        worker_environment(heap)
        actor = self.ray.remote(SynthWorker).options(
            num_cpus=kind.num_cpus, num_gpus=kind.num_gpus, max_restarts=0,
            max_task_retries=0, name=None, runtime_env={"env_vars": heap})
        slot = Slot(kind, actor.remote(max(1, int(kind.num_cpus))))
        self.slots.append(slot)
        self.starting[slot.handle.ready.remote()] = slot
        return slot

    def _ensure(self, plan: ActorPlan) -> None:
        for kind in plan.kinds:
            live = [s for s in self.slots if s.kind.name == kind.name and s.state != "dead"]
            for _ in range(kind.count - len(live)):
                self._start(kind)

    def _started(self, ref: Any) -> None:
        slot = self.starting.pop(ref)
        try:
            info = self.ray.get(ref)
        except self.ray.exceptions.RayError as err:
            slot.state = "dead"
            if not any(s.state != "dead" for s in self.slots):
                raise ClusterError("no synthesis actor could start on the cluster (is "
                                   f"castwright installed on its nodes?): {_first_line(err)}"
                                   ) from None
            return
        difference = software_difference(self.software, info["software"])
        if difference:
            raise ClusterError(f"worker {info['host']} runs different software ({difference}):"
                               " its takes would not match this machine's; install the same "
                               "castwright and engines on every node")
        slot.state, slot.host, slot.pid = "ready", info["host"], info["pid"]

    def close(self) -> None:
        for slot in self.slots:
            if slot.state != "dead":
                with contextlib.suppress(Exception):  # already gone with its node
                    self.ray.kill(slot.handle)
                slot.state = "dead"

    # -- running lines --------------------------------------------------------------------

    def synthesize(self, jobs: list[SynthJob], cache: TakeCache,
                   finished: Callable[[str, float], None]) -> None:
        """Make every take of ``jobs`` on the cluster, storing each in ``cache`` as it comes
        back and then calling ``finished(key, seconds)``."""
        if not jobs:
            return
        cpus, gpus = self.session.resources()
        plan = plan_actors(Counter(j.voice.engine for j in jobs), cpus, gpus)
        self._ensure(plan)
        self.session.note(f"synthesizing {len(jobs)} line(s) on the Ray cluster at "
                          f"{self.session.head.where}: {plan.actors} synthesis actor(s) "
                          f"({cpus:g} CPUs, {gpus:g} GPUs)")
        queues: dict[str, deque[SynthJob]] = {k.name: deque() for k in plan.kinds}
        for job in jobs:  # in the caller's order (longest first; a season: chapter by chapter)
            queues[plan.routes[job.voice.engine]].append(job)
        run = _Run(queues)
        try:
            while run.queued or run.inflight:
                self._feed(run)
                self._collect(run, cache, finished)
        except BaseException:
            self._abandon(run)
            raise

    def _feed(self, run: _Run) -> None:
        for slot in self.slots:
            queue = run.queues.get(slot.kind.name)
            while slot.state == "ready" and slot.busy < DEPTH and queue:
                job = queue.popleft()
                run.inflight[slot.handle.synthesize.remote(job)] = (slot, job)
                slot.busy += 1

    def _collect(self, run: _Run, cache: TakeCache,
                 finished: Callable[[str, float], None]) -> None:
        refs = list(self.starting) + list(run.inflight)
        if not refs:
            raise ClusterError("every synthesis actor on the cluster has died; "
                               "run the render again to resume")
        done, rest = self.ray.wait(refs, num_returns=1, timeout=POLL_SECONDS)
        if done and rest:
            more, _ = self.ray.wait(rest, num_returns=len(rest), timeout=0)
            done += more
        if not done:
            self._check_stall(run)
            return
        run.last_progress = time.monotonic()
        for ref in sorted(done, key=lambda r: r not in self.starting):
            if ref in self.starting:
                self._started(ref)
            else:
                self._finish(ref, run, cache, finished)

    def _finish(self, ref: Any, run: _Run, cache: TakeCache,
                finished: Callable[[str, float], None]) -> None:
        slot, job = run.inflight.pop(ref)
        slot.busy -= 1
        try:
            result = self.ray.get(ref)
        except self.ray.exceptions.RayError as err:
            self._lost_worker(slot, job, run, err)
            return
        if not isinstance(result, Done):
            raise ClusterError(f"{job.info.get('line_id', job.key)}: {result.problem}")
        meta = cache.store_encoded(job.key, result.wav, result.fields, job.info)
        self.made += 1
        finished(job.key, float(meta["duration"]))

    def _lost_worker(self, slot: Slot, job: SynthJob, run: _Run, err: Exception) -> None:
        """A worker died under ``job``: requeue it and start a replacement actor."""
        if not self.session.head_alive():
            raise self.session.lost_error(self.made) from None
        run.attempts[job.key] += 1
        if run.attempts[job.key] >= MAX_ATTEMPTS:
            raise ClusterError(f"{job.info.get('line_id', job.key)}: synthesis failed on "
                               f"{MAX_ATTEMPTS} workers; last: {_first_line(err)}") from None
        run.queues[slot.kind.name].appendleft(job)
        if slot.state != "dead":
            slot.state = "dead"
            where = f"{slot.host} (pid {slot.pid})" if slot.host else "a node"
            self.session.warn(f"a synthesis worker on {where} died: its line(s) are retried "
                              "elsewhere")
            if self.replaced < max(2, len(self.slots)):
                self.replaced += 1
                self._start(slot.kind)

    def _check_stall(self, run: _Run) -> None:
        waited = time.monotonic() - run.last_progress
        if waited < STALL_SECONDS:
            return
        if not self.session.head_alive():
            raise self.session.lost_error(self.made)
        starting_for = time.monotonic() - run.began
        if starting_for > START_SECONDS and not any(s.state == "ready" for s in self.slots):
            raise ClusterError(f"no synthesis actor started on the cluster within "
                               f"{START_SECONDS:g} s (not enough free CPUs/GPUs?)")
        run.last_progress = time.monotonic()  # alive and working (a long line): wait on

    def _abandon(self, run: _Run) -> None:
        """Stop: the lines still in flight are not waited for (their actors end with us)."""
        for slot, _ in run.inflight.values():
            slot.busy = 0
        run.inflight.clear()


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
