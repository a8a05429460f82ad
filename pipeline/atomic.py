"""Atomic file writes: write to a temp file beside the target, fsync, then rename.

Every output (audio, manifest, cache entry, feed) goes through here so an interrupted run
never leaves a half-written file behind. Temp files and work folders carry the id of the
process that made them (``.episode.wav.4242-k3j2h1g0.tmp.wav``, ``castwright-mix-4242-…``), so
the next run sweeps what a killed run left and never what a running one is still writing.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

# Files we publish or keep get the permissions of any file the user makes (mkstemp: 0600).
_UMASK = os.umask(0o022)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK

_TEMP_FILE = re.compile(r"^\..+\.(?:(\d+)-)?[a-z0-9_]{8}\.tmp")
_WORK_DIR = re.compile(r"^castwright-[a-z]+-(?:(\d+)-)?[a-z0-9_]{8}$")
LEGACY_AGE = 600.0  # seconds: temp names without a process id (older versions) count as dead


def temp_prefix(name: str) -> str:
    """The prefix of a temp file for ``name`` made by this process."""
    return f".{name}.{os.getpid()}-"


def work_dir(kind: str, parent: str | Path | None = None) -> Path:
    """A private scratch folder ``castwright-<kind>-<pid>-XXXXXXXX`` (swept if we get killed)."""
    return Path(tempfile.mkdtemp(prefix=f"castwright-{kind}-{os.getpid()}-", dir=parent))


def make_temp(target: Path) -> Path:
    """An empty temp file beside ``target``, with normal file permissions."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp" + target.suffix,
                               dir=target.parent)
    os.close(fd)
    os.chmod(tmp, FILE_MODE)
    return Path(tmp)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temp path in the target's folder; rename it onto ``target`` on success."""
    target = Path(target)
    tmp_path = make_temp(target)
    try:
        yield tmp_path
        fsync_file(tmp_path)
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_open(target: str | Path, mode: str = "w", **kwargs) -> Iterator[IO]:
    with atomic_path(target) as tmp, open(tmp, mode, **kwargs) as fh:
        yield fh


def write_text(target: str | Path, text: str) -> None:
    with atomic_open(target, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_open(target, "wb") as fh:
        fh.write(data)


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _abandoned(path: Path, pattern: re.Pattern[str]) -> bool:
    m = pattern.match(path.name)
    if m is None:
        return False
    if m.group(1) is not None:
        return not pid_alive(int(m.group(1)))
    try:
        return time.time() - path.lstat().st_mtime > LEGACY_AGE
    except OSError:
        return False


def sweep_temp_files(root: str | Path, recursive: bool = True) -> int:
    """Delete temp files that killed runs left under ``root`` (never a live process's)."""
    root = Path(root)
    if not root.is_dir():
        return 0
    removed = 0
    for stale in (root.rglob(".*.tmp*") if recursive else root.glob(".*.tmp*")):
        if stale.is_file() and _abandoned(stale, _TEMP_FILE):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed


def sweep_work_dirs(*parents: str | Path | None) -> int:
    """Delete ``castwright-<kind>-<pid>-…`` scratch folders (raw mix audio, encoder metadata)
    of processes that are gone; ``None`` stands for the system temp folder."""
    removed = 0
    for parent in parents:
        folder = Path(parent) if parent is not None else Path(tempfile.gettempdir())
        if not folder.is_dir():
            continue
        for stale in folder.glob("castwright-*"):
            if stale.is_dir() and _abandoned(stale, _WORK_DIR):
                shutil.rmtree(stale, ignore_errors=True)
                removed += 1
    return removed
