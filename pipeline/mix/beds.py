"""Ambience beds: procedurally generated (rain, wind, night, fire, room, city, sea) or user files.

A bed is ``render(start_sample, n) -> (n, channels) float32``, called block after block, so a
three-hour bed never exists in memory. Built-in beds are generated continuously from counter-based
noise and random events (never a repeated clip, so nothing audibly loops); the same seed gives the
same samples, and rendering in blocks gives exactly the samples of one long render. Random access
(a ``start`` that does not continue the previous call) re-warms the filters for a second first,
which is exact to within the filters' decay (< -100 dB).

Every bed is normalized to ``BED_REF_LUFS`` per channel (built-ins by calibration, files by
measurement), so ``MixSettings.speech_to_bed_db`` means the same thing for all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.errors import MixError
from pipeline.mix import dsp
from pipeline.mix.decode import decode_audio
from pipeline.mix.levels import channel_loudness
from pipeline.mix.settings import BED_REF_LUFS  # a bed at 0 dB gain, each channel alone
from pipeline.mix.sounds import BED_NAMES

LOOP_CROSSFADE = 1.5  # seconds a user file crossfades into its own start when looping
SUB_BLOCK = 1 << 17  # internal generation step: bounds temporaries for any render length


class Bed(Protocol):
    channels: int

    def render(self, start: int, n: int) -> np.ndarray: ...


class ProceduralBed:
    """Base of the built-in beds: subclasses set up filters and implement ``_generate``."""

    name = ""
    level_db = 0.0  # intended level against the other beds (room tone sits lower)
    calibration_db = 0.0  # measured so the bed lands on BED_REF_LUFS (see tests)

    def __init__(self, seed: int = 0, sample_rate: int = 44100, channels: int = 2):
        self.seed, self.sr, self.channels = int(seed), int(sample_rate), int(channels)
        self.gain = np.float32(dsp.db(self.level_db + self.calibration_db))
        self._reset()

    def _reset(self) -> None:
        self._pos = 0
        self._setup()

    def _setup(self) -> None:
        raise NotImplementedError

    def _generate(self, start: int, n: int) -> np.ndarray:
        raise NotImplementedError

    def render(self, start: int, n: int) -> np.ndarray:
        if start != self._pos:
            self._seek(start)
        out = np.empty((n, self.channels), dtype=np.float32)
        for off in range(0, n, SUB_BLOCK):
            m = min(SUB_BLOCK, n - off)
            out[off:off + m] = self._generate(start + off, m)
        self._pos = start + n
        out *= self.gain
        return out

    def _seek(self, start: int) -> None:
        self._reset()
        warm = min(start, self.sr)
        for off in range(start - warm, start, SUB_BLOCK):
            self._generate(off, min(SUB_BLOCK, start - off))
        self._pos = start

    # shared pieces
    def _noise(self, stream: int) -> dsp.Noise:
        return dsp.Noise(self.seed, stream, self.channels)

    def _filter(self, sos: np.ndarray) -> dsp.Filter:
        return dsp.Filter(sos, self.channels)

    def _ctrl(self, start: int, n: int, fn) -> np.ndarray:
        env = dsp.control(start, n, self.sr, fn)
        return env[:, None] if env.ndim == 1 else env


class Rain(ProceduralBed):
    """Steady hiss, a dense patter of small drops and a few close, pitched drips."""

    name = "rain"
    calibration_db = -11.99

    def _setup(self) -> None:
        sr = self.sr
        self.noise = self._noise(1)
        self.hiss = self._filter(np.vstack([dsp.highpass(400, sr), dsp.lowpass(7000, sr)]))
        self.patter = self._filter(dsp.resonator(2900, 1.2, sr))
        self.drips = self._filter(dsp.resonator(1250, 5.0, sr))

    def _generate(self, start: int, n: int) -> np.ndarray:
        sr, ch = self.sr, self.channels
        hiss = self.hiss(self.noise.take(start, n))
        patter = self.patter(dsp.impulses(self.seed, 2, start, n, ch, 350, sr,
                                          lambda g, k: g.exponential(1.0, k)))
        drips = self.drips(dsp.impulses(self.seed, 3, start, n, ch, 9, sr,
                                        lambda g, k: g.lognormal(0.0, 0.6, k)))
        swell = self._ctrl(start, n, lambda t: 1.0 + 0.25 * dsp.lfo(self.seed, 4, t, 0.02, 0.12))
        return (0.5 * hiss + 2.2 * patter + 1.6 * drips) * swell


class Wind(ProceduralBed):
    """Low rumble with gusts, plus two resonant bands that take turns moaning."""

    name = "wind"
    calibration_db = 6.17

    def _setup(self) -> None:
        sr = self.sr
        self.noise = self._noise(1)
        self.rumble = self._filter(dsp.lowpass(380, sr))
        self.moan = self._filter(dsp.resonator(620, 4.0, sr))
        self.whistle = self._filter(dsp.resonator(1450, 9.0, sr))

    def _generate(self, start: int, n: int) -> np.ndarray:
        w = self.noise.take(start, n)
        seed = self.seed

        def env(t: np.ndarray) -> np.ndarray:
            gust = (0.55 + 0.45 * dsp.lfo(seed, 1, t, 0.03, 0.18)) ** 2
            a = 0.5 + 0.5 * dsp.lfo(seed, 2, t, 0.02, 0.1)
            b = np.clip(dsp.lfo(seed, 3, t, 0.02, 0.09), 0, 1) ** 2
            return np.stack([gust, gust * a, gust * b], axis=1)

        e = dsp.control(start, n, self.sr, env)
        out = self.rumble(w) * e[:, :1]
        out += 0.9 * self.moan(w) * e[:, 1:2]
        out += 0.5 * self.whistle(w) * e[:, 2:3]
        return out


class Night(ProceduralBed):
    """A few crickets chirping at their own rates and pitches, an insect shimmer, soft air."""

    name = "night"
    level_db = -3.0  # crickets cut through: sit them a little lower
    calibration_db = -3.51

    def _setup(self) -> None:
        sr = self.sr
        self.noise = self._noise(1)
        self.air = self._filter(dsp.lowpass(700, sr))
        self.shimmer = self._filter(dsp.resonator(6800, 6.0, sr))
        g = dsp.rng(self.seed, 77)
        self.crickets = []
        for _ in range(5):
            f0 = g.uniform(4100, 5200)
            pulses = int(g.integers(3, 5))
            pulse = g.uniform(0.011, 0.017)
            t = np.arange(int(sr * pulses * pulse * 2.1)) / sr
            gate = np.zeros_like(t)
            for p in range(pulses):
                x = (t - p * pulse * 2.0) / pulse
                inside = (x >= 0) & (x < 1)
                gate[inside] = np.sin(np.pi * x[inside]) ** 2
            wave = (np.sin(2 * np.pi * f0 * t) + 0.2 * np.sin(4 * np.pi * f0 * t)) * gate
            self.crickets.append(dict(
                wave=wave.astype(np.float32), period=g.uniform(0.38, 0.75),
                amp=g.uniform(0.25, 1.0), pan=dsp.pan_gains(g.uniform(0.1, 0.9), self.channels)))

    def _generate(self, start: int, n: int) -> np.ndarray:
        sr, seed = self.sr, self.seed
        w = self.noise.take(start, n)
        trem = self._ctrl(start, n, lambda t: 0.6 + 0.4 * np.sin(2 * np.pi * 23.0 * t))
        out = 0.25 * self.air(w) + 0.35 * self.shimmer(w) * trem
        for k, c in enumerate(self.crickets):
            period = int(c["period"] * sr)
            size = len(c["wave"])
            # Chirps land up to 3% of a second off their beat: one beat of margin either side,
            # so a chirp that starts just before a block's end is not lost at the boundary.
            first = max(0, (start - size) // period - 1)
            last = (start + n) // period + 2
            j = np.arange(first, last)
            jitter = (dsp.hash01(seed, k, j) - 0.5) * 0.06 * sr
            # Chorus waxes and wanes: a slow per-cricket swell, sometimes resting entirely.
            swell = np.clip(0.6 + 0.7 * dsp.lfo(seed, 10 + k, j * c["period"], 0.01, 0.05),
                            0, 1)
            for pos, s in zip((j * period + jitter).astype(np.int64) - start, swell, strict=True):
                if s <= 0.02:
                    continue
                a, b = max(pos, 0), min(pos + size, n)
                if a < b:
                    out[a:b] += (c["wave"][a - pos:b - pos, None] * (s * c["amp"])) * c["pan"]
        return out


class Fire(ProceduralBed):
    """A low roar that flickers, sharp crackles, the odd pop and a faint hiss."""

    name = "fire"
    calibration_db = -0.01

    def _setup(self) -> None:
        sr = self.sr
        self.noise = self._noise(1)
        self.roar = self._filter(dsp.lowpass(260, sr))
        self.crackle = self._filter(dsp.highpass(1800, sr))
        self.pop = self._filter(dsp.resonator(750, 2.0, sr))
        self.hiss = self._filter(dsp.highpass(4500, sr, order=1))

    def _generate(self, start: int, n: int) -> np.ndarray:
        sr, ch, seed = self.sr, self.channels, self.seed
        w = self.noise.take(start, n)
        flicker = self._ctrl(start, n, lambda t: 0.75 + 0.25 * dsp.lfo(seed, 5, t, 0.4, 2.5, 4))
        crackles = dsp.impulses(seed, 2, start, n, ch, 45, sr,
                                lambda g, k: np.minimum(g.pareto(2.5, k), 4.0))
        pops = dsp.impulses(seed, 3, start, n, ch, 1.2, sr, lambda g, k: g.uniform(2, 6, k))
        return (1.2 * self.roar(w) * flicker + 0.9 * self.crackle(crackles)
                + 3.0 * self.pop(pops) + 0.04 * self.hiss(w))


class Room(ProceduralBed):
    """Room tone: a quiet, dark, steady air noise."""

    name = "room"
    level_db = -8.0  # room tone is felt more than heard
    calibration_db = -3.37

    def _setup(self) -> None:
        sr = self.sr
        self.noise = self._noise(1)
        self.tone = self._filter(np.vstack([dsp.highpass(45, sr), dsp.lowpass(550, sr)]))
        self.air = self._filter(dsp.lowpass(3500, sr, order=1))

    def _generate(self, start: int, n: int) -> np.ndarray:
        w = self.noise.take(start, n)
        return self.tone(w) + 0.04 * self.air(w)


class City(ProceduralBed):
    """Distant traffic: a low rumble, cars passing left-to-right or back, a rare far horn."""

    name = "city"
    calibration_db = 0.22
    CAR_EVERY = 4.0  # seconds, on average
    CAR_SPAN = 14.0  # one pass lasts up to this long

    def _setup(self) -> None:
        sr = self.sr
        self.noise = self._noise(1)
        self.rumble = self._filter(dsp.lowpass(180, sr))
        self.cars = self._filter(np.vstack([dsp.highpass(150, sr), dsp.lowpass(1100, sr)]))
        t = np.arange(int(0.45 * sr)) / sr
        tone = sum(np.sin(2 * np.pi * f * h * t) / h for f in (349.0, 440.0) for h in (1, 2, 3))
        self.horn = (tone * np.sin(np.pi * t / t[-1]) ** 0.5 * 0.15).astype(np.float32)

    def _car_env(self, t: np.ndarray) -> np.ndarray:
        """(k, channels) loudness of passing cars at times ``t`` (seconds)."""
        env = np.zeros((len(t), self.channels))
        reach = self.CAR_SPAN / 2 + 3.5 * 3.2  # centre offset + widest car's support
        first = int((t[0] - reach) // self.CAR_EVERY) - 1
        last = int((t[-1] + reach) // self.CAR_EVERY) + 1
        for j in range(max(first, 0), last + 1):
            u = dsp.hash01(self.seed, 31, j, np.arange(4))
            centre = (j + u[0]) * self.CAR_EVERY + self.CAR_SPAN / 2
            width = 1.2 + 2.0 * u[1]
            x = (t - centre) / width
            near = np.abs(x) < 3.5
            if not near.any():
                continue
            loud = (0.3 + 0.7 * u[2]) * np.exp(-0.5 * x[near] ** 2)
            pan = np.clip(0.5 + (x[near] / 7.0) * (1 if u[3] > 0.5 else -1), 0, 1)
            env[near] += loud[:, None] * dsp.pan_gains(pan, self.channels)
        return env

    def _generate(self, start: int, n: int) -> np.ndarray:
        sr, seed = self.sr, self.seed
        w = self.noise.take(start, n)
        out = 0.9 * self.rumble(w) + 0.7 * self.cars(w) * dsp.control(start, n, sr, self._car_env)
        horns = dsp.impulses(seed, 9, start - len(self.horn), n + len(self.horn), 1, 0.03, sr,
                             lambda g, k: g.uniform(0.3, 1.0, k))[:, 0]
        for pos in np.flatnonzero(horns):
            at = pos - len(self.horn)
            a, b = max(at, 0), min(at + len(self.horn), n)
            if a < b:
                pan = dsp.pan_gains(dsp.hash01(seed, 41, start + at)[0], self.channels)
                out[a:b] += self.horn[a - at:b - at, None] * horns[pos] * pan
        return out


class Sea(ProceduralBed):
    """Waves rolling in every 6-11 s: a swell, a bright crash and a long wash, over low surf."""

    name = "sea"
    calibration_db = -10.28
    WAVE_EVERY = 8.0

    def _setup(self) -> None:
        sr = self.sr
        self.noise = self._noise(1)
        self.wash = self._filter(np.vstack([dsp.highpass(180, sr), dsp.lowpass(1900, sr)]))
        self.fizz = self._filter(dsp.highpass(2600, sr))
        self.surf = self._filter(dsp.lowpass(140, sr))

    def _waves(self, t: np.ndarray) -> np.ndarray:
        env = np.full((len(t), self.channels), 0.18)
        every = self.WAVE_EVERY
        # A wave lasts at most rise (3.5 s) + 6 * fall (19.2 s) around its crest: look back far
        # enough that every block sees every wave still sounding (blocks join exactly).
        for j in range(max(int(t[0] // every) - 4, 0), int(t[-1] // every) + 2):
            u = dsp.hash01(self.seed, 21, j, np.arange(4))
            crest = (j + 0.5 * u[0]) * every + 3.0
            rise, fall = 2.0 + 1.5 * u[1], 1.6 + 1.6 * u[2]
            x = t - crest
            after = np.clip(x, 0, None)
            shape = np.where(x < 0, np.sin(np.pi / 2 * np.clip(1 + x / rise, 0, 1)) ** 2,
                             np.exp(-after / fall) * np.clip(1 - after / (6 * fall), 0, 1))
            env += (0.55 + 0.45 * u[3]) * shape[:, None] * dsp.pan_gains(
                0.4 + 0.2 * u[0], self.channels) * np.sqrt(2 if self.channels == 2 else 1)
        return env

    def _generate(self, start: int, n: int) -> np.ndarray:
        w = self.noise.take(start, n)
        env = dsp.control(start, n, self.sr, self._waves)
        return self.wash(w) * env + 0.5 * self.fizz(w) * env ** 3 + 0.8 * self.surf(w)


BUILTIN: dict[str, type[ProceduralBed]] = {
    cls.name: cls for cls in (Rain, Wind, Night, Fire, Room, City, Sea)}
assert tuple(BUILTIN) == BED_NAMES


class LoopBed:
    """A user's sound file, looped without a seam: its tail crossfades into its head.

    The loop period is ``len - crossfade``: the first ``crossfade`` samples hold head and tail
    mixed with equal-power fades, so sample ``P-1`` (the clip) flows into ``0`` (mostly the clip's
    sample ``P``). Output is a pure function of the sample index.
    """

    def __init__(self, audio: np.ndarray, sample_rate: int, crossfade: float = LOOP_CROSSFADE,
                 normalize: bool = True):
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim == 1:
            audio = audio[:, None]
        self.channels = audio.shape[1]
        n = len(audio)
        x = min(int(crossfade * sample_rate), n // 3)
        if x > 0:
            period = n - x
            ramp = (np.arange(x, dtype=np.float64) + 0.5) / x
            fade_in = np.sin(ramp * np.pi / 2).astype(np.float32)[:, None]
            fade_out = np.cos(ramp * np.pi / 2).astype(np.float32)[:, None]
            loop = audio[:period].copy()
            loop[:x] = audio[:x] * fade_in + audio[period:] * fade_out
        else:
            loop = audio
        level = channel_loudness(loop, sample_rate) if normalize else float("nan")
        if np.isfinite(level):  # silence stays silence
            loop = loop * np.float32(dsp.db(BED_REF_LUFS - level))
        self.loop = np.ascontiguousarray(loop, dtype=np.float32)

    def render(self, start: int, n: int) -> np.ndarray:
        out = np.empty((n, self.channels), dtype=np.float32)
        period = len(self.loop)
        pos, done = start % period, 0
        while done < n:  # copy whole runs of the loop: a memcpy, not a gather
            m = min(period - pos, n - done)
            out[done:done + m] = self.loop[pos:pos + m]
            done, pos = done + m, 0
        return out


def make_bed(source: str, from_file: bool, seed: int, sample_rate: int, channels: int,
             file: str | None = None, line: int | None = None) -> Bed:
    """The bed a ``BedSpan`` names; ``MixError`` (naming the cue) if it cannot be made."""
    if from_file:
        audio = decode_audio(Path(source), sample_rate, channels, "ambience file", file, line)
        if len(audio) < sample_rate // 10:
            raise MixError(f"ambience file '{source}' is too short to loop (< 0.1 s)", file, line)
        return LoopBed(audio, sample_rate)
    cls = BUILTIN.get(source)
    if cls is None:
        raise MixError(f"unknown ambience bed '{source}' (built-in: {', '.join(BUILTIN)})",
                       file, line)
    return cls(seed, sample_rate, channels)
