"""What runs on the cluster's nodes: a synthesis worker that keeps its engines loaded.

``SynthWorker`` becomes a Ray actor (``pool`` wraps it with ``ray.remote``; this module does not
import Ray). It synthesizes a line and hands back the take already encoded by the take cache's
own encoder, so the driver stores exactly the bytes a local render would have written.
Failures a user can act on (a voice model missing on that node) come back as messages, not
exceptions: the driver reports them in one line instead of retrying them elsewhere.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline import __version__, engines
from pipeline.errors import CastwrightError
from pipeline.files import code_id
from pipeline.memory import release_free_memory
from pipeline.render.cache import encode_take, take_fields
from pipeline.render.synth import SynthJob

# Distributions whose version changes the bytes of a take or an episode file (our engines'
# and mixer's own code is hashed). torch/coqui-tts are left out: GPU and CPU nodes carry
# different builds of them.
AUDIO_DISTRIBUTIONS = ("piper-tts", "onnxruntime", "onnx", "numpy", "soundfile", "soxr",
                       "praat-parselmouth", "pyworld", "kokoro-onnx", "misaki", "scipy",
                       "pyloudnorm", "mutagen", "matplotlib", "imageio-ffmpeg")


def software() -> dict[str, str]:
    """What must match between the driver and every worker for takes to be identical."""
    found = {"castwright": __version__,
             "engine code": code_id(Path(engines.__file__).parent),
             "mixer code": code_id(Path(engines.__file__).parent.parent / "mix")}
    for name in AUDIO_DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def software_difference(here: dict[str, str], there: dict[str, str]) -> str | None:
    """The first package whose version differs, as ``name X here, Y there``; None if none."""
    for name, version in here.items():
        if there.get(name) != version:
            return f"{name} {version} here, {there.get(name, 'absent')} there"
    return None


@dataclass(frozen=True)
class Done:
    key: str
    wav: bytes  # the cache's float32 WAV, byte for byte
    fields: dict  # sample rate, frames, duration, words


@dataclass(frozen=True)
class Failed:
    key: str
    problem: str  # one line


class SynthWorker:
    """One per CPU (or GPU) of the cluster; models load on first use and stay loaded."""

    def __init__(self, threads: int = 1):
        # Set before any engine loads: one engine thread per CPU the actor was given.
        os.environ["CASTWRIGHT_ENGINE_THREADS"] = str(max(1, threads))

    def ready(self) -> dict:
        return {"pid": os.getpid(), "host": socket.gethostname(), "software": software()}

    def synthesize(self, job: SynthJob) -> Done | Failed:
        try:
            take = engines.synthesize(job.voice, job.spoken_text, job.delivery, job.take,
                                      job.pronounce)
        except CastwrightError as err:
            return Failed(job.key, f"on {socket.gethostname()}: {err}")
        except Exception as err:  # noqa: BLE001 - an engine bug: say where, in one line
            return Failed(job.key, f"on {socket.gethostname()}: {type(err).__name__}: {err}")
        done = Done(job.key, encode_take(take), take_fields(take))
        del take
        release_free_memory()  # as a local worker does (pipeline/memory.py)
        return done
