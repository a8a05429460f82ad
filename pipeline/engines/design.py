"""Designed voices: turn one base voice's audio into a different-sounding person.

Two stages:

1. Source/filter change -- pitch (semitones), pitch range, formant ratio (vocal-tract length)
   and tempo through a back end: ``praat`` (parselmouth "Change gender": PSOLA plus resampling,
   the default) or ``world`` (pyworld dio/stonemask/cheaptrick/d4c with a spectral-envelope
   warp, kept for comparison; BENCHMARKS.md "Voices" has the measurements behind the choice).
   Before it, ``formant_warp`` (vocal-tract shape) bends the STFT envelope along a bilinear warp.
2. Voice quality and colour -- breathiness, roughness, aging (tremor), then telephone / radio /
   room colouring. Cheap numpy/scipy filters with fixed seeds, so the same input always gives the
   same samples.

The result is loudness-matched to the input so designed voices sit at the base voice's level.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines.base import Design, Take, WordTiming
from pipeline.errors import VoiceError

DESIGN_VERSION = "design-1"
BACKENDS = ("praat", "world")
DEFAULT_BACKEND = "praat"
COLORS = (None, "telephone", "radio", "room")

PITCH_FLOOR = 60.0
_PRAAT_LOCK = threading.Lock()
PITCH_CEILING = 600.0


def validate(design: Design, voice: str = "", file: str | Path | None = None) -> None:
    """Raise a VoiceError naming the bad field of a design (and the catalog file, if given)."""
    who = f"voice '{voice}': " if voice else ""
    checks = [
        (-24 <= design.pitch_semitones <= 24, "pitch_semitones must be within -24..24"),
        (0.5 <= design.formant_ratio <= 2.0, "formant_ratio must be within 0.5..2.0"),
        (0.5 <= design.tempo <= 2.0, "tempo must be within 0.5..2.0"),
        (0.0 <= design.pitch_range <= 3.0, "pitch_range must be within 0..3"),
        (0.0 <= design.breathiness <= 1.0, "breathiness must be within 0..1"),
        (0.0 <= design.roughness <= 1.0, "roughness must be within 0..1"),
        (0.0 <= design.aging <= 1.0, "aging must be within 0..1"),
        (-0.2 <= design.formant_warp <= 0.2, "formant_warp must be within -0.2..0.2"),
        (design.color in COLORS, f"color must be one of {', '.join(str(c) for c in COLORS)}"),
    ]
    for ok, problem in checks:
        if not ok:
            raise VoiceError(who + problem, file)


# --- analysis helpers ----------------------------------------------------------------------


def f0_contour(samples: np.ndarray, sr: int, floor: float = PITCH_FLOOR,
               ceiling: float = PITCH_CEILING) -> np.ndarray:
    """Voiced f0 values (Hz) from Praat's autocorrelation pitch tracker."""
    import parselmouth

    sound = parselmouth.Sound(np.asarray(samples, dtype=np.float64), float(sr))
    f0 = sound.to_pitch(pitch_floor=floor, pitch_ceiling=ceiling).selected_array["frequency"]
    return f0[f0 > 0]


def median_f0(samples: np.ndarray, sr: int) -> float:
    """Median f0 in Hz, or 0.0 when nothing is voiced."""
    voiced = f0_contour(samples, sr)
    return float(np.median(voiced)) if len(voiced) else 0.0


