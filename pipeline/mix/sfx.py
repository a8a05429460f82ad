"""Built-in sound effects, synthesized from noise and damped resonances (no sample files).

``render_effect(name, sample_rate, channels, duration, seed)`` returns (n, channels) float32
normalized so its loudest 400 ms sits at ``SFX_REF_DB`` RMS; the mixer adds ``sfx_level_db``.
User files go through ``render_file`` (decoded, same normalization).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.signal as ss

from pipeline.errors import MixError
from pipeline.mix import dsp
from pipeline.mix.decode import decode_audio
from pipeline.mix.sounds import SFX

SFX_REF_DB = -20.0  # RMS of the loudest 400 ms of an effect at 0 dB gain

Synth = Callable[[np.random.Generator, int, float], np.ndarray]  # -> (n, 2)


# -- building blocks -----------------------------------------------------------------------
def _t(n: int, sr: int) -> np.ndarray:
    return np.arange(n) / sr


def _damped(f: float, tau: float, n: int, sr: int) -> np.ndarray:
    t = _t(n, sr)
    return np.sin(2 * np.pi * f * t) * np.exp(-t / tau)


def _decay(n: int, tau: float, sr: int) -> np.ndarray:
    return np.exp(-_t(n, sr) / tau)


def _noise(g: np.random.Generator, n: int, sos: np.ndarray | None = None) -> np.ndarray:
    w = g.standard_normal(n)
    return ss.sosfilt(sos, w) if sos is not None else w


def _add(out: np.ndarray, at: float, sig: np.ndarray, sr: int, pan: float = 0.5) -> None:
    """Mix mono ``sig`` into stereo ``out`` at ``at`` seconds, equal-power panned."""
    i = int(at * sr)
    if i >= len(out) or i + len(sig) <= 0:
        return
    a, b = max(i, 0), min(i + len(sig), len(out))
    out[a:b] += sig[a - i:b - i, None] * dsp.pan_gains(pan, 2) * np.sqrt(2)


def _ring(sig: np.ndarray, sos: np.ndarray) -> np.ndarray:
    return ss.sosfilt(sos, sig)


def _impulse(n: int) -> np.ndarray:
    x = np.zeros(n)
    x[0] = 1.0
    return x


# -- effects -------------------------------------------------------------------------------
def knock(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    out = np.zeros((int(dur * sr), 2))
    m = int(0.25 * sr)
    click_sos = dsp.bandpass(800, 4000, sr)
    for i, amp in enumerate((1.0, 0.85, 1.0)):
        f = 140 * g.uniform(0.95, 1.05)
        body = (_damped(f, 0.045, m, sr) + 0.6 * _damped(f * 2.3, 0.03, m, sr)
                + 0.3 * _damped(f * 5.1, 0.015, m, sr))
        click = _noise(g, m, click_sos) * _decay(m, 0.003, sr)
        _add(out, 0.05 + 0.24 * i + g.uniform(-0.015, 0.015), amp * (body + 0.4 * click), sr,
             0.45)
    return out


def creak(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    t = _t(n, sr)
    # Stick-slip friction: a pulse train whose rate bends as the hinge moves.
    rate = 30 + 55 * np.sin(np.pi * t / dur) ** 1.5 * (1 + 0.25 * np.sin(2 * np.pi * 1.3 * t))
    phase = np.cumsum(rate / sr)
    pulses = np.diff(np.floor(phase), prepend=0.0) * g.uniform(0.6, 1.0, n)
    body = sum(a * _ring(pulses, dsp.resonator(f, q, sr))
               for f, q, a in ((480, 8, 1.0), (1100, 10, 0.7), (2300, 12, 0.4)))
    env = np.sin(np.pi * np.clip(t / dur, 0, 1)) ** 0.5
    out = np.zeros((n, 2))
    _add(out, 0.0, body * env, sr, 0.55)
    return out


def slam(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    out = np.zeros((n, 2))
    m = int(0.6 * sr)
    thump = (_damped(65, 0.12, m, sr) + 0.7 * _damped(110, 0.08, m, sr)
             + 0.5 * _damped(190, 0.05, m, sr))
    impact = _noise(g, m, dsp.lowpass(2500, sr)) * _decay(m, 0.025, sr)
    _add(out, 0.03, thump + 0.8 * impact, sr)
    rattle_sos = dsp.bandpass(1500, 5000, sr)
    for _ in range(int(g.integers(3, 6))):
        k = int(0.05 * sr)
        _add(out, 0.07 + g.uniform(0, 0.12), 0.2 * _noise(g, k, rattle_sos)
             * _decay(k, 0.004, sr), sr, g.uniform(0.3, 0.7))
    tail = _noise(g, n, dsp.lowpass(1500, sr)) * _decay(n, 0.25, sr) * 0.15
    _add(out, 0.03, tail, sr)
    return out


def footsteps(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    out = np.zeros((int(dur * sr), 2))
    m = int(0.2 * sr)
    heel_sos, toe_sos, grit_sos = (dsp.lowpass(1200, sr), dsp.bandpass(300, 2500, sr),
                                   dsp.highpass(3000, sr))
    at, step = 0.1, 0
    while at < dur - 0.2:
        amp = g.uniform(0.85, 1.15)
        heel = 0.8 * _damped(90, 0.03, m, sr) + _noise(g, m, heel_sos) * _decay(m, 0.012, sr)
        toe = 0.5 * _noise(g, m, toe_sos) * _decay(m, 0.015, sr)
        grit = 0.15 * _noise(g, m, grit_sos) * _decay(m, 0.02, sr)
        pan = 0.45 if step % 2 else 0.55
        _add(out, at, amp * (heel + grit), sr, pan)
        _add(out, at + 0.07, amp * toe, sr, pan)
        at += 0.52 + g.uniform(-0.04, 0.04)
        step += 1
    return out


def thunder(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    t = _t(n, sr)
    env = np.zeros(n)
    for _ in range(int(g.integers(4, 7))):
        c, w = g.uniform(0.2, dur * 0.55), g.uniform(0.3, 1.1)
        env += g.uniform(0.4, 1.0) * np.exp(-0.5 * ((t - c) / w) ** 2)
    env = env * np.exp(-t / (dur / 2.5)) * np.clip((dur - t) / 0.5, 0, 1)
    out = np.zeros((n, 2))
    for ch in range(2):  # independent rumble per side: wide
        low = _noise(g, n, dsp.lowpass(110, sr)) + 0.3 * _noise(g, n, dsp.lowpass(320, sr, 1))
        out[:, ch] = low * env * 3.0
    m = int(0.4 * sr)
    crack = _noise(g, m, dsp.highpass(500, sr)) * _decay(m, 0.08, sr)
    _add(out, 0.05, 0.6 * crack, sr, 0.4)
    return out


def bell(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    t = _t(n, sr)
    f0 = 233.0 * g.uniform(0.98, 1.02)
    sig = np.zeros(n)
    partials = ((0.5, 0.8, 4.0), (1.0, 1.0, 3.0), (1.2, 0.6, 2.2), (1.5, 0.4, 1.8),
                (2.0, 0.5, 1.4), (2.5, 0.25, 1.0), (2.67, 0.2, 0.9), (3.0, 0.15, 0.7),
                (4.0, 0.1, 0.5))
    for ratio, amp, tau in partials:
        f = f0 * ratio
        beat = 1 + 0.3 * np.sin(2 * np.pi * 0.7 * ratio * t)  # slow beating of a real bell
        sig += amp * np.sin(2 * np.pi * f * t) * np.exp(-t / (tau * dur / 6)) * beat
    m = int(0.05 * sr)
    sig[:m] += 0.3 * _noise(g, m, dsp.highpass(2000, sr)) * _decay(m, 0.005, sr)
    sig *= np.clip((dur - t) / 0.3, 0, 1)
    out = np.zeros((n, 2))
    _add(out, 0.0, sig, sr)
    return out


def phone(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    strikes = np.zeros(n)
    for start in (0.05, 2.1):  # two "brrring"s of a bell telephone
        for k in range(int(1.6 * 20)):
            i = int((start + k / 20) * sr)
            if i < n:
                strikes[i] = 1.0 if k % 2 else -0.8
    sig = sum(a * _ring(strikes, dsp.resonator(f, 60, sr))
              for f, a in ((1020, 1.0), (1910, 0.6), (2650, 0.35), (3300, 0.2)))
    out = np.zeros((n, 2))
    _add(out, 0.0, sig, sr, 0.6)
    return out


def clock(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    out = np.zeros((int(dur * sr), 2))
    m = int(0.08 * sr)
    k = 0
    while k + 0.1 < dur:
        f = 3200 if k % 2 == 0 else 2300
        tick = _ring(_impulse(m), dsp.resonator(f, 20, sr)) + 0.3 * _noise(
            g, m, dsp.highpass(4000, sr)) * _decay(m, 0.002, sr)
        _add(out, 0.05 + k, tick, sr, 0.5)
        k += 1
    return out


def gunshot(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    blast = (_noise(g, n) * _decay(n, 0.008, sr)
             + 0.8 * _noise(g, n, dsp.lowpass(3000, sr)) * _decay(n, 0.04, sr)
             + 0.8 * _damped(55, 0.15, n, sr) + 0.5 * _damped(85, 0.08, n, sr))
    tail = 0.12 * _noise(g, n, dsp.lowpass(1800, sr)) * _decay(n, 0.7, sr)
    out = np.zeros((n, 2))
    _add(out, 0.02, blast + tail, sr, 0.5)
    _add(out, 0.2, 0.3 * blast[: int(0.3 * sr)], sr, 0.3)  # slapback off a far wall
    return out


def glass(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    out = np.zeros((int(dur * sr), 2))
    m = int(0.3 * sr)
    crash = _noise(g, m, dsp.highpass(2500, sr)) * _decay(m, 0.04, sr)
    _add(out, 0.02, crash, sr)
    for _ in range(35):
        f, tau = g.uniform(2500, 8000), g.uniform(0.015, 0.06)
        at = min(g.exponential(0.25), dur - 0.2)
        _add(out, 0.02 + at, 0.4 * g.lognormal(0, 0.5) * _damped(f, tau, int(0.15 * sr), sr),
             sr, g.uniform(0.2, 0.8))
    for _ in range(6):
        _add(out, g.uniform(0.3, min(1.2, dur - 0.2)),
             0.3 * _damped(g.uniform(1000, 2000), 0.03, int(0.15 * sr), sr), sr,
             g.uniform(0.3, 0.7))
    return out


def lighter(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    out = np.zeros((n, 2))
    m = int(0.1 * sr)
    lid = sum(_ring(_impulse(m), dsp.resonator(f, 15, sr)) for f in (2900, 4700))
    _add(out, 0.05, 0.6 * lid + 0.2 * _noise(g, m) * _decay(m, 0.002, sr), sr, 0.55)
    strike = _noise(g, m, dsp.highpass(2000, sr)) * _decay(m, 0.03, sr)
    _add(out, 0.35, strike, sr, 0.55)
    t = _t(n, sr)
    flame_env = np.clip((t - 0.38) / 0.1, 0, 1) * np.clip((dur - t) / 0.3, 0, 1)
    _add(out, 0.0, 0.25 * _noise(g, n, dsp.lowpass(500, sr)) * flame_env, sr, 0.55)
    return out


def gust(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    t = _t(n, sr)
    env = np.sin(np.pi * t / dur) ** 2
    out = np.zeros((n, 2))
    pan = np.clip(t / dur, 0, 1)  # sweeps across
    band = _noise(g, n, dsp.bandpass(300, 1400, sr)) + 0.8 * _noise(g, n,
                                                                     dsp.resonator(800, 3, sr))
    low = _noise(g, n, dsp.lowpass(200, sr))
    sig = (band + low) * env
    gains = dsp.pan_gains(pan, 2) * np.sqrt(2)
    out += sig[:, None] * gains
    return out


def click(g: np.random.Generator, sr: int, dur: float) -> np.ndarray:
    n = int(dur * sr)
    m = min(n, int(0.05 * sr))
    sig = (_ring(_impulse(m), dsp.resonator(3500, 10, sr))
           + 0.6 * _ring(_impulse(m), dsp.resonator(1200, 6, sr))
           + 0.1 * _noise(g, m) * _decay(m, 0.001, sr))
    out = np.zeros((n, 2))
    _add(out, 0.02, sig, sr)
    return out


EFFECTS: dict[str, Synth] = {
    "knock": knock, "slam": slam, "creak": creak, "footsteps": footsteps, "thunder": thunder,
    "bell": bell, "phone": phone, "clock": clock, "gunshot": gunshot, "glass": glass,
    "lighter": lighter, "gust": gust, "click": click,
}
assert set(EFFECTS) == set(SFX)


@lru_cache(maxsize=32)
def render_effect(name: str, sample_rate: int, channels: int, duration: float | None = None,
                  seed: int = 0) -> np.ndarray:
    """A built-in effect, (n, channels) float32, read-only (cached). ``KeyError`` if unknown."""
    synth = EFFECTS[name]
    duration = duration or SFX[name].duration
    out = _finish(synth(dsp.rng(seed, 0x5F), sample_rate, duration), sample_rate, channels)
    out.flags.writeable = False
    return out


def render_file(path: str, sample_rate: int, channels: int, duration: float,
                file: str | None = None, line: int | None = None) -> np.ndarray:
    audio = decode_audio(Path(path), sample_rate, channels, "sound effect file", file, line,
                         max_seconds=duration + 1)
    audio = audio[: int(round(duration * sample_rate))]
    if not len(audio):
        raise MixError(f"sound effect file '{path}' has no audio", file, line)
    return _finish(audio, sample_rate, channels)


def _finish(out: np.ndarray, sr: int, channels: int) -> np.ndarray:
    out = np.asarray(out, dtype=np.float64)
    if out.ndim == 1:
        out = out[:, None]
    if channels == 1 and out.shape[1] > 1:
        out = out.mean(axis=1, keepdims=True)
    elif channels == 2 and out.shape[1] == 1:
        out = np.repeat(out, 2, axis=1)
    fade = min(len(out), int(0.005 * sr))  # no click where a trimmed sound ends
    if fade:
        out[-fade:] *= np.linspace(1, 0, fade)[:, None]
    level = loudest_window_db(out, sr)
    if np.isfinite(level):
        out *= dsp.db(SFX_REF_DB - level)
    return out.astype(np.float32)


def loudest_window_db(x: np.ndarray, sr: int, window: float = 0.4) -> float:
    """RMS (dBFS, per channel) of the loudest ``window``-second stretch, hop 100 ms."""
    power = np.mean(np.square(x, dtype=np.float64), axis=1) if x.ndim == 2 else np.square(x)
    w = max(1, int(window * sr))
    if len(power) <= w:
        best = power.mean() if len(power) else 0.0
    else:
        c = np.concatenate([[0.0], np.cumsum(power)])
        hop = max(1, int(0.1 * sr))
        best = float(np.max((c[w::hop] - c[:-w:hop][: len(c[w::hop])]) / w))
    return 10 * np.log10(best) if best > 1e-20 else -np.inf
