"""Story structure: format detection over the whole file, hard-wrapped lines, chapter headings,
point-of-view headings with titles."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import CueKind, Script, SectionKind
from pipeline.parsing import detect, parse_script, parse_text
from pipeline.parsing.headings import chapter_heading

runner = CliRunner()

FERRY = """Summary: Two people wait for a ferry that never comes.

Mara: The Last Ferry
The pier was empty when Mara arrived. "Is anyone here?" she called.

"Only me," said Tom, stepping out of the fog.

"You're late," Mara said. "The ferry left an hour ago."

Tom: The Lamp
He had waited an hour. "You came back," he said.

"I always do," said Mara.
"""

PLAY = """Title: Kitchen

MARTHA: Is the kettle on?
JONAH: It has been on for an hour.
MARTHA: Then where is the tea?
The kettle whistles.
OLD TOM: Don't ask me. I only live here.
"""


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def quotations(text: str) -> list[str]:
    return [q.strip() for q in re.findall(r'"([^"]+)"', text)]


def dialogue(script: Script) -> list[tuple[str | None, str]]:
    return [(c.speaker, c.text) for c in script.lines() if c.kind is CueKind.DIALOGUE]


# --- format detection --------------------------------------------------------------------------

def test_name_title_headings_with_quoted_dialogue_are_prose() -> None:
    script = parse_text(FERRY, "ferry.txt")
    assert script.format == "prose"
    assert not any("close call" in w for w in script.warnings)
    assert [(s.heading, s.pov, s.title, s.kind) for s in script.sections] == [
        ("Summary", None, "", SectionKind.SECTION),
        ("Mara: The Last Ferry", "Mara", "The Last Ferry", SectionKind.POV),
        ("Tom: The Lamp", "Tom", "The Lamp", SectionKind.POV)]
    # Every quotation is a dialogue cue of its own, with a speaker.
    spoken = [text for speaker, text in dialogue(script) if speaker]
    assert " ".join(spoken) == " ".join(quotations(FERRY))
    assert {text: speaker for speaker, text in dialogue(script)}["Only me,"] == "Tom"
    # The heading is read; the paragraph under it is narration, not Mara's speech.
    mara = script.sections[1].lines
    assert (mara[0].text, mara[0].kind, mara[0].delivery) == (
        "Mara: The Last Ferry", CueKind.NARRATION, "heading")
    assert (mara[1].text, mara[1].kind) == ("The pier was empty when Mara arrived.",
                                            CueKind.NARRATION)
    assert Counter(w for c in script.lines() for w in words(c.text)) == Counter(words(FERRY))


def test_detection_says_why() -> None:
    story = detect(FERRY, "ferry.txt")
    assert story.format == "prose" and not story.close_call
    assert any("Mara: The Last Ferry" in r and "points of view" in r for r in story.reasons)
    assert any("quoted dialogue" in r for r in story.reasons)
    play = detect(PLAY, "kitchen.txt")
    assert play.format == "play" and not play.close_call
    assert play.reasons[0].startswith("4 'NAME: speech' paragraph(s)")
    assert detect("x", "a.fountain").reasons == ["the file name ends in .fountain"]


def test_a_play_stays_a_play_and_format_overrides() -> None:
    script = parse_text(PLAY, "kitchen.txt")
    assert script.format == "play" and script.format_reasons[0].startswith("4 'NAME: speech'")
    assert {c.speaker for c in script.lines() if c.kind is CueKind.DIALOGUE} == {
        "Martha", "Jonah", "Old Tom"}
    forced = parse_text(FERRY, "ferry.txt", format="play")
    assert forced.format == "play" and forced.format_reasons == ["chosen with --format play"]


def test_close_call_is_warned_about() -> None:
    text = ("ANNA: The tide is coming in.\n\nThe sea rose over the old wall and the boats "
            "knocked together.\n\nBILL: Then we had better go.\n\nThey walked up the hill "
            "without a word, and the lights came on behind them.\n")
    script = parse_text(text, "tide.txt")
    warning = next(w for w in script.warnings if "close call" in w)
    assert warning.startswith("tide.txt:1: close call between play script and prose")
    assert f"--format {'prose' if script.format == 'play' else 'play'}" in warning
    assert "\n" not in warning


def test_a_format_header_line_decides_for_every_command(tmp_path: Path) -> None:
    text = "Title: Tide\nFormat: prose\n\nANNA: The tide is coming in.\nBILL: Then we go.\n"
    script = parse_text(text, "tide.txt")
    assert script.format == "prose"
    assert script.format_reasons == ["the file's header says 'Format: prose'"]
    assert script.metadata["format"] == "prose"  # metadata, not read aloud
    assert "Format" not in " ".join(c.text for c in script.lines())
    assert parse_text(text, "tide.txt", format="play").format == "play"  # --format wins
    path = tmp_path / "tide.txt"
    path.write_text(text.replace("prose", "sonnet"), encoding="utf-8")
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert f"{path}:2: unknown format 'sonnet'" in result.output


def test_parse_command_shows_the_format_and_why(tmp_path: Path) -> None:
    path = tmp_path / "ferry.txt"
    path.write_text(FERRY, encoding="utf-8")
    shown = runner.invoke(app, ["parse", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "format: prose" in shown.output and "points of view" in shown.output
    data = json.loads(runner.invoke(app, ["parse", str(path), "--json"]).output)
    assert data["format"] == "prose"
    assert any("Mara: The Last Ferry" in r for r in data["format_reasons"])
    assert [s["kind"] for s in data["sections"]] == ["section", "pov", "pov"]
    forced = json.loads(runner.invoke(app, ["parse", str(path), "--json", "--format",
                                            "play"]).output)
    assert forced["format"] == "play" and forced["format_reasons"] == ["chosen with --format play"]


def test_bad_input_is_still_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("   \n\n", encoding="utf-8")
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert f"{path}:1: script is empty" in result.output


# --- hard-wrapped text -------------------------------------------------------------------------

WRAPPED = """CHAPTER I

