"""The sound cache and the streamed re-mix give exactly the samples of a plain mix."""

from __future__ import annotations

import os

import numpy as np
import pytest
from mix_support import Story
from test_mix_master import _two_bed_story

import pipeline.mix.render as mix_render
import pipeline.mix.soundcache as soundcache
from pipeline.mix import MixSettings, build_timeline, mix_timeline
from pipeline.mix.soundcache import SoundCache


def _mix(st: Story, tmp_path, **kw) -> tuple[np.ndarray, list[np.ndarray], object]:
    settings = MixSettings()
    tl = build_timeline(st.script, st.rendered, settings)
    sunk: list[np.ndarray] = []
    result = mix_timeline(tl, st.load, settings, work_dir=tmp_path, sink=sunk.append, **kw)
    return np.array(result.audio), sunk, result


def test_cached_sounds_and_beds_mix_to_the_same_samples(tmp_path, monkeypatch):
    st = _two_bed_story(tmp_path)
    plain, _, _ = _mix(st, tmp_path)
    cache = tmp_path / "sounds"
    filled, _, _ = _mix(st, tmp_path, sound_cache=cache)
    entries = list(cache.glob("*.npy"))
    assert len(entries) >= 4  # three bed spans and the knock
    assert not list(cache.glob(".*.tmp*"))

    def no_synthesis(*args, **kwargs):
        raise AssertionError("a cached sound was made again")

    monkeypatch.setattr(mix_render, "make_bed", no_synthesis)
    monkeypatch.setattr(mix_render.sfx, "render_effect", no_synthesis)
    served, _, _ = _mix(st, tmp_path, sound_cache=cache)
    np.testing.assert_array_equal(filled, plain)
    np.testing.assert_array_equal(served, plain)


def test_torn_cache_entry_is_made_again(tmp_path):
    st = _two_bed_story(tmp_path)
    cache = tmp_path / "sounds"
    first, _, _ = _mix(st, tmp_path, sound_cache=cache)
    for entry in cache.glob("*.npy"):
        entry.write_bytes(entry.read_bytes()[:200])
    again, _, _ = _mix(st, tmp_path, sound_cache=cache)
    np.testing.assert_array_equal(again, first)
    assert all(e.stat().st_size > 1000 for e in cache.glob("*.npy"))


def test_long_beds_are_not_kept_and_the_folder_is_trimmed(tmp_path, monkeypatch):
    st = _two_bed_story(tmp_path)
    _mix(st, tmp_path, sound_cache=tmp_path / "all")
    monkeypatch.setattr(soundcache, "MAX_BED_SECONDS", 1.0)
    cache = tmp_path / "sounds"
    _mix(st, tmp_path, sound_cache=cache)
    kept = list(cache.glob("*.npy"))
    beds = len(build_timeline(st.script, st.rendered, MixSettings()).beds)
    assert kept and len(kept) == len(list((tmp_path / "all").glob("*.npy"))) - beds
    for i in range(5):
        stale = cache / f"old{i}.npy"
        stale.write_bytes(b"x" * 1000)
        os.utime(stale, (1_000_000 + i, 1_000_000 + i))  # last used long ago
    SoundCache(cache).trim(max_bytes=sum(e.stat().st_size for e in kept) + 2500)
    assert set(cache.glob("*.npy")) >= set(kept)  # recently used entries survive
    assert len(list(cache.glob("old*.npy"))) <= 2


def test_fixed_master_streams_the_same_master_to_the_sink(tmp_path):
    st = _two_bed_story(tmp_path)
    full, sunk_full, result = _mix(st, tmp_path)
    loud = result.loudness
    fixed = (loud.gain_db, loud.limiter_threshold_db)
    streamed, sunk, again = _mix(st, tmp_path, fixed_master=fixed)
    np.testing.assert_array_equal(streamed, full)  # same gain, same blocks: same samples
    np.testing.assert_array_equal(np.concatenate(sunk), full)
    np.testing.assert_array_equal(np.concatenate(sunk_full), full)
    assert again.loudness.integrated_lufs == pytest.approx(loud.integrated_lufs, abs=1e-9)
    assert again.loudness.premaster_lufs is None and loud.premaster_lufs is not None
