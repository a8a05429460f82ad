"""The render CLI as a user meets it: render, lines, regen, takes, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

pytestmark = pytest.mark.xdist_group("render")
runner = CliRunner()

SCRIPT = "Title: Two Lines\n\n# Scene\nANNA: The tide is coming in.\nBILL: Then we had better go.\n"


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "two.txt"
    path.write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "two.cast.toml").write_text("[mix]\nauto_beds = false\nintro_music = false\n"
                                            "outro_music = false\n", encoding="utf-8")
    return path


def run(*args: str):
    return runner.invoke(app, list(args))


def test_render_lines_regen_takes(script, tmp_path):
    out = str(tmp_path / "out")
    result = run("render", str(script), "--out", out)
    assert result.exit_code == 0, result.output
    assert "2 synthesized" in result.output and "LUFS" in result.output
    listing = run("lines", "two", "--out", out)
    assert "s01-l001" in listing.output and "Anna" in listing.output and "Bill" in listing.output
    regen = run("regen", "two", "s01-l002", "--out", out)
    assert regen.exit_code == 0 and "take 2 (synthesized" in regen.output
    takes = run("takes", "two", "s01-l002", "--out", out)
    rows = [row.split("\t") for row in takes.output.splitlines()]  # a pipe: TSV rows
    assert takes.exit_code == 0 and [(r[0], r[3]) for r in rows] == [("1", "no"), ("2", "yes")]
    again = run("render", str(script), "--out", out)
    assert "0 synthesized" in again.output


@pytest.mark.parametrize(("args", "needle"), [
    (("regen", "nowhere", "s01-l001"), "unknown episode 'nowhere'"),
    (("lines", "nowhere"), "unknown episode 'nowhere'"),
    (("render", "/no/such/script.txt"), "script file not found"),
])
def test_errors_are_one_line(args, needle):
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_unwritable_output_is_a_clear_error(script, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("render", str(script), "--out", str(blocker / "out"), "--quiet")
    assert result.exit_code == 2
    assert "Not a directory" in result.output and "Traceback" not in result.output
