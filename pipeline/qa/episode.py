"""Run QA on a rendered episode folder: every line's take, then the mixed episode."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import soundfile as sf

from pipeline.errors import CastwrightError
from pipeline.qa import metrics as M
from pipeline.qa.transcribe import TranscribeSettings, transcribe_many
from pipeline.render.manifest import load_manifest

DEFAULT_LOUDNESS = -16.0  # LUFS, when neither the thresholds nor the manifest say

Audio = tuple[np.ndarray, int]
TakeLoader = Callable[[str], Audio]


@dataclass
class QaSettings:
    thresholds: M.QaThresholds = field(default_factory=M.QaThresholds)
    transcribe: TranscribeSettings = field(default_factory=TranscribeSettings)
    mixed: bool = True  # also transcribe the mixed episode at each line (beds and all)
    vocabulary: str | None = None  # names prompt for second hearings; None: from manifest
    voices: bool | None = None  # speaker-embedding checks; None: when resemblyzer is installed


@dataclass
class QaReport:
    slug: str
    title: str
    episode_dir: str
    model: str
    thresholds: M.QaThresholds
    lines: list[M.LineMetrics]
    episode: M.EpisodeMetrics
    voices: dict | None = None  # VoiceReport.to_dict()
    fixes: list[dict] = field(default_factory=list)  # FixRecord dicts (``--fix``)
    before: dict | None = None  # summary() of the report before ``--fix``
    pronounce: list[dict] = field(default_factory=list)  # misheard words (Suggestion dicts)
    elapsed: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    @property
    def flagged(self) -> list[M.LineMetrics]:
        return [m for m in self.lines if m.flags]

    def summary(self) -> dict:
        return {"flagged_lines": len(self.flagged), "wer_takes": self.episode.wer_takes,
                "wer_mixed": self.episode.wer_mixed, "episode_flags": len(self.episode.flags)}

    def to_dict(self) -> dict:
        return {
            "slug": self.slug, "title": self.title, "model": self.model,
            "elapsed": round(self.elapsed, 2),
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
            "summary": self.summary(), "before": self.before,
            "thresholds": asdict(self.thresholds), "episode": asdict(self.episode),
            "voices": self.voices, "fixes": self.fixes, "pronounce": self.pronounce,
            "lines": [asdict(m) for m in self.lines],
        }


def cache_loader(episode_dir: Path) -> TakeLoader:
    """Load takes from the episode's take cache (``<out>/.cache/takes``)."""
    from pipeline.render.cache import TakeCache

    cache = TakeCache(episode_dir.parent / ".cache" / "takes")

    def load(key: str) -> Audio:
        try:
            take = cache.load(key)
        except KeyError:
            raise CastwrightError(f"take {key[:12]} is missing from the take cache; "
                                  "re-render the episode", episode_dir / "manifest.json") from None
        return np.asarray(take.samples, dtype=np.float32), int(take.sample_rate)

    return load


def episode_audio(episode_dir: Path, manifest: dict) -> Audio | None:
    """The mixed episode, lossless WAV preferred."""
    files = manifest.get("files") or {}
    for kind in ("wav", "mp3"):
        name = files.get(kind)
        if name and (episode_dir / name).is_file():
            audio, sr = sf.read(episode_dir / name, dtype="float32", always_2d=False)
            return audio, int(sr)
    return None


