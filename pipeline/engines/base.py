"""The engine interface: "this text in this voice" -> audio plus timing.

Every engine (Piper, Coqui, espeak-ng, flite) implements ``Engine``. Designed voices are a
``VoiceSpec`` with a ``design`` applied on top of a base voice's audio (see ``design.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Delivery:
    """How a line is read. Maps to engine controls (Piper: length_scale, noise scales; Kokoro:
    speed); ``pipeline.delivery`` derives it from the text."""

    pace: float = 1.0  # > 1 speaks faster
    expressiveness: float = 1.0  # scales the engine's noise / variation
    volume_db: float = 0.0  # gain applied to the take in the mix
    pitch_semitones: float = 0.0  # extra shift on top of the voice's own design


DEFAULT_DELIVERY = Delivery()  # frozen, so safe as a shared default argument


@dataclass(frozen=True)
class Design:
    """Transforms that turn a base voice into a different-sounding person."""

    pitch_semitones: float = 0.0
    formant_ratio: float = 1.0  # > 1 smaller vocal tract (younger/female), < 1 larger
    tempo: float = 1.0  # > 1 faster
    breathiness: float = 0.0  # 0..1
    roughness: float = 0.0  # 0..1
    color: str | None = None  # None | "telephone" | "radio" | "room"
    pitch_range: float = 1.0  # scales the intonation around the median: < 1 flatter, > 1 livelier
    aging: float = 0.0  # 0..1 vocal tremor (pitch and loudness wobble) of an older voice
    formant_warp: float = 0.0  # -0.2..0.2 reshapes the vocal tract: > 0 raises low formants most

    def is_identity(self) -> bool:
        return self == Design()


@dataclass(frozen=True)
class VoiceSpec:
    """A named voice: which engine, which model, and optional design on top."""

    name: str
    engine: str  # "piper" | "kokoro" | "coqui" | "espeak" | "flite"
    model: str = ""  # path to .onnx / model dir / engine model name; "" = engine default
    config: str = ""  # piper .onnx.json or coqui config.json path ("" = beside the model)
    speaker: str | int | None = None  # multi-speaker models; Kokoro: a style or a blend
    speed: float = 1.0  # the engine's own speaking rate (Piper length scale, Kokoro speed)
    language: str | None = None  # coqui XTTS
    speaker_wav: str | None = None  # coqui XTTS cloning reference
    design: Design = field(default_factory=Design)
    gender: str | None = None  # "male" | "female" | None: used by automatic casting
    age: str | None = None  # "young" | "adult" | "older"
    role: str | None = None  # "narrator" | "character"
    description: str = ""


@dataclass
class WordTiming:
    word: str
    start: float  # seconds from take start
    end: float


@dataclass
class Take:
    """Synthesized audio of one line: mono float32 in [-1, 1]."""

    samples: np.ndarray
    sample_rate: int
    words: list[WordTiming] | None = None

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


class Engine(Protocol):
    name: str

    def synthesize(self, text: str, voice: VoiceSpec, delivery: Delivery, take: int = 1) -> Take:
        """Speak ``text`` (already normalized for speech). ``take`` > 1 must give a different
        reading of the same text (varied deterministically from the take number)."""
        ...

    def identity(self, voice: VoiceSpec) -> str:
        """A string that changes when the model behind ``voice`` changes (file size + mtime
        + name, or a hash). Part of the take cache key."""
        ...

    def available(self, voice: VoiceSpec) -> tuple[bool, str]:
        """(True, "") when ``voice`` can be synthesized here, else (False, a short reason:
        program or package not installed, model file missing)."""
        ...
