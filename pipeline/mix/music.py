"""Synthesized music cues: warm chord pads, a plucked arpeggio, a swell for stings.

Each cue is a short chord progression played by additive-synthesis pads (a few soft harmonics,
slightly detuned between left and right for width). Any duration works: the progression repeats
and the cue fades out at its end. Output is normalized to ``MUSIC_REF_LUFS`` per channel.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.errors import MixError
from pipeline.mix import dsp
from pipeline.mix.decode import decode_audio
from pipeline.mix.levels import channel_loudness
from pipeline.mix.sounds import MUSIC

MUSIC_REF_LUFS = -20.0

_NOTE = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _hz(note: str) -> float:
    """'F#3' -> Hz (A4 = 440)."""
    name, octave = note[:-1], int(note[-1])
    semis = _NOTE[name[0]] + name.count("#") - name.count("b")
    return 440.0 * 2 ** ((semis - 9) / 12 + octave - 4)


def _chord(spec: str) -> list[float]:
    return [_hz(n) for n in spec.split()]


# name -> (seconds per chord, chords (lowest note is the bass), arpeggio on?, style)
PIECES: dict[str, tuple[float, list[str], bool, str]] = {
    "theme": (2.5, ["D2 D3 F#3 A3 D4", "B1 B2 D3 F#3 B3", "G1 G2 B2 D3 G3", "A1 A2 C#3 E3 A3"],
              True, "pad"),
    "outro": (3.0, ["G1 G2 B2 D3 G3", "A1 A2 C#3 E3 A3", "B1 B2 D3 F#3 B3", "D2 D3 F#3 A3 D4"],
              True, "pad"),
    "sad": (3.0, ["A1 A2 C3 E3 A3", "F1 F2 A2 C3 F3", "C2 C3 E3 G3 C4", "G1 G2 B2 D3 G3"],
            False, "pad"),
    "tension": (4.0, ["D1 D2 A2 D#3", "D1 D2 A2 E3 F3"], False, "drone"),
    "sting": (3.5, ["D1 D2 A2 D3 F3 E4"], False, "swell"),
    "transition": (2.5, ["F1 F2 A2 C3 F3", "C2 C3 E3 G3 C4"], True, "pad"),
}


_TABLE_SIZE = 1 << 14  # nearest-sample lookup: error < -70 dB at this size
_PHASES = np.arange(_TABLE_SIZE) / _TABLE_SIZE
# One cycle of the pad's tone: five soft harmonics (phase-offset so peaks do not stack).
_TABLE = sum(np.sin(2 * np.pi * h * _PHASES + h) / h ** 1.6 for h in range(1, 6)).astype(
    np.float32)


def _voice(freq: float, t: np.ndarray, detune: float) -> np.ndarray:
    """The pad tone at ``freq`` by wavetable lookup (one gather instead of five sines)."""
    idx = ((freq * detune * _TABLE_SIZE) * t).astype(np.int64) & (_TABLE_SIZE - 1)
    return _TABLE[idx]


@lru_cache(maxsize=8)
def render_music(name: str, sample_rate: int, channels: int, duration: float | None = None,
                 seed: int = 0) -> np.ndarray:
    """A built-in music cue, (n, channels) float32, read-only (cached: an episode's theme and
    outro repeat across re-mixes). ``KeyError`` for an unknown name."""
    step, chords, arpeggio, style = PIECES[name]
    duration = duration or MUSIC[name].duration
    sr = sample_rate
    n = int(duration * sr)
    t = np.arange(n) / sr
    out = np.zeros((n, 2))
    g = dsp.rng(seed, 0x6D)
    k = 0
    while k * step < duration:
        notes = _chord(chords[k % len(chords)])
        a = k * step
        i0, i1 = int(a * sr), min(n, int((a + step + 1.2) * sr))  # the last chord rings on
        ts = t[i0:i1] - a
        attack = 0.05 if style == "swell" and k == 0 else 0.6
        env = np.clip(ts / attack, 0, 1) * np.exp(-np.clip(ts - step, 0, None) / 0.35)
        if style == "swell":
            env *= np.exp(-ts / 1.4)
        elif style == "drone":
            env *= 1 + 0.25 * np.sin(2 * np.pi * 5.5 * ts)  # tremolo
        for ch, cents in enumerate((-4.0, 4.0)):
            detune = 2 ** (cents / 1200)
            voices = sum(_voice(f, ts, detune) * (1.4 if i == 0 else 1.0)
                         for i, f in enumerate(notes))
            out[i0:i1, ch] += voices * env / len(notes)
        if arpeggio:
            for i, f in enumerate(notes[1:] * 2):
                j0 = int((a + i * step / (2 * (len(notes) - 1))) * sr)
                j1 = min(n, j0 + int(1.2 * sr))
                if j0 >= j1:
                    continue
                tp = t[j0:j1] - t[j0]
                pluck = (np.sin(2 * np.pi * 2 * f * tp) + 0.3 * np.sin(2 * np.pi * 4 * f * tp)
                         ) * np.exp(-tp / 0.35) * np.clip(tp / 0.004, 0, 1)
                pan = dsp.pan_gains(g.uniform(0.3, 0.7), 2) * np.sqrt(2)
                out[j0:j1] += 0.25 * pluck[:, None] * pan
        k += 1
    fade = min(duration / 3, 2.5)
    out *= np.clip((duration - t) / fade, 0, 1)[:, None]
    out *= np.clip(t / 0.02, 0, 1)[:, None]
    result = _finish(out, sr, channels)
    result.flags.writeable = False
    return result


def render_file(path: str, sample_rate: int, channels: int, duration: float, fade_out: float,
                file: str | None = None, line: int | None = None) -> np.ndarray:
    audio = decode_audio(Path(path), sample_rate, channels, "music file", file, line,
                         max_seconds=duration + 1)
    audio = audio[: int(round(duration * sample_rate))].astype(np.float64)
    if not len(audio):
        raise MixError(f"music file '{path}' has no audio", file, line)
    fade = max(int(fade_out * sample_rate), min(len(audio), int(0.02 * sample_rate)))
    audio[-fade:] *= np.linspace(1, 0, fade)[:, None]
    return _finish(audio, sample_rate, channels)


def _finish(out: np.ndarray, sr: int, channels: int) -> np.ndarray:
    if channels == 1:
        out = out.mean(axis=1, keepdims=True)
    elif out.shape[1] == 1:
        out = np.repeat(out, 2, axis=1)
    level = channel_loudness(out, sr)
    if np.isfinite(level):
        out = out * dsp.db(MUSIC_REF_LUFS - level)
    return out.astype(np.float32)
