"""Prose: the seed story, point-of-view sections, asides, quotes and who says them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.model import CueKind, Script
from pipeline.parsing import detect_format, parse_script, parse_text
from pipeline.parsing.common import MAX_CHUNK

LINE_ID = re.compile(r"^s\d\d-l\d\d\d$")


PUNCTUATION = "\"'()[].,;:!?\u201c\u201d\u2018\u2019"


def words(text: str) -> list[str]:
    return [w for w in (t.strip(PUNCTUATION) for t in text.split()) if w]


def dialogue(script: Script) -> list[tuple[str | None, str]]:
    return [(c.speaker, c.text) for c in script.lines() if c.kind is CueKind.DIALOGUE]


def prose(text: str) -> Script:
    return parse_text(text, "story.txt", format="prose")


# --- the seed ----------------------------------------------------------------------------------

def test_seed_sections_and_points_of_view(seed_path: Path) -> None:
    script = parse_script(seed_path)
    assert script.format == "prose"
    assert detect_format(seed_path.read_text(), seed_path) == "prose"
    assert [(s.id, s.heading, s.pov, s.is_summary, s.kind, s.title) for s in script.sections] == [
        ("s00", "Summary", None, True, "section", ""),
        ("s01", "Spike: When she was gone", "Spike", False, "pov", "When she was gone"),
        ("s02", "Buffy: When he was gone", "Buffy", False, "pov", "When he was gone"),
    ]
    assert script.speakers() == ["Spike", "Buffy"]
    assert script.summary.startswith("Spike and Buffy both reflect on each other's absences")
    assert script.title == "Spike and Buffy"  # the file name is a hash: named after the povs
    assert script.warnings == []


def test_seed_line_ids(seed_path: Path) -> None:
    script = parse_script(seed_path)
    for section in script.sections:
        ids = [c.line_id for c in section.lines]
        assert ids == [f"{section.id}-l{n:03d}" for n in range(1, len(ids) + 1)]
        assert all(LINE_ID.match(i) for i in ids)
        assert all(c.line_id is None for c in section.cues if not c.is_spoken)
    assert script.line("s01-l001") is not None
    assert script.line("s01-l002").text.startswith("He wrote, his hand scrawling")


def test_seed_unclosed_parenthesis_is_an_aside_that_ends_with_its_paragraph(
        seed_path: Path) -> None:
    script = parse_script(seed_path)
    summary = script.sections[0]
    aside = summary.lines[-1]
    assert aside.text == ("(I wasn't sure how long Spike had been a vampire so I made a rough "
                          "guess.")
    assert aside.delivery == "aside"
    assert aside.kind is CueKind.NARRATION
    assert aside.paragraph_end
    # The rest of the story is untouched by the open parenthesis.
    assert all(c.delivery in (None, "heading") for s in script.sections[1:] for c in s.cues)
    assert script.sections[1].lines[0].source_line == 3


def test_seed_summary_is_the_narrators_intro(seed_path: Path) -> None:
    """"Summary:" is no character: its section is the narrator's intro (the label read once, as
    a heading), no speaker is called Summary and the episode's summary is its text."""
    script = parse_script(seed_path)
    intro = script.sections[0]
    assert intro.is_summary and intro.pov is None and intro.id == "s00"
    assert [c.text for c in intro.lines][0] == "Summary:"
    assert intro.lines[0].delivery == "heading"
    assert all(c.kind is CueKind.NARRATION and c.speaker is None for c in intro.lines)
    assert all("Summary" not in c.text for c in intro.lines[1:])
    assert "Summary" not in script.speakers()
    assert all(ch.name != "Summary" for ch in script.characters)
    assert script.summary.startswith("Spike and Buffy both reflect")


