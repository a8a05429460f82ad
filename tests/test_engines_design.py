"""Designed voices: measurable pitch/tempo/formant changes, colours, determinism, catalog."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.catalog import load_catalog, load_catalog_file
from pipeline.engines import identity, synthesize
from pipeline.engines.base import Delivery, Design, Take, VoiceSpec
from pipeline.engines.design import _active_rms, apply_design, apply_to_take, median_f0
from pipeline.errors import VoiceError

pytestmark = pytest.mark.xdist_group("piper")

JOE = VoiceSpec(name="joe", engine="piper", model="builtin:joe")
TEXT = "She walked along the pier and listened to the boats knocking in the dark."


@pytest.fixture(scope="module")
def base() -> Take:
    return synthesize(JOE, TEXT)


def centroid(x: np.ndarray, sr: int) -> float:
    spec = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    return float(np.sum(spec * freqs) / np.sum(spec))


def band_energy(x: np.ndarray, sr: int, lo: float, hi: float) -> float:
    spec = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    return float(spec[(freqs >= lo) & (freqs < hi)].sum() / spec.sum())


def test_pitch_design_moves_median_f0(base):
    up = apply_design(base.samples, base.sample_rate, Design(pitch_semitones=6))
    ratio = median_f0(up, base.sample_rate) / median_f0(base.samples, base.sample_rate)
    assert ratio == pytest.approx(2 ** (6 / 12), rel=0.08)


def test_delivery_pitch_adds_to_design(base):
    spec = VoiceSpec(name="d", engine="piper", model="builtin:joe",
                     design=Design(pitch_semitones=3))
    take = synthesize(spec, TEXT, Delivery(pitch_semitones=3))
    ratio = median_f0(take.samples, take.sample_rate) / median_f0(base.samples, base.sample_rate)
    assert ratio == pytest.approx(2 ** (6 / 12), rel=0.08)


def test_tempo_changes_duration_and_word_timings(base):
    fast = apply_to_take(base, Design(tempo=1.25))
    assert fast.duration == pytest.approx(base.duration / 1.25, rel=0.05)
    if base.words:
        assert fast.words[-1].end == pytest.approx(base.words[-1].end / 1.25, rel=1e-6)


def test_formant_ratio_moves_the_spectrum_up(base):
    sr = base.sample_rate
    small = apply_design(base.samples, sr, Design(formant_ratio=1.2))
    assert centroid(small, sr) > centroid(base.samples, sr) * 1.08
    warped = apply_design(base.samples, sr, Design(formant_warp=0.1))
    assert not np.allclose(warped, base.samples, atol=1e-3)


def test_design_is_deterministic(base):
    design = Design(pitch_semitones=4, formant_ratio=1.1, breathiness=0.3, roughness=0.3,
                    aging=0.5, formant_warp=0.05, color="room")
    a = apply_design(base.samples, base.sample_rate, design)
    b = apply_design(base.samples, base.sample_rate, design)
    assert np.array_equal(a, b)


def test_designs_keep_the_level(base):
    sr = base.sample_rate
    level = _active_rms(base.samples, sr)
    for design in (Design(pitch_semitones=12, formant_ratio=1.2), Design(color="telephone"),
                   Design(breathiness=0.5, roughness=0.5, aging=1.0)):
        out = apply_design(base.samples, sr, design)
        assert 20 * np.log10(_active_rms(out, sr) / level) == pytest.approx(0, abs=1.0)
        assert np.max(np.abs(out)) <= 0.99 + 1e-6


def test_telephone_band_limits(base):
    sr = base.sample_rate
    phone = apply_design(base.samples, sr, Design(color="telephone"))
    assert band_energy(phone, sr, 0, 200) < band_energy(base.samples, sr, 0, 200) / 5
    assert band_energy(phone, sr, 4500, sr / 2) < 0.01


def test_room_adds_a_tail(base):
    room = apply_design(base.samples, base.sample_rate, Design(color="room"))
    assert len(room) > len(base.samples)


def test_world_back_end_also_works(base):
    short = base.samples[: base.sample_rate]
    out = apply_design(short, base.sample_rate, Design(pitch_semitones=5, tempo=1.1),
                       backend="world")
    assert len(out) == pytest.approx(len(short) / 1.1, rel=0.05)
    assert np.sqrt(np.mean(out**2)) > 0.01


@pytest.mark.parametrize("bad", [Design(formant_ratio=5.0), Design(tempo=0.0),
                                 Design(color="underwater"), Design(breathiness=2.0)])
def test_bad_design_is_a_voice_error(bad):
    with pytest.raises(VoiceError):
        synthesize(VoiceSpec(name="bad", engine="piper", design=bad), "Hello.")


def test_catalog_voices():
    catalog = load_catalog()
    assert len(catalog) >= 8
    for spec in catalog.values():
        assert spec.gender in ("male", "female") and spec.age in ("young", "adult", "older")
        assert spec.role in ("narrator", "character") and spec.description
        assert (spec.engine, spec.model) in (("piper", "builtin:joe"), ("kokoro", ""))
    assert {spec.engine for spec in catalog.values()} == {"piper", "kokoro"}
    designs = [(spec.engine, str(spec.speaker), spec.design) for spec in catalog.values()]
    assert len(set(designs)) == len(designs)
    assert {s.gender for s in catalog.values() if s.role == "narrator"} == {"male", "female"}
    assert {s.age for s in catalog.values()} == {"young", "adult", "older"}
    ids = {identity(spec) for spec in catalog.values()}
    assert len(ids) == len(catalog)


def test_designed_voice_differs_from_base(base):
    maren = synthesize(load_catalog()["maren"], TEXT)
    assert median_f0(maren.samples, maren.sample_rate) > 1.5 * median_f0(base.samples,
                                                                         base.sample_rate)


@pytest.mark.parametrize(("toml", "problem"), [
    ('[voices.x]\nbase = "joe"\npitch = 3\n', "unknown key"),
    ('[voices.x]\nbase = "nobody"\n', "unknown base voice"),
    ('[voices.x]\nbase = "joe"\nformant_ratio = "big"\n', "must be a number"),
    ('[voices.x]\nbase = "joe"\ntempo = 9.0\n', "tempo must be within"),
    ('[voices.x]\ngender = "male"\n', "needs 'engine' or 'base'"),
    ("[voices.x\n", "TOML syntax error"),
])
def test_catalog_errors_name_the_file(tmp_path, toml, problem):
    path = tmp_path / "extra.toml"
    path.write_text(toml)
    with pytest.raises(VoiceError, match=problem) as err:
        load_catalog_file(path, load_catalog())
    assert str(path) in str(err.value)


def test_user_catalog_designs_on_top(tmp_path):
    (tmp_path / "mine.toml").write_text(
        '[voices.gran]\nbase = "edith"\ntempo = 0.8\ndescription = "Slower Edith."\n')
    catalog = load_catalog(tmp_path)
    gran = catalog["gran"]
    assert gran.design.tempo == 0.8
    assert gran.design.formant_ratio == catalog["edith"].design.formant_ratio
    assert gran.gender == "female" and gran.description == "Slower Edith."


@pytest.mark.parametrize("n", [0, 10, 300, 2000])
def test_tiny_takes_survive_every_transform(n):
    x = (0.1 * np.random.default_rng(0).standard_normal(n)).astype(np.float32)
    design = Design(pitch_semitones=3, formant_ratio=1.1, formant_warp=0.1, tempo=1.1,
                    breathiness=0.3, roughness=0.2, aging=0.3, color="telephone")
    out = apply_design(x, 22050, design)
    assert out.dtype == np.float32 and np.all(np.isfinite(out))
    assert len(out) == (n if n < 256 else round(n / 1.1))
