"""Float32 audio kept on disk (raw, interleaved), written and read in blocks.

The mixer never holds a whole episode in memory: the pre-master and the master are raw files in
a work folder. Reads use plain file I/O (page cache, not process memory), so a three-hour
episode costs a few blocks of RAM.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np


class RawAudio:
    def __init__(self, path: Path, channels: int, frames: int = 0):
        self.path, self.channels, self.frames = Path(path), channels, frames

    @classmethod
    def create(cls, path: Path, channels: int) -> RawWriter:
        return RawWriter(cls(path, channels))

    def read(self, start: int, end: int) -> np.ndarray:
        """Frames ``[start, end)`` as (n, channels) float32; zeros outside the signal."""
        out = np.zeros((max(end - start, 0), self.channels), dtype=np.float32)
        a, b = max(start, 0), min(end, self.frames)
        if a < b:
            with open(self.path, "rb") as fh:
                fh.seek(a * self.channels * 4)
                data = np.fromfile(fh, dtype="<f4", count=(b - a) * self.channels)
            out[a - start:b - start] = data.reshape(-1, self.channels)
        return out

    def blocks(self, size: int) -> Iterator[np.ndarray]:
        with open(self.path, "rb") as fh:
            for start in range(0, self.frames, size):
                n = min(size, self.frames - start)
                yield np.fromfile(fh, dtype="<f4", count=n * self.channels).reshape(
                    n, self.channels)

    def memmap(self) -> np.ndarray:
        if self.frames == 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        return np.memmap(self.path, dtype="<f4", mode="r", shape=(self.frames, self.channels))


class RawWriter:
    def __init__(self, audio: RawAudio):
        self.audio = audio
        self._fh = open(audio.path, "wb")  # noqa: SIM115 - closed in close()

    def write(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype="<f4")
        self._fh.write(memoryview(block))
        self.audio.frames += len(block)

    def flush(self) -> None:
        """Make everything written so far visible to ``RawAudio.read``."""
        self._fh.flush()

    def close(self) -> RawAudio:
        self._fh.close()
        return self.audio

    def __enter__(self) -> RawWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()
