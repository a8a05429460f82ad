"""What QA measures: word errors, speaking rate, silences, clipping, loudness; and the flags.

Thresholds live in one dataclass so a project (``--thresholds qa.toml``) or a test can move
them; every flag names the measured value and the limit it crossed.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from pipeline.qa.textnorm import words

FRAME_S = 0.01  # silence detection resolution
PAUSE_FRAMES = 8  # silences >= 80 ms are pauses, not part of articulation


@dataclass
class QaThresholds:
    """Limits over which a line or the episode is flagged. Defaults come from Piper/Coqui
    takes of the seed episode: clean takes sit well inside every one of them."""

    max_wer: float = 0.25  # tiny.en mishears ~1 word in 20 on clean TTS; a wrong take is >0.5
    min_wer_errors: int = 2  # and at least this many word errors: one misheard word in a
    #                          three-word line is Whisper's slip far more often than the take's
    max_rate_deviation: float = 0.35  # |syllable rate / voice norm - 1|; clean lines: ±20%
    min_rate_words: int = 4  # shorter lines have too noisy a rate to judge
    max_leading_silence: float = 0.5  # s; engines lead with 0.03-0.1 s
    max_trailing_silence: float = 0.8  # s; engines trail with 0.15-0.35 s
    max_internal_silence: float = 1.5  # s; sentence pauses are ~0.45 s, longer is a runaway
    max_clipped_samples: int = 3  # a peak-normalised take touches full scale once; clips run
    silence_db: float = -45.0  # dBFS (10 ms RMS) below which audio counts as silence
    # Episode level
    max_episode_wer: float = 0.10  # words of the mixed episode (beds and all)
    loudness_target: float | None = None  # LUFS; None: the manifest's target, else -16
    loudness_tolerance: float = 1.5  # LU
    max_true_peak: float = -1.0  # dBTP
    max_episode_silence: float = 4.0  # s of dead air anywhere in the episode
    # Voices (optional [qa] checks)
    max_voice_similarity: float = 0.80  # cosine between two characters' centroids
    min_voice_consistency: float = 0.75  # mean cosine of a character's lines to its centroid
    # voice -> syllables per second of articulation; unset voices use their episode median
    rate_norms: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> QaThresholds:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown QA threshold(s): {', '.join(unknown)}")
        defaults = cls()
        for key, value in data.items():
            _check_threshold(key, value, getattr(defaults, key))
        return cls(**data)


def _check_threshold(key: str, value: object, default: object) -> None:
    """Numbers where numbers go (a string would fail mid-report), finite, whole where counted."""
    def number(v: object) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    if isinstance(default, dict):
        if not isinstance(value, dict) or not all(number(v) and v > 0 for v in value.values()):
            raise ValueError(f"'{key}' must be a table of voice = positive number")
    elif isinstance(default, int) and not isinstance(default, bool):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"'{key}' must be a whole number >= 0, not {value!r}")
    elif not number(value):
        raise ValueError(f"'{key}' must be a number, not {value!r}")


# ---------------------------------------------------------------- word error rate

@dataclass
class WordErrors:
    substitutions: int
    deletions: int
    insertions: int
    ref_words: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        if self.ref_words == 0:
            return 0.0 if self.errors == 0 else 1.0
        return self.errors / self.ref_words


def word_errors(ref: Sequence[str], hyp: Sequence[str]) -> WordErrors:
    """Levenshtein alignment over words, counting each kind of edit."""
    # row[j] = (cost, subs, dels, ins) aligning ref[:i] with hyp[:j]
    row = [(j, 0, 0, j) for j in range(len(hyp) + 1)]
    for i, r in enumerate(ref, 1):
        new = [(i, 0, i, 0)]
        for j, h in enumerate(hyp, 1):
            diag = row[j - 1]
            sub = (diag[0] + (r != h), diag[1] + (r != h), diag[2], diag[3])
            up = row[j]
            dele = (up[0] + 1, up[1], up[2] + 1, up[3])
            left = new[j - 1]
            ins = (left[0] + 1, left[1], left[2], left[3] + 1)
            new.append(min(sub, dele, ins))
        row = new
    _, s, d, n = row[-1]
    return WordErrors(s, d, n, len(ref))


def join_compounds(ws: Sequence[str], other: Sequence[str]) -> list[str]:
    """Merge adjacent words that the other side writes as one ("cross hairs" from
    "cross-hairs" vs "crosshairs"): spelling, not a misreading."""
    closed = set(other)
    out: list[str] = []
    i = 0
    while i < len(ws):
        if i + 1 < len(ws) and ws[i] + ws[i + 1] in closed:
            out.append(ws[i] + ws[i + 1])
            i += 2
        else:
            out.append(ws[i])
            i += 1
    return out


# Whisper's stock hallucinations at the end of a clip (learnt from video subtitles).
_TAILS = [["thank", "you", "for", "watching"], ["thanks", "for", "watching"], ["thank", "you"]]


def drop_hallucinated_tail(ref: Sequence[str], hyp: list[str]) -> list[str]:
    for tail in _TAILS:
        if hyp[-len(tail):] == tail and list(ref[-len(tail):]) != tail:
            return hyp[: -len(tail)]
    return hyp


def compare(reference: str, hypothesis: str) -> WordErrors:
    """Word errors of a transcript against the script, both normalised alike."""
    ref = words(reference)
    hyp = drop_hallucinated_tail(ref, words(hypothesis))
    ref, hyp = join_compounds(ref, hyp), join_compounds(hyp, ref)
    errors = word_errors(ref, hyp)
    errors.ref_words = len(words(reference))  # rates stay per script word
    return errors


def wer(reference: str, hypothesis: str) -> float:
    return compare(reference, hypothesis).wer


# ---------------------------------------------------------------- audio

@dataclass
class AudioStats:
    duration: float
    leading_silence: float
    trailing_silence: float
    longest_pause: float  # longest silence between the first and last sound
    clipped: int  # samples at |x| >= 0.999
    peak_db: float
    articulation: float  # seconds of sound from first to last, pauses >= 80 ms left out

    @property
    def speech_duration(self) -> float:
        return max(0.0, self.duration - self.leading_silence - self.trailing_silence)


def _mono(samples: np.ndarray) -> np.ndarray:
    audio = np.asarray(samples, dtype=np.float32)
    return audio.mean(axis=1) if audio.ndim > 1 else audio


def silent_frames(samples: np.ndarray, sample_rate: int, silence_db: float) -> np.ndarray:
    """One bool per 10 ms frame: RMS below ``silence_db`` dBFS."""
    hop = max(1, int(sample_rate * FRAME_S))
    audio = _mono(samples)
    n = len(audio) // hop
    if n == 0:
        return np.ones(1, dtype=bool)
    frames = audio[: n * hop].astype(np.float64).reshape(n, hop)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-10)) < silence_db


def _runs(flags: np.ndarray) -> np.ndarray:
    """Lengths of the runs of True."""
    padded = np.concatenate([[0], flags.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return edges[1::2] - edges[::2]


def longest_run(flags: np.ndarray) -> int:
    return int(_runs(flags).max(initial=0))


_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Rough English syllable count (vowel groups, silent final e). Rates in syllables
    vary half as much between clean lines as rates in words: long words don't read slow."""
    n = len(_VOWELS.findall(word))
    if n > 1 and word.endswith("e") and not word.endswith(("le", "ee")):
        n -= 1
    return max(1, n)