def _active_rms(x: np.ndarray, sr: int) -> float:
    """RMS over the 20 ms frames within 40 dB of the loudest: speech level, ignoring pauses."""
    n = max(int(0.02 * sr), 1)
    frames = x[: len(x) // n * n].reshape(-1, n) if len(x) >= n else x.reshape(1, -1)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    if not len(rms) or rms.max() <= 0:
        return 0.0
    active = rms[rms > rms.max() * 0.01]
    return float(np.sqrt(np.mean(active**2)))


# --- stage 1: pitch / formant / tempo --------------------------------------------------------


def _shift_praat(x: np.ndarray, sr: int, semitones: float, formant: float, pitch_range: float,
                 tempo: float) -> np.ndarray:
    import parselmouth
    from parselmouth.praat import call

    # Praat's pitch analysis needs a few periods of the pitch floor: pad tiny takes with silence.
    n_out = int(round(len(x) / tempo))
    x = np.pad(x, (0, max(0, int(0.15 * sr) - len(x))))
    sound = parselmouth.Sound(x.astype(np.float64), float(sr))
    new_median = 0.0  # Praat: 0 keeps the median
    if semitones:
        voiced = sound.to_pitch(pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING)
        f0 = voiced.selected_array["frequency"]
        if np.any(f0 > 0):
            new_median = float(np.median(f0[f0 > 0])) * 2 ** (semitones / 12)
    # "Change gender" draws from Praat's global random generator (seeded from the clock), so the
    # same input gave different samples in every process. Seed it for each call.
    with _PRAAT_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", parselmouth.PraatWarning)  # e.g. nothing voiced
        parselmouth.praat.run("random_initializeWithSeedUnsafelyButPredictably (20250101)")
        try:
            out = call(sound, "Change gender", PITCH_FLOOR, PITCH_CEILING, formant, new_median,
                       pitch_range, 1.0 / tempo)
        finally:
            parselmouth.praat.run("random_initializeSafelyAndUnpredictably ()")
    return out.values[0][:n_out]


def _shift_world(x: np.ndarray, sr: int, semitones: float, formant: float, pitch_range: float,
                 tempo: float, frame_ms: float = 5.0) -> np.ndarray:
    with warnings.catch_warnings():  # pyworld imports pkg_resources: setuptools >= 80 warns
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        import pyworld as pw

    x64 = np.ascontiguousarray(x, dtype=np.float64)
    f0, t = pw.dio(x64, sr, f0_floor=PITCH_FLOOR, f0_ceil=400.0, frame_period=frame_ms)
    f0 = pw.stonemask(x64, f0, t, sr)
    sp = pw.cheaptrick(x64, f0, t, sr)
    ap = pw.d4c(x64, f0, t, sr)
    voiced = f0 > 0
    if voiced.any():
        med = np.median(f0[voiced])
        f0 = np.where(voiced, med * 2 ** (semitones / 12) * (f0 / med) ** pitch_range, 0.0)
    if formant != 1.0:
        # New envelope at frequency k is the old one at k / ratio: formants move up by the ratio.
        bins = np.arange(sp.shape[1], dtype=np.float64)
        src = np.clip(bins / formant, 0, sp.shape[1] - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, sp.shape[1] - 1)
        frac = src - lo
        sp = np.ascontiguousarray(sp[:, lo] * (1 - frac) + sp[:, hi] * frac)
    if tempo != 1.0:
        idx = np.clip(np.round(np.arange(0, len(f0), tempo)).astype(int), 0, len(f0) - 1)
        f0, sp, ap = f0[idx], np.ascontiguousarray(sp[idx]), np.ascontiguousarray(ap[idx])
    return pw.synthesize(np.ascontiguousarray(f0), sp, ap, sr, frame_ms)


def _warp_envelope(x: np.ndarray, sr: int, warp: float) -> np.ndarray:
    """Non-uniform formant shift: move the spectral envelope along a bilinear (VTLN) frequency
    warp while the harmonics stay put. Envelope = cepstrally smoothed STFT magnitude."""
    signal = _signal()
    n_fft, hop = 1024, 256
    padded = np.pad(x, (0, max(0, n_fft - len(x))))  # very short takes: one full frame
    freqs, _, spec = signal.stft(padded, fs=sr, nperseg=n_fft, noverlap=n_fft - hop)
    log_mag = np.log(np.abs(spec) + 1e-9)
    ceps = np.fft.irfft(log_mag, axis=0)
    lifter = max(int(0.0016 * sr), 8)  # shorter than the pitch period of voices up to ~600 Hz
    ceps[lifter:-lifter] = 0.0
    log_env = np.fft.rfft(ceps, axis=0).real
    omega = np.pi * freqs / (sr / 2)
    a = -warp  # sampling the old envelope below each frequency moves formants up
    src = (omega + 2 * np.arctan(a * np.sin(omega) / (1 - a * np.cos(omega)))) * (sr / 2) / np.pi
    # Linear interpolation of every frame's envelope at the source frequencies, vectorised.
    pos = np.clip(src / freqs[1], 0, len(freqs) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(freqs) - 1)
    frac = (pos - lo)[:, None]
    warped = log_env[lo] * (1 - frac) + log_env[hi] * frac
    gain = np.exp(np.clip(warped - log_env, -3.0, 3.0))  # at most ~26 dB either way
    _, y = signal.istft(spec * gain, fs=sr, nperseg=n_fft, noverlap=n_fft - hop)
    out = np.zeros(len(x))
    out[: min(len(x), len(y))] = y[: len(x)]
    return out


# --- stage 2: voice quality and colour ---------------------------------------------------------


def _signal() -> Any:
    from scipy import signal  # imported on use: the catalog validates designs without scipy

    return signal


def _lowpassed_noise(n: int, sr: int, cutoff: float, seed: int) -> np.ndarray:
    signal = _signal()
    noise = np.random.default_rng(seed).standard_normal(n)
    sos = signal.butter(2, cutoff, "low", fs=sr, output="sos")
    smooth = signal.sosfilt(sos, noise)
    return smooth / (np.std(smooth) + 1e-12)


def _variable_delay(x: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """y(t) = x(t - delay(t)) with linear interpolation: a time-varying delay bends pitch."""
    pos = np.clip(np.arange(len(x)) - delay, 0, len(x) - 1)
    return np.interp(pos, np.arange(len(x)), x)


def _envelope(x: np.ndarray, sr: int, cutoff: float = 30.0) -> np.ndarray:
    signal = _signal()
    sos = signal.butter(2, cutoff, "low", fs=sr, output="sos")
    return np.maximum(signal.sosfiltfilt(sos, np.abs(x)), 0.0)


def _breathy(x: np.ndarray, sr: int, amount: float) -> np.ndarray:
    """Add turbulent noise that follows the speech envelope and soften the harmonics' top end."""
    signal = _signal()
    sos_hp = signal.butter(2, 1200.0, "high", fs=sr, output="sos")
    noise = signal.sosfilt(sos_hp, np.random.default_rng(7).standard_normal(len(x)))
    noise /= np.std(noise) + 1e-12
    sos_lp = signal.butter(1, 3500.0, "low", fs=sr, output="sos")
    soft = (1 - 0.5 * amount) * x + 0.5 * amount * signal.sosfilt(sos_lp, x)
    return soft + 0.35 * amount * _envelope(x, sr) * noise


def _rough(x: np.ndarray, sr: int, amount: float) -> np.ndarray:
    """Irregular amplitude (shimmer) and period (jitter) modulation: a gravelly voice."""
    shimmer = 1 + 0.45 * amount * _lowpassed_noise(len(x), sr, 70.0, seed=11)
    jitter = 0.00025 * sr * amount * _lowpassed_noise(len(x), sr, 40.0, seed=13)
    return _variable_delay(x, jitter) * np.clip(shimmer, 0.0, None)


def _aged(x: np.ndarray, sr: int, amount: float) -> np.ndarray:
    """Vocal tremor: ~5.5 Hz pitch and loudness wobble, slightly irregular like a real one."""
    rate = 5.5 + 0.6 * _lowpassed_noise(len(x), sr, 1.0, seed=17)
    phase = 2 * np.pi * np.cumsum(rate) / sr
    depth = 0.035 * amount  # relative pitch deviation
    delay = depth / (2 * np.pi * 5.5) * sr * np.sin(phase)
    wobble = 1 + 0.25 * amount * np.sin(phase + 0.5)
    return _variable_delay(x, delay) * wobble


def _room_ir(sr: int, rt60: float = 0.35, seed: int = 23) -> np.ndarray:
    signal = _signal()
    n = int(rt60 * sr)
    t = np.arange(n) / sr
    tail = np.random.default_rng(seed).standard_normal(n) * np.exp(-6.9 * t / rt60)
    sos = signal.butter(1, 4000.0, "low", fs=sr, output="sos")  # walls absorb highs
    tail = signal.sosfilt(sos, tail)
    tail[: int(0.004 * sr)] = 0.0  # first reflection after ~4 ms
    ir = 0.35 * tail / np.sqrt(np.sum(tail**2))
    ir[0] = 1.0
    return ir


def _colour(x: np.ndarray, sr: int, color: str) -> np.ndarray:
    signal = _signal()
    if color == "telephone":
        sos = signal.butter(4, [300.0, min(3400.0, sr / 2 - 100)], "band", fs=sr, output="sos")
        y = signal.sosfilt(sos, x)
        peak = np.max(np.abs(y)) + 1e-12
        return np.tanh(2.5 * y / peak) * peak / np.tanh(2.5)  # a little line distortion
    if color == "radio":
        sos = signal.butter(2, [180.0, min(5500.0, sr / 2 - 100)], "band", fs=sr, output="sos")
        y = signal.sosfilt(sos, x)
        peak = np.max(np.abs(y)) + 1e-12
        return np.tanh(1.8 * y / peak) * peak / np.tanh(1.8)  # broadcast compression
    if color == "room":
        return signal.fftconvolve(x, _room_ir(sr))[: len(x) + int(0.25 * sr)]
    return x


# --- public API -----------------------------------------------------------------------------


def apply_design(samples: np.ndarray, sr: int, design: Design, extra_pitch: float = 0.0,
                 backend: str | None = None) -> np.ndarray:
    """Return the designed version of ``samples`` (mono float32 at the same rate)."""
    x = np.asarray(samples, dtype=np.float64)
    # A voice's shift plus a line's stays within what the shifter does well (and quickly).
    semitones = max(-24.0, min(24.0, design.pitch_semitones + extra_pitch))
    # Below ~10 ms there is nothing to redesign (and the filters need a few samples to run).
    if len(x) < 256 or (design.is_identity() and not extra_pitch):
        return np.asarray(samples, dtype=np.float32)
    validate(replace(design, pitch_semitones=semitones))
    level = _active_rms(x, sr)
    y = x
    if design.formant_warp:
        y = _warp_envelope(y, sr, design.formant_warp)
    if semitones or design.formant_ratio != 1.0 or design.tempo != 1.0 or design.pitch_range != 1:
        shift = {"praat": _shift_praat, "world": _shift_world}[backend or DEFAULT_BACKEND]
        y = shift(y, sr, semitones, design.formant_ratio, design.pitch_range, design.tempo)
    if design.breathiness:
        y = _breathy(y, sr, design.breathiness)
    if design.roughness:
        y = _rough(y, sr, design.roughness)
    if design.aging:
        y = _aged(y, sr, design.aging)
    if design.color:
        y = _colour(y, sr, design.color)
    out_level = _active_rms(y, sr)
    if out_level > 0 and level > 0:
        y = y * (level / out_level)
    peak = np.max(np.abs(y)) if len(y) else 0.0
    if peak > 0.99:  # rare: never clip
        y = y * (0.99 / peak)
    return y.astype(np.float32)


def apply_to_take(take: Take, design: Design, extra_pitch: float = 0.0,
                  backend: str | None = None) -> Take:
    """A designed copy of ``take``; word timings follow the tempo change."""
    if design.is_identity() and not extra_pitch:
        return take
    samples = apply_design(take.samples, take.sample_rate, design, extra_pitch, backend)
    words = None
    if take.words is not None:
        k = 1.0 / design.tempo
        words = [WordTiming(w.word, w.start * k, w.end * k) for w in take.words]
    return Take(samples=samples, sample_rate=take.sample_rate, words=words)
