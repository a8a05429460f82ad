"""Normalise script text and transcripts the same way before comparing them word by word."""

from __future__ import annotations

import re
import unicodedata

from pipeline.textprep import speech_text

_DASHES = re.compile(r"[-\u2010-\u2015/]")
_NON_WORD = re.compile(r"[^\w\s']")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
# British -> American endings, applied to both sides so "neighbours" matches Whisper's
# "neighbors". Words that merely end alike ("detour" -> "detor") change on both sides too,
# so no distinct pair of real words is merged.
_SPELLING = [
    (re.compile(r"(?<=\w{3})our(s|ed|ing|ite|ites|able|er|ers)?$"), r"or\1"),
    (re.compile(r"(?<=\w{2})is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=\w{2})ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{2})tre(s)?$"), r"ter\1"),
    (re.compile(r"(?<=\w{3})ogue(s)?$"), r"og\1"),
]


# Variant spellings of the same spoken word ("alright" pairs with "all right" via
# metrics.join_compounds).
_VARIANTS = {"woah": "whoa", "ok": "okay", "alright": "allright"}


def american(word: str) -> str:
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return _VARIANTS.get(word, word)


def words(text: str) -> list[str]:
    """Comparable words: the engine's speech text (numbers, money, abbreviations spelled
    out — Whisper writes "122" where the engine said "one hundred twenty-two"), lowercase,
    no punctuation. Apostrophes inside words stay ("mortal's"); dashes split words."""
    text = unicodedata.normalize("NFKC", speech_text(text)).lower().translate(_QUOTES)
    text = _NON_WORD.sub(" ", _DASHES.sub(" ", text)).replace("_", " ")
    return [american(w) for w in (t.strip("'") for t in text.split()) if w]