"Well, we have been thinking about it for some time--all winter in fact,"
 said Marilla. "Mrs. Spencer was up here one day before Christmas and she
said so. Plant nothing else, and root out everything else in that old one
Mr. Chitling: that was the name of the dog they had, and it was a good one.
You can only form the minds of reasoning animals upon facts and nothing
Facts: nothing else will ever be of any service to them, as you know."

The scene was a plain, bare, monotonous vault of a school-room, and the
speaker's square forefinger emphasized his observations by underscoring
every sentence with a line on the schoolmaster's sleeve, as he went.

CHAPTER II

"I'm going out to put the mare in, Marilla," said Matthew, and went out
to the yard where the old mare stood waiting for him in the dark again.
"""


def test_hard_wrapped_name_lines_never_open_sections() -> None:
    script = parse_text(WRAPPED, "wrapped.txt", format="prose")
    assert [(s.heading, s.kind, s.pov) for s in script.sections] == [
        ("Chapter I", SectionKind.CHAPTER, None), ("Chapter II", SectionKind.CHAPTER, None)]
    first = script.sections[0]
    # One paragraph: the indented " said Marilla" and "Mr. Chitling:" lines run on.
    quote = [c for c in first.cues if c.kind is CueKind.DIALOGUE]
    assert quote[0].text.startswith("Well, we have been thinking")
    assert quote[0].speaker == "Marilla"
    assert "Mr. Chitling: that was the name" in quote[1].text
    assert "Facts: nothing else will ever" in quote[-1].text
    assert all(c.speaker == "Marilla" for c in quote)
    assert sum(c.paragraph_end for c in first.lines) == 3  # the heading and two paragraphs


def test_layout_of_a_file_with_long_lines_or_a_play_is_not_wrapped() -> None:
    from pipeline.parsing.paragraphs import layout_of
    assert layout_of(WRAPPED.split("\n")).wrap is not None
    assert layout_of(PLAY.split("\n")).wrap is None
    assert layout_of(FERRY.split("\n")).wrap is None


# --- chapter headings --------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "kind", "heading", "number", "title"), [
    ("CHAPTER IV", "chapter", "Chapter IV", 4, ""),
    ("Chapter 3: The Ferry", "chapter", "Chapter 3: The Ferry", 3, "The Ferry"),
    ("Chapter the Third", "chapter", "Chapter the Third", 3, ""),
    ("CHAPTER I. Mrs. Rachel Lynde is Surprised", "chapter",
     "Chapter I: Mrs. Rachel Lynde is Surprised", 1, "Mrs. Rachel Lynde is Surprised"),
    ("Chapter Twenty-One - Homecoming", "chapter", "Chapter Twenty-one: Homecoming", 21,
     "Homecoming"),
    ("IV.", "chapter", "Chapter IV", 4, ""),
    ("XII", "chapter", "Chapter XII", 12, ""),
    ("IV. The Ferry", "chapter", "Chapter IV: The Ferry", 4, "The Ferry"),
    ("12", "chapter", "Chapter 12", 12, ""),
    ("Part Two", "part", "Part Two", 2, ""),
    ("BOOK I", "part", "Book I", 1, ""),
    ("BOOK THE FIRST", "part", "Book the First", 1, ""),
    ("VOL. II.", "part", "Volume II", 2, ""),
    ("Prologue", "chapter", "Prologue", None, ""),
    ("EPILOGUE: After", "chapter", "Epilogue: After", None, "After"),
])
def test_chapter_headings(line: str, kind: str, heading: str, number: int | None,
                          title: str) -> None:
    found = chapter_heading(line)
    assert found is not None
    assert (found.kind, found.heading, found.number, found.title) == (kind, heading, number,
                                                                      title)


@pytest.mark.parametrize("line", [
    "Chapter 3 was the worst of all.", "Part of me wanted to stay.", "Part Mix",
    "I went home.", "I. The first point is that he lied to us all.", "1999",
    "Chapter 3 of the book", "Book me a table", "Prologue to a quarrel",
])
def test_sentences_are_not_headings(line: str) -> None:
    assert chapter_heading(line) is None


BOOK = """THE FERRY
A Story

