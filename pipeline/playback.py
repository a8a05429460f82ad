"""Play audio through a player the system has: ffplay, mpv, afplay, pw-play, paplay, aplay, SoX.

imageio-ffmpeg ships ffmpeg but not ffplay, so nothing pip installs can play sound by itself;
``CASTWRIGHT_PLAYER`` names any other command that plays a WAV file given as its last argument.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import CastwrightError

PLAYER_ENV = "CASTWRIGHT_PLAYER"
# Program and the arguments that make it play one file and exit, quietly, without a window.
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ffplay", ("-nodisp", "-autoexit", "-loglevel", "error")),
    ("mpv", ("--no-video", "--really-quiet")),
    ("afplay", ()),  # macOS
    ("pw-play", ()),  # PipeWire
    ("paplay", ()),  # PulseAudio
    ("aplay", ("-q",)),  # ALSA
    ("play", ("-q",)),  # SoX
)


class PlaybackError(CastwrightError):
    pass


@dataclass(frozen=True)
class Player:
    name: str
    command: tuple[str, ...]  # the file goes last


def find_player() -> Player:
    """``$CASTWRIGHT_PLAYER`` if set, else the first known player on PATH."""
    custom = os.environ.get(PLAYER_ENV, "").strip()
    if custom:
        argv = shlex.split(custom)
        found = shutil.which(argv[0])
        if found is None:
            raise PlaybackError(f"{PLAYER_ENV}: no program '{argv[0]}' on PATH")
        return Player(Path(argv[0]).name, (found, *argv[1:]))
    for name, args in PLAYERS:
        found = shutil.which(name)
        if found:
            return Player(name, (found, *args))
    tried = ", ".join(name for name, _ in PLAYERS)
    raise PlaybackError(f"no audio player found (tried {tried}); install one (e.g. ffmpeg's "
                        f"ffplay, or mpv) or set {PLAYER_ENV} to a command that plays a WAV file")


def play_file(path: Path, player: Player | None = None) -> None:
    """Play ``path`` and wait; Ctrl-C stops the playback (not an error)."""
    player = player or find_player()
    try:
        proc = subprocess.Popen([*player.command, str(path)], stdin=subprocess.DEVNULL)
    except OSError as err:
        raise PlaybackError(f"cannot run {player.name}: {err.strerror or err}") from None
    try:
        status = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        return
    if status != 0 and status != -2:  # -2: the player itself took the Ctrl-C
        raise PlaybackError(f"{player.name} failed (exit status {status}) playing {path}")


@contextmanager
def temp_wav(samples: np.ndarray, sample_rate: int) -> Iterator[Path]:
    """A 16-bit WAV of ``samples`` that every player reads, deleted afterwards."""
    import soundfile as sf

    with tempfile.TemporaryDirectory(prefix="castwright-play-") as folder:
        path = Path(folder) / "clip.wav"
        peak = float(np.max(np.abs(samples))) if samples.size else 0.0
        sf.write(path, samples / peak if peak > 1.0 else samples, sample_rate, subtype="PCM_16")
        yield path


def read_span(path: Path, start: float, end: float) -> tuple[np.ndarray, int]:
    """Seconds ``start`` to ``end`` of an audio file, read without loading the rest."""
    import soundfile as sf

    with sf.SoundFile(path) as audio:
        sr = audio.samplerate
        first = max(0, int(start * sr))
        audio.seek(min(first, audio.frames))
        last = audio.frames if end == float("inf") else min(audio.frames, int(end * sr))
        frames = max(0, last - first)
        return audio.read(frames, dtype="float32"), sr
