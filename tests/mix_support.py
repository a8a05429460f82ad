"""Shared helpers for the mix tests: synthetic speech, small scripts, and reference meters."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import scipy.signal as ss

from pipeline.mix import RenderedLine
from pipeline.model import Cue, CueKind, Script, Section

SR = 44100


def speech_like(seed: int, seconds: float) -> np.ndarray:
    """A voice-ish take: harmonic tone in syllables, fricative hiss and plosive bursts.

    Peaks sit ~15-20 dB over the active RMS, as in Piper's takes, so the limiter has work.
    """
    g = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    f0 = g.uniform(95, 220) * (1 + 0.08 * np.sin(2 * np.pi * g.uniform(0.3, 0.8) * t))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    voiced = sum(np.sin(k * phase) / k ** 1.2 for k in range(1, 16))
    rate = g.uniform(3.5, 5.0)
    syll = np.clip(np.sin(2 * np.pi * rate * t + g.uniform(0, 6)) * 1.6 - 0.3, 0, 1) ** 1.5
    hiss = g.standard_normal(n) * (np.sin(2 * np.pi * rate * t * 0.5) > 0.8)
    onsets = np.flatnonzero(np.diff((syll > 0).astype(int)) == 1)
    clicks = np.zeros(n)
    clicks[onsets] = g.uniform(0.5, 1.0, len(onsets)) * g.choice([-1, 1], len(onsets))
    plosive = np.convolve(clicks, g.standard_normal(200) * np.exp(-np.arange(200) / 40), "same")
    edge = np.clip(np.minimum(t - 0.1, seconds - 0.1 - t) / 0.05, 0, 1)
    x = (voiced * syll + 0.15 * hiss + 2.5 * plosive) * edge
    return (0.95 * x / np.abs(x).max()).astype(np.float32)


def lufs(audio: np.ndarray, sr: int = SR) -> float:
    return float(pyloudnorm.Meter(sr).integrated_loudness(np.asarray(audio, dtype=np.float64)))


def true_peak(audio: np.ndarray) -> float:
    """Reference 4x-oversampled true peak (dBTP), one-shot over the whole signal."""
    x = np.asarray(audio, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    up = ss.resample_poly(x, 4, 1, axis=0)
    return float(20 * np.log10(np.abs(up).max()))


def cue(kind: CueKind, text: str = "", line: int = 0, **kw) -> Cue:
    return Cue(kind=kind, text=text, source_line=line, **kw)


class Story:
    """Builds a Script and the matching RenderedLines (durations of synthetic takes)."""

    def __init__(self, path: str = "/tmp/story.txt"):
        self.script = Script(title="Test story", source_path=path, format="prose")
        self.rendered: dict[str, RenderedLine] = {}
        self.takes: dict[str, np.ndarray] = {}
        self._line = 1

    def section(self, heading: str = "", summary: bool = False) -> Section:
        numbered = sum(1 for s in self.script.sections if not s.is_summary)
        sec = Section(id="s00" if summary else f"s{numbered + 1:02d}", heading=heading,
                      is_summary=summary, source_line=self._line)
        self.script.sections.append(sec)
        self._line += 1
        return sec

    def say(self, sec: Section, text: str, speaker: str | None = None, seconds: float = 2.0,
            paragraph_end: bool = False, render: bool = True) -> str:
        n = sum(1 for c in sec.cues if c.is_spoken) + 1
        line_id = f"{sec.id}-l{n:03d}"
        kind = CueKind.DIALOGUE if speaker else CueKind.NARRATION
        sec.cues.append(Cue(kind=kind, text=text, speaker=speaker, line_id=line_id,
                            source_line=self._line, paragraph_end=paragraph_end))
        self._line += 1
        if render:
            key = f"key-{line_id}"
            self.takes[key] = speech_like(len(self.takes), seconds)
            self.rendered[line_id] = RenderedLine(
                line_id=line_id, section_id=sec.id, speaker=speaker or "Narrator", voice="v",
                text=text, take=1, cache_key=key, duration=seconds)
        return line_id

    def add(self, sec: Section, kind: CueKind, text: str = "", seconds: float | None = None
            ) -> Cue:
        c = Cue(kind=kind, text=text, seconds=seconds, source_line=self._line)
        sec.cues.append(c)
        self._line += 1
        return c

    def load(self, key: str) -> np.ndarray:
        return self.takes[key]
