"""Duet narration: point-of-view sections read in their character's voice, a first-person story in
its narrator character's, the summary by the narrator; ``pov_narration = false`` keeps one; the
seed rendered for real as two narrators plus the summary's."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from cli_support import TERMINAL_ENV, wide_terminal
from typer.testing import CliRunner

from pipeline.casting import NARRATOR, CastFile, cast_script, load_cast_file, narration_by_section
from pipeline.catalog import load_catalog
from pipeline.cli import app
from pipeline.model import CueKind
from pipeline.parsing import parse_script, parse_text

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]

FIRST_PERSON = """I climbed the stairs to the lamp room. The wind was up.

"Who is there?" I asked.

"Only me," said Tom.

I lit the lamp and we watched the sea together.
"""


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def narrators(script, cast) -> dict[str, set[str]]:
    """section id -> the speakers reading its narration."""
    out: dict[str, set[str]] = {}
    for section in script.sections:
        for cue in section.lines:
            if cue.kind is CueKind.NARRATION:
                out.setdefault(section.id, set()).add(cast.lines[cue.line_id].speaker)
    return out


def test_seed_sections_are_read_by_their_point_of_view(seed_path, catalog) -> None:
    script = parse_script(seed_path)
    cast = cast_script(script, catalog, CastFile())
    assert narrators(script, cast) == {"s00": {NARRATOR}, "s01": {"Spike"}, "s02": {"Buffy"}}
    voices = {name: cast.voices[name].name for name in (NARRATOR, "Spike", "Buffy")}
    assert len(set(voices.values())) == 3, voices  # three different readers
    assert cast.voices["Spike"].gender in (None, "male")
    assert cast.voices["Buffy"].gender in (None, "female")
    # The POV character's narration uses the same voice as their dialogue would.
    spike_lines = [line for line in cast.lines.values() if line.section_id == "s01"]
    assert {line.voice.name for line in spike_lines} == {voices["Spike"]}


def test_pov_narration_false_keeps_one_narrator(seed_path, catalog, tmp_path) -> None:
    path = tmp_path / "one.cast.toml"
    path.write_text("pov_narration = false\n", encoding="utf-8")
    script = parse_script(seed_path)
    cast = cast_script(script, catalog, load_cast_file(path))
    assert narrators(script, cast) == {"s00": {NARRATOR}, "s01": {NARRATOR}, "s02": {NARRATOR}}
    assert cast.to_toml_dict()["pov_narration"] is False
    assert cast_script(script, catalog, load_cast_file(None)).to_toml_dict()["pov_narration"]


def test_first_person_story_is_read_by_its_narrator_character(catalog) -> None:
    script = parse_text(FIRST_PERSON, "lamp.txt", format="prose")
    script.narrator_character = "Mara"  # what the attribution pass finds for a first-person story
    cast = cast_script(script, catalog, CastFile())
    assert narrators(script, cast) == {"s01": {"Mara"}}
    assert cast.voices["Mara"].name != cast.voices[NARRATOR].name
    assert "Mara" in script.speakers() and "Mara" in cast.automatic
    # One narrator: the narrator character's own lines take the narrator's voice as well.
    single = cast_script(script, catalog, CastFile(pov_narration=False))
    assert narrators(script, single) == {"s01": {NARRATOR}}
    assert single.voices["Mara"].name == single.voices[NARRATOR].name


def test_plays_keep_their_narrator(catalog) -> None:
    script = parse_script(REPO / "scripts" / "the-lighthouse-keeper.txt")
    cast = cast_script(script, catalog, CastFile())
    assert all(who == NARRATOR for _, who, _ in narration_by_section(script, cast))


def test_cast_command_shows_who_narrates(seed_path, tmp_path) -> None:
    result = runner.invoke(app, ["cast", str(seed_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["section"]: row["narrator"] for row in json.loads(result.stdout)["narration"]}
    assert rows["s00"] == "Narrator" and rows["s01"] == "Spike" and rows["s02"] == "Buffy"
    with wide_terminal():  # on a terminal: a second table
        shown = runner.invoke(app, ["cast", str(seed_path)], env=TERMINAL_ENV)
    assert "who narrates" in shown.output and "│ s01     │" in shown.output


def test_seed_renders_as_two_narrators_and_the_summary_reader(seed_path, tmp_path) -> None:
    """A real render (Piper): the manifest's lines show the three voices, every word is read."""
    out = tmp_path / "out"
    cast = tmp_path / "seed.cast.toml"  # the default cast, without music, to keep it short
    cast.write_text("[mix]\nauto_beds = false\nintro_music = false\noutro_music = false\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["render", str(seed_path), "--out", str(out), "--cast", str(cast),
                                 "--quiet"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text(encoding="utf-8"))
    by_section: dict[str, set[tuple[str, str]]] = {}
    for line in manifest["lines"]:
        by_section.setdefault(line["section_id"], set()).add((line["speaker"], line["voice"]))
        assert line["start"] is not None and line["end"] > line["start"]
    cast_voices = manifest["cast"]
    assert by_section == {"s00": {(NARRATOR, cast_voices[NARRATOR])},
                          "s01": {("Spike", cast_voices["Spike"])},
                          "s02": {("Buffy", cast_voices["Buffy"])}}
    assert len({cast_voices[NARRATOR], cast_voices["Spike"], cast_voices["Buffy"]}) == 3
    assert [(s["id"], s["pov"]) for s in manifest["sections"]] == [
        ("s00", None), ("s01", "Spike"), ("s02", "Buffy")]
    source = Counter(re.findall(r"\w+", seed_path.read_text(encoding="utf-8")))
    read = Counter(w for line in manifest["lines"] for w in re.findall(r"\w+", line["text"]))
    assert read == source
