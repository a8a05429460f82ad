"""The mixer's memory does not grow with the episode: a chapter-length mix holds blocks, not
the whole chapter (a novel's chapters run to 35 minutes)."""

from __future__ import annotations

import tracemalloc

from mix_support import SR, Story

from pipeline.mix import MixSettings, build_timeline, mix_timeline

LINES, SECONDS = 40, 6.0  # four minutes of speech


def _story() -> Story:
    st = Story()
    sec = st.section("One")
    for i in range(LINES):
        st.say(sec, f"Line number {i} of a long chapter.", seconds=SECONDS,
               paragraph_end=i % 4 == 3)
    return st


def test_mixing_a_long_chapter_holds_blocks_not_the_chapter(tmp_path):
    st = _story()  # the takes themselves are the caller's, made before we measure
    settings = MixSettings.from_table({"intro_music": False})
    timeline = build_timeline(st.script, st.rendered, settings)
    whole = timeline.duration * SR * settings.channels * 4  # the mix as float32, once
    tracemalloc.start()
    try:
        result = mix_timeline(timeline, st.load, settings, work_dir=tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.duration >= LINES * SECONDS
    # Before the fix every take's K-weighted power (float64) was kept: 2x the whole mix.
    assert peak < 0.5 * whole, f"peak {peak / 2**20:.0f} MB for a {whole / 2**20:.0f} MB mix"
