"""Trim every take's edges the same way, whatever the engine.

Engines pad their readings differently (Piper 0-0.04 s before and ~0.2 s after the speech,
Kokoro up to 0.6 s after a full stop), so the silence a listener hears between two lines would
depend on who speaks them. Every take is cut to its speech plus at most ``LEAD_S`` before and
exactly ``TAIL_S`` after (enough for a soft onset and a release; silence is added after where an
engine left less), with short fades at the cuts: the timeline's gaps are then the pauses a
listener hears.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pipeline.engines.base import Take, WordTiming

EDGES_VERSION = "edges-2"  # part of every voice identity: trimmed takes differ from untrimmed
LEAD_S = 0.03
TAIL_S = 0.08
FLOOR_DB = -45.0  # below the loudest 10 ms frame: silence (or breath noise) at the edges
FRAME_S = 0.01
FADE_S = 0.005


def speech_bounds(samples: np.ndarray, sr: int, floor_db: float = FLOOR_DB) -> tuple[int, int]:
    """(first, last) sample of the frames within ``floor_db`` of the loudest frame."""
    n = max(int(FRAME_S * sr), 1)
    count = len(samples) // n
    if count == 0:
        return 0, len(samples)
    frames = samples[:count * n].astype(np.float64).reshape(count, n)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    peak = float(rms.max())
    if peak <= 0:
        return 0, len(samples)
    loud = np.flatnonzero(rms >= peak * 10 ** (floor_db / 20))
    return int(loud[0]) * n, min(len(samples), (int(loud[-1]) + 1) * n)


def trim_edges(take: Take, lead: float = LEAD_S, tail: float = TAIL_S) -> Take:
    """The take as its speech with at most ``lead`` seconds before it and exactly ``tail``
    after (cut, or padded with silence where the engine left less); word timings follow.

    The lead is never padded: Piper often starts on the first sample, and Whisper (QA) hears a
    line's first word differently when 30 ms of silence is put in front of it."""
    sr = take.sample_rate
    first, last = speech_bounds(take.samples, sr)
    want_lead, want_tail = int(lead * sr), int(tail * sr)
    start = max(first - want_lead, 0)
    end = last + want_tail  # > len: pad
    if start == 0 and end == len(take.samples):
        return take
    body = take.samples[max(start, 0):min(end, len(take.samples))].astype(np.float32, copy=True)
    _fade(body, int(FADE_S * sr), at_start=start > 0, at_end=end < len(take.samples))
    samples = np.concatenate([np.zeros(max(-start, 0), np.float32), body,
                              np.zeros(max(end - len(take.samples), 0), np.float32)])
    return replace(take, samples=samples, words=_shift(take.words, start / sr, len(samples) / sr))


def _fade(samples: np.ndarray, n: int, at_start: bool, at_end: bool) -> None:
    n = min(n, len(samples) // 2)
    if n <= 0:
        return
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))).astype(np.float32)
    if at_start:
        samples[:n] *= ramp
    if at_end:
        samples[-n:] *= ramp[::-1]


def _shift(words: list[WordTiming] | None, by: float, duration: float
           ) -> list[WordTiming] | None:
    if not words:
        return words
    return [WordTiming(w.word, round(min(max(w.start - by, 0.0), duration), 4),
                       round(min(max(w.end - by, 0.0), duration), 4)) for w in words]
