"""A look-ahead true-peak limiter in numpy, streaming block by block.

Per block: 4x-oversampled peaks (only frames near the threshold are oversampled), required
attenuation in dB per 16-sample group, then three cheap vectorized steps that together guarantee
the gain never lets a peak through:

1. forward max over the look-ahead window (``maximum_filter1d``),
2. release as a linear-in-dB recovery (``max_k f[k] - c (n - k)`` = running max of ``f + c n``),
3. a moving average as long as the look-ahead, so gain ramps down smoothly *before* the peak.

Each output of 3 averages values that all cover the peak's position, so the result is at least
the required attenuation. Gain is interpolated linearly between group points, where each point
covers both neighbouring groups, so interpolated gains are safe too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.ndimage import maximum_filter1d

from pipeline.mix.levels import TP_CONTEXT, candidate_peaks
from pipeline.mix.settings import LIMITER_GROUP

GROUP = LIMITER_GROUP  # samples per gain-computer step


class Limiter:
    def __init__(self, sample_rate: int, threshold_db: float, lookahead_ms: float = 1.5,
                 release_db_per_s: float = 40.0):
        self.threshold_db = threshold_db
        self.threshold = 10 ** (threshold_db / 20)
        self.lg = max(1, int(np.ceil(lookahead_ms / 1000 * sample_rate / GROUP)))
        self.c = release_db_per_s * GROUP / sample_rate  # dB of recovery per group
        self.r_last = 0.0
        self.r_hist = np.zeros(self.lg)
        self.max_reduction_db = 0.0

    @property
    def margin(self) -> tuple[int, int]:
        """Samples of input needed before and after a block."""
        return GROUP + TP_CONTEXT, (self.lg + 1) * GROUP + TP_CONTEXT

    def process(self, read: Callable[[int, int], np.ndarray], start: int, n: int,
                gain: float) -> np.ndarray:
        """Limit samples ``[start, start+n)`` of ``read(a, b) * gain``. ``start`` must be a
        multiple of 16 and blocks contiguous; ``read`` returns zeros outside the signal."""
        before, after = self.margin
        n_pad = -(-n // GROUP) * GROUP
        x = read(start - before, start + n_pad + after) * np.float32(gain)
        body = x[before:before + n]
        k = n_pad // GROUP + 1  # control points, the last shared with the next block
        lo = before - GROUP  # group -1 starts here
        hi = lo + (k + self.lg + 1) * GROUP
        peaks = candidate_peaks(x, lo, hi, self.threshold)
        if not peaks.any() and self.r_last <= 0 and not self.r_hist.any():
            return body.copy()
        pg = peaks.reshape(-1, GROUP).max(axis=1)
        with np.errstate(divide="ignore"):
            att = np.maximum(20 * np.log10(np.maximum(pg, 1e-12)) - self.threshold_db, 0.0)
        need = np.maximum(att[:-1], att[1:])  # point j borders groups j-1 and j
        f = _forward_max(need, self.lg)[:k]
        idx = np.arange(1, k + 1) * self.c
        r = np.maximum.accumulate(np.concatenate([[self.r_last], f + idx]))[1:] - idx
        r = np.maximum(r, 0.0)
        window = np.concatenate([self.r_hist, r])
        c = np.concatenate([[0.0], np.cumsum(window)])
        s = (c[self.lg + 1:] - c[:-self.lg - 1]) / (self.lg + 1)  # length k
        owned = k - 1
        self.r_last = float(r[owned - 1])
        self.r_hist = np.concatenate([self.r_hist, r[:owned]])[-self.lg:]
        self.max_reduction_db = max(self.max_reduction_db, float(s.max(initial=0.0)))
        g = np.power(10.0, -s / 20)
        frac = np.arange(GROUP) / GROUP
        per = (g[:-1, None] + (g[1:] - g[:-1])[:, None] * frac[None, :]).reshape(-1)[:n]
        return body * per.astype(np.float32)[:, None]


def _forward_max(x: np.ndarray, w: int) -> np.ndarray:
    """out[j] = max(x[j .. j+w]), zeros past the end."""
    size = w + 1
    padded = np.concatenate([x, np.zeros(w)])
    # maximum_filter1d centres its window on i (from i - size//2), so shift by size//2.
    centred = maximum_filter1d(padded, size, mode="constant", cval=0.0)
    return centred[size // 2:size // 2 + len(x)]
