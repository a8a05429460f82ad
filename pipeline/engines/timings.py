"""Word timings from phoneme timings: shared by the engines that report per-phoneme lengths.

An engine gives (phoneme, samples) pairs; spaces separate words, punctuation and stress marks
belong to no word. The text's words are then laid on those spans: one to one when the counts
agree, else proportionally by characters (espeak joins "in the" into one word, for example).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from pipeline.engines.base import WordTiming

_WORD = re.compile(r"\S+")
NON_WORD_PHONEMES = frozenset("^$_ .,;:!?¡¿—…\"'()-“”ˈˌ")


def word_spans(phonemes: Iterable[tuple[str, int]], offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) sample spans of each spoken word, from (phoneme, samples) pairs that start
    ``offset`` samples into the take."""
    spans: list[tuple[int, int]] = []
    start = end = None
    pos = offset
    for phoneme, samples in phonemes:
        if phoneme == " ":
            if start is not None:
                spans.append((start, end))
            start = None
        elif phoneme not in NON_WORD_PHONEMES:
            start = pos if start is None else start
            end = pos + int(samples)
        pos += int(samples)
    if start is not None:
        spans.append((start, end))
    return spans


def text_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if any(c.isalnum() for c in w)]


def word_timings(text: str, spans: list[tuple[int, int]], sr: int) -> list[WordTiming] | None:
    """Map the text's words onto phoneme word spans; proportional by characters if counts differ
    (espeak sometimes joins or splits words)."""
    words = text_words(text)
    if not words or not spans:
        return None
    if len(words) == len(spans):
        return [WordTiming(w, s / sr, e / sr) for w, (s, e) in zip(words, spans, strict=True)]
    # Monotone fallback: place each word at its character fraction along the spoken spans.
    lengths = np.array([e - s for s, e in spans], dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    chars = np.cumsum([0] + [len(w) + 1 for w in words], dtype=float)
    chars /= chars[-1]

    def at(frac: float) -> float:
        target = frac * cum[-1]
        i = min(int(np.searchsorted(cum, target, side="right")) - 1, len(spans) - 1)
        return (spans[i][0] + (target - cum[i])) / sr

    return [WordTiming(w, at(chars[i]), at(chars[i + 1] - 1e-9)) for i, w in enumerate(words)]


def proportional_timings(text: str, start: float, end: float) -> list[WordTiming] | None:
    """Words spread over [start, end] by character count: the estimate when an engine reports
    no timings at all."""
    words = text_words(text)
    if not words or end <= start:
        return None
    return word_timings(text, [(int(start * 1000), int(end * 1000))], 1000)
