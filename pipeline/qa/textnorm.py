"""Normalise script text and transcripts the same way before comparing them word by word."""

from __future__ import annotations

import re
import unicodedata

from num2words import num2words

_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_DASHES = re.compile(r"[-\u2010-\u2015/]")
_NON_WORD = re.compile(r"[^\w\s']")


def _fallback_speech_text(text: str) -> str:
    # Used only while pipeline.textprep is missing: digits to words is what matters most
    # (Whisper writes "122" where the engine read "one hundred and twenty-two").
    text = _ORDINAL.sub(lambda m: num2words(int(m.group(1)), to="ordinal"), text)
    return _NUMBER.sub(lambda m: num2words(int(m.group())), text)


def speech_text(text: str) -> str:
    try:
        from pipeline.textprep import speech_text as prep
    except ImportError:
        return _fallback_speech_text(text)
    return prep(text)


def words(text: str) -> list[str]:
    """Comparable words: speech text (numbers, abbreviations spelled out), lowercase, no
    punctuation. Apostrophes inside words stay ("mortal's"); dashes split ("forty-two")."""
    text = unicodedata.normalize("NFKC", speech_text(text)).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = _NON_WORD.sub(" ", _DASHES.sub(" ", text)).replace("_", " ")
    return [w for w in (t.strip("'") for t in text.split()) if w]
