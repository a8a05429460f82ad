"""Mastering: gain to the loudness target, true-peak limiting, measured and iterated.

Pass k streams the pre-master through ``gain_k`` and the look-ahead limiter into the master file
while measuring integrated loudness (BS.1770, streaming) and true peak (4x oversampled). The
limiter can only lower loudness, so when the result misses the target by more than the
tolerance the gain is corrected by the miss and the pass repeats; a true-peak overshoot lowers
the limiter threshold. Speech-led mixes usually land in one pass, always within four.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pipeline.mix.levels import FramePeaks, LoudnessMeter, TruePeakMeter
from pipeline.mix.limiter import GROUP, Limiter
from pipeline.mix.store import RawAudio

BLOCK = 1 << 19  # ~12 s; a multiple of the limiter's group size
MAX_PASSES = 4
HEADROOM_DB = 0.3  # limiter threshold below the ceiling: interpolation between 4x points
# And below that, room for the lossy encoders: decoded MP3/AAC/Opus peaks overshoot the master
# by up to ~0.6 dB, and their loudness compensation (delivery.py) adds ~0.45 dB at 128 kbit/s.
CODEC_HEADROOM_DB = 1.0
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


Sink = Callable[[np.ndarray], None]


def master(pre: RawAudio, sample_rate: int, pre_lufs: float, target_lufs: float,
           ceiling_dbtp: float, tolerance: float, out: RawAudio) -> Mastered:
    """Master a finished pre-master to the target. (A re-mix after a single-line change instead
    runs one ``MasterPass`` with the earlier master's gain and threshold, as it mixes, so every
    other line's samples stay as they were.)"""
    gain_db = target_lufs - pre_lufs if math.isfinite(pre_lufs) else 0.0
    gain_db = min(gain_db, MAX_GAIN_DB)
    threshold = ceiling_dbtp - HEADROOM_DB - CODEC_HEADROOM_DB
    result: Mastered | None = None
    previous: tuple[float, float] | None = None  # (gain, loudness) of the last pass
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
            previous = None  # a new threshold: the last pass says nothing about the slope
        if not loud_ok:
            miss = target_lufs - result.integrated_lufs
            # With the limiter at work a dB of gain adds less than a dB of loudness: from the
            # third pass on, step by the slope the last two passes showed (secant).
            slope = 1.0
            if previous is not None and abs(gain_db - previous[0]) > 1e-6:
                slope = (result.integrated_lufs - previous[1]) / (gain_db - previous[0])
                slope = min(max(slope, 0.2), 1.0)
            previous = (gain_db, result.integrated_lufs)
            gain_db = min(gain_db + miss / slope, MAX_GAIN_DB)
    assert result is not None
    return result


def _pass(pre: RawAudio, sr: int, gain_db: float, threshold_db: float, out: RawAudio
          ) -> Mastered:
    one = MasterPass(pre, sr, gain_db, threshold_db, out)
    one.advance(pre.frames, pre.frames)
    return one.finish()


class MasterPass:
    """One pass of ``pre`` through the gain and limiter into ``out``, measured on the way.

    ``advance`` can be called while the pre-master is still being written: it masters every
    block whose input, look-ahead included, is already there. That lets a fixed-gain re-mix
    master (and hand blocks to ``sink``, e.g. the encoders) as it mixes. Blocks always start at
    multiples of ``BLOCK`` from 0, so streamed and whole-file passes give identical samples.
    """

    def __init__(self, pre: RawAudio, sr: int, gain_db: float, threshold_db: float,
                 out: RawAudio, sink: Sink | None = None):
        self.pre, self.gain_db, self.sink = pre, gain_db, sink
        self.limiter = Limiter(sr, threshold_db)
        self.meter = LoudnessMeter(sr, pre.channels)
        self.peak = TruePeakMeter(pre.channels)
        self.frames = FramePeaks(sr)
        self.gain = 10 ** (gain_db / 20)
        self.writer = RawAudio.create(out.path, pre.channels)
        self.pos = 0

    def advance(self, available: int, total: int) -> None:
        """Master what ``available`` pre-master frames (of ``total``) allow."""
        after = self.limiter.margin[1]
        while self.pos < total:
            n = min(BLOCK, total - self.pos)
            if self.pos + n + after > available and available < total:
                return
            y = self.limiter.process(self.pre.read, self.pos, n, self.gain)
            self.writer.write(y)
            self.meter.feed(y)
            self.peak.feed(y)
            self.frames.feed(y)
            if self.sink is not None:
                self.sink(y)
            self.pos += n

    def finish(self) -> Mastered:
        audio = self.writer.close()
        tp = self.peak.finish()
        return Mastered(
            audio=audio, integrated_lufs=self.meter.integrated(),
            true_peak_dbtp=20 * math.log10(tp) if tp > 0 else float("-inf"),
            gain_db=self.gain_db, passes=1, limiter_max_db=self.limiter.max_reduction_db,
            limiter_threshold_db=self.limiter.threshold_db,
            loudness_range_lu=self.meter.loudness_range(),
            short_term_lufs=self.meter.short_term(), frame_peaks=self.frames.result())
