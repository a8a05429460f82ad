"""A disk cache for synthesized music cues, effects and ambience beds.

They are pure functions of (name, rate, channels, duration, seed) and the synthesizer code, so
a re-mix reads them back instead of making them again: together they are about half of a
single-line re-mix's mixing time. Entries are ``.npy`` files written atomically; one that does
not load is made again. A bed is cached as its whole span, rendered from its first sample with
some room to grow (a regenerated line usually moves a section's end by a second or two), and
read back through a memory map, so a long bed never sits in memory. Beds longer than
``MAX_BED_SECONDS`` are not kept, and the folder is trimmed to ``MAX_BYTES``, oldest first.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pipeline.atomic import atomic_path
from pipeline.files import code_id

_SYNTH_MODULES = ("beds.py", "dsp.py", "music.py", "sfx.py", "sounds.py", "levels.py",
                  "decode.py")
MAX_BED_SECONDS = 15 * 60.0  # ~160 MB of stereo float32; longer beds are rendered each time
BED_HEADROOM = (1.05, 10.0)  # cache a span x 1.05 + 10 s, so small changes still fit
MAX_BYTES = 2 << 30
RENDER_STEP = 1 << 18  # frames rendered per step when filling a cache entry


@functools.cache
def synth_code_id() -> str:
    """Changes whenever the code that makes the sounds changes (not just the version)."""
    return code_id(Path(__file__).parent, _SYNTH_MODULES)


class CachedBed:
    """A bed read from its cached render: the same samples the generator gives from 0."""

    def __init__(self, audio: np.ndarray):
        self.audio = audio
        self.channels = int(audio.shape[1])

    def render(self, start: int, n: int) -> np.ndarray:
        return np.array(self.audio[start:start + n], dtype=np.float32)  # a copy: mixed in place


class SoundCache:
    def __init__(self, root: str | Path | None):
        self.root = Path(root) if root is not None else None

    def _path(self, key: list) -> Path:
        assert self.root is not None
        payload = json.dumps([synth_code_id(), *key], sort_keys=True, default=str)
        return self.root / f"{hashlib.sha256(payload.encode()).hexdigest()[:32]}.npy"

    def get(self, key: list, make: Callable[[], np.ndarray]) -> np.ndarray:
        """The cached array for ``key`` (JSON-able), or ``make()`` stored under it."""
        if self.root is None:
            return make()
        path = self._path(key)
        cached = _load(path)
        if cached is not None:
            return np.asarray(cached)
        audio = make()
        try:
            with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                np.save(fh, np.ascontiguousarray(audio), allow_pickle=False)
        except OSError:
            pass  # a read-only or full cache only costs speed
        return audio

    def bed(self, key: list, frames: int, sample_rate: int, make: Callable[[], object]):
        """A bed that renders like ``make()`` for its first ``frames`` samples."""
        if self.root is None or frames > MAX_BED_SECONDS * sample_rate:
            return make()
        path = self._path(["bed", *key])
        cached = _load(path, mmap=True)
        if cached is not None and cached.ndim == 2 and len(cached) >= frames:
            return CachedBed(cached)
        scale, extra = BED_HEADROOM
        length = int(frames * scale + extra * sample_rate)
        generator = make()
        try:
            with atomic_path(path) as tmp:
                out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32,
                                                shape=(length, generator.channels))
                for start in range(0, length, RENDER_STEP):
                    n = min(RENDER_STEP, length - start)
                    out[start:start + n] = generator.render(start, n)
                out.flush()
                del out
        except OSError:
            return make()  # could not keep it: render as usual
        cached = _load(path, mmap=True)
        return CachedBed(cached) if cached is not None else make()

    def trim(self, max_bytes: int = MAX_BYTES) -> None:
        """Delete the least recently used entries until the folder fits ``max_bytes``."""
        if self.root is None or not self.root.is_dir():
            return
        entries = []
        for path in self.root.glob("*.npy"):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size


def _load(path: Path, mmap: bool = False) -> np.ndarray | None:
    try:
        audio = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError, EOFError):  # missing, torn or not an array
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: trimmed last
    return audio
