"""Text preparation: what the engine reads for the author's words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.parsing import parse_script
from pipeline.textprep import cardinal, is_speakable, ordinal, speech_text

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text, expected", [
    ("A number adorns the top, 122, to some", "A number adorns the top, one hundred twenty-two, "
                                              "to some"),
    ("Tonight is the 147th night", "Tonight is the one hundred forty-seventh night"),
    ("the 148th night", "the one hundred forty-eighth night"),
    ("the 1st, 2nd and 23rd", "the first, second and twenty-third"),
    ("In 1999 it rained.", "In nineteen ninety-nine it rained."),
    ("Since 1982.", "Since nineteen eighty-two."),
    ("By 2005 it was gone.", "By two thousand five it was gone."),
    ("Pi is 3.14", "Pi is three point one four"),
    ("It costs $5.", "It costs five dollars."),
    ("It costs $1.", "It costs one dollar."),
    ("It costs $5.50.", "It costs five dollars and fifty cents."),
    ("A prize of £1,000,000.", "A prize of one million pounds."),
    ("Only 50% and 3.5% left.", "Only fifty percent and three point five percent left."),
    ("1,000 men", "one thousand men"),
    ("-5 degrees", "minus five degrees"),
    ("At 10:30 or 9:00", "At ten thirty or nine o'clock"),
    ("the 1990s and the 80s", "the nineteen nineties and the eighties"),
    ("pages 5-7, 1999–2001", "pages five to seven, nineteen ninety-nine to two thousand one"),
    ("Agent 007", "Agent zero zero seven"),
    ("MP3 and 3D", "MP three and three D"),
    ("Season 5 and Season 6.", "Season five and Season six."),
])
def test_numbers(text: str, expected: str) -> None:
    assert speech_text(text) == expected


def test_number_helpers() -> None:
    assert cardinal(122) == "one hundred twenty-two"
    assert ordinal(147) == "one hundred forty-seventh"
    assert cardinal(10**20) == "one " + " ".join(["zero"] * 20)  # too long: digit by digit


@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith and Mrs. Smith met Ms. Jones.", "Mister Smith and Missus Smith met Miz Jones."),
    ("Dr. Jones lives on Elm Dr. now", "Doctor Jones lives on Elm Drive now"),
    ("St. Paul is on Main St. today", "Saint Paul is on Main Street today"),
    ("Cats vs. dogs, etc.", "Cats versus dogs, et cetera"),
    ("No. I won't. Room No. 5", "No. I won't. Room number five"),
])
def test_abbreviations(text: str, expected: str) -> None:
    assert speech_text(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("\u201cHello,\u201d she said.", "Hello, she said."),
    ("It\u2019s mine", "It's mine"),
    ("Wait\u2014no.", "Wait, no."),
    ("Wait -- no.", "Wait, no."),
    ("one \u2013 two", "one, two"),
    ("Well... maybe", "Well, maybe"),
    ("Well\u2026 maybe", "Well, maybe"),
    ("It's right here, it's...", "It's right here, it's."),
    ("I know,", "I know."),
    ("Tom &amp; Jerry &lt;3", "Tom and Jerry three"),
    ("*Did you know* _Permanently_. **bold** __under__", "Did you know Permanently. bold under"),
    ("He went (slowly) home", "He went, slowly, home"),
    ("(I wasn't sure how long", "I wasn't sure how long"),
    ("A [bracket] {x} <y>", "A bracket x y"),
    ("Note [[not read]] here", "Note here"),
    ("the SCREEN DOOR and the FBI", "the Screen Door and the FBI"),
    ("HENRY VIII", "Henry VIII"),
    ("  lots   of\tspace  ", "lots of space"),
])
def test_punctuation_and_markup(text: str, expected: str) -> None:
    assert speech_text(text) == expected


def test_is_speakable() -> None:
    assert is_speakable("Hi")
    assert is_speakable("42")
    for text in ("", "   ", "...", "\u2014", "()", "*_*", "[[note]]", '""', "&amp;"[:0]):
        assert not is_speakable(text), text


def test_cue_text_keeps_the_authors_words() -> None:
    script = parse_script(REPO / "scripts" / "the-lighthouse-keeper.txt")
    line = next(c for c in script.lines() if "1982" in c.text)
    assert line.text.startswith("Since 1982.")
    assert speech_text(line.text).startswith("Since nineteen eighty-two.")
    assert "1982" in line.text  # speech_text did not touch the cue


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_speech_text_never_fails_and_leaves_no_digits_or_markup(text: str) -> None:
    spoken = speech_text(text)
    assert isinstance(spoken, str)
    assert not re.search(r"[0-9*_\u201c\u201d\"]", spoken)
    assert spoken == spoken.strip()


@pytest.mark.parametrize("text, expected", [
    ("CHAPTER IV", "Chapter four"),
    ("CHAPTER I. Mrs. Rachel Lynde is Surprised", "Chapter one. Missus Rachel Lynde is Surprised"),
    ("VOL. II.", "Volume two."),
    ("Act III, Scene ii", "Act three, Scene two"),
    ("THE ONE THING NEEDFUL", "The One Thing Needful"),
    ("Part I played the fool.", "Part I played the fool."),  # a sentence, not a heading
    ("the book I read", "the book I read"),
    ("Book I'm reading", "Book I'm reading"),
    ("Part Mix", "Part Mix"),  # not a well-formed numeral in one case
    ("I", "I"),
])
def test_headings(text: str, expected: str) -> None:
    assert speech_text(text) == expected