Part One

I

THE PIER

The pier was empty. "Is anyone there?" Mara called.

II.

"Only me," said Tom.

Chapter 3: The Lamp
The lamp burned on.

CHAPTER IV
THE LAST NIGHT

Part of me wanted to stay, Tom thought.

EPILOGUE

Morning came.
"""


def test_chapter_headings_open_sections_titled_and_read_aloud() -> None:
    script = parse_text(BOOK, "ferry.txt")
    assert script.format == "prose"
    sections = [(s.heading, s.kind, s.number, s.title) for s in script.sections]
    assert sections == [
        ("Ferry", SectionKind.SECTION, None, ""),  # the title page: named after the file
        ("Part One", SectionKind.PART, 1, ""),
        ("Chapter I: The Pier", SectionKind.CHAPTER, 1, "The Pier"),
        ("Chapter II", SectionKind.CHAPTER, 2, ""),
        ("Chapter 3: The Lamp", SectionKind.CHAPTER, 3, "The Lamp"),
        ("Chapter IV: The Last Night", SectionKind.CHAPTER, 4, "The Last Night"),
        ("Epilogue", SectionKind.CHAPTER, None, "")]
    headings = [[c.text for c in s.lines if c.delivery == "heading"] for s in script.sections]
    assert headings == [[], ["Part One"], ["Chapter I", "THE PIER"], ["Chapter II."],
                        ["Chapter 3: The Lamp"], ["CHAPTER IV", "THE LAST NIGHT"], ["EPILOGUE"]]
    assert dialogue(script) == [("Mara", "Is anyone there?"), ("Tom", "Only me,")]
    lost = Counter(words(BOOK)) - Counter(w for c in script.lines() for w in words(c.text))
    assert not lost


def test_a_single_line_paragraph_starting_with_a_heading_word_is_text() -> None:
    script = parse_text("Part of me wanted to stay.\n\nBook me a table, she said.\n",
                        "x.txt", format="prose")
    assert len(script.sections) == 1 and script.sections[0].kind == SectionKind.SECTION


def test_markdown_chapter_heading_is_a_chapter() -> None:
    script = parse_text("# Chapter 2: Morning\n\nMorning came.\n\n# The lamp room\n\nIt was "
                        "cold.\n", "x.txt", format="prose")
    assert [(s.heading, s.kind, s.number) for s in script.sections] == [
        ("Chapter 2: Morning", SectionKind.CHAPTER, 2), ("The lamp room", SectionKind.SECTION,
                                                          None)]


def test_pov_headings_in_a_book_of_chapters() -> None:
    text = ("Chapter 1\n\nSpike:\nHe waited on the porch.\n\nChapter 2\n\nBuffy: The Vigil\n"
            "She waited too.\n\nLondon:\nPrinted for T. Egerton.\n")
    script = parse_text(text, "x.txt", format="prose")
    assert [(s.heading, s.pov) for s in script.sections] == [
        ("Chapter 1", None), ("Spike", "Spike"), ("Chapter 2", None),
        ("Buffy: The Vigil", "Buffy")]
    # "London:" does not follow a heading: it stays text in Buffy's section.
    assert script.sections[-1].lines[-1].text == "London: Printed for T. Egerton."


@pytest.mark.parametrize(("line", "pov"), [
    ("Buffy's POV", "Buffy"), ("~*Spike POV*~", "Spike"), ("POV: Mara", "Mara"),
    ("Tom's point of view", "Tom"), ("Willow\u2019s P.O.V.", "Willow"), ("Spike (POV)", "Spike"),
    ("My POV", None), ("Change of POV", None), ("point of view", None)])
def test_fan_fiction_pov_lines_open_sections(line: str, pov: str | None) -> None:
    script = parse_text(f"{line}\n\nHe waited. \"Soon,\" he said.\n", "x.txt", format="prose")
    assert script.sections[0].pov == pov
    assert (script.sections[0].kind == SectionKind.POV) == (pov is not None)
    assert script.lines()[0].text.strip("~*") == line.strip("~*")  # read aloud either way


def test_a_title_page_name_is_no_point_of_view() -> None:
    """A volume's title page inside a book (or an excerpt with one chapter heading)."""
    text = ("\"You are late,\" said Tom.\n\nPRIDE AND PREJUDICE:\n\nA Novel.\n\nVOL. II.\n\n"
            "London:\nPrinted for T. Egerton,\nMilitary Library, Whitehall.\n1813.\n\n"
            "CHAPTER I.\n\nMorning came, and Mara walked down to the pier.\n")
    script = parse_text(text, "x.txt", format="prose")
    assert [(s.heading, s.kind) for s in script.sections] == [
        ("X", SectionKind.SECTION), ("Volume II", SectionKind.PART),
        ("Chapter I", SectionKind.CHAPTER)]
    assert not any(s.pov for s in script.sections)


