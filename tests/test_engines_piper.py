"""Piper engine: real audio from the joe voice, takes, delivery, timings, and errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.catalog import discover_piper_voices, get_voice, load_catalog
from pipeline.engines import available, get_engine, identity, synthesize
from pipeline.engines.base import Delivery, VoiceSpec
from pipeline.engines.chunking import MAX_CHARS, split_text
from pipeline.engines.piper_engine import _speaker_id, model_paths
from pipeline.errors import VoiceError

pytestmark = pytest.mark.xdist_group("piper")

JOE = VoiceSpec(name="joe", engine="piper", model="builtin:joe")
SENTENCE = "The keeper climbed the stairs, counting each step as the storm rolled in."


@pytest.fixture(scope="module")
def take1():
    return synthesize(JOE, SENTENCE)


def test_audio_is_real_speech(take1):
    words = len(SENTENCE.split())
    assert take1.samples.dtype == np.float32 and take1.samples.ndim == 1
    assert take1.sample_rate == 22050
    assert 0.2 <= take1.duration / words <= 0.8
    assert np.sqrt(np.mean(take1.samples**2)) > 0.01  # not silence
    assert np.max(np.abs(take1.samples)) <= 1.0


def test_same_take_is_sample_identical(take1):
    pytest.importorskip("onnx")  # the seeded-noise patch needs it; stock Piper noise is random
    again = synthesize(JOE, SENTENCE)
    assert np.array_equal(take1.samples, again.samples)


def test_take_two_is_a_different_reading(take1):
    take2 = synthesize(JOE, SENTENCE, take=2)
    assert len(take2.samples) != len(take1.samples) or not np.allclose(take2.samples,
                                                                       take1.samples)
    assert 0.8 < take2.duration / take1.duration < 1.2


def test_pace_changes_duration(take1):
    fast = synthesize(JOE, SENTENCE, Delivery(pace=1.5))
    assert fast.duration < take1.duration * 0.8


def test_word_timings(take1):
    pytest.importorskip("onnx")
    words = take1.words
    assert words is not None and [w.word for w in words] == SENTENCE.split()
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(w.start < w.end <= take1.duration + 1e-6 for w in words)


@pytest.mark.parametrize("text", ["", "   ", "...", "?! — …", "\"'"])
def test_nothing_to_say_is_an_error(text):
    with pytest.raises(VoiceError, match="nothing to say"):
        synthesize(JOE, text)


def test_long_text_without_full_stop_is_split():
    text = ("and the wind kept on blowing over the grey water " * 400)[:20_000]
    chunks = split_text(text)
    assert all(0 < len(c) <= MAX_CHARS for c in chunks)
    assert " ".join(chunks).split() == text.split()
    one_word = split_text("a" * 20_000)  # not even a space: cut anyway
    assert len(one_word) == 20_000 // MAX_CHARS + 1


def test_engine_never_gets_a_giant_input(monkeypatch):
    from piper import PiperVoice

    from pipeline.engines import chunking

    monkeypatch.setattr(chunking, "MAX_CHARS", 80)  # same code path as 300, less audio
    seen: list[int] = []
    real = PiperVoice.synthesize

    def spy(self, text, *args, **kwargs):
        seen.append(len(text))
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(PiperVoice, "synthesize", spy)
    text = "one two three, four five six seven, " * 6  # 216 chars, no full stop
    take = synthesize(JOE, text)
    assert len(seen) >= 3 and max(seen) <= 80
    assert 0.2 <= take.duration / len(text.split()) <= 0.8


def test_unknown_voice():
    with pytest.raises(VoiceError, match="unknown voice 'nobody'"):
        get_voice(load_catalog(), "nobody")


def test_missing_model_file(tmp_path):
    spec = VoiceSpec(name="gone", engine="piper", model=str(tmp_path / "gone.onnx"))
    ok, why = available(spec)
    assert not ok and "not found" in why
    with pytest.raises(VoiceError, match="model file not found"):
        synthesize(spec, "Hello.")


def test_unknown_engine():
    with pytest.raises(VoiceError, match="unknown engine"):
        synthesize(VoiceSpec(name="x", engine="nope"), "Hello.")


def test_engine_is_cached_per_process():
    assert get_engine("piper") is get_engine("piper")


def test_dropped_in_voice_and_identity(tmp_path):
    onnx, config = model_paths(JOE)
    shutil.copy(onnx, tmp_path / "en_US-test-medium.onnx")
    shutil.copy(config, tmp_path / "en_US-test-medium.onnx.json")
    found = discover_piper_voices(tmp_path)
    spec = found["en_US-test-medium"]
    assert available(spec) == (True, "")
    before = identity(spec)
    assert "piper-tts" in before and "en_US-test-medium.onnx" in before
    (tmp_path / "en_US-test-medium.onnx.json").touch()
    Path(tmp_path / "en_US-test-medium.onnx.json").write_text(config.read_text() + " ")
    assert identity(spec) != before
    assert get_voice({}, str(tmp_path / "en_US-test-medium.onnx")).engine == "piper"


def test_missing_config_is_explained(tmp_path):
    onnx = tmp_path / "lonely.onnx"
    onnx.write_bytes(b"x")
    with pytest.raises(VoiceError, match="config not found"):
        synthesize(VoiceSpec(name="lonely", engine="piper", model=str(onnx)), "Hello.")


def test_corrupt_model_is_a_voice_error(tmp_path):
    onnx = tmp_path / "broken.onnx"
    onnx.write_bytes(b"not a model")
    shutil.copy(model_paths(JOE)[1], tmp_path / "broken.onnx.json")
    with pytest.raises(VoiceError, match="cannot load Piper model"):
        synthesize(VoiceSpec(name="broken", engine="piper", model=str(onnx)), "Hello.")


def test_multi_speaker_ids():
    class Config:
        num_speakers = 3
        speaker_id_map = {"alice": 0, "bob": 2}

    class Loaded:
        class voice:  # noqa: N801 - mimics LoadedPiper.voice
            config = Config

    def spec(speaker):
        return VoiceSpec(name="m", engine="piper", speaker=speaker)

    assert _speaker_id(spec("bob"), Loaded) == 2
    assert _speaker_id(spec(1), Loaded) == 1
    assert _speaker_id(spec("1"), Loaded) == 1
    assert _speaker_id(spec(None), Loaded) is None
    with pytest.raises(VoiceError, match="unknown speaker"):
        _speaker_id(spec("carol"), Loaded)
    with pytest.raises(VoiceError, match="out of range"):
        _speaker_id(spec(7), Loaded)


def _fresh_load(monkeypatch, cache_dir: Path):
    from pipeline.engines.piper_model import load_piper

    monkeypatch.setenv("CASTWRIGHT_MODEL_CACHE", str(cache_dir))
    onnx_path, config_path = model_paths(JOE)
    return load_piper(onnx_path, config_path)


def _read(loaded) -> np.ndarray:
    loaded.voice.session.seed = 1
    chunks = list(loaded.voice.synthesize(SENTENCE))
    return np.concatenate([c.audio_float_array for c in chunks])


def test_prepared_model_is_kept_and_reads_the_same(monkeypatch, tmp_path):
    pytest.importorskip("onnx")
    cache = tmp_path / "models"
    first = _fresh_load(monkeypatch, cache)  # patches, optimizes, keeps a copy
    kept = list(cache.glob("*.onnx"))
    assert len(kept) == 1 and kept[0].stat().st_size > 10_000_000
    assert not list(cache.glob(".*.tmp"))  # written to a temp name, then renamed
    second = _fresh_load(monkeypatch, cache)  # opens the kept copy
    assert first.seeded and second.seeded
    assert np.array_equal(_read(first), _read(second))


def test_torn_prepared_model_is_rebuilt(monkeypatch, tmp_path):
    pytest.importorskip("onnx")
    cache = tmp_path / "models"
    _fresh_load(monkeypatch, cache)
    kept = next(cache.glob("*.onnx"))
    kept.write_bytes(kept.read_bytes()[:1000])
    loaded = _fresh_load(monkeypatch, cache)
    assert loaded.seeded and kept.stat().st_size > 10_000_000


def test_unwritable_model_cache_still_loads(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    loaded = _fresh_load(monkeypatch, blocker / "models")
    assert _read(loaded).size > 0


def test_a_replaced_model_drops_its_old_prepared_copy(monkeypatch, tmp_path):
    pytest.importorskip("onnx")
    from pipeline.engines.piper_model import load_piper

    onnx_path, config_path = model_paths(JOE)
    mine = tmp_path / "voice.onnx"
    shutil.copy(onnx_path, mine)
    shutil.copy(config_path, tmp_path / "voice.onnx.json")
    monkeypatch.setenv("CASTWRIGHT_MODEL_CACHE", str(tmp_path / "models"))
    load_piper(mine, tmp_path / "voice.onnx.json")
    first = {p.name for p in (tmp_path / "models").glob("*.onnx")}
    os.utime(mine, ns=(1, 1))  # the file was replaced: new identity
    load_piper(mine, tmp_path / "voice.onnx.json")
    second = {p.name for p in (tmp_path / "models").glob("*.onnx")}
    assert len(first) == len(second) == 1 and first != second


def test_old_prepared_copies_of_other_models_are_dropped(monkeypatch, tmp_path):
    pytest.importorskip("onnx")
    cache = tmp_path / "models"
    cache.mkdir()
    stale, recent = cache / "gone-voice-1234abcd-00.onnx", cache / "other-voice-5678abcd-00.onnx"
    for path in (stale, recent):
        path.write_bytes(b"x")
    os.utime(stale, (1_000_000, 1_000_000))  # unused for decades
    _fresh_load(monkeypatch, cache)
    assert recent.exists() and not stale.exists()
    assert len(list(cache.glob("en_US-joe-medium-*.onnx"))) == 1
