"""Play scripts: NAME: lines, deliveries, sound cues, headings, stage directions."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ScriptError
from pipeline.model import CueKind, Script
from pipeline.parsing import detect_format, parse_script, parse_text
from pipeline.textprep import speech_text

REPO = Path(__file__).resolve().parents[1]
LIGHTHOUSE = REPO / "scripts" / "the-lighthouse-keeper.txt"


def play(text: str) -> Script:
    return parse_text(text, "play.txt", format="play")


def spoken(script: Script) -> list[tuple[str | None, str, str | None]]:
    return [(c.speaker, c.text, c.delivery) for c in script.lines()]


def test_lighthouse_keeper_play() -> None:
    script = parse_script(LIGHTHOUSE)
    assert script.format == "play"
    assert detect_format(LIGHTHOUSE.read_text(), LIGHTHOUSE) == "play"
    assert script.title == "The Lighthouse Keeper"
    assert script.speakers() == ["Mara", "Elias", "Finn"]
    assert script.gender_hints == {"Mara": "female", "Elias": "male", "Finn": "male"}
    assert script.summary.startswith("On the last night before the Gull Rock light")
    assert script.summary.endswith("through a storm.")  # indented continuation joined
    assert [(s.id, s.heading) for s in script.sections] == [
        ("s00", "Summary"), ("s01", "The lamp room"), ("s02", "The storm"), ("s03", "Morning")]
    assert script.warnings == []


def test_lighthouse_keeper_sound_cues() -> None:
    script = parse_script(LIGHTHOUSE)
    cues = [(c.kind, c.text, c.seconds) for s in script.sections for c in s.cues
            if not c.is_spoken]
    assert [t for k, t, _ in cues if k is CueKind.AMBIENCE] == ["wind", "rain", "sea", "off"]
    assert [t for k, t, _ in cues if k is CueKind.SFX] == ["door", "radio click", "thunder", "door"]
    assert [t for k, t, _ in cues if k is CueKind.MUSIC] == ["theme", "outro"]
    assert [s for k, _, s in cues if k is CueKind.PAUSE] == [1.5]
    # The opening music before the first heading joins the first scene, not a silent section.
    assert script.sections[1].cues[0].kind is CueKind.MUSIC


def test_lighthouse_keeper_lines() -> None:
    script = parse_script(LIGHTHOUSE)
    first = script.line("s01-l001")
    assert first.kind is CueKind.NARRATION and first.speaker is None  # NARRATOR: is narration
    assert first.text.endswith("Tomorrow, a machine will climb them for him.")  # continuation
    assert script.line("s01-l003").delivery == "without turning"
    assert all("original audio drama" not in c.text for c in script.lines())  # [[note]]
    n_words = sum(len(speech_text(c.text).split()) for c in script.lines())
    assert 450 <= n_words <= 700


def test_speeches_deliveries_and_names() -> None:
    script = play(
        "BUFFY: (whispering) Are you there?\n"
        "Spike: Always.\n"
        "  Every night.\n"
        "BUFFY (angrily): Liar.\n"
        "\n"
        "buffy: a lowercase name is no speaker\n"
        "\n"
        "SPIKE:\n"
        "(softly)\n"
        "Not tonight.\n")
    assert script.speakers() == ["Buffy", "Spike"]
    assert spoken(script) == [
        ("Buffy", "Are you there?", "whispering"),
        ("Spike", "Always. Every night.", None),
        ("Buffy", "Liar.", "angrily"),
        (None, "buffy: a lowercase name is no speaker", None),
        ("Spike", "Not tonight.", "softly")]
    assert [c.source_line for c in script.lines()] == [1, 2, 4, 6, 10]


def test_parentheticals_inside_a_speech() -> None:
    script = play("MARA: Wait. (beat) No, go on. (She turns away.)\n"
                  "ELIAS: I said (and I meant it) no.\n")
    cues = [(c.kind, c.speaker, c.text, c.delivery, c.seconds) for c in script.sections[0].cues]
    assert cues == [
        (CueKind.DIALOGUE, "Mara", "Wait.", None, None),
        (CueKind.PAUSE, None, "beat", None, 0.6),
        (CueKind.DIALOGUE, "Mara", "No, go on.", None, None),
        (CueKind.NARRATION, None, "(She turns away.)", None, None),
        (CueKind.DIALOGUE, "Elias", "I said (and I meant it) no.", None, None)]


def test_sound_cues_headings_and_stage_directions() -> None:
    script = play(
        "Title: Night Watch\n"
        "Summary: A short night.\n"
        "\n"
        "# Scene One\n"
        "[AMBIENCE: rain]\n"
        "The rain leans on the glass.\n"
        "[[a note nobody hears]]\n"
        "MARA: Is it lit?\n"
        "[SFX: door, 2s]\n"
        "[PAUSE]\n"
        "[pause 2.5 seconds]\n"
        "INT. LAMP ROOM - NIGHT\n"
        "[MUSIC: sting]\n"
        "TOM: It's lit.\n"
        "[AMBIENCE: off]\n")
    assert script.title == "Night Watch"
    assert script.summary == "A short night."
    assert [(s.id, s.heading, s.is_summary) for s in script.sections] == [
        ("s00", "Summary", True), ("s01", "Scene One", False),
        ("s02", "INT. LAMP ROOM - NIGHT", False)]
    cues = [(c.kind, c.text, c.seconds) for c in script.sections[1].cues]
    assert cues == [
        (CueKind.AMBIENCE, "rain", None),
        (CueKind.NARRATION, "The rain leans on the glass.", None),
        (CueKind.DIALOGUE, "Is it lit?", None),
        (CueKind.SFX, "door", 2.0),
        (CueKind.PAUSE, "pause", None),  # [mix] default_pause decides
        (CueKind.PAUSE, "pause", 2.5)]
    assert [c.kind for c in script.sections[2].cues] == [
        CueKind.MUSIC, CueKind.DIALOGUE, CueKind.AMBIENCE]
    assert [c.line_id for c in script.lines()] == ["s00-l001", "s01-l001", "s01-l002",
                                                   "s02-l001"]
    assert script.line("s01-l002").source_line == 8


def test_same_character_in_capitals_and_title_case_is_one_speaker() -> None:
    script = play("MR. STEEL: Hello.\nMr. Steel: Again.\nO'BRIEN: Hi.\nMCKENZIE: Yes.\n"
                  "McKenzie: Mixed case stays.\n")
    assert script.speakers() == ["Mr. Steel", "O'Brien", "Mckenzie", "McKenzie"]


def test_stage_direction_paragraphs() -> None:
    script = play("MARA: Hello.\n\nThe lamp flickers.\nIt dies.\n\nELIAS: Matches.\n")
    lines = script.lines()
    assert [(c.kind, c.text) for c in lines] == [
        (CueKind.DIALOGUE, "Hello."), (CueKind.NARRATION, "The lamp flickers. It dies."),
        (CueKind.DIALOGUE, "Matches.")]
    assert all(c.paragraph_end for c in lines)


@pytest.mark.parametrize("name", ["AC/DC", "BACK\\SLASH", "DOT..DOT"])
def test_speaker_with_path_characters_is_refused(name: str) -> None:
    with pytest.raises(ScriptError) as err:
        play(f"MARA: Hello.\n{name}: Hi there.\n")
    assert str(err.value).startswith("play.txt:2: speaker name")
    assert err.value.line == 2