def test_summary_header_variants() -> None:
    """Summaries as writers paste them: a bold label, the label alone above its paragraph, a
    bare title line above the header lines. Each is the intro, never story text or a speaker."""
    story = '\n\nMara: The Last Ferry\n\n"Is it late?" Mara asked.\n\n"Very," said Tom.\n'
    for header in ("**Summary:** Two friends wait.", "<b>Summary</b>: Two friends wait.",
                   "[b]Summary:[/b] Two friends wait.", "Summary:\n\nTwo friends wait.",
                   "The Last Ferry\n\nSummary: Two friends wait."):
        script = prose(header + story)
        assert script.summary == "Two friends wait.", header
        intro = script.sections[0]
        assert intro.is_summary, header
        texts = [c.text for c in intro.lines]
        assert texts[-2:] == ["Summary:", "Two friends wait."], (header, texts)
        assert [s.pov for s in script.sections[1:]] == ["Mara"], header
        assert dialogue(script) == [("Mara", "Is it late?"), ("Tom", "Very,")], header
    titled = prose("The Last Ferry\n\nSummary: Two friends wait." + story)
    assert titled.title == "The Last Ferry"
    assert [c.text for c in titled.sections[0].lines][0] == "The Last Ferry"  # read first
    # A title line with only other header lines: still the title, read before the story.
    titled = prose("The Last Ferry\n\nAuthor: Me" + story)
    assert titled.title == "The Last Ferry" and titled.summary == ""
    assert titled.lines()[0].text == "The Last Ferry"
    # A first line that is a sentence is story, not a title.
    story_first = prose("It was late.\n\nSummary: x" + story)
    assert story_first.title == "Story" and story_first.lines()[0].text == "It was late."


def test_seed_no_text_lost(seed_path: Path) -> None:
    """Every word of the seed is in exactly one cue: headings ("Summary:", "Spike:") are read."""
    script = parse_script(seed_path)
    source = Counter(words(seed_path.read_text(encoding="utf-8")))
    spoken = Counter(w for c in script.lines() for w in words(c.text))
    assert spoken == source


def test_seed_subtitles_run_into_the_first_sentence(seed_path: Path) -> None:
    """"Spike: When she was gone He wrote" -- the name and subtitle are the section's heading,
    read as a cue of its own (a pause after it), its words kept."""
    script = parse_script(seed_path)
    for section, subtitle, rest in ((1, "Spike: When she was gone", "He wrote,"),
                                    (2, "Buffy: When he was gone", "She patrolled,")):
        first, second = script.sections[section].lines[:2]
        assert first.text == subtitle and first.paragraph_end and first.delivery == "heading"
        assert second.text.startswith(rest)
        assert first.source_line == second.source_line


def test_seed_gender_hints(seed_path: Path) -> None:
    hints = parse_script(seed_path).gender_hints
    assert hints["Spike"] == "male"
    assert hints["Buffy"] == "female"


def test_seed_chunks_and_paragraph_ends(seed_path: Path) -> None:
    script = parse_script(seed_path)
    lines = script.lines()
    assert all(len(c.text) <= MAX_CHUNK for c in lines)
    assert all(c.kind is CueKind.NARRATION for c in lines)
    # "Summary:" and 2 summary cues (text + aside) in one paragraph, then per section a heading
    # and one cue per paragraph, except the long "Tonight is different." paragraph, split at a
    # sentence end.
    ends = [c.paragraph_end for c in lines]
    assert ends.count(True) == 2 + 5 + 5
    tonight = [c for c in lines if c.source_line == 15]
    assert len(tonight) == 2 and not tonight[0].paragraph_end and tonight[1].paragraph_end
    assert tonight[0].text.endswith(".") and tonight[1].text[0].isupper()


# --- attribution -------------------------------------------------------------------------------

def test_speech_verb_after_the_quote_both_orders() -> None:
    script = prose('"You came back," Buffy said.\n\n"I always do," said Spike.\n')
    assert dialogue(script) == [("Buffy", "You came back,"), ("Spike", "I always do,")]
    narration = [c.text for c in script.lines() if c.kind is CueKind.NARRATION]
    assert narration == ["Buffy said.", "said Spike."]
    assert script.warnings == []


def test_speech_verb_before_the_quote_and_name_label() -> None:
    script = prose('Buffy said quietly, "Stay."\n\nSpike: "For a while."\n\n'
                   'Then Dawn asked, "Can I stay too?"\n')
    assert dialogue(script) == [("Buffy", "Stay."), ("Spike", "For a while."),
                                ("Dawn", "Can I stay too?")]
    # The "Spike:" label is consumed, not narrated, and starts no point-of-view section.
    assert not any("Spike:" in c.text for c in script.lines())
    assert all(s.pov is None for s in script.sections)


