"""Headings in prose: chapters and parts of a book, and point-of-view ``Name:`` openers.

    CHAPTER IV                        chapter 4, heading "Chapter IV"
    Chapter 3: The Ferry              chapter 3, heading "Chapter 3: The Ferry"
    CHAPTER I                         chapter 1 titled by the line under it:
    THE ONE THING NEEDFUL               "Chapter I: The One Thing Needful"
    Chapter the Third / Part Two      ordinal and number words
    BOOK I / Volume II / VOL. II.     parts (a group of chapters)
    IV. / IV / 12                     a numeral alone on its line: a chapter
    Prologue / Epilogue / Preface     chapters without a number

    Mara: The Last Ferry              point of view of Mara, titled "The Last Ferry"
    Spike: When she was gone He ...   point of view of Spike (the text runs on)

A heading is a whole line: ``Chapter 3 was the worst`` and ``Part of me wanted to stay`` are
sentences, not headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.model import SectionKind
from pipeline.parsing.common import HEADER_KEYS
from pipeline.parsing.play import looks_like_name
from pipeline.textprep import roman_value

MAX_HEADING = 80  # characters: longer lines are text
MAX_TITLE_WORDS = 12

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_UNIT_ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                  "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
                  "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
_TEN_ORDINALS = ["", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth",
                 "seventieth", "eightieth", "ninetieth"]


def _number_words() -> dict[str, int]:
    """"three" -> 3, "twenty-one" -> 21, "the third" -> 3, "twenty first" -> 21 (1..99)."""
    words: dict[str, int] = {}
    for n in range(1, 100):
        tens, unit = divmod(n, 10)
        if n < 20:
            cardinal, ordinal = _UNITS[n], _UNIT_ORDINALS[n]
            forms = [(cardinal, ordinal)]
        elif unit == 0:
            forms = [(_TENS[tens], _TEN_ORDINALS[tens])]
        else:
            forms = [(f"{_TENS[tens]}{sep}{_UNITS[unit]}",
                      f"{_TENS[tens]}{sep}{_UNIT_ORDINALS[unit]}") for sep in ("-", " ")]
        for cardinal, ordinal in forms:
            words[cardinal] = n
            words[ordinal] = n
            words[f"the {ordinal}"] = n
    return words


NUMBER_WORDS = _number_words()
_NUMBER_WORD = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))

_PART_LABELS = {"part": "Part", "book": "Book", "volume": "Volume", "vol": "Volume"}
_CHAPTER_LABELS = {"chapter": "Chapter", "chap": "Chapter", "ch": "Chapter"}
_NAMED_CHAPTERS = ("prologue", "epilogue", "preface", "foreword", "afterword", "interlude")
_NUMERAL = rf"(?P<number>\d{{1,3}}|[IVXLCDMivxlcdm]+|{_NUMBER_WORD})"
_TAIL = r"(?:\s*(?:[.:\-\u2013\u2014]+\s*|\s+)(?P<title>\S.*?))?"  # ": The Ferry"
_LABELLED = re.compile(
    rf"^(?P<label>chapter|chap\.|ch\.|part|book|volume|vol\.)\s+{_NUMERAL}"
    r"(?:(?P<sep>\s*[.:\-\u2013\u2014]+\s*|\s+)(?P<title>\S.*?)?)?\s*$", re.IGNORECASE)
_NAMED = re.compile(rf"^(?:the\s+)?(?P<label>{'|'.join(_NAMED_CHAPTERS)})\.?{_TAIL}\s*$",
                    re.IGNORECASE)
_BARE = re.compile(r"^(?P<number>\d{1,3}|[IVXLCDM]+)\.?(?:\s+(?P<title>\S.*?))?\s*$")
_EMPHASIS = re.compile(r"^[_*]+(?P<text>.*?)[_*]+$")
_MINOR_WORDS = frozenset({"a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to",
                          "for", "by", "with", "from", "into", "as", "is", "nor", "de", "la",
                          "le", "du", "von", "van"})
_SENTENCE_END = re.compile(r"[!?,;]$|[^.]\.$")


@dataclass(frozen=True)
class Heading:
    """A chapter or part heading: what kind, its number and title, and its display text."""

    kind: SectionKind
    heading: str  # "Chapter 3: The Ferry"
    number: int | None = None
    title: str = ""


def number_value(text: str) -> int | None:
    """A chapter number written as digits, a Roman numeral (in one case: "IV", "iv", not
    "Mix") or words."""
    if text.isdigit():
        return int(text)
    lowered = " ".join(text.lower().split())
    if lowered in NUMBER_WORDS:
        return NUMBER_WORDS[lowered]
    return roman_value(text) if text.isupper() or text.islower() else None


def clean_title(text: str) -> str:
    """"_SOWING_" -> "Sowing", "THE TWO POETS OF SAFFRON PARK" -> "The Two Poets of Saffron
    Park", "The Ferry." -> "The Ferry"."""
    text = " ".join(text.split()).strip()
    if match := _EMPHASIS.match(text):
        text = match.group("text").strip()
    text = text.rstrip(".:").strip()
    if any(c.isalpha() for c in text) and not any(c.islower() for c in text):
        words = text.lower().split(" ")
        text = " ".join(w if i and w in _MINOR_WORDS else _capitalised(w)
                        for i, w in enumerate(words))
    return text


