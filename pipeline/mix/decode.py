"""Decode user sound files (ambience, effects, music) of any common format to float32 arrays.

Decoding runs the ffmpeg binary that ``imageio-ffmpeg`` ships, straight to float32 PCM on a pipe.
pydub would need ``ffprobe`` for every non-WAV file (``AudioSegment.from_file`` probes first) and
imageio-ffmpeg ships no ffprobe; it would also round-trip through 16-bit samples. ffmpeg returns
the file's own rate, which soxr then converts to the timeline rate.
"""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from pipeline.errors import MixError

MAX_SECONDS = 180.0  # a bed loops, so 3 minutes of a longer file is plenty (63 MB as float32)


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def probe_duration(path: Path, what: str, file: str | None = None, line: int | None = None
                   ) -> float:
    """Length in seconds of an audio file, checking it exists and decodes."""
    _exists(path, what, file, line)
    try:
        info = sf.info(str(path))
        if info.frames > 0:
            return info.frames / info.samplerate
    except (sf.LibsndfileError, RuntimeError, TypeError):
        pass  # a format libsndfile does not read: let ffmpeg decide
    audio, sr = _ffmpeg_decode(path, what, file, line, MAX_SECONDS)
    return len(audio) / sr


def decode_audio(path: Path, sample_rate: int, channels: int, what: str,
                 file: str | None = None, line: int | None = None,
                 max_seconds: float | None = MAX_SECONDS) -> np.ndarray:
    """(frames, channels) float32 at ``sample_rate``; mono is duplicated, more channels mixed."""
    _exists(path, what, file, line)
    audio, sr = _ffmpeg_decode(path, what, file, line, max_seconds)
    if audio.shape[1] != channels:
        mono = audio.mean(axis=1, keepdims=True)
        audio = np.repeat(mono, channels, axis=1) if channels > 1 else mono
    if sr != sample_rate:
        audio = soxr.resample(audio, sr, sample_rate, quality="HQ")
    return np.ascontiguousarray(audio, dtype=np.float32)


def _exists(path: Path, what: str, file: str | None, line: int | None) -> None:
    if not path.is_file():
        raise MixError(f"{what} '{path}' not found", file, line)


def _ffmpeg_decode(path: Path, what: str, file: str | None, line: int | None,
                   max_seconds: float | None) -> tuple[np.ndarray, int]:
    head = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-vn"]
    limit = ["-t", f"{max_seconds:g}"] if max_seconds else []
    # Two channels at most; the source rate is kept and read back from ffmpeg's report.
    cmd = head + limit + ["-ac", "2", "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise MixError(f"cannot decode {what} '{path}': {err}", file, line) from None
    err_text = proc.stderr.decode(errors="replace")
    rate = re.search(r"Stream #\d+:\d+.*?Audio:.*?(\d+) Hz", err_text)
    if proc.returncode != 0 or not proc.stdout or rate is None:
        last = [ln for ln in err_text.strip().splitlines() if ln.strip()]
        why = last[-1].strip() if last else "no audio stream"
        raise MixError(f"cannot decode {what} '{path}': {why}", file, line)
    audio = np.frombuffer(proc.stdout, dtype="<f4").reshape(-1, 2)
    if not np.isfinite(audio).all():
        raise MixError(f"cannot decode {what} '{path}': it contains NaN or infinite samples",
                       file, line)
    # The output stream's rate equals the input's (no -ar), so the first Hz in the report works.
    return audio.astype(np.float32), int(rate.group(1))
