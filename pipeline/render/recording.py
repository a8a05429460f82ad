"""A producer's own recording as a take of a line (``castwright regen EP LINE --audio FILE``).

The recording is decoded (any format ffmpeg reads), made mono, cleaned of rumble (a gentle
high-pass), trimmed to its sound (silence and room noise at both ends cut, a breath of margin
kept) and matched to the synthetic voices: its active speech is brought to the level every take
is mixed at, and the gain that makes its loudness (K-weighted, as ears hear a fuller human
voice) equal Piper's rides along in the cache entry as ``mix_gain_db``. It is then a take like
any other: stored in the take cache under a key made from the file's content, numbered, pinned,
listed by ``castwright takes``, selectable with ``--take``. A recording missing from the cache
(the cache was cleared) is imported again from its file, if that still holds the same sound.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np

from pipeline.engines.base import Take
from pipeline.errors import RenderError
from pipeline.files import file_sha256
from pipeline.render.cache import TakeCache

VERSION = "castwright-recording-v1"  # bump when the processing below changes
SAMPLE_RATE = 44100
MAX_SECONDS = 600.0  # a take of one line; longer is a mistake (a whole chapter's file?)
FLOOR_DB = 45.0  # frames this far under the loudest 10 ms are silence or room noise
ROOM_DB = 12.0  # and so are frames less than this over the room's noise floor
LEAD, TAIL = 0.08, 0.15  # seconds of margin kept before the first and after the last sound
FADE = 0.01
HIGH_PASS_HZ = 60.0
SPEECH_REF_DB = -20.0  # active-speech RMS the mixer brings every take to (mix.render)
MAX_MATCH_DB = 6.0


def recording_key(sha256: str) -> str:
    return hashlib.sha256(f"{VERSION}:{sha256}".encode()).hexdigest()[:32]


def import_recording(path: Path, cache: TakeCache, info: dict) -> tuple[str, str, float]:
    """Process ``path`` into the take cache; (cache key, the file's sha256, duration)."""
    if not path.is_file():
        raise RenderError("recording not found", path)
    sha = file_sha256(path)
    key = recording_key(sha)
    meta = cache.meta(key)
    if meta is None:
        samples, gain_db = process(path)
        meta = cache.store(key, Take(samples, SAMPLE_RATE, words=None),
                           {**info, "recording": str(path), "source_sha256": sha,
                            "mix_gain_db": gain_db})
    return key, sha, float(meta["duration"])


def restore(recording: dict, cache: TakeCache, line_id: str, take: int) -> None:
    """Put a recorded take back into the cache from its file (the cache was cleared)."""
    path = Path(str(recording.get("file", "")))
    if cache.has(str(recording.get("key", ""))):
        return
    if not path.is_file() or file_sha256(path) != recording.get("sha256"):
        raise RenderError(f"{line_id}: take {take} is a recording no longer in the take cache, "
                          f"and {path} is gone or has changed; record it again with "
                          f"regen --audio, or pick another take with --take", path)
    import_recording(path, cache, {"line_id": line_id, "take": take})


def process(path: Path) -> tuple[np.ndarray, float]:
    """The recording trimmed, high-passed and at the mix's speech level; and its loudness
    match (dB) against the synthetic voices."""
    from pipeline.mix.decode import decode_audio  # the mixer's ffmpeg decoding

    audio = decode_audio(path, SAMPLE_RATE, 1, "recording", max_seconds=MAX_SECONDS + 1)[:, 0]
    if len(audio) > MAX_SECONDS * SAMPLE_RATE:
        raise RenderError(f"recording is longer than {MAX_SECONDS:g} s: a take is one line",
                          path)
    audio = _high_pass(audio.astype(np.float64) - float(np.mean(audio)))
    audio = trim(audio, path)
    rms_db, weighted_db = _levels(audio)
    audio *= 10 ** ((SPEECH_REF_DB - rms_db) / 20)
    from pipeline.mix.settings import SPEECH_REF_LUFS

    match = float(np.clip(SPEECH_REF_LUFS - (weighted_db + SPEECH_REF_DB - rms_db),
                          -MAX_MATCH_DB, MAX_MATCH_DB))
    return audio.astype(np.float32), round(match, 2)


def _high_pass(audio: np.ndarray) -> np.ndarray:
    import scipy.signal as ss

    sos = ss.butter(2, HIGH_PASS_HZ, "highpass", fs=SAMPLE_RATE, output="sos")
    return ss.sosfilt(sos, audio)


def trim(audio: np.ndarray, path: Path) -> np.ndarray:
    """Cut silence and room noise at both ends, keep a little margin, fade the edges."""
    hop = SAMPLE_RATE // 100
    n = len(audio) // hop
    if n == 0:
        raise RenderError("recording is empty", path)
    power = np.square(audio[:n * hop]).reshape(n, hop).mean(axis=1)
    level = 10 * np.log10(np.maximum(power, 1e-20))
    if level.max() < -60:
        raise RenderError("recording is silent (nothing louder than -60 dBFS)", path)
    # Sound is what stands clear of the room: 12 dB over the noise floor (the quietest tenth
    # of the frames), and within FLOOR_DB of the loudest.
    floor = float(np.percentile(level, 10))
    loud = np.flatnonzero(level > max(level.max() - FLOOR_DB, floor + ROOM_DB))
    a = max(0, loud[0] * hop - int(LEAD * SAMPLE_RATE))
    z = min(len(audio), (loud[-1] + 1) * hop + int(TAIL * SAMPLE_RATE))
    out = audio[a:z].copy()
    fade = min(int(FADE * SAMPLE_RATE), len(out) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    return out


def _levels(audio: np.ndarray) -> tuple[float, float]:
    """(active RMS dBFS, K-weighted active power dB) of a mono recording."""
    import scipy.signal as ss

    from pipeline.mix.levels import k_weighting_sos, speech_activity

    rms_db, runs = speech_activity(audio.astype(np.float32), SAMPLE_RATE)
    if not math.isfinite(rms_db) or not runs:
        raise RenderError("recording has no speech-like sound to level")
    weighted = np.square(ss.sosfilt(k_weighting_sos(SAMPLE_RATE), audio))
    active = np.concatenate([weighted[a:b] for a, b in runs])
    return rms_db, float(10 * np.log10(max(float(active.mean()), 1e-20)) - 0.691)
