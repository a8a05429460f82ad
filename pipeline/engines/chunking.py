"""Cut speech text into engine-sized pieces, and refuse text with nothing to say.

Engines degrade (or allocate huge tensors) on very long inputs, so a 20 000-character run
without a full stop is cut at sentence ends, then commas, then spaces, then anywhere.
"""

from __future__ import annotations

import re

from pipeline.errors import VoiceError

MAX_CHARS = 300

_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+")
_CLAUSE_END = re.compile(r"(?<=[,–—)])\s+")


def require_speakable(text: str) -> str:
    """Return ``text`` stripped, or raise if it has no letter or digit an engine could say."""
    stripped = " ".join(text.split())
    if not any(ch.isalnum() for ch in stripped):
        shown = stripped[:40] or "(empty)"
        raise VoiceError(f"nothing to say: text has no letters or digits: {shown!r}")
    return stripped


def _split_long(piece: str, max_chars: int) -> list[str]:
    """Split one over-long piece at commas, then spaces, then hard cuts."""
    if len(piece) <= max_chars:
        return [piece]
    for pattern in (_CLAUSE_END, re.compile(r"\s+")):
        parts = [p for p in pattern.split(piece) if p]
        if len(parts) > 1:
            return _pack(parts, max_chars)
    return [piece[i:i + max_chars] for i in range(0, len(piece), max_chars)]


def _pack(parts: list[str], max_chars: int) -> list[str]:
    """Greedily join consecutive parts into chunks of at most ``max_chars``."""
    chunks: list[str] = []
    current = ""
    for part in parts:
        for sub in _split_long(part, max_chars):
            if current and len(current) + 1 + len(sub) > max_chars:
                chunks.append(current)
                current = sub
            else:
                current = f"{current} {sub}" if current else sub
    if current:
        chunks.append(current)
    return chunks


def split_text(text: str, max_chars: int | None = None) -> list[str]:
    """Speakable chunks of at most ``max_chars`` (default ``MAX_CHARS``) characters, in order,
    none of them silent."""
    max_chars = max_chars or MAX_CHARS
    text = require_speakable(text)
    chunks = _pack([s for s in _SENTENCE_END.split(text) if s], max_chars)
    # A chunk of pure punctuation (e.g. a trailing "...") would make an engine fail or babble.
    return [c for c in chunks if any(ch.isalnum() for ch in c)]
