"""Normalise script text and transcripts the same way before comparing them word by word."""

from __future__ import annotations

import re
import unicodedata

from pipeline.textprep import speech_text

_DASHES = re.compile(r"[-\u2010-\u2015/]")
_NON_WORD = re.compile(r"[^\w\s']")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def words(text: str) -> list[str]:
    """Comparable words: the engine's speech text (numbers, money, abbreviations spelled
    out — Whisper writes "122" where the engine said "one hundred twenty-two"), lowercase,
    no punctuation. Apostrophes inside words stay ("mortal's"); dashes split words."""
    text = unicodedata.normalize("NFKC", speech_text(text)).lower().translate(_QUOTES)
    text = _NON_WORD.sub(" ", _DASHES.sub(" ", text)).replace("_", " ")
    return [w for w in (t.strip("'") for t in text.split()) if w]