def _capitalised(word: str) -> str:
    """"'all" -> "'All": the first letter, after any opening quote."""
    for i, ch in enumerate(word):
        if ch.isalpha():
            return word[:i] + ch.upper() + word[i + 1:]
    return word


def title_like(text: str) -> bool:
    """A short title: "The Last Ferry", "THE HAMILTONS", "_Sowing_"; not a sentence ("Hello
    there.", "I climbed the stairs.")."""
    text = text.strip()
    if match := _EMPHASIS.match(text):
        text = match.group("text").strip()
    words = text.split()
    if not words or len(words) > MAX_TITLE_WORDS or len(text) > MAX_HEADING:
        return False
    if _SENTENCE_END.search(text) or any(q in text for q in "\"\u201c\u201d"):
        return False
    first = words[0].lstrip("'\u2018(")
    if not (first[:1].isupper() or first[:1].isdigit()):
        return False
    significant = [w for w in words[1:] if w.lower() not in _MINOR_WORDS]
    capitalised = [w for w in significant if w[:1].isupper() or w[:1].isdigit()]
    return len(capitalised) * 2 >= len(significant)


def chapter_heading(line: str, bare: bool = True) -> Heading | None:
    """The heading this line is, if it is a whole-line chapter or part heading; ``bare``
    False: only labelled ones ("Chapter 4", "Prologue"), not a numeral alone ("IV.")."""
    text = " ".join(line.split())
    if not text or len(text) > MAX_HEADING:
        return None
    if match := _LABELLED.match(text):
        return _labelled(match)
    if match := _NAMED.match(text):
        title = match.group("title") or ""
        if title and not _fits_title(title):
            return None
        name = match.group("label").lower().capitalize()
        return _made(SectionKind.CHAPTER, name, None, title)
    if bare and (match := _BARE.match(text)):
        number = match.group("number")
        title = match.group("title") or ""
        value = int(number) if number.isdigit() else roman_value(number)
        if value is None or value == 0:
            return None
        if title and not (text[len(number):].startswith(".") and title_like(title)):
            return None  # "1 more thing", "I went home": text, not a heading
        return _made(SectionKind.CHAPTER, f"Chapter {number}", value, title)
    return None


def _labelled(match: re.Match[str]) -> Heading | None:
    label = match.group("label").lower().rstrip(".")
    number = match.group("number")
    value = number_value(number)
    if value is None:
        return None
    title = match.group("title") or ""
    if title and (not match.group("sep") or not match.group("sep").strip()):
        return None  # "Chapter 3 was the worst": a sentence
    if title and not _fits_title(title):
        return None
    kind = SectionKind.PART if label in _PART_LABELS else SectionKind.CHAPTER
    word = _PART_LABELS.get(label) or _CHAPTER_LABELS[label]
    return _made(kind, f"{word} {_shown_number(number)}", value, title)


