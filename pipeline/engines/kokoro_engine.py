"""Kokoro-82M engine: English from espeak-ng phonemes, voices from style vectors and blends.

A voice is a style (``speaker = "jm_kumo"``) or a weighted mix of styles
(``speaker = "jf_alpha:0.5,jm_kumo:0.5"``: a blend is a new voice). Each model call takes at most
510 phonemes with the style row for its length; longer lines are chunked at sentence, then
clause ends. Readings are deterministic: take 1 is the style as it is, take N > 1 varies the
speed and the prosody half of the style by a seed from the take number.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import numpy as np

from pipeline.engines import kokoro_model as km
from pipeline.engines.base import DEFAULT_DELIVERY, Delivery, Take, VoiceSpec, WordTiming
from pipeline.engines.chunking import require_speakable
from pipeline.engines.kokoro_phonemes import pack, phonemize
from pipeline.engines.timings import proportional_timings, word_spans, word_timings
from pipeline.errors import VoiceError

DEFAULT_STYLE = "jm_kumo"
PHONEME_VERSION = "espeak-misaki-1"  # bump when the phoneme rewrite changes (audio changes)
PROSODY = slice(128, 256)  # the style's second half drives duration and intonation
PEAK = 0.99  # a take is float audio within [-1, 1]; the mixer sets its level
_BLEND_PART = re.compile(r"^\s*([\w.-]+)\s*(?::\s*(-?[0-9.]+))?\s*$")


def parse_blend(speaker: str | int | None) -> list[tuple[str, float]]:
    """``"a:0.6,b:0.4"`` -> [("a", 0.6), ("b", 0.4)], weights normalised; ``"a"`` -> [("a", 1)]."""
    text = DEFAULT_STYLE if speaker in (None, "") else str(speaker)
    parts = []
    for piece in text.split(","):
        match = _BLEND_PART.match(piece)
        if not match:
            raise VoiceError(f"Kokoro speaker '{text}': write a style name or a blend like "
                             "'jf_alpha:0.5,jm_kumo:0.5'")
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            raise VoiceError(f"Kokoro speaker '{text}': '{match.group(2)}' is not a weight") \
                from None
        parts.append((match.group(1), weight))
    total = sum(w for _, w in parts)
    if total <= 0:
        raise VoiceError(f"Kokoro speaker '{text}': the weights add up to zero")
    return [(name, w / total) for name, w in parts]


def take_variation(take: int) -> tuple[float, float]:
    """(speed multiplier, prosody offset scale): take 1 is the style's own reading."""
    if take <= 1:
        return 1.0, 0.0
    rng = np.random.default_rng([take, 0x6B6F6B6F])
    return float(1 + rng.uniform(-0.05, 0.05)), float(rng.uniform(0.1, 0.2))


