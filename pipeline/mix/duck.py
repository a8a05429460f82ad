"""Side-chain ducking: beds and music dip under every line and breathe back up between lines.

The key is the speech track itself: each take's active intervals (``levels.speech_activity``,
word gaps under 250 ms filled) placed on the timeline. Because the whole speech track is known
before mixing, the key is shifted one attack time earlier (look-ahead), so the bed is already down
when a line starts. The gain moves in dB like a one-pole follower - toward ``depth`` with the
attack time constant while the key is on, back to 0 dB with the release constant - and is
evaluated in closed form per segment, so any block of it costs a few vectorized ``exp`` calls and
blocks join exactly.
"""

from __future__ import annotations

import numpy as np

# Attack/release are given as the time to cover ~90 % of the way (ln 10 time constants).
_LN10 = np.log(10.0)


class Ducker:
    def __init__(self, intervals: list[tuple[int, int]], sample_rate: int, attack_ms: float,
                 release_ms: float, depth_db: float):
        self.depth = float(depth_db)
        self.tau_a = max(attack_ms / 1000 * sample_rate / _LN10, 1.0)  # samples
        self.tau_r = max(release_ms / 1000 * sample_rate / _LN10, 1.0)
        lookahead = int(attack_ms / 1000 * sample_rate)
        on, off = _merge([(max(0, a - lookahead), b) for a, b in intervals])
        self.on, self.off = on, off
        # Gain (dB) at each key-on and key-off instant, followed from 0 dB at t = 0.
        self.v_on = np.zeros(len(on))
        self.v_off = np.zeros(len(on))
        v, t = 0.0, 0
        for i in range(len(on)):
            v = v * np.exp(-(on[i] - t) / self.tau_r)  # releasing toward 0 since t
            self.v_on[i] = v
            v = self.depth + (v - self.depth) * np.exp(-(off[i] - on[i]) / self.tau_a)
            self.v_off[i] = v
            t = off[i]

    def gain_db(self, start: int, n: int) -> np.ndarray:
        """Ducking gain (dB, <= 0) for samples ``[start, start + n)``."""
        out = np.zeros(n)
        if self.depth == 0 or not len(self.on):
            return out
        end = start + n
        # Segment i: on[i]..off[i] attack, off[i]..on[i+1] release. Start from the last key-off
        # before ``start`` (the release in progress), then each key-on overlapping the block.
        i0 = int(np.searchsorted(self.off, start, side="right")) - 1
        i1 = int(np.searchsorted(self.on, end, side="left"))
        for i in range(max(i0, 0), i1):
            a, b = max(self.on[i], start), min(self.off[i], end)
            if a < b:
                t = np.arange(a, b) - self.on[i]
                out[a - start:b - start] = self.depth + (self.v_on[i] - self.depth) * np.exp(
                    -t / self.tau_a)
            nxt = self.on[i + 1] if i + 1 < len(self.on) else end
            a, b = max(self.off[i], start), min(nxt, end)
            if a < b:
                t = np.arange(a, b) - self.off[i]
                out[a - start:b - start] = self.v_off[i] * np.exp(-t / self.tau_r)
        return out

    def gain(self, start: int, n: int) -> np.ndarray:
        """Linear ducking gain (float32) for samples ``[start, start + n)``."""
        g = self.gain_db(start, n)
        if not g.any():
            return np.ones(n, np.float32)
        return np.exp(g.astype(np.float32) * np.float32(np.log(10) / 20))


def _merge(intervals: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    on: list[int] = []
    off: list[int] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if on and a <= off[-1]:
            off[-1] = max(off[-1], b)
        else:
            on.append(a)
            off.append(b)
    return np.array(on, dtype=np.int64), np.array(off, dtype=np.int64)
