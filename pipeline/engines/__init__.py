"""Speech engines behind one call: ``synthesize(spec, text, delivery, take) -> Take``.

Engines are created once per process (each caches its loaded models per model path). The
voice's ``design`` (and ``delivery.pitch_semitones``) is applied on top of the engine's audio.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, replace

from pipeline.engines.base import (
    DEFAULT_DELIVERY,
    Delivery,
    Design,
    Engine,
    Take,
    VoiceSpec,
    WordTiming,
)
from pipeline.engines.chunking import require_speakable
from pipeline.engines.design import DEFAULT_BACKEND, DESIGN_VERSION, apply_to_take, validate
from pipeline.engines.edges import EDGES_VERSION, trim_edges
from pipeline.engines.pronounce import relabel, rewrite
from pipeline.errors import VoiceError
from pipeline.lexicon import Entry

__all__ = [
    "ENGINES", "Delivery", "Design", "Engine", "Take", "VoiceSpec", "WordTiming", "available",
    "get_engine", "identity", "synthesize", "takes_phonemes",
]

ENGINES = ("piper", "kokoro", "coqui", "espeak", "flite")

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _create(name: str) -> Engine:
    if name == "piper":
        from pipeline.engines.piper_engine import PiperEngine

        return PiperEngine()
    if name == "kokoro":
        from pipeline.engines.kokoro_engine import KokoroEngine

        return KokoroEngine()
    if name == "coqui":
        from pipeline.engines.coqui_engine import CoquiEngine

        return CoquiEngine()
    if name in ("espeak", "flite"):
        from pipeline.engines.system_engines import EspeakEngine, FliteEngine

        return EspeakEngine() if name == "espeak" else FliteEngine()
    raise VoiceError(f"unknown engine '{name}' (known: {', '.join(ENGINES)})")


def get_engine(name: str) -> Engine:
    """The process-wide instance of engine ``name``."""
    with _lock:
        if name not in _engines:
            _engines[name] = _create(name)
        return _engines[name]


def available(spec: VoiceSpec) -> tuple[bool, str]:
    """(True, "") if ``spec`` can be synthesized here, else (False, why not)."""
    try:
        engine = get_engine(spec.engine)
        validate(spec.design, spec.name)
    except VoiceError as err:
        return False, err.problem
    return engine.available(spec)


def identity(spec: VoiceSpec) -> str:
    """Changes whenever the audio for ``spec`` could change: model files, engine, edge trimming
    and design."""
    engine_id = f"{get_engine(spec.engine).identity(spec)}|{EDGES_VERSION}"
    if spec.design.is_identity():
        return engine_id
    params = ",".join(f"{k}={v}" for k, v in asdict(spec.design).items())
    return f"{engine_id}|{DESIGN_VERSION}/{DEFAULT_BACKEND}:{params}"


def synthesize(spec: VoiceSpec, text: str, delivery: Delivery = DEFAULT_DELIVERY,
               take: int = 1, pronounce: Sequence[Entry] = ()) -> Take:
    """Speak ``text`` (already normalised for speech) in voice ``spec``; ``take`` > 1 gives a
    different, reproducible reading. ``pronounce`` are the lexicon entries for this line."""
    text = require_speakable(text)
    validate(spec.design, spec.name)
    engine = get_engine(spec.engine)
    spoken = rewrite(text, pronounce, takes_phonemes(engine))
    result = engine.synthesize(spoken.text, spec, delivery, take)
    if result.samples.size == 0:
        raise VoiceError(f"voice '{spec.name}': engine '{spec.engine}' produced no audio")
    result = replace(result, words=relabel(result.words, text, spoken))
    # Edges before the design: a room colour's reverb tail is part of the voice, kept.
    return apply_to_take(trim_edges(result), spec.design, delivery.pitch_semitones)


def takes_phonemes(engine: Engine) -> bool:
    """Whether ``engine`` reads ``[[ipa]]`` blocks (espeak-ng IPA) inside its text."""
    return bool(getattr(engine, "takes_phonemes", False))