class KokoroEngine:
    name = "kokoro"
    takes_phonemes = True  # [[ipa]] blocks (lexicon entries)

    def __init__(self) -> None:
        self._models: dict[tuple[str, str], km.KokoroModel] = {}
        self._styles: dict[str, dict[str, np.ndarray]] = {}

    # -- loading --------------------------------------------------------------------------
    def _model_source(self, spec: VoiceSpec) -> str:
        model = spec.model or km.BUILTIN
        if model != km.BUILTIN and not Path(model).expanduser().is_file():
            raise VoiceError(f"voice '{spec.name}': Kokoro model file not found: {model}")
        return model

    def _load(self, spec: VoiceSpec) -> km.KokoroModel:
        key = (self._model_source(spec), spec.config or "")
        if key not in self._models:
            self._models[key] = km.load_kokoro(*key)
        return self._models[key]

    def _style_table(self, voices: str) -> dict[str, np.ndarray]:
        if voices not in self._styles:
            self._styles[voices] = km.load_styles(voices)
        return self._styles[voices]

    def style(self, spec: VoiceSpec, styles: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """The voice's style rows: one style, or the weighted mix of a blend."""
        styles = styles if styles is not None else self._style_table(spec.config or "")
        mix = None
        for name, weight in parse_blend(spec.speaker):
            if name not in styles:
                known = ", ".join(sorted(styles))
                raise VoiceError(f"voice '{spec.name}': unknown Kokoro style '{name}' "
                                 f"(known: {known})")
            part = styles[name] * np.float32(weight)
            if mix is not None and part.shape != mix.shape:
                rows = min(len(part), len(mix))
                part, mix = part[:rows], mix[:rows]
            mix = part if mix is None else mix + part
        assert mix is not None
        return mix

    # -- Engine protocol ------------------------------------------------------------------
    def available(self, spec: VoiceSpec) -> tuple[bool, str]:
        try:
            self._model_source(spec)
            if not spec.model or spec.model == km.BUILTIN:
                km.builtin_identity()
            self.style(spec)
        except VoiceError as err:
            return False, err.problem
        except metadata.PackageNotFoundError as err:
            return False, f"{err} is not installed"
        try:
            import piper.espeakbridge  # noqa: F401  (the phonemizer)
        except ImportError:
            return False, "piper-tts (its espeak-ng phonemizer) not installed"
        return True, ""

    def identity(self, spec: VoiceSpec) -> str:
        model = self._model_source(spec)
        if model == km.BUILTIN:
            model_id = km.builtin_identity()
        else:
            st = Path(model).expanduser().stat()
            model_id = f"{Path(model).name}:{st.st_size}:{st.st_mtime_ns}"
        voices_id = "builtin-styles"
        if spec.config:
            st = Path(spec.config).expanduser().stat()
            voices_id = f"{Path(spec.config).name}:{st.st_size}:{st.st_mtime_ns}"
        blend = ",".join(f"{n}:{w:.4f}" for n, w in parse_blend(spec.speaker))
        return (f"kokoro|{PHONEME_VERSION}|{model_id}|{voices_id}|style={blend}"
                f"|lang={spec.language or 'en-us'}")

    def synthesize(self, text: str, voice: VoiceSpec, delivery: Delivery = DEFAULT_DELIVERY,
                   take: int = 1) -> Take:
        text = require_speakable(text)
        model = self._load(voice)
        style_rows = self.style(voice, self._style_table(voice.config or ""))
        speed_mul, prosody_shift = take_variation(take)
        speed = float(np.clip(voice.speed * delivery.pace * speed_mul, 0.5, 2.0))
        chunks = pack(phonemize(text, voice.language or "en-us"))
        pieces: list[np.ndarray] = []
        spans: list[tuple[int, int]] = []
        offset = 0
        for chunk in chunks:
            symbols = [c for c in chunk if c in model.vocab]
            if not any(c.isalpha() for c in symbols):
                continue
            style = _style_row(style_rows, len(symbols), prosody_shift, take)
            audio, frames = km.run(model, [model.vocab[c] for c in symbols], style, speed)
            audio, lead, kept = _without_pads(audio, frames)
            if kept is not None:
                pairs = zip(symbols, (kept * km.FRAME_SAMPLES).astype(int), strict=True)
                spans.extend(word_spans(pairs, offset + lead))
            pieces.append(audio)
            offset += len(audio)
        if not pieces or offset == 0:
            raise VoiceError(f"voice '{voice.name}': Kokoro produced no audio for {text[:40]!r}")
        samples = np.concatenate(pieces).astype(np.float32)
        peak = float(np.max(np.abs(samples)))
        if peak > PEAK:  # Kokoro's decoder overshoots full scale now and then
            samples *= np.float32(PEAK / peak)
        words = _timings(text, spans, len(samples))
        return Take(samples=samples, sample_rate=km.SAMPLE_RATE, words=words)


def _style_row(rows: np.ndarray, count: int, shift: float, take: int) -> np.ndarray:
    """The style row for ``count`` phonemes; later takes move its prosody half a little, along
    a seeded direction scaled to how much that half varies across rows."""
    row = rows[min(max(count, 1), len(rows)) - 1].copy()
    if shift:
        rng = np.random.default_rng([take, 0x7374796C])
        spread = rows[:, PROSODY].std(axis=0) + 1e-3
        row[PROSODY] += (shift * spread * rng.standard_normal(spread.shape)).astype(np.float32)
    return row


PAD_KEEP_FRAMES = 2  # of each pad token's silence, kept so onsets and releases are whole


def _without_pads(audio: np.ndarray, frames: np.ndarray | None
                  ) -> tuple[np.ndarray, int, np.ndarray | None]:
    """Cut most of the silence the model gives its two pad tokens (up to 0.4 s before a line).
    Returns the audio, where the first phoneme now starts, and the phonemes' frame counts."""
    if frames is None or len(frames) < 3 or int(frames.sum()) * km.FRAME_SAMPLES != len(audio):
        return audio, 0, None  # no durations, or a model whose frames are not 600 samples
    lead = max(int(frames[0]) - PAD_KEEP_FRAMES, 0) * km.FRAME_SAMPLES
    tail = max(int(frames[-1]) - PAD_KEEP_FRAMES, 0) * km.FRAME_SAMPLES
    return audio[lead:len(audio) - tail], int(frames[0]) * km.FRAME_SAMPLES - lead, frames[1:-1]


def _timings(text: str, spans: list[tuple[int, int]], total: int) -> list[WordTiming] | None:
    if spans:
        return word_timings(text, spans, km.SAMPLE_RATE)
    return proportional_timings(text, 0.0, total / km.SAMPLE_RATE)
