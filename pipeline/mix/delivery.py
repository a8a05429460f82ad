"""Delivered formats measure what the master measures: lossy encoders are compensated.

LAME takes ~0.45 dB off a podcast mix at 128 kbit/s (a near-uniform loss plus whatever its
low-pass removes); AAC and Opus move the level a little and raise true peaks. So each lossy file
gets a gain before its encoder, and after a full render it is decoded and measured (BS.1770
loudness, 4x true peak): when it misses the master's loudness by more than ``TOLERANCE_LU``, or
its true peak is over the ceiling, it is encoded again with the corrected gain, through a
true-peak limiter if the codec's overshoot needs one. The master leaves room under the ceiling
for the codecs (``master.CODEC_HEADROOM_DB``), so MP3 needs no limiter. The settings that
worked are remembered (the episode's manifest, and a small calibration file per output
folder), so the next render's first encode is usually right and a one-line regen, which does
not measure, reuses them.
"""

from __future__ import annotations

import json
import math
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from pipeline.atomic import write_text
from pipeline.mix.decode import ffmpeg_exe
from pipeline.mix.levels import LoudnessMeter, TruePeakMeter

LOSSY = ("mp3", "m4a", "opus")
TOLERANCE_LU = 0.1  # a delivered file this close to the master's loudness is left as it is
PEAK_MARGIN_DB = 0.1  # decoded peaks are kept this far under the ceiling
MAX_PASSES = 2  # encodes after the first, at most
MAX_GAIN_DB = 3.0  # no encoder takes more than this: a bigger miss is not the encoder's
CHUNK = 1 << 20  # bytes read from the decoder at a time


@dataclass(frozen=True)
class EncoderSetting:
    """What a lossy file's encoder is fed: the master with a gain and, for a codec whose
    decoded peaks overshoot a lot (AAC at low bitrates), through a true-peak limiter."""

    gain_db: float = 0.0
    limit_dbtp: float | None = None

    @classmethod
    def from_dict(cls, data: object) -> EncoderSetting | None:
        if not isinstance(data, dict) or not isinstance(data.get("gain_db"), int | float):
            return None
        limit = data.get("limit_dbtp")
        return cls(float(data["gain_db"]), float(limit) if isinstance(limit, int | float)
                   else None)


@dataclass
class Delivered:
    """A delivered file's loudness, as decoded and measured (or as last measured)."""

    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float  # applied before the encoder
    limit_dbtp: float | None  # the limiter before the encoder, if it has one
    measured: bool  # False: figures of the last measured render (a one-line regen)

    def to_dict(self) -> dict:
        return asdict(self)


def measure_file(path: Path, sample_rate: int, channels: int) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an encoded file, decoded by ffmpeg on a pipe."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
           "-map", "0:a", "-f", "f32le", "-acodec", "pcm_f32le", "-ar", str(sample_rate),
           "-ac", str(channels), "pipe:1"]
    meter, peak = LoudnessMeter(sample_rate, channels), TruePeakMeter(channels)
    frame = 4 * channels
    carry = b""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        while chunk := proc.stdout.read(CHUNK):
            data = carry + chunk
            whole = len(data) // frame * frame
            carry = data[whole:]
            if whole:
                block = np.frombuffer(data[:whole], dtype="<f4").reshape(-1, channels)
                meter.feed(block)
                peak.feed(block)
    tp = peak.finish()
    return meter.integrated(), 20 * math.log10(tp) if tp > 0 else float("-inf")