# --- the development novels --------------------------------------------------------------------

PDNC = Path(__file__).resolve().parents[2] / "shared" / "pdnc-dev"
# Chapters (and parts) of these books as published.
CHAPTERS = {"AnneOfGreenGables": (38, 0), "DaisyMiller": (0, 2), "HardTimes": (37, 1),
            "MansfieldPark": (48, 0), "NightAndDay": (34, 0), "NorthangerAbbey": (31, 0),
            "Persuasion": (24, 0), "PrideAndPrejudice": (61, 2), "SenseAndSensibility": (50, 0),
            "TheAwakening": (39, 0), "TheManWhoWasThursday": (15, 0),
            "ThePictureOfDorianGray": (21, 0),  # 20 chapters and the Preface
            "TheSignOfTheFour": (12, 0), "TheSportOfTheGods": (18, 0)}


@pytest.mark.parametrize("novel", sorted(CHAPTERS))
def test_novels_open_chapters_and_no_bogus_sections(novel: str) -> None:
    path = PDNC / novel / "novel_text.txt"
    if not path.exists():
        pytest.skip("../shared/pdnc-dev is not beside this checkout")
    script = parse_script(path, format="prose")
    kinds = Counter(s.kind for s in script.sections)
    assert kinds[SectionKind.POV] == 0, [s.heading for s in script.sections if s.pov]
    assert (kinds[SectionKind.CHAPTER], kinds[SectionKind.PART]) == CHAPTERS[novel]
    assert kinds[SectionKind.SECTION] <= 1  # at most the title page before the first heading
    # No word lost (a header's "Title: Hard Times" is metadata, not read).
    metadata = Counter(words(" ".join(f"{k} {v}" for k, v in script.metadata.items())))
    read = Counter(w.lower() for c in script.lines() for w in words(c.text))
    source = Counter(w.lower() for w in words(path.read_text(encoding="utf-8")))
    assert not source - read - Counter(w.lower() for w in metadata.elements())


