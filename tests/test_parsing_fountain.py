"""Fountain: the Brick & Steel sample (with its messy edits) and our own example drama."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ScriptError
from pipeline.model import CueKind, Script
from pipeline.parsing import detect_format, parse_script, parse_text
from pipeline.parsing.fountain import scene_title

REPO = Path(__file__).resolve().parents[1]
LIGHTHOUSE_FOUNTAIN = REPO / "scripts" / "the-lighthouse-keeper.fountain"
LIGHTHOUSE_PLAY = REPO / "scripts" / "the-lighthouse-keeper.txt"


def fountain(text: str) -> Script:
    return parse_text(text, "drama.fountain")


def all_text(script: Script) -> str:
    return "\n".join(c.text for s in script.sections for c in s.cues)


@pytest.fixture
def brick(brick_and_steel_path: Path) -> Script:
    return parse_script(brick_and_steel_path)


def test_brick_and_steel_speakers(brick: Script) -> None:
    assert brick.format == "fountain"
    speakers = brick.speakers()
    for name in ("Brick", "Steel", "Jack", "Dan", "Cognito", "Minion", "Handsome Man"):
        assert name in speakers
    # The messy edits: forced @character, a lowercase cue, extensions, an honorific.
    for name in ("Character", "Tegme", "Stegeme", "Mr. Steel", "I Like Cheese"):
        assert name in speakers
    assert not any(s.isupper() or "(" in s or "^" in s for s in speakers)
    assert any("'tegme' is read as a character cue" in w and ":150:" in w
               for w in brick.warnings)


def test_brick_and_steel_title_page(brick: Script) -> None:
    assert brick.title == "Brick & Steel — Full Retired"
    assert brick.metadata["author"] == "Stu Maschwitz"
    assert brick.metadata["draft date"] == "1/27/2012"
    assert brick.metadata["contact"].splitlines()[0] == "Next Level Productions"
    assert "Stu Maschwitz" not in all_text(brick)


def test_brick_and_steel_sections(brick: Script) -> None:
    assert [s.heading for s in brick.sections] == [
        "EXT. BRICK'S PATIO - DAY", "INT. TRAILER HOME - DAY", "EXT. BRICK'S POOL - DAY",
        "SNIPER SCOPE POV", "OPENING TITLES", "EXT. WOODEN SHACK - DAY", "INT. GARAGE - DAY",
        "EXT. PALATIAL MANSION - DAY"]
    assert [s.id for s in brick.sections] == [f"s{n:02d}" for n in range(1, 9)]
    for section in brick.sections:
        ids = [c.line_id for c in section.lines]
        assert ids == [f"{section.id}-l{n:03d}" for n in range(1, len(ids) + 1)]


def test_brick_and_steel_dialogue(brick: Script) -> None:
    first = brick.sections[0]
    lines = [(c.speaker, c.text, c.delivery) for c in first.lines if c.kind is CueKind.DIALOGUE]
    assert lines[:4] == [
        ("Brick", "Hey steel, I'm brick, and I think this is a great day to go and do stuff",
         None),
        ("Steel", "Beer's ready!", None), ("Brick", "Are they cold?", None),
        ("Steel", "Does a bear crap in the woods?", None)]
    assert ("Steel", "To retirement.", "beer raised") in lines
    # Dual dialogue (BRICK ^) keeps its order, after Steel's line.
    assert lines[-2:] == [("Steel", "Screw retirement.", None),
                          ("Brick", "Screw retirement.", None)]
    jack = next(c for c in brick.lines() if c.speaker == "Jack")
    assert jack.delivery == "in Vietnamese, subtitled"
    assert jack.text == "*Did you know Brick and Steel are retired?*"  # emphasis kept
    dan = next(c for c in brick.lines() if c.speaker == "Dan")
    assert dan.text == "Then let's retire them. _Permanently_."
    cheese = next(c for c in brick.lines() if c.speaker == "I Like Cheese")
    assert cheese.text.endswith("Cheese is super cool")


def test_brick_and_steel_parenthetical_pauses(brick: Script) -> None:
    pool = brick.sections[2].cues
    kinds = [(c.kind, c.speaker) for c in pool]
    assert kinds == [(CueKind.NARRATION, None), (CueKind.DIALOGUE, "Steel"),
                     (CueKind.PAUSE, None), (CueKind.DIALOGUE, "Steel"),
                     (CueKind.PAUSE, None), (CueKind.DIALOGUE, "Steel")]
    assert [c.paragraph_end for c in pool if c.is_spoken] == [True, False, False, True]


def test_brick_and_steel_what_is_not_heard(brick: Script) -> None:
    text = all_text(brick)
    assert "the day was supposed to be gorgeous" not in text  # [[note]]
    for transition in ("CUT TO", "SMASH CUT", "TEST", "BURN TO PINK"):
        assert transition not in text
    assert "BRICK BRADDOCK & DICK STEEL IN" in text  # centered title card: narrated
    assert "the end" not in text  # ">the end<" closes the script: not read out


def test_boneyard_notes_and_line_numbers() -> None:
    script = fountain(
        "INT. HOUSE - NIGHT\n"
        "\n"
        "/* A cut scene\n"
        "\n"
        "BOB\n"
        "Never heard. */\n"
        "\n"
        "ALICE\n"
        "Hello [[a note]] there.\n"
        "\n"
        "[[\n"
        "a long note\n"
        "]]\n"
        "BOB (V.O.)\n"
        "(quietly)\n"
        "Hi.\n"
        "\n"
        "ALICE (CONT'D)\n"
        "Bye.\n"
        "\n"
        "> THE END <\n")
    assert script.speakers() == ["Alice", "Bob"]
    assert "Never heard" not in all_text(script)
    assert [(c.speaker, c.text, c.delivery, c.source_line) for c in script.lines()] == [
        ("Alice", "Hello there.", None, 9), ("Bob", "Hi.", "quietly", 16),
        ("Alice", "Bye.", None, 19)]  # "> THE END <" closes the script unread


@pytest.mark.parametrize("mark, read", [
    ("> THE END <", False), (">The End.<", False), ("> FIN <", False),
    ("> END OF EPISODE ONE <", False), ("> **THE END** <", False),
    ("> FIVE YEARS LATER <", True), ("> TO BE CONTINUED <", True), ("> THE ENDING <", True)])
def test_end_marks_are_not_read_but_title_cards_are(mark: str, read: bool) -> None:
    script = fountain(f"INT. HOUSE - DAY\n\nALICE\nBye.\n\n{mark}\n")
    texts = [c.text for c in script.lines()]
    assert texts == (["Bye.", mark[1:-1].strip()] if read else ["Bye."])


@pytest.mark.parametrize("heading, title", [
    ("INT. GULL ROCK LIGHTHOUSE, LAMP ROOM - NIGHT", "Gull Rock Lighthouse, Lamp Room — Night"),
    ("EXT. HARBOUR OF THE DEAD – DAWN", "Harbour of the Dead — Dawn"),
    ("INT./EXT. MARA'S CAR - CONTINUOUS", "Mara's Car"),
    ("I/E VAN - MOVING - NIGHT", "Van — Moving — Night"),
    ("int. kitchen - day #12#", "Kitchen — Day"),
    ("EST. O'HARA FARM", "O'Hara Farm"),
    (".FLASHBACK", "Flashback"),
    ("INT. McKenzie's Office - Day", "McKenzie's Office — Day"),
])
def test_scene_headings_become_readable_chapter_titles(heading: str, title: str) -> None:
    assert scene_title(heading) == title
    script = fountain(f"{heading}\n\nALICE\nHello.\n")
    assert script.sections[0].title == title


def test_forced_elements_and_transitions() -> None:
    script = fountain(
        ".FLASHBACK #1A#\n"
        "\n"
        "!INT. this is forced action, not a heading.\n"
        "\n"
        "@McCLANE\n"
        "Yippee.\n"
        "\n"
        "FADE OUT.\n"
        "\n"
        "> CUT TO BLACK.\n")
    assert [s.heading for s in script.sections] == ["FLASHBACK"]
    assert [(c.speaker, c.text) for c in script.lines()] == [
        (None, "INT. this is forced action, not a heading."), ("McCLANE", "Yippee.")]


def test_detected_by_extension_and_by_content() -> None:
    text = "INT. HOUSE - DAY\n\nALICE\nHello.\n\nBOB\nHi.\n"
    assert detect_format(text, "x.fountain") == "fountain"
    assert detect_format("just a line", "x.spmd") == "fountain"
    assert detect_format(text, "x.txt") == "fountain"
    assert parse_text(text, "x.txt").format == "fountain"


def test_speaker_with_path_characters_is_refused() -> None:
    with pytest.raises(ScriptError) as err:
        fountain("INT. HOUSE - DAY\n\nBRICK/STEEL\nTogether now.\n")
    assert str(err.value).startswith("drama.fountain:3: speaker name")


def test_lighthouse_keeper_fountain_matches_the_play() -> None:
    screenplay = parse_script(LIGHTHOUSE_FOUNTAIN)
    play = parse_script(LIGHTHOUSE_PLAY)
    assert screenplay.format == "fountain" and play.format == "play"
    assert screenplay.title == play.title == "The Lighthouse Keeper"
    assert screenplay.summary == play.summary
    assert screenplay.speakers() == play.speakers() == ["Mara", "Elias", "Finn"]
    assert screenplay.gender_hints == play.gender_hints
    assert screenplay.warnings == []

    def dialogue(script: Script) -> list[tuple[str | None, str, str | None]]:
        return [(c.speaker, c.text, c.delivery) for c in script.lines()
                if c.kind is CueKind.DIALOGUE]

    def sounds(script: Script) -> list[tuple[str, str, float | None]]:
        return [(c.kind.value, c.text, c.seconds) for s in script.sections for c in s.cues
                if not c.is_spoken]

    assert dialogue(screenplay) == dialogue(play)
    assert sounds(screenplay) == sounds(play)
    assert len(screenplay.sections) == len(play.sections) == 4
    assert "original audio drama" not in all_text(screenplay)  # boneyard
