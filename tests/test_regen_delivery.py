"""A line's own delivery (pace, expressiveness): kept in choices.json, read by the engine."""

from __future__ import annotations

import json

import pytest
from studio_support import render_episode
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.render.regen import list_takes

pytestmark = pytest.mark.xdist_group("render")
runner = CliRunner()


def line(episode, line_id: str) -> dict:
    lines = json.loads((episode / "manifest.json").read_text())["lines"]
    return next(x for x in lines if x["line_id"] == line_id)


def test_regen_pace_and_expressiveness(tmp_path):
    episode = render_episode(tmp_path)
    plain = line(episode, "s01-l001")
    result = runner.invoke(app, ["regen", str(episode), "s01-l001", "--take", "1",
                                 "--pace", "1.5", "--expressiveness", "0.5"])
    assert result.exit_code == 0, result.output
    fast = line(episode, "s01-l001")
    assert fast["take"] == 1 and fast["cache_key"] != plain["cache_key"]
    # The same reading, half again as fast: the take is clearly shorter.
    assert (fast["end"] - fast["start"]) < 0.8 * (plain["end"] - plain["start"])
    choice = json.loads((episode / "choices.json").read_text())["s01-l001"]
    assert choice["pace"] == 1.5 and choice["expressiveness"] == 0.5
    # Takes listed with the line's delivery are the ones in the cache.
    assert [(t.take, t.cached, t.current) for t in list_takes(episode, "s01-l001")] == \
        [(1, True, True)]
    # A full render keeps the line's delivery.
    again = runner.invoke(app, ["render", str(tmp_path / "harbour.txt"), "--out",
                                str(tmp_path / "out")])
    assert again.exit_code == 0 and "0 synthesized" in again.output
    assert line(episode, "s01-l001")["cache_key"] == fast["cache_key"]
    reset = runner.invoke(app, ["regen", str(episode), "s01-l001", "--reset"])
    assert reset.exit_code == 0
    assert line(episode, "s01-l001")["cache_key"] == plain["cache_key"]


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    return render_episode(tmp_path_factory.mktemp("delivery"))


@pytest.mark.parametrize(("args", "needle"), [
    (["--pace", "2.5"], "pace 2.5 is outside 0.5..2"),
    (["--expressiveness", "-1"], "expressiveness -1 is outside 0..2"),
])
def test_delivery_out_of_range_is_a_clear_error(episode, args, needle):
    result = runner.invoke(app, ["regen", str(episode), "s01-l002", *args])
    assert result.exit_code == 2 and needle in result.output
    assert "Traceback" not in result.output
