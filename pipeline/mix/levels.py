"""Level measurement: streaming BS.1770 loudness, 4x oversampled true peak, speech level.

pyloudnorm measures a whole array at once (a three-hour stereo episode would need ~4 GB as
float64), so ``LoudnessMeter`` runs the same K-weighting filters (pyloudnorm's ``IIRfilter``
coefficients) block by block with carried state and keeps only 100 ms energies; gating follows
pyloudnorm/BS.1770-4 exactly. Tests check it against pyloudnorm.
"""

from __future__ import annotations

import numpy as np
import pyloudnorm
import scipy.signal as ss
from pyloudnorm.iirfilter import IIRfilter

FRAME_SECONDS = 0.1  # energy frames; gating blocks are 4 frames (400 ms, 75 % overlap)
OVERSAMPLE = 4
TP_FRAME = 64  # true-peak candidate frame (samples)
TP_CONTEXT = 16  # samples of context either side: the interpolator needs ~10
TP_MARGIN = 0.6  # only frames whose sample peak is within 4.4 dB of the level of interest


def k_weighting_sos(sample_rate: int) -> np.ndarray:
    shelf = IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sample_rate, "high_shelf")
    hp = IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass")
    return np.vstack([np.concatenate([f.b, f.a]) / f.a[0] for f in (shelf, hp)])


class LoudnessMeter:
    """Integrated loudness (LUFS) and short-term loudness of a signal fed in blocks."""

    def __init__(self, sample_rate: int, channels: int):
        self.sr, self.channels = sample_rate, channels
        self.frame = int(round(FRAME_SECONDS * sample_rate))
        self.sos = k_weighting_sos(sample_rate).astype(np.float32)
        self.zi = np.zeros((self.sos.shape[0], 2, channels), dtype=np.float32)
        self._carry = np.zeros(0)
        self._frames: list[np.ndarray] = []
        self.samples = 0

    def feed(self, block: np.ndarray) -> None:
        """``block``: (n, channels) float32."""
        y, self.zi = ss.sosfilt(self.sos, block, axis=0, zi=self.zi)
        sq = np.square(y)
        power = sq[:, 0].astype(np.float64)  # summed over channels (G = 1)
        for c in range(1, sq.shape[1]):
            power += sq[:, c]
        self.samples += len(block)
        power = np.concatenate([self._carry, power]) if len(self._carry) else power
        whole = len(power) // self.frame * self.frame
        if whole:
            self._frames.append(power[:whole].reshape(-1, self.frame).sum(axis=1))
        self._carry = power[whole:]

    def frame_energy(self) -> np.ndarray:
        """Summed K-weighted energy of each complete 100 ms frame."""
        parts = self._frames + ([np.array([self._carry.sum()])] if len(self._carry) else [])
        return np.concatenate(parts) if parts else np.zeros(0)

    def integrated(self) -> float:
        e = self.frame_energy()
        block_len = 4 * self.frame
        # pyloudnorm: round((T - 0.4) / 0.1) + 1 blocks; a short last block still divides by 400 ms
        n_blocks = int(np.round((self.samples / self.sr - 0.4) / 0.1)) + 1
        if n_blocks < 1 or len(e) == 0:
            return float("-inf")
        padded = np.concatenate([e, np.zeros(max(0, n_blocks + 3 - len(e)))])
        c = np.concatenate([[0.0], np.cumsum(padded)])
        z = (c[4:n_blocks + 4] - c[:n_blocks]) / block_len
        with np.errstate(divide="ignore"):
            lk = -0.691 + 10 * np.log10(z)
        gated = z[lk >= -70.0]
        if not len(gated):
            return float("-inf")
        rel = -0.691 + 10 * np.log10(gated.mean()) - 10.0
        final = z[(lk > rel) & (lk > -70.0)]
        if not len(final):
            return float("-inf")
        return float(-0.691 + 10 * np.log10(final.mean()))

    def short_term(self) -> np.ndarray:
        """3 s loudness (LUFS) every 100 ms, aligned to the end of each window."""
        e = self.frame_energy()
        if not len(e):
            return np.zeros(0)
        c = np.concatenate([[0.0], np.cumsum(e)])
        w = 30
        idx = np.arange(1, len(e) + 1)
        lo = np.maximum(idx - w, 0)
        z = (c[idx] - c[lo]) / (w * self.frame)
        with np.errstate(divide="ignore"):
            return -0.691 + 10 * np.log10(np.maximum(z, 1e-20))

    def loudness_range(self) -> float:
        """EBU Tech 3342 loudness range (LU) from the short-term values."""
        st = self.short_term()[29:]
        st = st[st >= -70]
        if not len(st):
            return 0.0
        rel = 10 * np.log10(np.mean(10 ** (st / 10))) - 20
        st = st[st >= rel]
        return float(np.percentile(st, 95) - np.percentile(st, 10)) if len(st) else 0.0


