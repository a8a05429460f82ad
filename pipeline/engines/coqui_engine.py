"""Coqui TTS engine (optional extra ``[coqui]``; ``TTS`` is imported only when used).

``VoiceSpec.model`` is either a Coqui model name (``tts_models/en/vctk/vits``: downloaded into
Coqui's own cache on first use) or a local checkpoint path with ``config`` beside it or given.
Multi-speaker models take ``speaker``; XTTS clones ``speaker_wav`` in ``language``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines.base import DEFAULT_DELIVERY, Delivery, Take, VoiceSpec
from pipeline.engines.chunking import split_text
from pipeline.errors import VoiceError

CHUNK_GAP_S = 0.12


def _is_local(spec: VoiceSpec) -> bool:
    """A checkpoint path (existing, or named like one) rather than a Coqui model name."""
    model = spec.model
    if not model or model.startswith(("tts_models/", "voice_conversion_models/")):
        return False
    return Path(model).expanduser().exists() or model.endswith((".pth", ".pt", ".tar",
                                                                 ".safetensors"))


def local_paths(spec: VoiceSpec) -> tuple[Path, Path]:
    """(checkpoint, config.json) of a local Coqui model; raises if missing."""
    model = Path(spec.model).expanduser()
    config = Path(spec.config).expanduser() if spec.config else model.parent / "config.json"
    if not model.exists():
        raise VoiceError(f"voice '{spec.name}': Coqui model file not found: {model}")
    if not config.is_file():
        raise VoiceError(f"voice '{spec.name}': Coqui config not found: {config}")
    return model, config


class CoquiEngine:
    name = "coqui"

    def __init__(self) -> None:
        self._models: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @staticmethod
    def installed() -> bool:
        return importlib.util.find_spec("TTS") is not None

    def available(self, spec: VoiceSpec) -> tuple[bool, str]:
        if not self.installed():
            return False, "Coqui TTS not installed (pip install 'castwright[coqui]')"
        if not spec.model:
            return False, "Coqui voices need 'model' (a model name or a checkpoint path)"
        if _is_local(spec):
            try:
                local_paths(spec)
            except VoiceError as err:
                return False, err.problem
        if spec.speaker_wav and not Path(spec.speaker_wav).expanduser().is_file():
            return False, f"speaker_wav not found: {spec.speaker_wav}"
        return True, ""

    def identity(self, voice: VoiceSpec) -> str:
        version = metadata.version("coqui-tts") if self.installed() else "absent"
        parts = [f"coqui-tts {version}", voice.model]
        if _is_local(voice):
            for path in local_paths(voice):
                st = path.stat()
                parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
        if voice.speaker_wav and Path(voice.speaker_wav).is_file():
            st = Path(voice.speaker_wav).stat()
            parts.append(f"ref:{Path(voice.speaker_wav).name}:{st.st_size}:{st.st_mtime_ns}")
        parts.append(f"speaker={voice.speaker}|language={voice.language}")
        return "|".join(parts)

    def _load(self, spec: VoiceSpec) -> Any:
        ok, why = self.available(spec)
        if not ok:
            raise VoiceError(f"voice '{spec.name}': {why}")
        from TTS.api import TTS

        if _is_local(spec):
            model, config = local_paths(spec)
            key = (str(model.resolve()), str(config.resolve()))
        else:
            key = (spec.model, "")
        if key not in self._models:
            try:
                if key[1]:
                    tts = TTS(model_path=key[0], config_path=key[1], progress_bar=False)
                else:
                    tts = TTS(spec.model, progress_bar=False)
            except Exception as err:  # bad checkpoint, unknown name, no network for a download
                raise VoiceError(f"voice '{spec.name}': cannot load Coqui model "
                                 f"'{spec.model}': {err}") from None
            self._models[key] = tts
        return self._models[key]

    @contextlib.contextmanager
    def _delivery(self, tts: Any, delivery: Delivery, speed: float = 1.0) -> Iterator[None]:
        """Temporarily set VITS-style pace/noise controls on the model, where it has them."""
        model = tts.synthesizer.tts_model
        saved: dict[str, float] = {}
        wanted = {"length_scale": 1.0 / min(max(delivery.pace * speed, 0.5), 2.0)}
        expr = min(max(delivery.expressiveness, 0.0), 2.0)
        for attr in ("inference_noise_scale", "inference_noise_scale_dp"):
            if hasattr(model, attr):
                wanted[attr] = getattr(model, attr) * expr
        for attr, value in wanted.items():
            if hasattr(model, attr):
                saved[attr] = getattr(model, attr)
                setattr(model, attr, value)
        try:
            yield
        finally:
            for attr, value in saved.items():
                setattr(model, attr, value)

    def synthesize(self, text: str, voice: VoiceSpec, delivery: Delivery = DEFAULT_DELIVERY,
                   take: int = 1) -> Take:
        import torch

        chunks = split_text(text)
        tts = self._load(voice)
        kwargs: dict[str, Any] = {}
        if voice.speaker is not None:
            kwargs["speaker"] = str(voice.speaker)
        if voice.language:
            kwargs["language"] = voice.language
        if voice.speaker_wav:
            kwargs["speaker_wav"] = str(Path(voice.speaker_wav).expanduser())
        sr = int(tts.synthesizer.output_sample_rate)
        pieces: list[np.ndarray] = []
        with self._lock, self._delivery(tts, delivery, voice.speed):
            torch.manual_seed(10_007 * max(take, 1))  # the take number picks the model's noise
            for i, chunk in enumerate(chunks):
                try:
                    wav = tts.tts(chunk, split_sentences=True, **kwargs)
                except (ValueError, KeyError) as err:  # wrong speaker/language for the model
                    raise VoiceError(f"voice '{voice.name}': Coqui: {err}") from None
                pieces.append(np.asarray(wav, dtype=np.float32).reshape(-1))
                if i < len(chunks) - 1:
                    pieces.append(np.zeros(int(CHUNK_GAP_S * sr), dtype=np.float32))
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        if samples.size == 0:
            raise VoiceError(f"voice '{voice.name}': Coqui produced no audio for {text[:40]!r}")
        return Take(samples=np.clip(samples, -1.0, 1.0), sample_rate=sr, words=None)
