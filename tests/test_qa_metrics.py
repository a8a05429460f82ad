"""QA measurements on real Piper audio: word errors, silences, clipping, rate, loudness."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pytest

from pipeline.qa import metrics as M

RATE = 22050
LINE = "She sits on her back porch and waits for the sun to rise."


@functools.cache
def speak(text: str, length_scale: float = 1.0) -> np.ndarray:
    """Joe through our Piper engine: seeded noise, so every run hears the same audio."""
    from pipeline import engines
    from pipeline.catalog import load_catalog
    from pipeline.engines.base import Delivery
    from pipeline.textprep import speech_text

    take = engines.synthesize(load_catalog()["joe"], speech_text(text),
                              Delivery(pace=1 / length_scale))
    return take.samples


def line(text: str = LINE, voice: str = "joe") -> dict:
    return {"line_id": "s01-l001", "speaker": "Buffy", "voice": voice, "text": text,
            "take": 1, "cache_key": "k"}


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


# ---------------------------------------------------------------- word errors

def test_word_errors_counts_each_kind():
    e = M.word_errors(["a", "b", "c", "d"], ["a", "x", "c", "d", "e"])
    assert (e.substitutions, e.deletions, e.insertions, e.ref_words) == (1, 0, 1, 4)
    assert e.wer == pytest.approx(0.5)
    assert M.word_errors(["a", "b", "c"], []).deletions == 3
    assert M.word_errors([], []).wer == 0.0
    assert M.word_errors([], ["x"]).wer == 1.0


def test_wer_normalises_both_sides_the_same_way():
    # Whisper writes digits and punctuation; the script may say the same thing differently.
    assert M.wer("It was 122 years ago, Mr. Smith!", "it was one hundred twenty-two "
                 "years ago mister smith") == 0.0
    assert M.wer("The 147th night.", "the 147th night") == 0.0
    assert M.wer("Nibblet's height", "the Nibblet's height") == pytest.approx(0.5)
    # Spelling is not a misreading: British/American, closed/hyphenated compounds, variants.
    assert M.wer("The neighbours' colour, realised at the theatre.",
                 "The neighbors' color, realized at the theater.") == 0.0
    assert M.wer("He looks into the cross-hairs offscreen.",
                 "He looks into the crosshairs off-screen.") == 0.0
    assert M.wer("Woah, alright.", "Whoa, all right.") == 0.0
    # Whisper's stock "Thank you." after the last word is not the take's fault...
    assert M.wer("We found them!", "We found them. Thank you.") == 0.0
    # ...but a real extra or missing word still counts.
    assert M.wer("We found them!", "We found all of them.") == pytest.approx(2 / 3)


# ---------------------------------------------------------------- audio

def test_clean_piper_line_has_no_flags():
    audio = speak(LINE)
    m = M.measure_line(line(), audio, RATE, heard=LINE, thresholds=M.QaThresholds())
    assert m.flags == []
    assert m.wer == 0.0
    assert m.leading_silence < 0.2 and m.trailing_silence < 0.5
    assert m.clipped == 0
    assert 180 < m.wpm < 320  # Piper's joe reads briskly
    assert 4 < m.syllable_rate < 9


def test_long_leading_silence_and_runaway_pause_are_flagged():
    audio = speak(LINE)
    padded = np.concatenate([silence(1.2), audio])
    m = M.measure_line(line(), padded, RATE, LINE, M.QaThresholds())
    assert m.leading_silence == pytest.approx(1.2, abs=0.12)
    assert any(f.startswith("leading silence") for f in m.flags)

    half = len(audio) // 2
    gapped = np.concatenate([audio[:half], silence(2.5), audio[half:]])
    m = M.measure_line(line(), gapped, RATE, LINE, M.QaThresholds())
    assert m.longest_pause >= 2.4
    assert any(f.startswith("pause") for f in m.flags)


def test_clipping_is_detected_but_a_peak_normalised_take_is_not():
    audio = speak(LINE)
    normalised = audio / np.max(np.abs(audio))  # one sample at full scale: not a defect
    assert M.measure_line(line(), normalised, RATE, LINE, M.QaThresholds()).flags == []
    clipped = np.clip(audio * 4, -1, 1)
    m = M.measure_line(line(), clipped, RATE, LINE, M.QaThresholds())
    assert m.clipped > 100
    assert any(f.startswith("clipping") for f in m.flags)


def test_threshold_changes_flip_flags():
    audio = np.concatenate([silence(0.7), speak(LINE)])
    heard = "She sits on her back porch and waits for the son."  # 2 errors / 12 words
    loose = M.QaThresholds(max_leading_silence=1.0, max_wer=0.25)
    strict = replace(loose, max_leading_silence=0.5, max_wer=0.1)
    assert M.measure_line(line(), audio, RATE, heard, loose).flags == []
    flags = M.measure_line(line(), audio, RATE, heard, strict).flags
    assert [f.split()[0] for f in flags] == ["wer", "leading"]


def test_rate_is_judged_against_the_voice_median():
    t = M.QaThresholds()
    texts = ["The sun is up and her face glistens with the tear of lost hope.",
             "A typical night, dancing through her playgrounds.",
             "She will sit until the sun sends her to bed.",
             LINE]
    lines = [M.measure_line(line(x), speak(x), RATE, x, t) for x in texts]
    slow = M.measure_line(line(LINE), speak(LINE, length_scale=2.2), RATE, LINE, t)
    lines.append(slow)
    norms = M.rate_norms(lines, t)
    for m in lines:
        M.apply_rate_norm(m, norms, t)
    assert [m.flags for m in lines[:-1]] == [[], [], [], []]
    assert slow.rate_deviation < -0.35 and slow.flags[0].startswith("rate")
    # A configured norm wins over the median.
    norms = M.rate_norms(lines, replace(t, rate_norms={"joe": slow.syllable_rate}))
    M.apply_rate_norm(slow, norms, t)
    assert slow.flags == []


# ---------------------------------------------------------------- episode level

def test_true_peak_sees_intersample_peaks():
    sr = 48000
    n = np.arange(sr)
    # A full-scale sine at fs/4 sampled 45° off its peaks: sample peak -3 dB, true peak 0 dB.
    tone = np.sin(2 * np.pi * (sr / 4) * n / sr + np.pi / 4)
    assert 20 * np.log10(np.max(np.abs(tone))) == pytest.approx(-3.0, abs=0.1)
    assert M.true_peak(tone, sr) == pytest.approx(0.0, abs=0.3)


def test_loudness_and_episode_flags():
    sr = 48000
    tone = 0.1 * np.sin(2 * np.pi * 997 * np.arange(5 * sr) / sr)  # -20 dBFS peak sine
    loud = M.integrated_loudness(tone, sr)
    assert loud == pytest.approx(-23.0, abs=0.3)
    assert M.integrated_loudness(np.zeros(sr), sr) is None
    ep = M.EpisodeMetrics(duration=5, wer_takes=0.02, wer_mixed=0.12, loudness=loud,
                          true_peak=-0.2, longest_silence=6.0, loudness_target=-16.0)
    flags = M.episode_flags(ep, M.QaThresholds())
    assert [f.split()[0] for f in flags] == ["episode", "loudness", "true", "silence"]
    ok = replace(ep, wer_mixed=0.05, loudness=-16.4, true_peak=-1.5, longest_silence=1.0)
    assert M.episode_flags(ok, M.QaThresholds()) == []


def test_thresholds_from_dict_rejects_unknown_keys():
    t = M.QaThresholds.from_dict({"max_wer": 0.3, "rate_norms": {"joe": 170}})
    assert t.max_wer == 0.3 and t.rate_norms == {"joe": 170}
    with pytest.raises(ValueError, match="max_werr"):
        M.QaThresholds.from_dict({"max_werr": 0.3})


def test_thresholds_file_and_names_prompt(tmp_path):
    from pipeline.commands.qa import load_thresholds
    from pipeline.errors import CastwrightError
    from pipeline.qa.episode import vocabulary

    path = tmp_path / "qa.toml"
    path.write_text('max_wer = 0.4\n[rate_norms]\njoe = 5.5\n', encoding="utf-8")
    t = load_thresholds(path)
    assert t.max_wer == 0.4 and t.rate_norms == {"joe": 5.5} and t.max_true_peak == -1.0
    path.write_text("max_wer = [\n", encoding="utf-8")
    with pytest.raises(CastwrightError, match="qa.toml"):
        load_thresholds(path)

    manifest = {"cast": {"Narrator": "joe", "Brick": "clara"},
                "lines": [{"text": "But Steel turns to Mr. Steel, and Steel nods."},
                          {"text": "Then they drive to Vietnam."}]}
    assert vocabulary(manifest) == "Brick, Steel, Mr. Steel, Vietnam."