def abs_peak(x: np.ndarray) -> np.ndarray:
    """max |x| over the last (channel) axis; elementwise maxima beat ``max(axis=-1)`` on a
    2-wide axis by ~10x."""
    out = np.abs(x[..., 0])
    for c in range(1, x.shape[-1]):
        np.maximum(out, np.abs(x[..., c]), out=out)
    return out


def oversampled_peaks(x: np.ndarray) -> np.ndarray:
    """Per-sample 4x-oversampled peak of ``x`` (n, ch) or (k, m, ch) along the sample axis.

    Returns max |.| over channels of the interpolated points ``i .. i+3/4`` for each sample i.
    """
    axis = x.ndim - 2
    up = abs_peak(ss.resample_poly(x, OVERSAMPLE, 1, axis=axis))
    out = up[..., 0::OVERSAMPLE].copy()
    for k in range(1, OVERSAMPLE):
        np.maximum(out, up[..., k::OVERSAMPLE], out=out)
    return out


def candidate_peaks(x: np.ndarray, lo: int, hi: int, floor: float) -> np.ndarray:
    """True peak per sample for ``x[lo:hi]`` (0 where the signal stays below ``floor``).

    ``x`` must hold ``TP_CONTEXT`` samples of real context beyond ``[lo, hi)`` on both sides
    (``lo >= TP_CONTEXT``). Only 64-sample frames whose sample peak reaches ``floor * 0.6``
    are oversampled (oversampling is the costly part): inter-sample peaks of real audio run at
    most ~3 dB over its sample peaks, so frames 4.4 dB under the level of interest cannot
    reach it.
    """
    n = hi - lo
    out = np.zeros(n, dtype=np.float32)
    frames = -(-n // TP_FRAME)
    pad = frames * TP_FRAME - n
    body = abs_peak(x[lo:hi])
    if pad:
        body = np.concatenate([body, np.zeros(pad, dtype=body.dtype)])
    fpeak = body.reshape(frames, TP_FRAME).max(axis=1)
    hot = np.flatnonzero(fpeak >= floor * TP_MARGIN)
    if not len(hot):
        return out
    starts = lo + hot * TP_FRAME - TP_CONTEXT
    width = TP_FRAME + 2 * TP_CONTEXT
    idx = starts[:, None] + np.arange(width)[None, :]
    idx = np.clip(idx, 0, len(x) - 1)
    peaks = oversampled_peaks(x[idx])[:, TP_CONTEXT:TP_CONTEXT + TP_FRAME]
    flat = out if not pad else np.zeros(frames * TP_FRAME, dtype=np.float32)
    flat.reshape(frames, TP_FRAME)[hot] = peaks
    return flat[:n] if pad else flat


class TruePeakMeter:
    """Maximum 4x-oversampled peak of a signal fed in blocks.

    The last ``TP_CONTEXT`` samples wait for the next block, so every sample is measured with
    real context on both sides (zeros before the start and after ``finish``).
    """

    def __init__(self, channels: int):
        self.channels = channels
        self.peak = 0.0
        self._tail = np.zeros((TP_CONTEXT, channels), dtype=np.float32)
        self._pending = np.zeros((0, channels), dtype=np.float32)

    def feed(self, block: np.ndarray) -> None:
        pending = np.concatenate([self._pending, np.asarray(block, dtype=np.float32)])
        if len(pending) > TP_CONTEXT:
            self._measure(pending[:-TP_CONTEXT], pending[-TP_CONTEXT:])
            pending = pending[-TP_CONTEXT:].copy()
        self._pending = pending

    def finish(self) -> float:
        if len(self._pending):
            self._measure(self._pending, np.zeros((TP_CONTEXT, self.channels), np.float32))
            self._pending = self._pending[:0]
        return self.peak

    def _measure(self, body: np.ndarray, ahead: np.ndarray) -> None:
        x = np.concatenate([self._tail, body, ahead])
        floor = max(self.peak, float(abs_peak(body).max(initial=0.0)))
        if floor > 0:
            p = candidate_peaks(x, TP_CONTEXT, TP_CONTEXT + len(body), floor)
            self.peak = max(self.peak, float(p.max(initial=0.0)))
        self._tail = np.concatenate([self._tail, body])[-TP_CONTEXT:]


def true_peak_dbtp(x: np.ndarray) -> float:
    """4x-oversampled true peak (dBTP) of a whole signal, the straightforward way."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    peak = float(oversampled_peaks(x).max(initial=0.0))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def to_db(x: float | np.ndarray, floor: float = -120.0) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.maximum(20 * np.log10(np.maximum(np.abs(x), 1e-30)), floor)


ACTIVITY_FRAME = 0.01  # 10 ms hop for speech activity


def speech_activity(samples: np.ndarray, sr: int, hold: float = 0.25
                    ) -> tuple[float, list[tuple[int, int]]]:
    """(active speech RMS in dBFS, active intervals in samples) of one mono take.

    A 10 ms frame is active when within 40 dB of the loudest frame (and above -60 dBFS); gaps
    shorter than ``hold`` (pauses between words) are filled so ducking does not pump.
    """
    hop = max(1, int(ACTIVITY_FRAME * sr))
    n = len(samples) // hop
    if n == 0:
        return float("-inf"), []
    power = np.square(samples[: n * hop].astype(np.float64)).reshape(n, hop).mean(axis=1)
    level = 10 * np.log10(np.maximum(power, 1e-20))
    active = level > max(level.max() - 40.0, -60.0)
    if not active.any():
        return float("-inf"), []
    rms_db = float(10 * np.log10(power[active].mean()))
    edges = np.flatnonzero(np.diff(np.concatenate([[0], active.astype(np.int8), [0]])))
    runs = list(zip(edges[::2], edges[1::2], strict=True))
    merged: list[list[int]] = []
    gap = int(hold / ACTIVITY_FRAME)
    for a, b in runs:
        if merged and a - merged[-1][1] <= gap:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return rms_db, [(a * hop, min(b * hop, len(samples))) for a, b in merged]


class FramePeaks:
    """Max |sample| (over channels) of every 100 ms frame of a signal fed in blocks."""

    def __init__(self, sample_rate: int):
        self.frame = int(round(FRAME_SECONDS * sample_rate))
        self._carry = np.zeros(0, dtype=np.float32)
        self._parts: list[np.ndarray] = []

    def feed(self, block: np.ndarray) -> None:
        peak = abs_peak(block) if block.ndim == 2 else np.abs(block)
        peak = np.concatenate([self._carry, peak]) if len(self._carry) else peak
        whole = len(peak) // self.frame * self.frame
        if whole:
            self._parts.append(peak[:whole].reshape(-1, self.frame).max(axis=1))
        self._carry = peak[whole:]

    def result(self) -> np.ndarray:
        tail = [np.array([self._carry.max()])] if len(self._carry) else []
        parts = self._parts + tail
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)


def channel_loudness(x: np.ndarray, sr: int) -> float:
    """Loudness of one channel's worth (LUFS): per-channel pyloudnorm, power-averaged.

    Averaging channels first would let a wide stereo sound cancel itself; clips under 0.4 s
    (too short to gate) fall back to RMS. Silence gives -inf.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if len(x) > int(0.4 * sr):
        meter = pyloudnorm.Meter(sr)
        values = np.array([meter.integrated_loudness(x[:, c]) for c in range(x.shape[1])])
        values = values[np.isfinite(values)]
        if len(values):
            return float(10 * np.log10(np.mean(10 ** (values / 10))))
    power = float(np.mean(np.square(x))) if len(x) else 0.0
    return 10 * np.log10(power) if power > 1e-20 else float("-inf")