def correction(master_lufs: float, master_peak: float, ceiling_dbtp: float,
               current: EncoderSetting, lufs: float, peak: float) -> EncoderSetting | None:
    """The setting to encode with next, or None when the file is good as it is.

    The gain makes up the loudness the codec took. Gain moves the decoded peaks one for one,
    on top of the codec's own overshoot (decoded peak over the peak fed in); when that would
    go over the ceiling, a limiter before the encoder keeps the fed peaks low enough."""
    if not all(math.isfinite(x) for x in (master_lufs, master_peak, lufs, peak)):
        return None
    if abs(lufs - master_lufs) <= TOLERANCE_LU and peak <= ceiling_dbtp:
        return None
    gain = float(np.clip(current.gain_db + (master_lufs - lufs), -MAX_GAIN_DB, MAX_GAIN_DB))
    fed = master_peak + current.gain_db
    if current.limit_dbtp is not None:
        fed = min(fed, current.limit_dbtp)
    overshoot = max(peak - fed, 0.0)
    limit = None
    if master_peak + gain + overshoot > ceiling_dbtp - PEAK_MARGIN_DB:
        limit = round(ceiling_dbtp - PEAK_MARGIN_DB - overshoot, 2)
    new = EncoderSetting(round(gain, 3), limit)
    return None if new == current else new


def limited(read: Callable[[int, int], np.ndarray], frames: int, sample_rate: int,
            setting: EncoderSetting, block: int = 1 << 19) -> Iterator[np.ndarray]:
    """The master (``read(a, b)``: frames a..b, zeros outside) with the setting's gain, through
    a true-peak limiter at its ceiling, block by block."""
    from pipeline.mix.limiter import Limiter

    assert setting.limit_dbtp is not None
    limiter = Limiter(sample_rate, setting.limit_dbtp)
    gain = 10 ** (setting.gain_db / 20)
    for start in range(0, frames, block):
        yield limiter.process(read, start, min(block, frames - start), gain)


class Calibration:
    """Encoder settings that worked last time, per format, bitrate and ffmpeg build.

    A ``frozen()`` calibration answers from what the file held when it was frozen (and still
    records what it learns): a season's chapters all start from it, so a chapter's files do not
    depend on which chapters were mixed before it, or beside it on a cluster."""

    FILE = "encoder-gains.json"
    _writing = threading.Lock()  # a season's mixer threads learn at once

    def __init__(self, folder: Path | None,
                 snapshot: dict[str, EncoderSetting] | None = None):
        self.path = folder / self.FILE if folder is not None else None
        self.snapshot = snapshot

    def frozen(self) -> Calibration:
        return Calibration(self.path.parent if self.path else None, self._read_file())

    @staticmethod
    def key(fmt: str, bitrate: int, channels: int) -> str:
        exe = Path(ffmpeg_exe())
        try:
            build = f"{exe.name}:{exe.stat().st_size}"
        except OSError:
            build = exe.name
        return f"{fmt}@{bitrate}k/{channels}ch/{build}"

    def read(self) -> dict[str, EncoderSetting]:
        return dict(self.snapshot) if self.snapshot is not None else self._read_file()

    def _read_file(self) -> dict[str, EncoderSetting]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        out = {k: EncoderSetting.from_dict(v) for k, v in data.items()}
        return {k: v for k, v in out.items() if v is not None}

    def update(self, settings: dict[str, EncoderSetting]) -> None:
        if self.path is None or not settings:
            return
        with self._writing:
            data = self._read_file()
            if all(data.get(k) == v for k, v in settings.items()):
                return
            data.update(settings)
            text = json.dumps({k: asdict(v) for k, v in data.items()}, indent=1, sort_keys=True)
            write_text(self.path, text + "\n")


def predicted_settings(formats: list[str], bitrate: int, channels: int, last: dict | None,
                       calibration: Calibration) -> dict[str, EncoderSetting]:
    """Encoder settings for this render: the episode's last ones when it was encoded the same
    way, else what the output folder's last renders learned, else plain (0 dB, no limiter)."""
    loudness = (last or {}).get("loudness") or {}
    last_delivered = loudness.get("delivered") or {}
    learned = calibration.read()
    out = {}
    for fmt in formats:
        if fmt not in LOSSY:
            continue
        before = EncoderSetting.from_dict(last_delivered.get(fmt))
        if loudness.get("mp3_bitrate") == bitrate and before is not None:
            out[fmt] = before
        else:
            out[fmt] = learned.get(Calibration.key(fmt, bitrate, channels), EncoderSetting())
    return out
