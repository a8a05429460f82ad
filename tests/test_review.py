"""Fixing who says what: the review file beside a story, `castwright review`, `castwright
characters`, cast files that name a character by an alias; parse, render and regen honour
fixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.casting import cast_script, load_cast_file
from pipeline.catalog import default_voices_dir, load_catalog
from pipeline.cli import app
from pipeline.errors import ScriptError
from pipeline.model import CueKind
from pipeline.parsing import parse_script
from pipeline.parsing.review import add_fix, load_review, review_path

runner = CliRunner()

STORY = """Mara sat by the stove. Elias came in from the rain.

"You're soaked," she said.

"It's nothing," he said.

"Sit down."

"I will."

"Tea?"

"Yes."
"""


def write_story(folder: Path, text: str = STORY) -> Path:
    path = folder / "stove.txt"
    path.write_text(text, encoding="utf-8")
    return path


def speakers(path: Path) -> dict[str, str | None]:
    script = parse_script(path)
    return {c.text: c.speaker for c in script.lines() if c.rule}


def test_a_fix_changes_one_speaker_and_the_turns_after_it(tmp_path: Path) -> None:
    story = write_story(tmp_path)
    before = speakers(story)
    assert before["Sit down."] == "Mara" and before["I will."] == "Elias"
    add_fix(story, "Sit down.", "Elias")
    after = speakers(story)
    assert after["Sit down."] == "Elias"
    # turn-taking starts again from the fixed speaker
    assert after["I will."] == "Mara" and after["Tea?"] == "Elias"
    assert after["You're soaked,"] == before["You're soaked,"]
    line = next(c for c in parse_script(story).lines() if c.text == "Sit down.")
    assert (line.rule, line.confidence) == ("review", 1.0)


def test_fixes_are_keyed_by_words_so_edits_elsewhere_keep_them(tmp_path: Path) -> None:
    story = write_story(tmp_path)
    add_fix(story, "Sit  down.", "Elias")  # spacing does not matter
    edited = STORY.replace("Mara sat by the stove.", "Mara sat by the warm stove, knitting.")
    story.write_text("A new first paragraph.\n\n" + edited, encoding="utf-8")
    assert speakers(story)["Sit down."] == "Elias"


def test_a_fix_to_the_narrator_and_repeated_words(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY + '\n"Yes."\n')
    add_fix(story, "Tea?", "Narrator")
    add_fix(story, "Yes.", "Mara", occurrence=2)
    script = parse_script(story)
    tea = next(c for c in script.lines() if c.text == "Tea?")
    assert tea.kind is CueKind.NARRATION and tea.rule == "review"
    yeses = [c for c in script.lines() if c.text == "Yes."]
    assert yeses[1].speaker == "Mara" and yeses[0].rule != "review"
    assert not any("review" in w for w in script.warnings)


def test_an_unused_fix_warns_and_a_bad_file_is_a_one_line_error(tmp_path: Path) -> None:
    story = write_story(tmp_path)
    add_fix(story, "Nobody says this.", "Mara")
    script = parse_script(story)
    assert any("stove.review.toml:" in w and "Nobody says this." in w and "not used" in w
               for w in script.warnings)
    review_path(story).write_text('[[fix]]\nquote = "Tea?"\n', encoding="utf-8")
    with pytest.raises(ScriptError, match=r"stove.review.toml:1: review file: a fix needs "
                                          "speaker"):
        parse_script(story)
    review_path(story).write_text('[[fix]]\nquote = "Tea?"\nspeaker = "Mara"\ncolour = 1\n',
                                  encoding="utf-8")
    with pytest.raises(ScriptError, match="unknown key 'colour'"):
        parse_script(story)
    review_path(story).write_text("[[fix]\n", encoding="utf-8")
    with pytest.raises(ScriptError, match="stove.review.toml:1: review file:"):
        parse_script(story)


def test_add_fix_replaces_the_earlier_fix_for_that_quotation(tmp_path: Path) -> None:
    story = write_story(tmp_path)
    add_fix(story, "Tea?", "Mara")
    add_fix(story, "Tea?", "Elias")
    review = load_review(story)
    assert review is not None and [(f.quote, f.speaker) for f in review.fixes] == [
        ("Tea?", "Elias")]


def test_review_command_lists_and_fixes(tmp_path: Path) -> None:
    story = write_story(tmp_path)
    listed = runner.invoke(app, ["review", str(story), "--below", "0.9"],
                           env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "turn-taking" in listed.output and "Sit down." in listed.output
    line = next(c.line_id for c in parse_script(story).lines() if c.text == "Sit down.")
    fixed = runner.invoke(app, ["review", str(story), line, "Elias"])
    assert fixed.exit_code == 0, fixed.output
    assert "now said by Elias" in fixed.output
    assert speakers(story)["Sit down."] == "Elias"
    narration = next(c.line_id for c in parse_script(story).lines() if c.text == "he said.")
    bad = runner.invoke(app, ["review", str(story), narration, "Elias"])
    assert bad.exit_code == 2 and "is narration, not a quotation" in bad.output
    missing = runner.invoke(app, ["review", str(story), "s09-l999", "Elias"])
    assert missing.exit_code == 2 and "no line 's09-l999'" in missing.output


def test_parse_lists_uncertain_speakers(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY + '\n"Why?"\n\n"Because."\n\n"Because why?"\n\n'
                                         '"Just because."\n')
    result = runner.invoke(app, ["parse", str(story)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "uncertain speaker" in result.output and "castwright review" in result.output


def test_characters_command_shows_aliases_gender_evidence_and_lines(tmp_path: Path) -> None:
    story = write_story(tmp_path, 'Mrs. Price looked up. Lizzy Price came in; she was wet.\n\n'
                                  '"Elizabeth, you are soaked," said Mrs. Price.\n\n'
                                  '"It is only rain," said Lizzy.\n\n'
                                  '"Sit down, Elizabeth."\n')
    result = runner.invoke(app, ["characters", str(story), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    lizzy = next(r for r in rows.values() if "Elizabeth" in [r["name"], *r["aliases"]])
    assert {"Lizzy", "Lizzy Price"} & {lizzy["name"], *lizzy["aliases"]}
    assert lizzy["gender"] == "female" and lizzy["gender_evidence"]
    assert rows["Mrs. Price"]["lines"] == 2 and lizzy["lines"] == 1
    table = runner.invoke(app, ["characters", str(story)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "Mrs. Price" in table.output


def test_characters_command_gives_a_point_of_view_characters_gender(seed_path: Path) -> None:
    """Spike never speaks and his name is never followed by a pronoun: his point-of-view
    section, told in the third person, is what says he is a he."""
    result = runner.invoke(app, ["characters", str(seed_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows["Spike"]["gender"] == "male"
    assert any(e.startswith("point of view") for e in rows["Spike"]["gender_evidence"])
    assert rows["Buffy"]["gender"] == "female"


@pytest.mark.parametrize("section, gender", [
    ("She locked the shop, her keys cold in her hand. He was late again, she thought; she "
     "would not wait.", "female"),
    ("He ran. The dog ran after him, and he did not look back until his lungs burned.", "male"),
    # Told in the first person: the he and she are other people, not the point of view.
    ("I waited by the gate. She never came; he said she had gone. I went home.", None),
])
def test_a_point_of_view_says_its_characters_gender(tmp_path: Path, section: str,
                                                    gender: str | None) -> None:
    story = write_story(tmp_path, f"Sparrow:\n\n{section}\n\nQuill:\n\nThe rain came "
                                  "down all night.\n")
    rows = {r.name: r for r in parse_script(story).characters}
    assert rows["Sparrow"].gender == gender
    assert parse_script(story).gender_hints.get("Sparrow") == gender  # casting agrees


def test_cast_file_may_name_a_character_by_an_alias(tmp_path: Path) -> None:
    story = write_story(tmp_path, 'Lizzy Price came in.\n\n"Hello," said Lizzy.\n\n'
                                  '"Hello, Elizabeth," said Tom.\n')
    cast_path = tmp_path / "cast.toml"
    cast_path.write_text('[characters.Elizabeth]\nvoice = "maren"\n', encoding="utf-8")
    script = parse_script(story)
    name = next(c.speaker for c in script.lines() if c.text == "Hello,")
    assert name != "Elizabeth"  # the lines use another of her names
    casting = cast_script(script, load_catalog(default_voices_dir()), load_cast_file(cast_path))
    assert casting.voices[name].name == "maren"


@pytest.mark.xdist_group("render")
def test_render_and_regen_honour_the_review_file(tmp_path: Path) -> None:
    from pipeline.render.episode import render_episode
    from pipeline.render.regen import regen_line

    story = write_story(tmp_path, 'Mara sat by the stove. Elias came in.\n\n'
                                  '"Soaked," she said.\n\n"Rain," he said.\n\n"Sit."\n')
    mix = {"auto_beds": False, "intro_music": False, "outro_music": False}
    first = render_episode(story, tmp_path / "out", mix=mix, show_progress=False)
    sit = next(x for x in first.manifest["lines"] if x["text"] == "Sit.")
    voices = {x["speaker"]: x["voice"] for x in first.manifest["lines"]}
    assert sit["speaker"] == "Mara"
    add_fix(story, "Sit.", "Elias")
    redone = regen_line(first.episode_dir, sit["line_id"])
    line = next(x for x in redone.manifest["lines"] if x["line_id"] == sit["line_id"])
    assert (line["speaker"], line["voice"]) == ("Elias", voices["Elias"])
    again = render_episode(story, tmp_path / "out", mix=mix, show_progress=False)
    line = next(x for x in again.manifest["lines"] if x["line_id"] == sit["line_id"])
    assert (line["speaker"], line["voice"]) == ("Elias", voices["Elias"])
