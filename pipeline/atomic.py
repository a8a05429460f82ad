"""Atomic file writes: write to a temp file beside the target, fsync, then rename.

Every output (audio, manifest, cache entry, feed) goes through here so an interrupted run
never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temp path in the target's folder; rename it onto ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix,
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
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


def sweep_temp_files(root: str | Path) -> int:
    """Delete temp files a killed run left under ``root`` (renders are single-writer)."""
    removed = 0
    for stale in Path(root).rglob(".*.tmp*"):
        if stale.is_file():
            stale.unlink(missing_ok=True)
            removed += 1
    return removed
