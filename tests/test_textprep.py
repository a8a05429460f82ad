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


@pytest.mark.parametrize("text, expected", [
    ("They won 3:2 tonight.", "They won three to two tonight."),
    ("a 16:9 screen, mixed 1:1", "a sixteen to nine screen, mixed one to one"),
    ("The score was 10:12 at the break.", "The score was ten to twelve at the break."),
    ("a ratio of 1:10, a 1:50 scale model", "a ratio of one to ten, a one to fifty scale model"),
    ("Meet me at 10:30.", "Meet me at ten thirty."),
    ("At 10:30 a.m. sharp", "At ten thirty A M sharp"),
    ("at 7:05 pm, 23:59, 12:00", "at seven oh five pm, twenty-three fifty-nine, twelve o'clock"),
    ("They won at 10:30.", "They won at ten thirty."),  # "at": a time, whatever came before
    ("She won the 10:30 race.", "She won the ten thirty race."),
    ("She left 10:30 sharp; won 2:1.", "She left ten thirty sharp; won two to one."),
    ("John 3:16 says so.", "John three sixteen says so."),
    ("Genesis 1:1 and Psalm 119:105", "Genesis one one and Psalm one hundred nineteen one "
                                      "hundred five"),
    ("Read 1 Corinthians 13:4-7.", "Read one Corinthians thirteen four to seven."),
])
def test_times_ratios_and_verses(text: str, expected: str) -> None:
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
    ("Tom &amp; Jerry &lt;3", "Tom and Jerry"),
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


@pytest.mark.parametrize("text, expected", [
    ("Press [/b] now. :fire:", "Press now."),  # a stray closing tag and a shortcode
    ("Press [/b] now. :fire: [b]x[/b]", "Press now. x"),
    ("[B]Stop[/B] it, [i]now[/i].", "Stop it, now."),
    ("[color=red]Red[/color] [size=4]sky[/size]", "Red sky"),
    ("[url=https://x.org/a]the map[/url], there", "the map, there"),
    ("[quote=Bob]Go home.[/quote] No.", "Go home. No."),
    ("[img]https://x.org/a.png[/img]Look.", "Look."),
    ("<i>It</i> was <b>here</b>.", "It was here."),
    ("Dear Sir,<br/>Come.<p>Now.</p>", "Dear Sir, Come. Now."),
    ('<span class="x" style=\'a\'>hi</span> <!-- gone --> there', "hi there"),
    ("&lt;em&gt;Quiet&lt;/em&gt;, please", "Quiet, please"),
    ("Look ![a cat](cat.png) at [the docs](https://x.org/y).", "Look at the docs."),
    ("I love it :heart: and :thumbs_up:!", "I love it and!"),
    (":fire::fire: Hot :+1:", "Hot"),
    ("At 10:30:fire: sharp", "At ten thirty sharp"),  # a time glued to a shortcode
    ("Fire \U0001F525 now \U0001F44D\U0001F3FD!", "Fire now!"),
    ("Fine :) see you ;-) <3", "Fine see you"),
    ("Mail me@x.org or see https://www.example.com/a?b=1, then",
     "Mail me at x dot org or see example dot com, then"),
    ("my snake_case name", "my snake case name"),
    # Words in brackets that are not markup stay words.
    ("[sighs] Fine. [I mean it] <y> (see page 8)", "sighs Fine. I mean it y, see page eight."),
    ("Note: the plan, at 10:30.", "Note: the plan, at ten thirty."),
])
def test_markup_is_never_read(text: str, expected: str) -> None:
    assert speech_text(text) == expected


def test_is_speakable() -> None:
    assert is_speakable("Hi")
    assert is_speakable("42")
    assert is_speakable("Hi :fire:")
    for text in ("", "   ", "...", "\u2014", "()", "*_*", "[[note]]", '""', "&amp;"[:0],
                 ":fire:", "[b][/b]", "<br/>", "\U0001F525", ":-)"):
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


_WORDS = st.sampled_from(["press", "now", "the", "door", "fire", "bold", "quiet", "go"])
_MARKUP = st.sampled_from(["[b]", "[/b]", "[i]", "[/i]", "[/x]", "[color=red]", "[/color]",
                           "<b>", "</b>", "<em>", "</span>", "<br/>", ":fire:", ":thumbs_up:",
                           "\U0001F525", ":)", "[url=https://x.org]", "[/url]", "**", "_"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORDS, st.lists(_MARKUP, max_size=2)), min_size=1, max_size=8))
def test_only_the_words_of_marked_up_text_are_read(pieces: list[tuple[str, list[str]]]) -> None:
    """Words with tags, shortcodes and emoji between them read as the words alone."""
    text = " ".join(word + " " + " ".join(marks) for word, marks in pieces)
    spoken = re.findall(r"[a-z]+", speech_text(text).lower())
    assert spoken == [word for word, _ in pieces]
