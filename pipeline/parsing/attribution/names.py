"""Names in the text: which capitalised words are people's names, and where names stand.

A capitalised word is a name word when the text says so: it is capitalised in the middle of
sentences at least as often as it is written in lowercase ("Rose" the girl, not "rose" the
flower), or it follows a title ("Mrs. Bates"). A word seen capitalised only at the start of
sentences ("Presently", "Close", "Monday") is a name only if it is a known first name the text
never writes in lowercase. Function words and a few general non-names (days, months, God) never
are, so "Presently Tony said" names Tony and "Poor old Mrs. Bates" names Mrs. Bates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.parsing.attribution import gender
from pipeline.parsing.attribution.words import (
    FUNCTION_WORDS,
    NOT_NAMES,
    PERSON_NOUNS,
    PLACE_WORDS,
    is_title,
)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z\u00C0-\u024F'\u2019\-]*|[.!?;:,\u2014\"\u201c\u201d]")
_SENTENCE_END = frozenset(".!?")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "prof", "capt", "col", "gen", "lt",
                            "sgt", "rev", "mme", "mlle", "messrs", "jr", "sr", "hon"})
# A run of name words: titles ("Mrs.", "Lady"), capitalised words, connectors ("de Bourgh").
_NAME_WORD = r"[A-Z][A-Za-z\u00C0-\u024F'\u2019]*(?:-[A-Za-z\u00C0-\u024F'\u2019]+)*\.?"
_CANDIDATE = re.compile(
    rf"(?<![\w'\u2019])(?:{_NAME_WORD}"
    rf"(?:\s+(?:(?:de|du|da|van|von|der|le|la|del|di|of)\s+)?{_NAME_WORD})*)")
_CONNECTORS = frozenset({"de", "du", "da", "van", "von", "der", "le", "la", "del", "di", "of"})
MAX_NAME_WORDS = 4
# A verb right after a sentence's first word ("Spike frowned", "Mara said"): that word acts.
_ACTS = re.compile(r" (?:[a-z]+ed|said|says|asked|cried|began|spoke|shook|stood|sat|took|"
                   r"came|went|saw|knew|thought|looked|turned|smiled|laughed|nodded|sighed)\b")


@dataclass
class Lexicon:
    """How the whole text writes each word: capitalised mid-sentence, at a sentence start, or
    in lowercase. Built once per story from all its text (narration and speech)."""

    mid_caps: Counter[str] = field(default_factory=Counter)
    starts: Counter[str] = field(default_factory=Counter)
    lower: Counter[str] = field(default_factory=Counter)
    after_title: Counter[str] = field(default_factory=Counter)
    acting_starts: Counter[str] = field(default_factory=Counter)  # "Spike frowned."

    @classmethod
    def build(cls, texts: Iterable[tuple[str, bool]]) -> Lexicon:
        """``texts``: (text, starts_a_sentence) pairs."""
        lexicon = cls()
        for text, at_start in texts:
            lexicon.add(text, at_start)
        return lexicon

    def add(self, text: str, at_start: bool = True) -> None:
        start, previous = at_start, ""
        for match in _TOKEN.finditer(text):
            token = match.group()
            if not token[0].isalpha():
                if token in "\"\u201c" or token in _SENTENCE_END \
                        and previous.lower() not in _ABBREVIATIONS:
                    start = True
                previous = token
                continue
            if token[0].isupper():
                if start:
                    self.starts[token] += 1
                    if _ACTS.match(text, match.end()):
                        self.acting_starts[token] += 1
                else:
                    self.mid_caps[token] += 1
                if is_title(previous) or previous in ("Mr", "Mrs", "Miss", "Dr"):
                    self.after_title[token] += 1
            else:
                self.lower[token.lower()] += 1
            start, previous = False, token

    def is_name_word(self, word: str) -> bool:
        word = word.rstrip(".")
        if not word[:1].isupper():
            return False
        lowered = word.lower()
        if lowered in NOT_NAMES or len(word) == 1:
            return False
        if lowered in PERSON_NOUNS and not self.after_title[word]:
            return False  # "Papa", "Mother", "Doctor": a way of speaking to someone, no name
        if word.isupper():  # emphasis ("he IS tiresome"), unless written as a name elsewhere
            word = word.capitalize()
            if not self.mid_caps[word] and not self.starts[word]:
                return False
        mid, low = self.mid_caps[word], self.lower[lowered]
        if self.after_title[word]:
            return True
        if lowered in FUNCTION_WORDS:
            return mid >= 2 and mid >= low
        if mid:
            return low <= mid
        if low or lowered.endswith(("ly", "ing")):
            return False
        return self.acting_starts[word] > 0 or (
            self.starts[word] >= 2 and gender.first_name_gender(word) is not None)


@dataclass(frozen=True)
class Name:
    """A name as written: ``start``/``end`` in its text, the words without a leading title."""

    start: int
    end: int
    text: str
    title: str | None
    words: tuple[str, ...]
    possessive: bool = False

    @property
    def key(self) -> str:
        return " ".join(((self.title,) if self.title else ()) + self.words)


def find_names(text: str, lexicon: Lexicon) -> list[Name]:
    """Every name in ``text``, in order."""
    names = []
    for match in _CANDIDATE.finditer(text):
        names.extend(_split_candidate(text, match.start(), match.group(), lexicon))
    return names


def name_at(text: str, pos: int, lexicon: Lexicon) -> Name | None:
    """The name starting exactly at ``pos`` (spaces skipped), if any."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    match = _CANDIDATE.match(text, pos)
    if not match:
        return None
    found = _split_candidate(text, match.start(), match.group(), lexicon)
    return found[0] if found and found[0].start == pos else None


