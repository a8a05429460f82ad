"""Cut speech text into engine-sized pieces, and refuse text with nothing to say.

Engines degrade (or allocate huge tensors) on very long inputs, so a 20 000-character run
without a full stop is cut at sentence ends, then commas, then spaces, then anywhere.

An engine that reads sentence by sentence (Piper) also needs each *sentence* bounded: its
working memory grows with the longest sentence it reads in one call (a 300-character sentence
took ~330 MB of ONNX Runtime tensors, a 150-character one ~150 MB), and a novel's sentences run
to 400 characters. ``max_sentence`` cuts only such sentences, at semicolons, then commas, then
spaces; a line whose sentences are all shorter is cut exactly as before (same audio).
"""

from __future__ import annotations

import re

from pipeline.errors import VoiceError

MAX_CHARS = 300
MAX_SENTENCE_CHARS = 150  # longest sentence one sentence-by-sentence engine call may read

# Where a sentence-by-sentence engine (espeak's clause rules, as Piper uses them) starts a new one.
_ENGINE_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_SEMICOLON = re.compile(r"(?<=[;:])\s+")

_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+")
_CLAUSE_END = re.compile(r"(?<=[,–—)])\s+")


def require_speakable(text: str) -> str:
    """Return ``text`` stripped, or raise if it has no letter or digit an engine could say."""
    stripped = " ".join(text.split())
    if not any(ch.isalnum() for ch in stripped):
        shown = stripped[:40] or "(empty)"
        raise VoiceError(f"nothing to say: text has no letters or digits: {shown!r}")
    return stripped


def _split_long(piece: str, max_chars: int, semicolons: bool = False) -> list[str]:
    """Split one over-long piece at (semicolons,) commas, then spaces, then hard cuts."""
    if len(piece) <= max_chars:
        return [piece]
    for pattern in ((_SEMICOLON,) if semicolons else ()) + (_CLAUSE_END, re.compile(r"\s+")):
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


def _bound_sentences(chunk: str, max_sentence: int) -> list[str]:
    """``chunk`` as is when every sentence in it is at most ``max_sentence`` characters; else
    its runs of short sentences kept whole and each long sentence cut into clause pieces."""
    sentences = [s for s in _ENGINE_SENTENCE_END.split(chunk) if s]
    if all(len(s) <= max_sentence for s in sentences):
        return [chunk]
    pieces: list[str] = []
    short: list[str] = []
    for sentence in sentences:
        if len(sentence) <= max_sentence:
            short.append(sentence)
            continue
        if short:
            pieces.append(" ".join(short))
            short = []
        pieces += _split_long(sentence, max_sentence, semicolons=True)
    if short:
        pieces.append(" ".join(short))
    return pieces


def split_text(text: str, max_chars: int | None = None,
               max_sentence: int | None = None) -> list[str]:
    """Speakable chunks of at most ``max_chars`` (default ``MAX_CHARS``) characters, in order,
    none of them silent; with ``max_sentence``, no sentence in a chunk is longer than that."""
    max_chars = max_chars or MAX_CHARS
    text = require_speakable(text)
    chunks = _pack([s for s in _SENTENCE_END.split(text) if s], max_chars)
    if max_sentence:
        chunks = [piece for chunk in chunks for piece in _bound_sentences(chunk, max_sentence)]
    # A chunk of pure punctuation (e.g. a trailing "...") would make an engine fail or babble.
    return [c for c in chunks if any(ch.isalnum() for ch in c)]