def audio_stats(samples: np.ndarray, sample_rate: int, silence_db: float = -45.0) -> AudioStats:
    audio = _mono(samples)
    duration = len(audio) / sample_rate
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    clipped = int(np.count_nonzero(np.abs(audio) >= 0.999))
    silent = silent_frames(audio, sample_rate, silence_db)
    sound = np.flatnonzero(~silent)
    if len(sound) == 0:  # all silence: everything is "leading"
        return AudioStats(duration, duration, 0.0, 0.0, clipped, _db(peak), 0.0)
    lead = sound[0] * FRAME_S
    trail = max(0.0, duration - (sound[-1] + 1) * FRAME_S)
    inner = silent[sound[0]: sound[-1] + 1]
    runs = _runs(inner)
    pause = int(runs.max(initial=0)) * FRAME_S
    articulation = (len(inner) - int(runs[runs >= PAUSE_FRAMES].sum())) * FRAME_S
    return AudioStats(duration, lead, trail, pause, clipped, _db(peak), articulation)


def _db(x: float) -> float:
    return 20 * math.log10(max(x, 1e-10))


# ---------------------------------------------------------------- one line

@dataclass
class LineMetrics:
    line_id: str
    speaker: str | None
    voice: str
    take: int
    cache_key: str
    text: str  # the author's text (reference)
    heard: str  # what Whisper heard in the take
    wer: float
    errors: int
    ref_words: int
    duration: float
    leading_silence: float
    trailing_silence: float
    longest_pause: float
    clipped: int
    wpm: float  # reference words per minute, first to last sound (for people to read)
    syllable_rate: float  # reference syllables per second of articulation (what is judged)
    rate_norm: float | None = None  # the voice's syllable rate norm
    rate_deviation: float | None = None  # syllable_rate / norm - 1
    heard_mixed: str | None = None  # what Whisper heard in the episode mix at this line
    wer_mixed: float | None = None
    errors_mixed: int | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.flags

    def badness(self) -> tuple[int, float, float]:
        """Order takes of one line: fewer flags first, then fewer word errors, then the
        rate closest to the norm."""
        return (len(self.flags), self.wer, abs(self.rate_deviation or 0.0))


