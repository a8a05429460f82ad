"""Text preparation: turn the author's words into what a TTS engine should read aloud.

``cue.text`` is never changed (transcripts keep the author's text); the renderer calls
``speech_text(cue.text)`` to get the engine's input. Choices, in order of application:

- HTML entities are decoded (``&amp;`` -> ``&``), notes ``[[...]]`` dropped.
- Forum, web and chat markup is reduced to the words a reader sees (``textmarkup``): BBCode
  and HTML tags, even stray closing ones, Markdown links and images, ``:shortcode:`` emoji,
  emoji and emoticons are dropped; web and e-mail addresses read "example dot com".
- Emphasis markup (``*x*``, ``**x**``, ``_x_``) loses its ``*`` and ``_`` (an underscore
  inside a word, ``snake_case``, separates words); remaining square/curly/angle
  brackets are dropped, round brackets become comma pauses ("went (slowly) home" -> "went,
  slowly, home").
- Curly quotes become straight ones, then double quotes are dropped (engines do not voice them
  and an unbalanced one confuses some); apostrophes stay.
- Em/en dashes and ``--`` become a comma pause, except a dash between numbers, which reads
  "to" ("1999–2001", "pages 5-7").
- Ellipses (``…``, ``...``) become a comma pause inside a line and a full stop at its end (no
  special pause marker: every engine understands punctuation).
- Numbers are spelled out with num2words, American style (no "and"): cardinals ("122" ->
  "one hundred twenty-two"), ordinals ("147th"), years 1100-2099 ("1999" -> "nineteen
  ninety-nine"), decimals ("3.14" -> "three point one four"), thousands separators, currency
  ($ £ €), percentages, signs; clock times ("10:30" -> "ten thirty", "3:00" -> "three
  o'clock"), ratios and scores ("3:2", "16:9", "won 10:8" -> "three to two", ...) and
  chapter:verse after a book of the Bible ("John 3:16" -> "John three sixteen").
- Common abbreviations are expanded (Mr. Mrs. Dr. St. vs. etc. ...); "Dr."/"St." read "Doctor"/
  "Saint" before a capitalised name, else "Drive"/"Street".
- ALL-CAPS words of four or more letters (screenplay emphasis: "the SCREEN DOOR") are read as
  ordinary words, so engines do not spell them out; shorter ones (FBI, OK) stay as written.
- Headings: a Roman numeral after Chapter/Part/Book/Volume/Act/Scene is read as a number
  ("CHAPTER IV" -> "Chapter four"), and a line written all in capitals ("THE ONE THING
  NEEDFUL") is read as ordinary words.
- A trailing comma/semicolon/colon becomes a full stop (a line ending "I know," would otherwise
  be read with a hanging, unfinished intonation).
"""

from __future__ import annotations

import html
import re

from num2words import num2words

from pipeline.textmarkup import MARKUP_HINT, NOTE, strip_markup

_DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_MAX_DIGITS = 15  # longer digit runs (ids, phone numbers) are read digit by digit

_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"',
                        "\u00bb": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'",
                        "\u2032": "'", "\u2033": '"', "`": "'"})
_NUMBER_RANGE = re.compile(r"(\d)\s*[\u2013\u2014]\s*(\d)")
_DASH = re.compile(r"\s*(?:\u2014|\u2013|\u2015|--+)\s*")
_SPACED_HYPHEN = re.compile(r"(?<=\w)\s+-\s+(?=\w)")
_ELLIPSIS = re.compile(r"\s*(?:\u2026|\.(?:\s?\.){2,})\s*")

# Abbreviation -> spoken form. Matched case-sensitively at a word start.
_ABBREVIATIONS = {
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Mx.": "Mix", "Prof.": "Professor",
    "Capt.": "Captain", "Lt.": "Lieutenant", "Sgt.": "Sergeant", "Col.": "Colonel",
    "Gen.": "General", "Rev.": "Reverend", "Fr.": "Father", "Jr.": "Junior", "Sr.": "Senior",
    "vs.": "versus", "vs": "versus", "etc.": "et cetera", "e.g.": "for example",
    "i.e.": "that is", "approx.": "approximately", "Ave.": "Avenue", "Rd.": "Road",
    "Mt.": "Mount", "a.m.": "A M", "p.m.": "P M", "A.M.": "A M", "P.M.": "P M",
    "Vol.": "Volume", "VOL.": "Volume", "Chap.": "Chapter", "CHAP.": "Chapter",
}
_ABBREV_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(a) for a in sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")(?!\w)"
)
_NAME_ABBREV = re.compile(r"(?<![\w.])(Dr|St)\.(\s+)(?=[A-Z])")
_PLACE_ABBREV = re.compile(r"(?<![\w.])(Dr|St)\.")
_NUMBER_ABBREV = re.compile(r"(?<![\w.])No\.\s*(?=\d)")