def test_curly_quotes_and_split_quote() -> None:
    script = prose("\u201cI know,\u201d Buffy said, \u201cbut not tonight.\u201d\n")
    assert dialogue(script) == [("Buffy", "I know,"), ("Buffy", "but not tonight.")]


BRITISH = """The boat came in late. Mara waited on the quay.

\u2018You\u2019re late,\u2019 said Mara.

\u2018The tide was wrong,\u2019 Elias said. \u2018It always is, in March.\u2019

She didn\u2019t answer. The lamp turned, and the gulls went quiet.

'Is that James' boat?' asked Finn. 'It's listing.'

'Rock 'n' roll,' muttered Elias, and nobody laughed.

Mara: 'Enough.'
"""


def test_single_quote_dialogue_british_style() -> None:
    script = prose(BRITISH)
    assert dialogue(script) == [
        ("Mara", "You\u2019re late,"), ("Elias", "The tide was wrong,"),
        ("Elias", "It always is, in March."), ("Finn", "Is that James' boat?"),
        ("Finn", "It's listing."), ("Elias", "Rock 'n' roll,"), ("Mara", "Enough.")]
    narration = " ".join(c.text for c in script.lines() if c.kind is CueKind.NARRATION)
    assert "She didn\u2019t answer." in narration  # apostrophes stay where they are
    spoken = words(" ".join(c.text for c in script.lines()))
    assert spoken == words(BRITISH.replace("Mara: ", ""))  # no text lost; the label is consumed


def test_single_quotes_in_a_double_quote_story_stay_narration() -> None:
    script = prose('"Keep the \'old\' lamp lit," said Mara.\n\n'
                   "The keeper's 'rounds' began at nine. 'Tis the season.\n\n"
                   '"I will," Elias said.\n')
    assert dialogue(script) == [("Mara", "Keep the 'old' lamp lit,"), ("Elias", "I will,")]


def test_described_speakers_become_characters() -> None:
    script = prose('The door opened.\n\n"Come in," said the old man. "You are late."\n\n'
                   '"I know," Mara said.\n\n"Sit down," the old man told her.\n\n'
                   '"Tea?" he asked.\n\n"Tickets, please," said a guard in a grey coat.\n\n'
                   '"Who is there?" called a voice.\n\n"Hush," said the man\'s wife.\n')
    assert dialogue(script) == [
        ("Old Man", "Come in,"), ("Old Man", "You are late."), ("Mara", "I know,"),
        ("Old Man", "Sit down,"), ("Old Man", "Tea?"), ("Guard", "Tickets, please,"),
        ("Voice", "Who is there?"), ("Man's Wife", "Hush,")]
    assert script.gender_hints["Old Man"] == "male" and "Guard" not in script.gender_hints
    # "a voice" speaks too: a described speaker of its own rather than the narrator
    assert script.warnings == []
    described = {c.name for c in script.characters if c.described}
    assert described == {"Old Man", "Guard", "Voice", "Man's Wife"}


def test_pronoun_fallback_uses_the_last_named_character_of_that_gender() -> None:
    script = prose("Spike sat on the porch. He lit a cigarette. Buffy came out. She sat down.\n\n"
                   '"Nice night," he said.\n\n"It is," she said.\n')
    assert dialogue(script) == [("Spike", "Nice night,"), ("Buffy", "It is,")]
    assert script.gender_hints == {"Spike": "male", "Buffy": "female"}


def test_turn_taking_fallback_alternates_the_last_two_speakers() -> None:
    script = prose('"Tea?" Mara asked.\n\n"Please," said Elias.\n\n"Milk?"\n\n"A drop."\n\n'
                   '"Sugar?"\n')
    assert [s for s, _ in dialogue(script)] == ["Mara", "Elias", "Mara", "Elias", "Mara"]
    assert script.warnings == []


def test_one_speaker_per_paragraph_and_action_beats() -> None:
    script = prose('"Wait," Buffy said. "Don\'t go."\n\nSpike frowned. "Why not?"\n')
    assert dialogue(script) == [("Buffy", "Wait,"), ("Buffy", "Don't go."),
                                ("Spike", "Why not?")]


def test_unattributed_quote_goes_to_the_narrator_with_a_warning() -> None:
    script = prose("The house was quiet.\n\n\"Is anyone there?\"\n")
    assert dialogue(script) == []
    line = script.lines()[-1]
    assert line.kind is CueKind.NARRATION and line.text == "Is anyone there?"
    assert script.warnings == ['story.txt:3: cannot tell who says "Is anyone there?"; '
                               "the narrator reads it"]