def _shown_number(number: str) -> str:
    """"IV" and "12" as written, "THE THIRD" -> "the Third", "three" -> "Three"."""
    if number.isdigit() or roman_value(number) is not None:
        return number.upper()
    return " ".join(w if w == "the" else w.capitalize() for w in number.lower().split())


def _fits_title(title: str) -> bool:
    """A title after a chapter label: anything short that does not run on as a sentence."""
    stripped = title.strip()
    return bool(stripped) and len(stripped.split()) <= MAX_TITLE_WORDS \
        and not stripped[:1].islower()


def _made(kind: SectionKind, label: str, number: int | None, title: str) -> Heading:
    title = clean_title(title) if title else ""
    return Heading(kind, f"{label}: {title}" if title else label, number, title)


def with_title(heading: Heading, title: str) -> Heading:
    """The heading given the title found on the line (or paragraph) under it."""
    cleaned = clean_title(title)
    return Heading(heading.kind, f"{heading.heading}: {cleaned}", heading.number, cleaned)


def subtitle_line(line: str) -> bool:
    """The line under a bare chapter heading that titles it: short and title-like, or in
    capitals ("THE ONE THING NEEDFUL", "The Science of Deduction", "_SOWING_")."""
    text = " ".join(line.split())
    if not text or len(text) > MAX_HEADING or chapter_heading(text) or name_opener(text):
        return False
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and not _SENTENCE_END.search(text):
        return True
    return title_like(text)


# --- point-of-view openers ---------------------------------------------------------------------

_OPENER = re.compile(r"^(?P<name>[^\W\d_][\w'\u2019.\-/\\ ]{0,39}?)\s*:(?:\s+|$)")
NOT_POV = frozenset({"later", "meanwhile", "now", "then", "note", "notes", "edit", "update", "ps",
                     "p.s", "chapter", "part", "epilogue", "prologue", "warning", "afterwards",
                     "morning", "evening", "night", "today", "tomorrow", "yesterday", "time",
                     "place", "setting", "scene", "the end", "end"})


def name_opener(text: str, not_names: frozenset[str] = frozenset()) -> re.Match[str] | None:
    """``Name:`` at the start of a paragraph (a point of view, or a speech label before a
    quote); ``not_names`` are capitalised words that are never names."""
    match = _OPENER.match(text)
    if not match:
        return None
    name = match.group("name").strip()
    lowered = name.lower()
    if lowered in HEADER_KEYS or lowered in NOT_POV or lowered in not_names:
        return None
    if len(name.split()) > 3 or not looks_like_name(name):
        return None
    return match


_POV_LINE = re.compile(
    r"^[~*_=\-#\s]*(?:(?P<name>[^\W\d_][\w'\u2019.\- ]{0,39}?)(?:['\u2019]s)?\s*[-:(]?\s*"
    r"(?:POV|P\.O\.V\.?|point of view)\)?|(?:POV|P\.O\.V\.?)\s*[:\-]\s*"
    r"(?P<after>[^\W\d_][\w'\u2019.\- ]{0,39}?))[\s~*_=\-#:.]*$", re.IGNORECASE)


def pov_line(line: str, not_names: frozenset[str] = frozenset()) -> str | None:
    """The character of a fan-fiction point-of-view line: "Buffy's POV", "~Spike POV~",
    "POV: Mara", "Tom's point of view"."""
    match = _POV_LINE.match(line.strip())
    if not match:
        return None
    name = (match.group("name") or match.group("after") or "").strip()
    if not name or name.lower() in not_names or name.lower() in NOT_POV \
            or not looks_like_name(name) or len(name.split()) > 3 or name.split()[-1].islower():
        return None  # "My POV", "Change of POV"
    return name


def undecorated(line: str) -> str:
    """"~*Buffy's POV*~" -> "Buffy's POV"."""
    return line.strip().strip("~*_=-#: ").strip()


def pov_title(text: str, start: int) -> str | None:
    """``Mara: The Last Ferry`` (a title alone on the heading's line): "The Last Ferry"."""
    line = text[start:]
    return clean_title(line) if title_like(line) else None