def measure_line(line: dict, samples: np.ndarray, sample_rate: int, heard: str,
                 thresholds: QaThresholds) -> LineMetrics:
    """Measure one take of a manifest line (``line`` has line_id, speaker, voice, text,
    take, cache_key). Rate flags need the voice norm: see ``apply_rate_norms``."""
    ref = words(line["text"])
    errs = compare(line["text"], heard)
    stats = audio_stats(samples, sample_rate, thresholds.silence_db)
    speech = stats.speech_duration
    wpm = len(ref) / speech * 60 if speech > 0 else 0.0
    rate = sum(map(syllables, ref)) / stats.articulation if stats.articulation > 0 else 0.0
    metrics = LineMetrics(
        line_id=line["line_id"], speaker=line.get("speaker"), voice=line.get("voice", ""),
        take=int(line.get("take", 1)), cache_key=line.get("cache_key", ""),
        text=line["text"], heard=heard, wer=errs.wer, errors=errs.errors,
        ref_words=errs.ref_words, duration=stats.duration,
        leading_silence=stats.leading_silence, trailing_silence=stats.trailing_silence,
        longest_pause=stats.longest_pause, clipped=stats.clipped, wpm=wpm,
        syllable_rate=rate,
    )
    metrics.flags = audio_flags(metrics, thresholds)
    return metrics


def audio_flags(m: LineMetrics, t: QaThresholds) -> list[str]:
    checks = [
        (m.wer > t.max_wer and m.errors >= t.min_wer_errors,
         f"wer {m.wer:.2f} > {t.max_wer:.2f} ({m.errors} of {m.ref_words} words)"),
        (m.leading_silence > t.max_leading_silence,
         f"leading silence {m.leading_silence:.2f}s > {t.max_leading_silence:.2f}s"),
        (m.trailing_silence > t.max_trailing_silence,
         f"trailing silence {m.trailing_silence:.2f}s > {t.max_trailing_silence:.2f}s"),
        (m.longest_pause > t.max_internal_silence,
         f"pause {m.longest_pause:.2f}s > {t.max_internal_silence:.2f}s"),
        (m.clipped > t.max_clipped_samples,
         f"clipping {m.clipped} samples > {t.max_clipped_samples}"),
    ]
    return [msg for bad, msg in checks if bad]