def test_unnamed_speaker_is_read_by_the_narrator() -> None:
    script = prose('"Tea?" Mara asked.\n\n"Please," said Elias.\n\n'
                   '"Somebody is at the door," someone called from below.\n')
    assert [s for s, _ in dialogue(script)] == ["Mara", "Elias"]
    assert any("story.txt:5:" in w and "Somebody is at the door" in w for w in script.warnings)


def test_quote_left_open_continues_in_the_next_paragraph() -> None:
    script = prose('Mara said, "It was a long night. The lamp went out.\n\n'
                   '"And then the wick caught."\n')
    assert dialogue(script) == [("Mara", "It was a long night. The lamp went out."),
                                ("Mara", "And then the wick caught.")]


def test_scare_quotes_stay_in_the_narration() -> None:
    script = prose('The "Big Bad" never fails, he thought.\n')
    assert dialogue(script) == []
    assert script.lines()[0].text == 'The "Big Bad" never fails, he thought.'
    assert script.warnings == []


def test_first_person_speech_in_a_point_of_view_section() -> None:
    script = prose('Mara: I climbed the stairs.\n\n"Who is there?" I asked.\n')
    assert script.sections[0].pov == "Mara"
    assert dialogue(script) == [("Mara", "Who is there?")]


# --- structure ---------------------------------------------------------------------------------

def test_unclosed_parenthesis_in_the_middle_stops_at_its_paragraph() -> None:
    script = prose("She waited. (Nobody came, of course.\n\nThe sun rose.\n")
    lines = script.lines()
    assert [(c.text, c.delivery) for c in lines] == [
        ("She waited.", None), ("(Nobody came, of course.", "aside"), ("The sun rose.", None)]


def test_mid_sentence_parenthesis_is_not_split_out() -> None:
    script = prose("He went (slowly) home.\n")
    assert [c.text for c in script.lines()] == ["He went (slowly) home."]


def test_sound_cues_breaks_and_headings_in_prose() -> None:
    text = ("Title: Harbour\n\n# Part One\n\n[AMBIENCE: night]\nThe harbour slept.\n"
            "[SFX: door]\n\n***\n\n[PAUSE 1.5s]\n\nChapter 2\n\nMorning came.\n")
    script = prose(text)
    assert script.title == "Harbour"
    assert [(s.heading, s.kind, s.number) for s in script.sections] == [
        ("Part One", "part", 1), ("Chapter 2", "chapter", 2)]
    kinds = [(c.kind, c.text, c.seconds) for c in script.sections[0].cues]
    assert kinds == [
        (CueKind.NARRATION, "Part One", None),  # headings are read aloud
        (CueKind.AMBIENCE, "night", None), (CueKind.NARRATION, "The harbour slept.", None),
        (CueKind.SFX, "door", None), (CueKind.PAUSE, "scene break", 1.5),
        (CueKind.PAUSE, "pause", 1.5)]
    assert "Title" not in " ".join(c.text for c in script.lines())


def test_long_paragraph_is_split_at_sentence_ends() -> None:
    sentence = "The keeper climbed the stairs again and looked out at the black water. "
    script = prose(sentence * 20)
    lines = script.lines()
    assert len(lines) > 1
    assert all(len(c.text) <= MAX_CHUNK and c.text.endswith(".") for c in lines)
    assert [c.paragraph_end for c in lines] == [False] * (len(lines) - 1) + [True]
    assert " ".join(c.text for c in lines) == (sentence * 20).strip()


def test_hard_wrapped_paragraphs_and_line_numbers() -> None:
    text = "The wind rose\nover the rocks.\n\nThe lamp\nburned on.\n"
    lines = prose(text).lines()
    assert [(c.text, c.source_line) for c in lines] == [
        ("The wind rose over the rocks.", 1), ("The lamp burned on.", 4)]


def test_disclaimer_header_is_metadata() -> None:
    script = prose("Disclaimer: I own nothing.\nRating: PG\n\nThe story begins.\n")
    assert script.metadata == {"disclaimer": "I own nothing.", "rating": "PG"}
    assert [c.text for c in script.lines()] == ["The story begins."]