_CURRENCY = {"$": ("dollar", "dollars", "cent", "cents"),
             "£": ("pound", "pounds", "penny", "pence"),
             "€": ("euro", "euros", "cent", "cents")}
_GROUPED = r"(?:\d{1,3}(?:,\d{3})+|\d+)"  # 1,000,000 or 1000000, never a trailing comma
_MONEY = re.compile(r"([$£€])\s?(" + _GROUPED + r")(?:\.(\d{1,2}))?(?!\d)")
_PERCENT = re.compile(r"(" + _GROUPED + r"(?:\.\d+)?)\s?%")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_COLON_PAIR = re.compile(r"(?<![\d:])(\d{1,3}):(\d{1,3})(?![\d:])")
# A chapter:verse reference after a book of the Bible (or a surah): "John 3:16", "Psalm 23:1-4".
_BOOKS = ("Genesis|Exodus|Leviticus|Numbers|Deuteronomy|Joshua|Judges|Ruth|Samuel|Kings"
          "|Chronicles|Ezra|Nehemiah|Esther|Job|Psalms?|Proverbs|Ecclesiastes|Songs?|Isaiah"
          "|Jeremiah|Lamentations|Ezekiel|Daniel|Hosea|Joel|Amos|Obadiah|Jonah|Micah|Nahum"
          "|Habakkuk|Zephaniah|Haggai|Zechariah|Malachi|Matthew|Mark|Luke|John|Acts|Romans"
          "|Corinthians|Galatians|Ephesians|Philippians|Colossians|Thessalonians|Timothy|Titus"
          "|Philemon|Hebrews|James|Peter|Jude|Revelations?|Surah|Sura")
_VERSE = re.compile(rf"\b((?:{_BOOKS})\s+)(\d{{1,3}}):(\d{{1,3}})(?:\s*-\s*(\d{{1,3}}))?"
                    r"(?![\d:])")
# "won 3:2", "a ratio of 1:10", "the score was 10:12": a pair after these words is a ratio even
# when it could be a time; "at 10:30", "until 3:00" are times.
_RATIO_WORDS = re.compile(r"\b(?:ratios?|odds|scale|scores?|scored|won|wins?|lost|lose|loses|beat"
                          r"|beats|beaten|leads?|led|leading|trail(?:s|ed|ing)?|aspect|mix(?:ed)?"
                          r"|draw|drew|drawn|tied|final|victory|defeat)\b"
                          r"(?:\W+(?:of|by|was|were|is|it|them|us|him|her|me|now|again))?\W+$",
                          re.IGNORECASE)  # not "won the 10:30 race": a time
_RATIO_AFTER = re.compile(r"\s*(?:ratios?|odds|scale|win|victory|defeat|loss|lead|majority|split"
                          r"|mix)\b", re.IGNORECASE)
_TIME_WORDS = re.compile(r"\b(?:at|by|until|till|til|before|after|around|about|since|from|past"
                         r"|between|and|to)\s+$", re.IGNORECASE)
_DECADE = re.compile(r"(?<![\w.])(\d{0,2}\d0)'?s\b")
_HYPHEN_RANGE = re.compile(r"(?<=\d)-(?=\d)")
_ORDINAL = re.compile(r"(?<![\w.])(" + _GROUPED + r")(st|nd|rd|th)\b", re.IGNORECASE)
_DECIMAL = re.compile(r"(?<![\w.])(-)?(" + _GROUPED + r")\.(\d+)(?![\d.])")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[A-Za-z])(?!(?:st|nd|rd|th|s)\b)", re.IGNORECASE)
_INTEGER = re.compile(r"(?<![\w.])(-)?(\d{1,3}(?:,\d{3})+|\d+)(?![\d,]*\d)")
_DIGITS_IN_WORD = re.compile(r"\d+")
_ALL_CAPS = re.compile(r"\b(?![IVXLCDM]+\b)[A-Z][A-Z']{3,}\b")  # not Roman numerals (VIII)
# "Chapter IV", "ACT III," -- but not "the book I read", "Part I played", "Book I'm reading".
_HEADING_NUMERAL = re.compile(r"\b(Chapter|CHAPTER|Part|PART|Book|BOOK|Volume|VOLUME|Act|ACT|Scene"
                              r"|SCENE)\s+([IVXLCDM]+|[ivxlcdm]+)\b(?!['\u2019]|\s+[a-z])")
