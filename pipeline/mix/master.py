"""Mastering: gain to the loudness target, true-peak limiting, measured and iterated.

Pass k streams the pre-master through ``gain_k`` and the look-ahead limiter into the master file
while measuring integrated loudness (BS.1770, streaming) and true peak (4x oversampled). The
limiter can only lower loudness, so when the result misses the target by more than the
tolerance the gain is corrected by the miss and the pass repeats; a true-peak overshoot lowers
the limiter threshold. Speech-led mixes usually land in one pass, always within four.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.mix.levels import FramePeaks, LoudnessMeter, TruePeakMeter
from pipeline.mix.limiter import GROUP, Limiter
from pipeline.mix.store import RawAudio

BLOCK = 1 << 19  # ~12 s; a multiple of the limiter's group size
MAX_PASSES = 4
HEADROOM_DB = 0.3  # limiter threshold below the ceiling: interpolation between 4x points
MAX_GAIN_DB = 40.0  # a near-silent pre-master is not boosted into noise beyond this

assert BLOCK % GROUP == 0


@dataclass
class Mastered:
    audio: RawAudio
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float
    passes: int
    limiter_max_db: float  # deepest gain reduction of the final pass
    limiter_threshold_db: float
    loudness_range_lu: float
    short_term_lufs: np.ndarray  # 3 s loudness every 100 ms
    frame_peaks: np.ndarray  # max |sample| every 100 ms


def master(pre: RawAudio, sample_rate: int, pre_lufs: float, target_lufs: float,
           ceiling_dbtp: float, tolerance: float, out: RawAudio,
           fixed: tuple[float, float] | None = None) -> Mastered:
    """``fixed`` = (gain dB, limiter threshold dB) of an earlier master: one pass with exactly
    those, so a re-mix after a single-line change leaves every other line's samples as they were."""
    if fixed is not None:
        return _pass(pre, sample_rate, fixed[0], fixed[1], out)
    gain_db = target_lufs - pre_lufs if math.isfinite(pre_lufs) else 0.0
    gain_db = min(gain_db, MAX_GAIN_DB)
    threshold = ceiling_dbtp - HEADROOM_DB
    result: Mastered | None = None
    for n_pass in range(1, MAX_PASSES + 1):
        result = _pass(pre, sample_rate, gain_db, threshold, out)
        result.passes = n_pass
        loud_ok = (not math.isfinite(result.integrated_lufs)
                   or abs(result.integrated_lufs - target_lufs) <= tolerance
                   or gain_db >= MAX_GAIN_DB)
        peak_ok = result.true_peak_dbtp <= ceiling_dbtp
        if loud_ok and peak_ok:
            break
        if not peak_ok:
            threshold -= result.true_peak_dbtp - ceiling_dbtp + 0.1
        if not loud_ok:
            gain_db = min(gain_db + target_lufs - result.integrated_lufs, MAX_GAIN_DB)
    assert result is not None
    return result


def _pass(pre: RawAudio, sr: int, gain_db: float, threshold_db: float, out: RawAudio
          ) -> Mastered:
    limiter = Limiter(sr, threshold_db)
    meter = LoudnessMeter(sr, pre.channels)
    peak = TruePeakMeter(pre.channels)
    frames = FramePeaks(sr)
    gain = 10 ** (gain_db / 20)
    with RawAudio.create(out.path, pre.channels) as writer:
        for start in range(0, pre.frames, BLOCK):
            n = min(BLOCK, pre.frames - start)
            y = limiter.process(pre.read, start, n, gain)
            writer.write(y)
            meter.feed(y)
            peak.feed(y)
            frames.feed(y)
        audio = writer.close()
    tp = peak.finish()
    return Mastered(
        audio=audio, integrated_lufs=meter.integrated(),
        true_peak_dbtp=20 * math.log10(tp) if tp > 0 else float("-inf"), gain_db=gain_db,
        passes=1, limiter_max_db=limiter.max_reduction_db, limiter_threshold_db=threshold_db,
        loudness_range_lu=meter.loudness_range(), short_term_lufs=meter.short_term(),
        frame_peaks=frames.result())
