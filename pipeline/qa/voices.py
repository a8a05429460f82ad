"""Do the characters sound like different people, and like themselves throughout?

Resemblyzer (``[qa]`` extra; ships its encoder weights) embeds each line. Each character's
centroid is the normalised mean of its lines; two characters whose centroids are closer
than ``max_voice_similarity`` are easy to confuse, and a character whose lines stray from
its centroid (``min_voice_consistency``) changes voice mid-episode.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import itertools
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import soxr

from pipeline import progress
from pipeline.qa.metrics import QaThresholds

MIN_SECONDS = 0.6  # shorter lines give unreliable embeddings
MIN_LINES_FOR_CONSISTENCY = 3
MAX_LINES_PER_SPEAKER = 16  # evenly spread sample: bounds the cost on long episodes
MAX_SECONDS = 8.0  # of each line (the middle): plenty for an identity, bounds the cost
PARTIAL_RATE = 0.8  # partial windows per second; Resemblyzer's 1.3 doubles the LSTM work


@dataclass
class VoiceReport:
    lines: dict[str, int]  # speaker -> lines embedded
    consistency: dict[str, float]  # speaker -> mean cosine of its lines to its centroid
    similarity: list[tuple[str, str, float]]  # speaker pairs, most alike first
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def available() -> bool:
    return importlib.util.find_spec("resemblyzer") is not None


@functools.cache
def _resemblyzer():
    # Its webrtcvad imports pkg_resources, which setuptools >= 80 warns about on stderr.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        import resemblyzer
    return resemblyzer


@functools.cache
def _encoder():
    return _resemblyzer().VoiceEncoder("cpu", verbose=False)


def embed(samples: np.ndarray, sample_rate: int) -> np.ndarray | None:
    """A unit-length speaker embedding, or None when the line has too little speech."""
    preprocess_wav = _resemblyzer().preprocess_wav
    audio = np.asarray(samples, dtype=np.float32)
    if sample_rate != 16000:  # soxr: faster than the librosa resampler Resemblyzer uses
        audio = soxr.resample(audio, sample_rate, 16000)
    wav = preprocess_wav(audio, source_sr=16000)
    if len(wav) > MAX_SECONDS * 16000:
        skip = (len(wav) - int(MAX_SECONDS * 16000)) // 2
        wav = wav[skip: skip + int(MAX_SECONDS * 16000)]
    if len(wav) < MIN_SECONDS * 16000:
        return None
    return _encoder().embed_utterance(wav, rate=PARTIAL_RATE)


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Torch and CTranslate2 each bring an OpenMP runtime; after Whisper has run, a
    2-thread LSTM fights its spinning workers and runs 30x slower (22 s vs 0.7 s on the
    screenplay sample). One thread is plenty for these small embeddings."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def check_voices(clips: Sequence[tuple[str, np.ndarray, int]],
                 thresholds: QaThresholds | None = None,
                 voice_of: dict[str, str] | None = None) -> VoiceReport:
    """``clips`` are ``(speaker, samples, sample_rate)``, one per line; ``voice_of`` names
    each speaker's voice so a warning can say when the cast gave two characters one voice."""
    voice_of = voice_of or {}
    t = thresholds or QaThresholds()
    grouped: dict[str, list[tuple[np.ndarray, int]]] = {}
    for speaker, samples, sr in clips:
        grouped.setdefault(speaker, []).append((samples, sr))
    by_speaker: dict[str, list[np.ndarray]] = {}
    with progress.task("voice check", len(grouped), "speakers") as advance:
        for speaker, takes in grouped.items():
            if len(takes) > MAX_LINES_PER_SPEAKER:
                picks = np.linspace(0, len(takes) - 1, MAX_LINES_PER_SPEAKER).round().astype(int)
                takes = [takes[i] for i in picks]
            with _one_torch_thread():
                embedded = [e for e in (embed(s, sr) for s, sr in takes) if e is not None]
            if embedded:
                by_speaker[speaker] = embedded
            advance()
    centroids = {s: _unit(np.mean(es, axis=0)) for s, es in by_speaker.items()}
    consistency = {s: float(np.mean([e @ centroids[s] for e in es]))
                   for s, es in by_speaker.items()}
    similarity = sorted(((a, b, float(centroids[a] @ centroids[b]))
                         for a, b in itertools.combinations(centroids, 2)),
                        key=lambda x: -x[2])
    flags = [f"{a} and {b} sound alike (similarity {s:.2f} > {t.max_voice_similarity:.2f})"
             + (f"; both are voice '{voice_of[a]}'" if voice_of.get(a) and
                voice_of.get(a) == voice_of.get(b) else "")
             for a, b, s in similarity if s > t.max_voice_similarity]
    flags += [f"{s} is inconsistent (consistency {c:.2f} < {t.min_voice_consistency:.2f})"
              for s, c in consistency.items()
              if len(by_speaker[s]) >= MIN_LINES_FOR_CONSISTENCY and c < t.min_voice_consistency]
    return VoiceReport({s: len(es) for s, es in by_speaker.items()}, consistency, similarity,
                       flags)
