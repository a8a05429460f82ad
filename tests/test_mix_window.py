"""A window of the mix (what the studio plays at once after a retake) is the full mix there."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from studio_support import render_episode

from pipeline.errors import MixError
from pipeline.mix import MixSettings, build_timeline
from pipeline.mix.window import mix_window
from pipeline.render.assemble import previous_master, rendered_lines, take_loader
from pipeline.render.choices import load_choices
from pipeline.render.regen import episode_context

pytestmark = pytest.mark.xdist_group("render")

LSB = 2.0 ** -23  # one step of the 24-bit episode.wav


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    return render_episode(tmp_path_factory.mktemp("window"))


def window_of(episode, start: float, end: float) -> tuple[np.ndarray, int]:
    ctx, manifest = episode_context(episode)
    plans = ctx.plans(load_choices(ctx.episode_dir))
    settings = MixSettings.from_table(ctx.mix)
    timeline = build_timeline(ctx.script, rendered_lines(ctx, plans), settings)
    audio = mix_window(timeline, take_loader(ctx, timeline.sample_rate), settings, start, end,
                       previous_master(manifest), ctx.sounds_dir)
    return audio, timeline.sample_rate


@pytest.mark.parametrize("line_index", [0, 2, 3])
def test_a_window_around_a_line_is_the_mix_there(episode, line_index):
    manifest = json.loads((episode / "manifest.json").read_text())
    line = manifest["lines"][line_index]
    start, end = max(0.0, line["start"] - 1.0), line["end"] + 1.0
    audio, rate = window_of(episode, start, end)
    full, full_rate = sf.read(episode / "episode.wav", dtype="float32")
    assert rate == full_rate and audio.shape[1] == full.shape[1] == 2
    first = int(round(start * rate))
    expected = full[first:first + len(audio)]
    assert len(audio) == len(expected) == pytest.approx((min(end, manifest["duration"]) - start)
                                                        * rate, abs=2)
    assert np.abs(audio - expected).max() <= LSB  # the WAV's rounding, nothing more
    assert np.sqrt(np.mean(audio ** 2)) > 0.01  # and it is not silence


def test_the_window_at_the_end_and_a_window_outside(episode):
    manifest = json.loads((episode / "manifest.json").read_text())
    duration = manifest["duration"]
    audio, rate = window_of(episode, duration - 2.0, duration + 5.0)
    assert len(audio) == pytest.approx(2.0 * rate, abs=2)
    with pytest.raises(MixError, match="nothing to mix"):
        window_of(episode, duration + 1.0, duration + 3.0)