def hear(texts: list[str], clips: list[Audio], settings: QaSettings,
         label: str = "transcribing") -> list[tuple[str, M.WordErrors]]:
    """What Whisper hears in each clip, and its word errors against the script text."""
    t = settings.thresholds
    heard = [h.text for h in transcribe_many(clips, settings.transcribe, label)]
    errors = [M.compare(text, h) for text, h in zip(texts, heard, strict=True)]
    # Doubtful lines get a second hearing, alone (packing can move a boundary word to a
    # neighbour) and prompted with the episode's names (tiny.en hears "Birkin Steel" for
    # "Brick and Steel"); the better hearing counts. A wrong take stays wrong either way.
    suspects = [i for i, e in enumerate(errors)
                if e.wer > t.max_wer / 2 and e.errors >= t.min_wer_errors]
    if suspects:
        alone = replace(settings.transcribe, window_s=0.0, fallback=False,
                        prompt=settings.vocabulary or settings.transcribe.prompt)
        again = transcribe_many([clips[i] for i in suspects], alone, "second hearing")
        for i, h in zip(suspects, again, strict=True):
            second = M.compare(texts[i], h.text)
            if second.wer < errors[i].wer:
                heard[i], errors[i] = h.text, second
    return list(zip(heard, errors, strict=True))


def measure_lines(lines: list[dict], clips: list[Audio],
                  settings: QaSettings) -> list[M.LineMetrics]:
    """Transcribe and measure takes (rate flags come later, once the norms are known)."""
    heard = hear([line["text"] for line in lines], clips, settings)
    return [M.measure_line(line, audio, sr, h, settings.thresholds)
            for line, (audio, sr), (h, _) in zip(lines, clips, heard, strict=True)]


_NAME = re.compile(r"(?<=[a-z,;:] )(?:(?:Mr|Mrs|Ms|Dr|St)\. )?[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*")
MAX_NAMES = 40
_COMMON = {"a", "an", "and", "but", "i", "or", "so", "the", "then", "yet"}


def vocabulary(manifest: dict) -> str:
    """A prompt for Whisper's second hearings: the cast's names, then capitalised words
    met mid-sentence (proper nouns), most frequent first."""
    names = [n for n in (manifest.get("cast") or {}) if n.lower() != "narrator"]
    found: dict[str, int] = {}
    for line in manifest.get("lines") or []:
        for name in _NAME.findall(line.get("text", "")):
            found[name] = found.get(name, 0) + 1
    ranked = [n for n in sorted(found, key=lambda n: -found[n]) if n.lower() not in _COMMON]
    unique = list(dict.fromkeys(names + ranked))[:MAX_NAMES]
    return ", ".join(unique) + "." if unique else ""


def with_vocabulary(settings: QaSettings, manifest: dict) -> QaSettings:
    if settings.vocabulary is not None:  # set by the caller ("" = none)
        return settings
    return replace(settings, vocabulary=vocabulary(manifest))


def loudness_target(manifest: dict, t: M.QaThresholds) -> float:
    if t.loudness_target is not None:
        return t.loudness_target
    loud = manifest.get("loudness")
    if isinstance(loud, dict):
        for key in ("target", "target_lufs"):
            if isinstance(loud.get(key), int | float):
                return float(loud[key])
    return DEFAULT_LOUDNESS


def run_qa(episode_dir: Path, settings: QaSettings | None = None,
           load_take: TakeLoader | None = None,
           known: dict[str, M.LineMetrics] | None = None) -> QaReport:
    """QA an episode folder. ``known`` maps cache keys to earlier measurements of the same
    take (``--fix`` re-runs QA after a remix without re-transcribing unchanged takes)."""
    started = time.perf_counter()
    settings = settings or QaSettings()
    t = settings.thresholds
    manifest = load_manifest(episode_dir)
    lines = manifest.get("lines") or []
    if not lines:
        raise CastwrightError("the manifest lists no lines", episode_dir / "manifest.json")
    settings = with_vocabulary(settings, manifest)
    load_take = load_take or cache_loader(episode_dir)
    clips = [load_take(line["cache_key"]) for line in lines]
    known = known or {}

    todo = [i for i, line in enumerate(lines) if line["cache_key"] not in known]
    clock = _Clock()
    fresh = dict(zip(todo, measure_lines([lines[i] for i in todo], [clips[i] for i in todo],
                                         settings), strict=True))
    results = [fresh[i] if i in fresh else _reuse(known[line["cache_key"]], line, t)
               for i, line in enumerate(lines)]
    norms = M.rate_norms(results, t)
    for m in results:
        M.apply_rate_norm(m, norms, t)

    clock.lap("takes")
    mix = episode_audio(episode_dir, manifest)
    if mix is not None and settings.mixed:
        _measure_mixed(results, lines, mix, settings)
    clock.lap("mixed")
    ep = _episode_metrics(manifest, results, mix, t)
    clock.lap("episode")

    voices = None
    if settings.voices is not False:
        from pipeline.qa import voices as V

        if settings.voices or V.available():
            voice_of = {m.speaker or "narrator": m.voice for m in results}
            voices = V.check_voices([(m.speaker or "narrator", *c) for m, c in
                                     zip(results, clips, strict=True)], t, voice_of).to_dict()
            clock.lap("voices")

    return QaReport(slug=manifest.get("slug", episode_dir.name),
                    title=manifest.get("title", episode_dir.name),
                    episode_dir=str(episode_dir), model=settings.transcribe.model,
                    thresholds=t, lines=results, episode=ep, voices=voices,
                    pronounce=misheard_words(results, manifest),
                    elapsed=time.perf_counter() - started,
                    timings=clock.laps)


