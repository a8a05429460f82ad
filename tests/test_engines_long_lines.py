"""A novel's long lines: Piper reads a long sentence in clause pieces (bounded memory), and the
take still sounds like one continuous reading."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.engines import get_engine, piper_engine, synthesize
from pipeline.engines.base import VoiceSpec
from pipeline.engines.chunking import MAX_SENTENCE_CHARS, split_text

pytestmark = pytest.mark.xdist_group("piper")

JOE = VoiceSpec(name="joe", engine="piper", model="builtin:joe")
# One 390-character sentence, the shape of a nineteenth-century novel's narration.
LONG_SENTENCE = (
    "The perpetual commendations of the lady, either on his hand-writing, or on the evenness "
    "of his lines, or on the length of his letter, with the perfect unconcern with which her "
    "praises were received, formed a curious dialogue; and it was exactly in unison with her "
    "opinion of each, though she said nothing of it to her sister, who sat by the fire with "
    "her work until the candles were brought in."
)
SHORT_SENTENCES = ("She smiled. He did not. The rain went on and on over the hills, and nobody "
                   "in the house said a word about it. Then the clock struck nine. ") * 2


def test_a_long_sentence_is_cut_at_clauses_only():
    pieces = split_text(LONG_SENTENCE, max_sentence=MAX_SENTENCE_CHARS)
    assert len(pieces) >= 3 and all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert " ".join(pieces) == LONG_SENTENCE  # nothing lost, nothing reordered
    # Cut after punctuation (a clause end), never inside a phrase.
    assert all(p[-1] in ",;:." for p in pieces)


def test_lines_of_short_sentences_are_cut_as_before():
    """Same pieces, so the same audio and the cached takes of such lines stay what they were."""
    assert split_text(SHORT_SENTENCES, max_sentence=MAX_SENTENCE_CHARS) == split_text(
        SHORT_SENTENCES)


def test_one_long_sentence_among_short_ones_keeps_the_short_ones_whole():
    text = f"It rained. {LONG_SENTENCE} Nobody spoke."
    pieces = split_text(text, max_sentence=MAX_SENTENCE_CHARS)
    assert pieces[0] == "It rained." and pieces[-1] == "Nobody spoke."
    assert " ".join(pieces) == text


def _calls(monkeypatch) -> list[int]:
    """Phoneme ids in every ONNX call Piper makes."""
    seen: list[int] = []
    loaded = get_engine("piper")._load(JOE)
    session = loaded.voice.session
    real = session.run

    def spy(output_names, feeds, *args, **kwargs):
        seen.append(int(feeds["input"].shape[1]))
        return real(output_names, feeds, *args, **kwargs)

    monkeypatch.setattr(session, "run", spy)
    return seen


def _longest_pause(samples: np.ndarray, sr: int) -> float:
    """Longest run of 10 ms frames 45 dB under the loudest frame, leading/trailing excluded."""
    hop = sr // 100
    frames = samples[: len(samples) // hop * hop].reshape(-1, hop)
    level = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    quiet = level < level.max() - 45
    loud = np.flatnonzero(~quiet)
    inner = quiet[loud[0]:loud[-1] + 1]
    longest = run = 0
    for q in inner:
        run = run + 1 if q else 0
        longest = max(longest, run)
    return longest / 100


def test_long_sentence_is_read_in_bounded_calls_and_sounds_continuous(monkeypatch):
    voice = get_engine("piper")._load(JOE).voice
    whole = sum(len(voice.phonemes_to_ids(p)) for p in voice.phonemize(LONG_SENTENCE))
    seen = _calls(monkeypatch)
    take = synthesize(JOE, LONG_SENTENCE)
    # Memory follows the longest call: each piece is well under the whole sentence.
    assert len(seen) >= 3 and max(seen) <= whole / 2
    words = LONG_SENTENCE.split()
    assert 0.2 <= take.duration / len(words) <= 0.6  # a normal reading pace, nothing dropped
    # Joined at clause ends with a comma-sized pause: no hole in the reading.
    assert _longest_pause(take.samples, take.sample_rate) <= 0.6
    assert take.words is not None and [w.word for w in take.words] == words
    starts = [w.start for w in take.words]
    assert starts == sorted(starts) and take.words[-1].end <= take.duration + 1e-6
    # Against the sentence read in one call: the same length, no longer pauses.
    monkeypatch.setattr(piper_engine, "MAX_SENTENCE_CHARS", 10_000)
    seen.clear()
    whole_take = synthesize(JOE, LONG_SENTENCE)
    assert len(seen) == 2  # cut only at the semicolon (the 300-character limit)
    assert abs(take.duration - whole_take.duration) <= 0.1 * whole_take.duration
    assert _longest_pause(take.samples, take.sample_rate) <= _longest_pause(
        whole_take.samples, whole_take.sample_rate) + 0.15


def test_sentence_by_sentence_reading_is_unchanged(monkeypatch):
    seen = _calls(monkeypatch)
    synthesize(JOE, SHORT_SENTENCES)
    assert len(seen) == SHORT_SENTENCES.count(".")  # one call per sentence, as Piper reads


def test_onnx_runtime_keeps_no_arena():
    """The arena would keep the longest sentence's tensors for the rest of the book."""
    session = get_engine("piper")._load(JOE).voice.session
    inner = getattr(session, "session", session)  # the seeded-noise wrapper, or the session
    options = inner.get_session_options()
    assert options.enable_cpu_mem_arena is False
    assert options.enable_mem_pattern is False