def rate_norms(lines: Iterable[LineMetrics], t: QaThresholds) -> dict[str, float]:
    """Each voice's norm: configured, else the median rate of its judgeable lines (enough
    words, heard right: a wrong take must not drag the norm)."""
    rates: dict[str, list[float]] = {}
    for m in lines:
        if m.ref_words >= t.min_rate_words and m.wer <= t.max_wer and m.syllable_rate > 0:
            rates.setdefault(m.voice, []).append(m.syllable_rate)
    norms = {voice: statistics.median(r) for voice, r in rates.items()}
    norms.update(t.rate_norms)
    return norms


def apply_rate_norm(m: LineMetrics, norms: dict[str, float], t: QaThresholds) -> None:
    m.flags = [f for f in m.flags if not f.startswith("rate ")]
    norm = norms.get(m.voice)
    if norm is None or m.ref_words < t.min_rate_words:
        m.rate_norm = norm
        m.rate_deviation = None
        return
    m.rate_norm = norm
    m.rate_deviation = m.syllable_rate / norm - 1
    if abs(m.rate_deviation) > t.max_rate_deviation:
        m.flags.append(f"rate {m.rate_deviation:+.0%} vs the voice's norm "
                       f"({m.syllable_rate:.1f} vs {norm:.1f} syllables/s, {m.wpm:.0f} wpm; "
                       f"limit ±{t.max_rate_deviation:.0%})")


# ---------------------------------------------------------------- episode

@dataclass
class EpisodeMetrics:
    duration: float
    wer_takes: float  # all lines' word errors / reference words, from the clean takes
    wer_mixed: float | None  # the same heard in the mixed episode (beds, ducking, master)
    loudness: float | None  # integrated LUFS
    true_peak: float | None  # dBTP (4x oversampled)
    longest_silence: float | None
    loudness_target: float
    flags: list[str] = field(default_factory=list)


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float | None:
    """Integrated loudness (LUFS, BS.1770 via pyloudnorm); None for silence or < 0.4 s."""
    import pyloudnorm

    audio = np.asarray(samples, np.float64)
    if len(audio) < 0.4 * sample_rate:
        return None
    value = float(pyloudnorm.Meter(sample_rate).integrated_loudness(audio))
    return value if math.isfinite(value) else None


def true_peak(samples: np.ndarray, sample_rate: int) -> float:
    """dBTP: sample peak after 4x oversampling (ITU-R BS.1770 style), all channels."""
    from scipy.signal import resample_poly

    audio = np.asarray(samples, dtype=np.float64)
    over = resample_poly(audio, 4, 1, axis=0)
    return _db(float(np.max(np.abs(over))) if over.size else 0.0)


def overall_wer(lines: Sequence[LineMetrics], mixed: bool = False) -> float | None:
    ref = sum(m.ref_words for m in lines)
    errs = [m.errors_mixed if mixed else m.errors for m in lines]
    if any(e is None for e in errs):
        return None
    return sum(errs) / ref if ref else 0.0  # type: ignore[arg-type]


def episode_flags(e: EpisodeMetrics, t: QaThresholds) -> list[str]:
    flags = []
    wer_value = e.wer_mixed if e.wer_mixed is not None else e.wer_takes
    if wer_value > t.max_episode_wer:
        flags.append(f"episode wer {wer_value:.1%} > {t.max_episode_wer:.0%}")
    if e.loudness is not None and abs(e.loudness - e.loudness_target) > t.loudness_tolerance:
        flags.append(f"loudness {e.loudness:.1f} LUFS vs target {e.loudness_target:.1f} "
                     f"(±{t.loudness_tolerance:.1f})")
    if e.true_peak is not None and e.true_peak > t.max_true_peak:
        flags.append(f"true peak {e.true_peak:.1f} dBTP > {t.max_true_peak:.1f}")
    if e.longest_silence is not None and e.longest_silence > t.max_episode_silence:
        flags.append(f"silence {e.longest_silence:.1f}s > {t.max_episode_silence:.1f}s")
    return flags
