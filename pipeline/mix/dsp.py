"""Small signal helpers shared by the bed, effect and music synthesizers.

Randomness is *counter based*: noise and events for samples ``[start, start+n)`` come from
generators seeded by ``(seed, stream, chunk index)``, so any block of a bed is the same whether
rendered in one piece or many. Filters carry their state from block to block.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.signal as ss

CHUNK = 1 << 15  # samples per random chunk
SQRT3 = np.float32(np.sqrt(3.0))


def rng(*key: int) -> np.random.Generator:
    return np.random.Generator(np.random.Philox(key=_key(key)))


def _key(parts: tuple[int, ...]) -> int:
    # Philox takes a 128-bit key: fold the parts in with a 64-bit multiply-xorshift.
    h = 0x9E3779B97F4A7C15
    for p in parts:
        h = ((h ^ (int(p) & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
    return h


class Noise:
    """Unit-variance white noise, a pure function of (seed, stream, sample index)."""

    def __init__(self, seed: int, stream: int, channels: int):
        self.seed, self.stream, self.channels = seed, stream, channels
        self._cache: tuple[int, np.ndarray] | None = None

    def _chunk(self, c: int) -> np.ndarray:
        if self._cache is None or self._cache[0] != c:
            g = rng(self.seed, self.stream, c)
            # Uniform is ~4x cheaper than normal; the filters after it make it Gaussian enough.
            data = (g.random((CHUNK, self.channels), dtype=np.float32) - np.float32(0.5))
            self._cache = (c, data * (2 * SQRT3))
        return self._cache[1]

    def take(self, start: int, n: int) -> np.ndarray:
        out = np.empty((n, self.channels), dtype=np.float32)
        pos = start
        while pos < start + n:
            c, off = divmod(pos, CHUNK)
            m = min(CHUNK - off, start + n - pos)
            out[pos - start:pos - start + m] = self._chunk(c)[off:off + m]
            pos += m
        return out


def impulses(seed: int, stream: int, start: int, n: int, channels: int, rate: float,
             sample_rate: int, amp: Callable[[np.random.Generator, int], np.ndarray]
             ) -> np.ndarray:
    """Randomly timed, randomly panned clicks: Poisson ``rate`` per second, ``amp(g, k)`` sizes."""
    out = np.zeros((n, channels), dtype=np.float32)
    per_chunk = rate * CHUNK / sample_rate
    for c in range(start // CHUNK, (start + n - 1) // CHUNK + 1):
        g = rng(seed, stream, c)
        k = g.poisson(per_chunk)
        pos = c * CHUNK + g.integers(0, CHUNK, k) - start
        a = amp(g, k).astype(np.float32)
        pan = g.random(k, dtype=np.float32)
        keep = (pos >= 0) & (pos < n)
        pos, a, pan = pos[keep], a[keep], pan[keep]
        if channels == 1:
            np.add.at(out[:, 0], pos, a)
        else:
            np.add.at(out[:, 0], pos, a * np.cos(pan * np.pi / 2))
            np.add.at(out[:, 1], pos, a * np.sin(pan * np.pi / 2))
    return out


class Filter:
    """A float32 second-order-sections filter that keeps its state between blocks."""

    def __init__(self, sos: np.ndarray, channels: int):
        self.sos = np.asarray(sos, dtype=np.float32)
        self.zi = np.zeros((self.sos.shape[0], 2, channels), dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        y, self.zi = ss.sosfilt(self.sos, x, axis=0, zi=self.zi)
        return y.astype(np.float32, copy=False)


def lowpass(f: float, sr: int, order: int = 2) -> np.ndarray:
    return ss.butter(order, f, "lowpass", fs=sr, output="sos")


def highpass(f: float, sr: int, order: int = 2) -> np.ndarray:
    return ss.butter(order, f, "highpass", fs=sr, output="sos")


def bandpass(lo: float, hi: float, sr: int, order: int = 1) -> np.ndarray:
    return ss.butter(order, (lo, hi), "bandpass", fs=sr, output="sos")


def resonator(f: float, q: float, sr: int) -> np.ndarray:
    b, a = ss.iirpeak(f, q, fs=sr)
    return ss.tf2sos(b, a)


CTRL = 64  # control-rate step for slow envelopes (689 Hz at 44.1 kHz)


def control(start: int, n: int, sample_rate: int,
            fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Evaluate a slow envelope ``fn(seconds)`` every ``CTRL`` samples, held per sample.

    Returns shape (n,) or (n, k) like ``fn``'s output; sample i always gets the value at
    ``floor(i / CTRL)``, so blocks join exactly.
    """
    k0 = start // CTRL
    k1 = (start + n - 1) // CTRL + 1
    t = np.arange(k0, k1, dtype=np.float64) * (CTRL / sample_rate)
    vals = np.asarray(fn(t), dtype=np.float32)
    full = np.repeat(vals, CTRL, axis=0)
    off = start - k0 * CTRL
    return full[off:off + n]


def lfo(seed: int, stream: int, t: np.ndarray, lo: float, hi: float, count: int = 3
        ) -> np.ndarray:
    """Smooth random wander in [-1, 1]: a few sines with seeded, incommensurate rates."""
    g = rng(seed, stream, 0xF00)
    freqs = g.uniform(lo, hi, count)
    phases = g.uniform(0, 2 * np.pi, count)
    weights = g.uniform(0.5, 1.0, count)
    total = np.zeros_like(t)
    for f, p, w in zip(freqs, phases, weights, strict=True):
        total += w * np.sin(2 * np.pi * f * t + p)
    return total / weights.sum()


def hash01(*parts: np.ndarray | int) -> np.ndarray:
    """Deterministic pseudo-random numbers in [0, 1) from integer arrays (for event jitter)."""
    arrays = np.broadcast_arrays(*[np.atleast_1d(np.asarray(p).astype(np.uint64))
                                   for p in parts])
    h = np.full(arrays[0].shape, 0x9E3779B97F4A7C15, dtype=np.uint64)
    for p in arrays:
        h = (h ^ p) * np.uint64(0xBF58476D1CE4E5B9)  # wraps mod 2**64 (arrays do not warn)
        h ^= h >> np.uint64(31)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def db(x: float) -> float:
    return float(10 ** (x / 20))


def pan_gains(pan: float | np.ndarray, channels: int) -> np.ndarray:
    """Equal-power gains, shape ``pan.shape + (channels,)``, for pan 0 (left) .. 1 (right)."""
    p = np.asarray(pan, dtype=np.float64)
    if channels == 1:
        return np.ones(p.shape + (1,), dtype=np.float32)
    return np.stack([np.cos(p * np.pi / 2), np.sin(p * np.pi / 2)], axis=-1).astype(np.float32)