def _split_candidate(text: str, offset: int, run: str, lexicon: Lexicon) -> list[Name]:
    """Cut a run of capitalised words into names: drop words that are no name ("Presently",
    "Poor"), keep titles only before a name word."""
    out: list[Name] = []
    parts = [(m.start(), m.group()) for m in re.finditer(r"\S+", run)]
    current: list[tuple[int, str]] = []
    titles_only = True  # every word in ``current`` is a title (kept, not recounted: linear)

    def flush() -> None:
        nonlocal titles_only
        while current and current[-1][1].lower() in _CONNECTORS:
            current.pop()
        if current:
            name = _make_name(text, offset, current)
            if name:
                out.append(name)
        current.clear()
        titles_only = True

    for at, word in parts:
        bare = word.rstrip(".")
        if word.lower() in _CONNECTORS:
            if current:
                current.append((at, word))
                titles_only = titles_only and is_title(bare)
            continue
        if is_title(bare) and titles_only:
            current.append((at, word))
            continue
        if lexicon.is_name_word(bare) and len(current) < MAX_NAME_WORDS:
            current.append((at, word))
            titles_only = False
            if word.endswith(".") and bare.lower() not in _ABBREVIATIONS:
                flush()  # "... told Anne. Then" -- a sentence ends here
            continue
        flush()
    flush()
    return out


def _make_name(text: str, offset: int, parts: list[tuple[int, str]]) -> Name | None:
    first_at, last_at, last = parts[0][0], parts[-1][0], parts[-1][1]
    words = [w for _, w in parts]
    titles = []
    while len(words) > 1 and is_title(words[0].rstrip(".")):
        titles.append(_title_text(words.pop(0)))
    if len(words) == 1 and is_title(words[0].rstrip(".")):
        return None  # a bare title ("Sir", "Madam") names nobody in particular
    if len(words) > 1 and _drop_possessive(words[-1].rstrip(".")).lower() in PLACE_WORDS:
        return None  # "Russell Square", "Green Gables Farm"
    start = offset + first_at
    end = offset + last_at + len(last.rstrip("."))
    if last.rstrip(".").lower() in _ABBREVIATIONS:
        end = offset + last_at + len(last)
    possessive = last.endswith(("'s", "\u2019s", "'", "\u2019")) or text[end:end + 2] == " s" \
        and (end + 2 == len(text) or not text[end + 2].isalnum())
    if last.endswith(("'s", "\u2019s")):
        end -= 2
    elif last.endswith(("'", "\u2019")):
        end -= 1
    bare = tuple(_drop_possessive(w.rstrip(".")) for w in words)
    title = " ".join(titles) if titles else None
    return Name(start, end, " ".join(text[start:end].split()), title, bare, possessive)


def _title_text(word: str) -> str:
    """"Mr" and "Mr." both read "Mr."; "Lady" stays "Lady"."""
    bare = word.rstrip(".")
    return bare + "." if bare.lower() in _ABBREVIATIONS else bare


def _drop_possessive(word: str) -> str:
    for tail in ("'s", "\u2019s"):
        if word.endswith(tail):
            return word[:-2]
    return word.rstrip("'\u2019")


def parse_name(text: str) -> Name:
    """A name given on its own (a point-of-view heading, a ``Name:`` label)."""
    words = text.split()
    titles = []
    while len(words) > 1 and is_title(words[0].rstrip(".")):
        titles.append(_title_text(words.pop(0)))
    return Name(0, len(text), text, " ".join(titles) or None,
                tuple(_drop_possessive(w.rstrip(".")) for w in words))
