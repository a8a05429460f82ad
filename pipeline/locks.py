"""One writer per output folder: an episode folder, or the feed.

``render``, ``regen``, ``remix`` and ``publish`` hold the lock of every folder they write, so two
castwrights on one episode take turns instead of tearing each other's files or losing a choice.
A lock is an ``flock`` on ``OUT/.locks/<name>.lock`` (beside the folder, not in it: the feed
folder is replaced whole). The kernel drops it when its process dies, however it dies, so a
killed run never leaves a stale lock. A second castwright waits, saying who it waits for, up to
``CASTWRIGHT_LOCK_TIMEOUT`` seconds (default 300), then gives up with a one-line "busy" error.

Locks are re-entrant within a thread (publish holds an episode's lock and renders it), and
exclusive between threads and processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.errors import CastwrightError

LOCKS_DIR = ".locks"
DEFAULT_TIMEOUT = 300.0
POLL_SECONDS = 0.1


class BusyError(CastwrightError):
    """Another castwright holds the folder's lock for longer than we wait."""


_held: dict[tuple[str, int], list] = {}  # (lock path, thread id) -> [fd, depth]
_held_guard = threading.Lock()


def _close_inherited() -> None:
    """In a forked child (the plot helper): drop the parent's lock descriptors, or the lock
    would outlive the parent's release for as long as the child lives."""
    global _held_guard
    _held_guard = threading.Lock()  # another thread may have held it at the fork
    for fd, _depth in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_inherited)


def lock_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get("CASTWRIGHT_LOCK_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def _say_waiting(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def lock_path(folder: Path) -> Path:
    return folder.parent / LOCKS_DIR / f"{folder.name}.lock"


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it: "pid 4242: castwright regen …"."""
    with contextlib.suppress(OSError):
        text = os.pread(fd, 400, 0).decode(errors="replace").strip()
        if text:
            return text
    return "another process"


def _describe_self() -> str:
    args = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
    return f"pid {os.getpid()}: {args[:300]}"


@contextlib.contextmanager
def folder_lock(folder: str | Path, timeout: float | None = None,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of ``folder`` (an episode folder or the feed folder) inside the block."""
    folder = Path(folder)
    path = lock_path(folder)
    key = (str(path.resolve()), threading.get_ident())
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            entry = _held[key]
        else:
            entry = None
    if entry is not None:
        try:
            yield
        finally:
            with _held_guard:
                entry[1] -= 1
        return
    fd = _acquire(folder, path, lock_timeout() if timeout is None else timeout,
                  on_wait or _say_waiting)
    with _held_guard:
        _held[key] = [fd, 1]
    try:
        yield
    finally:
        with _held_guard:
            del _held[key]
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the only descriptor releases the flock


def _acquire(folder: Path, path: Path, timeout: float, on_wait: Callable[[str], None]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if time.monotonic() >= deadline:
                    raise BusyError(f"busy: another castwright ({holder}) is writing {folder}; "
                                    f"gave up after {timeout:g} s (CASTWRIGHT_LOCK_TIMEOUT)"
                                    ) from None
                if not told:
                    on_wait(f"waiting: another castwright ({holder}) is writing {folder}")
                    told = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, (_describe_self() + "\n").encode(), 0)
        return fd
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def episode_lock(episode_dir: str | Path, timeout: float | None = None) -> Iterator[None]:
    """The lock of one episode folder. An export that a killed run had committed but not
    finished is completed first (see ``pipeline.transaction``)."""
    from pipeline.transaction import recover

    with folder_lock(episode_dir, timeout):
        recover(Path(episode_dir))
        yield


def feed_lock(out_dir: str | Path, feed_name: str = "feed",
              timeout: float | None = None) -> contextlib.AbstractContextManager[None]:
    return folder_lock(Path(out_dir) / feed_name, timeout)