_ROMAN = re.compile(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

_ROUND_BRACKETS = re.compile(r"\s*[()]\s*")
_INNER_UNDERSCORE = re.compile(r"(?<=[^\W_])_+(?=[^\W_])")
_DROPPED = re.compile(r"[\[\]{}<>*_^~|\\=#@\"]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_COMMA_GLUED = re.compile(r",(?=[^\s\d])|(?<=\D),(?=\d)")
_COMMA_RUNS = re.compile(r",(?:\s*,)+")
_COMMA_BEFORE_STOP = re.compile(r",\s*([.!?;:])")
_STOP_THEN_COMMA = re.compile(r"([.!?;:])\s*,")
_LEADING_PUNCT = re.compile(r"^[\s,.;:!?'\"-]+")
_TRAILING_SOFT = re.compile(r"[,;:\s-]+$")


def _american(words: str) -> str:
    return words.replace(",", "").replace(" and ", " ")


def _digits(digits: str) -> str:
    return " ".join(_DIGIT_WORDS[int(d)] for d in digits)


def cardinal(number: int) -> str:
    """'122' -> 'one hundred twenty-two'; runs over 15 digits are read digit by digit."""
    if len(str(abs(number))) > _MAX_DIGITS:
        return ("minus " if number < 0 else "") + _digits(str(abs(number)))
    return _american(num2words(number))


def ordinal(number: int) -> str:
    if len(str(number)) > _MAX_DIGITS:
        return _digits(str(number)) + "th"
    return _american(num2words(number, to="ordinal"))


def year(number: int) -> str:
    return _american(num2words(number, to="year"))


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _integer_words(text: str, negative: bool = False) -> str:
    clean = text.replace(",", "")
    value = int(clean)
    # A bare four-digit number in this range is almost always a year ("in 1999").
    if not negative and "," not in text and len(clean) == 4 and 1100 <= value <= 2099:
        return year(value)
    if len(clean) > 1 and clean.startswith("0"):
        return _digits(clean)  # "007", zip codes
    return ("minus " if negative else "") + cardinal(value)


def _money(match: re.Match[str]) -> str:
    one, many, sub_one, sub_many = _CURRENCY[match.group(1)]
    whole = _int(match.group(2))
    words = f"{cardinal(whole)} {one if whole == 1 else many}"
    if match.group(3):
        cents = int(match.group(3).ljust(2, "0"))
        if cents:
            words += f" and {cardinal(cents)} {sub_one if cents == 1 else sub_many}"
    return words


def _decimal_words(whole: str, fraction: str, negative: bool = False) -> str:
    return (("minus " if negative else "") + cardinal(_int(whole)) + " point "
            + _digits(fraction))


def _percent(match: re.Match[str]) -> str:
    number = match.group(1)
    if "." in number:
        whole, fraction = number.split(".", 1)
        return _decimal_words(whole, fraction) + " percent"
    return cardinal(_int(number)) + " percent"


def _time(match: re.Match[str]) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes == 0:
        return f"{cardinal(hours)} o'clock"
    if minutes < 10:
        return f"{cardinal(hours)} oh {cardinal(minutes)}"
    return f"{cardinal(hours)} {cardinal(minutes)}"


def _verse(match: re.Match[str]) -> str:
    """"John 3:16" -> "John three sixteen"; "Psalm 23:1-4" -> "... twenty-three one to four"."""
    book, chapter, verse, last = match.groups()
    said = f"{book}{cardinal(int(chapter))} {cardinal(int(verse))}"
    return said + (f" to {cardinal(int(last))}" if last else "")


def _colon_pair(match: re.Match[str]) -> str:
    """A clock time ("10:30" -> "ten thirty") or a ratio or score ("3:2" -> "three to two"):
    a time needs hours 0-23 and two-digit minutes and no score or ratio word around it."""
    first, second = match.group(1), match.group(2)
    before, after = match.string[:match.start()], match.string[match.end():]
    clock = _TIME.fullmatch(match.group())
    ratio = (_RATIO_WORDS.search(before[-60:]) and not _TIME_WORDS.search(before[-12:])) \
        or _RATIO_AFTER.match(after)
    if clock and not ratio:
        return _time(clock)
    return f"{cardinal(int(first))} to {cardinal(int(second))}"


def _decade(match: re.Match[str]) -> str:
    words = _integer_words(match.group(1))
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def _decimal(match: re.Match[str]) -> str:
    return _decimal_words(match.group(2), match.group(3), bool(match.group(1)))


def _integer(match: re.Match[str]) -> str:
    return _integer_words(match.group(2), bool(match.group(1)))


def numbers_to_words(text: str) -> str:
    """Spell out every number: money, percentages, times, ordinals, decimals, integers."""
    text = _DIGIT_LETTER.sub(" ", text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(_percent, text)
    text = _VERSE.sub(_verse, text)
    text = _COLON_PAIR.sub(_colon_pair, text)
    text = _DECADE.sub(_decade, text)
    text = _ORDINAL.sub(lambda m: ordinal(_int(m.group(1))), text)
    text = _DECIMAL.sub(_decimal, text)
    text = _HYPHEN_RANGE.sub(" to ", text)
    text = _INTEGER.sub(_integer, text)
    # Digits glued to letters ("MP3", "3D"): read the digits as a separate word.
    return _DIGITS_IN_WORD.sub(lambda m: f" {_integer_words(m.group())} ", text)


def roman_value(text: str) -> int | None:
    """"IV" -> 4 (either case); None for anything that is not a well-formed Roman numeral."""
    upper = text.upper()
    if not upper or not _ROMAN.match(upper):
        return None
    total = 0
    for i, ch in enumerate(upper):
        value = _ROMAN_VALUES[ch]
        following = _ROMAN_VALUES[upper[i + 1]] if i + 1 < len(upper) else 0
        total += -value if value < following else value
    return total


def _heading_numerals(text: str) -> str:
    """"CHAPTER IV" -> "CHAPTER four": after these words a Roman numeral is a number."""
    def spoken(match: re.Match[str]) -> str:
        numeral = match.group(2)
        value = roman_value(numeral) if numeral.isupper() or numeral.islower() else None
        return f"{match.group(1)} {cardinal(value)}" if value else match.group()
    return _HEADING_NUMERAL.sub(spoken, text)


def _capitals_line(text: str) -> str:
    """A line all in capitals, of two words or more (a heading, a shout): ordinary words,
    Roman numerals after the first word kept ("HENRY VIII")."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or any(ch.islower() for ch in letters) or len(text.split()) < 2:
        return text
    return " ".join(w if i and roman_value(w.strip(".,;:!?")) else w[:1] + w[1:].lower()
                    for i, w in enumerate(text.split(" ")))


def _abbreviations(text: str) -> str:
    text = _NAME_ABBREV.sub(lambda m: ("Doctor" if m.group(1) == "Dr" else "Saint") + m.group(2),
                            text)
    text = _PLACE_ABBREV.sub(lambda m: "Drive" if m.group(1) == "Dr" else "Street", text)
    text = _NUMBER_ABBREV.sub("number ", text)
    return _ABBREV_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)


def _ellipses(text: str) -> str:
    text = _ELLIPSIS.sub(", ", text)
    return text


def _tidy(text: str) -> str:
    text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _COMMA_GLUED.sub(", ", text)
    text = _COMMA_RUNS.sub(",", text)
    text = _COMMA_BEFORE_STOP.sub(r"\1", text)
    text = _STOP_THEN_COMMA.sub(r"\1", text)
    text = _LEADING_PUNCT.sub("", text)
    if _TRAILING_SOFT.search(text) and any(ch.isalnum() for ch in text):
        text = _TRAILING_SOFT.sub("", text) + "."
    return text.strip()


def speech_text(text: str) -> str:
    """What the engine reads for the author's ``text`` (see the module doc for the rules)."""
    text = html.unescape(text)
    text = NOTE.sub(" ", text)
    text = strip_markup(text)
    text = text.translate(_CURLY).replace("\u00a0", " ").replace("\t", " ")
    text = _NUMBER_RANGE.sub(r"\1 to \2", text)
    text = _DASH.sub(", ", text)
    text = _SPACED_HYPHEN.sub(", ", text)
    text = _ellipses(text)
    text = text.replace("&", " and ").replace("/", " ").replace("+", " plus ")
    text = _INNER_UNDERSCORE.sub(" ", text)
    text = _DROPPED.sub("", text)
    text = _ROUND_BRACKETS.sub(", ", text)
    text = _abbreviations(text)
    text = _capitals_line(_heading_numerals(text))
    text = numbers_to_words(text)
    text = _ALL_CAPS.sub(lambda m: m.group().capitalize(), text)
    return _tidy(text)


def is_speakable(text: str) -> bool:
    """True if the prepared text has a letter or digit an engine could say."""
    if not MARKUP_HINT.search(text) and any(ch.isalpha() for ch in text):
        return True  # only notes and markup lose letters: without them, skip the work
    return any(ch.isalnum() for ch in speech_text(text))