def misheard_words(results: list[M.LineMetrics], manifest: dict) -> list[dict]:
    """Words misheard line after line, with lexicon entries to try (``qa.misheard``)."""
    from pipeline.qa.misheard import suggest

    known: set[str] = set()
    voices_dir = manifest.get("voices_dir")
    if voices_dir:
        from pipeline.lexicon import load_lexicon

        # A broken lexicon is reported by render; QA still names the words.
        with contextlib.suppress(CastwrightError):
            show_file = manifest.get("show_file")
            known = set(load_lexicon(Path(voices_dir), show_path=Path(show_file) if show_file
                                     else None).entries)
    return [s.to_dict() for s in suggest(results, known)]


class _Clock:
    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> float:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now
        return self.laps[name]


def _reuse(old: M.LineMetrics, line: dict, t: M.QaThresholds) -> M.LineMetrics:
    m = M.LineMetrics(**{**asdict(old), "flags": []})
    m.take, m.cache_key, m.text = int(line.get("take", m.take)), line["cache_key"], line["text"]
    m.heard_mixed = m.wer_mixed = m.errors_mixed = None
    m.flags = M.audio_flags(m, t)
    return m


def _measure_mixed(results: list[M.LineMetrics], lines: list[dict], mix: Audio,
                   settings: QaSettings) -> None:
    audio, sr = mix
    mono = audio.mean(axis=1) if audio.ndim > 1 else audio
    spans = [(float(line.get("start") or 0.0), float(line.get("end") or 0.0)) for line in lines]
    clips = [(mono[int(a * sr): max(int(a * sr), int(b * sr))], sr) for a, b in spans]
    heard = hear([m.text for m in results], clips, settings, "transcribing the mix")
    for m, (h, errs) in zip(results, heard, strict=True):
        m.heard_mixed, m.wer_mixed, m.errors_mixed = h, errs.wer, errs.errors


def _episode_metrics(manifest: dict, results: list[M.LineMetrics], mix: Audio | None,
                     t: M.QaThresholds) -> M.EpisodeMetrics:
    loud = peak = silence = None
    duration = float(manifest.get("duration") or 0.0)
    if mix is not None:
        audio, sr = mix
        duration = len(audio) / sr
        loud = M.integrated_loudness(audio, sr)
        peak = M.true_peak(audio, sr)
        silence = M.longest_run(M.silent_frames(audio, sr, t.silence_db)) * M.FRAME_S
    ep = M.EpisodeMetrics(duration=duration, wer_takes=M.overall_wer(results) or 0.0,
                          wer_mixed=M.overall_wer(results, mixed=True), loudness=loud,
                          true_peak=peak, longest_silence=silence,
                          loudness_target=loudness_target(manifest, t))
    ep.flags = M.episode_flags(ep, t)
    return ep
