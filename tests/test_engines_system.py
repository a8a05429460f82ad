"""espeak-ng and flite through their programs; skipped where the program is absent."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from pipeline.engines import available, identity, synthesize
from pipeline.engines.base import VoiceSpec
from pipeline.errors import VoiceError

pytestmark = pytest.mark.xdist_group("system")

PROGRAMS = {"espeak": "espeak-ng", "flite": "flite"}
TEXT = "The storm rolled in from the sea, and nobody came."


@pytest.mark.parametrize("engine", ["espeak", "flite"])
def test_system_engine_speaks(engine):
    if shutil.which(PROGRAMS[engine]) is None and not (engine == "espeak"
                                                       and shutil.which("espeak")):
        pytest.skip(f"{PROGRAMS[engine]} not installed")
    spec = VoiceSpec(name=engine, engine=engine)
    assert available(spec) == (True, "")
    take = synthesize(spec, TEXT)
    assert take.samples.dtype == np.float32 and take.sample_rate > 0
    assert 0.15 <= take.duration / len(TEXT.split()) <= 0.8
    assert np.sqrt(np.mean(take.samples**2)) > 0.01
    take2 = synthesize(spec, TEXT, take=2)
    assert len(take2.samples) != len(take.samples) or not np.array_equal(take2.samples,
                                                                         take.samples)
    assert engine in identity(spec)


@pytest.mark.parametrize("engine", ["espeak", "flite"])
def test_absent_program_is_a_clear_error(engine, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    spec = VoiceSpec(name=engine, engine=engine)
    ok, why = available(spec)
    assert not ok and "not installed" in why
    with pytest.raises(VoiceError, match="not installed"):
        synthesize(spec, TEXT)