# --- verse and letters inside a quotation ------------------------------------------------------

VERSE = """"I remember the poem," said Anne. "It goes:

    The boy stood on the burning deck
      Whence all but he had fled;

Isn't that lovely? I learned it at school," she added.

Marilla said nothing.

    The clock on the wall
    ticked on and on.

"It came this morning," said Matthew. "Listen:

    Dear Matthew,
    The boy will arrive on the five-thirty train. Please meet him.
    Yours, Mrs. Spencer

That is all it says."

The clock ticked.
"""


def test_verse_and_letters_inside_a_quotation_stay_with_its_speaker() -> None:
    script = parse_text(VERSE, "verse.txt", format="prose")
    said = [(c.source_line, c.speaker, c.text) for c in script.lines()
            if c.kind is CueKind.DIALOGUE]
    assert said == [
        (1, "Anne", "I remember the poem,"), (1, "Anne", "It goes:"),
        (3, "Anne", "The boy stood on the burning deck"),  # each verse line its own cue
        (4, "Anne", "Whence all but he had fled;"),
        (6, "Anne", "Isn't that lovely? I learned it at school,"),
        (13, "Matthew", "It came this morning,"), (13, "Matthew", "Listen:"),
        (15, "Matthew", "Dear Matthew,"),
        (16, "Matthew", "The boy will arrive on the five-thirty train. Please meet him."),
        (17, "Matthew", "Yours, Mrs. Spencer"), (19, "Matthew", "That is all it says.")]
    narration = [c.text for c in script.lines() if c.kind is CueKind.NARRATION]
    # An indented block outside any quotation is the narrator's.
    assert narration == ["said Anne.", "she added.", "Marilla said nothing.",
                         "The clock on the wall", "ticked on and on.", "said Matthew.",
                         "The clock ticked."]
    assert not script.warnings


def test_curly_quote_runs_on_over_an_indented_letter() -> None:
    text = ("\u201cRead it to me,\u201d said Tom.\n\n\u201cVery well,\u201d said Mara. "
            "\u201cIt says:\n\n    Come home.\n    Father\n\nThat\u2019s all.\u201d\n\n"
            "Tom nodded.\n")
    script = parse_text(text, "x.txt", format="prose")
    assert [(c.speaker, c.text) for c in script.lines() if c.kind is CueKind.DIALOGUE] == [
        ("Tom", "Read it to me,"), ("Mara", "Very well,"), ("Mara", "It says:"),
        ("Mara", "Come home."), ("Mara", "Father"), ("Mara", "That\u2019s all.")]


def test_a_closed_quotation_does_not_swallow_the_next_indented_block() -> None:
    text = '"Listen to this," said Tom.\n\n    A letter from nobody.\n\nHe read it twice.\n'
    script = parse_text(text, "x.txt", format="prose")
    assert [(c.kind, c.text) for c in script.lines()][-2:] == [
        (CueKind.NARRATION, "A letter from nobody."), (CueKind.NARRATION, "He read it twice.")]
