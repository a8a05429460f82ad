"""Mix episodes as Ray tasks: a season's chapters are mixed in parallel on the cluster.

The driver decides everything a mix depends on (timeline, settings, tags, the encoders' first
guess) exactly as a local render does, then ships it with the takes and any sound, music or
cover files it names. A task mixes and encodes into a scratch folder on its node, with the same
``write_mix`` a local render runs, and sends the files back; the driver stages them in the
episode's transaction and writes the manifest. The episode files are the same bytes as a local
mix's. Mix tasks take no CPU reservation: the synthesis actors hold the CPUs for the whole
command, and a mix (about a tenth of the work of synthesis) fits beside them.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.cluster.address import ClusterError

if TYPE_CHECKING:
    from pipeline.cluster.session import ClusterSession
    from pipeline.render.assemble import MixOutput

POLL_SECONDS = 1.0
STALL_SECONDS = 20.0
TASK_RETRIES = 2  # a mix whose worker dies runs again (elsewhere, if its node is gone)


@dataclass
class MixBundle:
    """Everything one episode's mix needs, shipped to the node that mixes it."""

    timeline: Any
    episode: Any  # EpisodeMeta
    settings: Any  # MixSettings
    encoders: Any
    fixed: tuple[float, float] | None
    takes: dict[str, bytes]  # cache key -> the cache's WAV bytes
    files: dict[str, bytes]  # absolute path on the driver -> the file's bytes
    name: str = ""  # the episode, for messages
    stems: bool = False  # also the dialogue, music, effects and ambience stems


@dataclass
class MixedFiles:
    output: Any  # MixOutput
    blobs: dict[str, bytes]  # file name in the episode folder -> bytes
    software: dict[str, str]
    where: str = ""  # the node and process that mixed it


@dataclass
class MixFailed:
    problem: str


# -- what can be shipped ---------------------------------------------------------------------

def _walk(value: Any, visit) -> Any:
    """Rebuild ``value`` with every str/Path leaf passed through ``visit`` (dataclasses, dicts,
    lists and tuples are walked; anything else is kept)."""
    if isinstance(value, str | Path):
        return visit(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _walk(getattr(value, f.name), visit)
                   for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, dict):
        return {k: _walk(v, visit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_walk(v, visit) for v in value)
    return value


def local_files(*values: Any) -> dict[str, bytes]:
    """Files named by absolute path anywhere in ``values`` (sound files, music, the cover)."""
    found: dict[str, bytes] = {}

    def visit(leaf: str | Path) -> str | Path:
        text = str(leaf)
        if text.startswith("/") and text not in found:
            path = Path(text)
            if path.is_file():
                found[text] = path.read_bytes()
        return leaf

    for value in values:
        _walk(value, visit)
    return found


def relocated(value: Any, moved: dict[str, str]) -> Any:
    """``value`` with every path in ``moved`` replaced by its copy on this node."""
    def visit(leaf: str | Path) -> str | Path:
        new = moved.get(str(leaf))
        if new is None:
            return leaf
        return Path(new) if isinstance(leaf, Path) else new

    return _walk(value, visit)


# -- on the node -----------------------------------------------------------------------------

def node_sounds_dir() -> Path:
    """This node's own sound cache (music, effects and bed renders: costly to make again)."""
    import os

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "castwright" / "sounds"


def run_mix(bundle: MixBundle) -> MixedFiles | MixFailed:
    """Mix and encode one episode in a scratch folder; runs in a Ray task."""
    from pipeline.cluster.worker import software
    from pipeline.errors import CastwrightError
    from pipeline.mix import plot
    from pipeline.render.assemble import write_mix
    from pipeline.render.cache import TakeCache
    from pipeline.transaction import FolderTransaction

    plot.no_helper()  # never fork inside a Ray worker (its gRPC threads)
    scratch = Path(tempfile.mkdtemp(prefix="castwright-clustermix-"))
    try:
        cache = TakeCache(scratch / "takes")
        for key, wav in bundle.takes.items():
            cache.store_encoded(key, wav, {})
        moved = {}
        for index, (original, data) in enumerate(bundle.files.items()):
            copy = scratch / "files" / str(index) / Path(original).name  # same name: captions
            copy.parent.mkdir(parents=True)
            copy.write_bytes(data)
            moved[original] = str(copy)
        timeline, episode, settings = (relocated(v, moved) for v in
                                       (bundle.timeline, bundle.episode, bundle.settings))
        with FolderTransaction(scratch / "episode") as txn:
            output = write_mix(txn, timeline, episode, settings, bundle.encoders, bundle.fixed,
                               cache, work_dir=scratch, sounds_dir=node_sounds_dir(),
                               stems=bundle.stems)
            blobs = {name: tmp.read_bytes() for name, tmp in txn.staged.items()}
        return MixedFiles(output, blobs, software(), f"{socket.gethostname()} (pid {os.getpid()})")
    except CastwrightError as err:
        return MixFailed(str(err))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- on the driver ---------------------------------------------------------------------------

class RemoteMixer:
    """``assemble_episode(..., mixer=RemoteMixer(session))``: the mix runs as a Ray task.

    One mixer serves every episode of a command, from several threads at once (a season mixes
    its chapters in parallel). It connects on its first mix: episodes that are up to date never
    wait for Ray. ``mixed_on`` says where each episode (by slug) was mixed."""

    def __init__(self, session: ClusterSession):
        self.session = session
        self.task: Any = None
        self.lock = threading.Lock()
        self.mixed_on: dict[str, str] = {}

    def _task(self) -> Any:
        with self.lock:
            if self.task is None:
                ray = self.session.connect()
                self.task = ray.remote(run_mix).options(num_cpus=0, max_retries=TASK_RETRIES,
                                                        scheduling_strategy="SPREAD")
            return self.task

    def __call__(self, txn, timeline, episode, settings, encoders, fixed, ctx,
                 stems: bool = False) -> MixOutput:
        from pipeline.cluster.worker import software, software_difference

        if self.session.lost:  # the head went away under another episode: do not wait on it
            raise self.session.lost_error(self.session.made)
        task = self._task()
        keys = {p.source for p in timeline.placements if p.kind == "speech"}
        bundle = MixBundle(timeline, episode, settings, encoders, fixed,
                           takes={k: ctx.cache.wav_path(k).read_bytes() for k in keys},
                           files=local_files(timeline, episode, settings), name=ctx.slug,
                           stems=stems)
        result = self._wait(task.remote(bundle), ctx.slug)
        if isinstance(result, MixFailed):
            raise ClusterError(f"{ctx.slug}: {result.problem}")
        difference = software_difference(software(), result.software)
        if difference:
            raise ClusterError(f"{ctx.slug}: the node that mixed it runs different software "
                               f"({difference}); install the same castwright on every node")
        for name, data in result.blobs.items():
            txn.stage(name).write_bytes(data)
        self.mixed_on[ctx.slug] = result.where
        return result.output

    def _wait(self, ref: Any, name: str) -> MixedFiles | MixFailed:
        ray = self.session.connect()
        quiet_since = time.monotonic()
        while True:
            done, _ = ray.wait([ref], timeout=POLL_SECONDS)
            if done:
                break
            if time.monotonic() - quiet_since > STALL_SECONDS:
                if not self.session.head_alive():
                    raise self.session.lost_error(self.session.made)
                quiet_since = time.monotonic()
        try:
            return ray.get(ref)
        except ray.exceptions.RayError as err:
            if not self.session.head_alive():
                raise self.session.lost_error(self.session.made) from None
            first = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
            raise ClusterError(f"{name}: mixing on the cluster failed: {first}") from None
