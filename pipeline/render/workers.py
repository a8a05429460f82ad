"""The synthesis worker processes of a render (an episode's or a whole season's).

Workers are processes, not threads: Piper's espeak phonemiser holds a global lock. On Linux
they are forked from a fork server that has already imported the engines and loaded the models
of the render's voices: every worker then shares those pages with it (copy-on-write, and
nothing writes model weights) instead of holding its own copy. Two workers reading Piper's joe,
a designed voice and Kokoro held 718 MB between them when spawned, 467 MB (fork server
included) when forked this way. Torch-based engines (Coqui) are never loaded before a fork:
their OpenMP threads would not exist in the child. Elsewhere workers are spawned and each
loads what it needs.
"""

from __future__ import annotations

import base64
import contextlib
import multiprocessing
import os
import pickle
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from pipeline.engines.base import VoiceSpec
from pipeline.lifetime import die_with_parent
from pipeline.memory import release_free_memory, worker_environment

PRELOAD_ENV = "CASTWRIGHT_PRELOAD_VOICES"
THREADS_ENV = "CASTWRIGHT_ENGINE_THREADS"
PRELOAD_MODULE = "pipeline.render.preload"
# ONNX Runtime engines start no threads at rest (one engine thread per worker), so a process
# that loaded them can fork safely.
SHAREABLE_ENGINES = ("piper", "kokoro")
_FORK_SERVER = sys.platform.startswith("linux")


def _worker_init(threads: int, parent_pid: int) -> None:
    die_with_parent(parent_pid)  # a killed render takes its workers with it
    # One engine thread per worker: N workers on N cores beat N workers each spawning N threads.
    os.environ.setdefault(THREADS_ENV, str(threads))


@contextlib.contextmanager
def worker_pool(count: int, voices: Iterable[VoiceSpec] = ()) -> Iterator[ProcessPoolExecutor]:
    """``count`` synthesis workers, with ``voices``' models loaded once and shared (Linux).

    Leaving normally waits for the submitted work; an exception (or Ctrl-C) cancels what has
    not started and does not wait."""
    threads = max(1, (os.cpu_count() or 1) // count)
    worker_environment()  # a long line's tensors do not fragment the workers' heaps
    context = _fork_server(voices, threads) if _FORK_SERVER else None
    pool = ProcessPoolExecutor(max_workers=count,
                               mp_context=context or multiprocessing.get_context("spawn"),
                               initializer=_worker_init, initargs=(threads, os.getpid()))
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        # The fork server stays until this process ends: stopping it now would wait for the
        # workers to finish the takes they are on.
        raise
    pool.shutdown(wait=True)
    if context is not None:
        _stop_fork_server()


def _fork_server(voices: Iterable[VoiceSpec], threads: int) -> multiprocessing.context.BaseContext:
    """The fork server context, its server started now with ``voices`` loaded."""
    from multiprocessing import forkserver

    shareable = [v for v in voices if v.engine in SHAREABLE_ENGINES]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD_MODULE])
    # The server reads its settings from the environment it starts with; they are the workers'
    # (one engine thread each), not this process's.
    settings = {PRELOAD_ENV: base64.b64encode(pickle.dumps(shareable)).decode("ascii"),
                THREADS_ENV: os.environ.get(THREADS_ENV) or str(threads)}
    with _environment(settings):
        forkserver.ensure_running()
    return context


def _stop_fork_server() -> None:
    """Stop the server (and with it its models): the next pool may need other voices."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # CPython 3.8+; else it stays
    if stop is not None:
        stop()


@contextlib.contextmanager
def _environment(settings: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def preload_voices() -> None:
    """In the fork server: load the voices its environment names, by speaking a word in each
    model once (which also imports the voice design's libraries). A voice that fails here is
    left for its worker to load, and to report."""
    from pipeline import engines

    encoded = os.environ.get(PRELOAD_ENV, "")
    voices: list[VoiceSpec] = pickle.loads(base64.b64decode(encoded)) if encoded else []
    seen: set[tuple] = set()
    for voice in voices:
        key = (voice.engine, voice.model, voice.config, voice.design.is_identity())
        if key in seen:
            continue
        seen.add(key)
        with contextlib.suppress(Exception):
            engines.synthesize(voice, "Hello.")
    release_free_memory()
