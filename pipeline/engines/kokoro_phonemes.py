"""English text -> Kokoro's phoneme symbols, through the espeak-ng that Piper bundles.

Kokoro-82M was trained on misaki's phoneme set: IPA with the English diphthongs and affricates
written as one symbol (``aɪ`` -> ``I``, ``tʃ`` -> ``ʧ``), an American flap ``T`` and a small
schwa ``ᵊ`` for syllabic consonants. espeak-ng speaks plain IPA, so its output is rewritten
with the table misaki documents for its own espeak fallback (``EN_PHONES.md``, "From espeak
to Misaki"), adapted to espeak output without tie marks.

A line is phonemized clause by clause (espeak's own clause split at ``, ; : . ! ?``); long
lines are packed into chunks of at most ``CALL_PHONEMES`` symbols at sentence ends first, then
clause ends, then word ends. The model's context (``MAX_PHONEMES``) would allow more, but its
decoder's working memory grows with the audio of one call, faster than linearly: one call of
100 / 200 / 300 phonemes took +140 / +270 / +510 MB, and two synthesis workers each reading a
novel's longest sentence at once broke a 1.5 GB budget. Sentences up to ``CALL_PHONEMES``
(most of a novel's) are still read whole.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

MAX_PHONEMES = 510  # the model's context, less the two pad tokens
CALL_PHONEMES = 200  # the most one call reads (working memory; see above)

# Longest first, so "eɪ" becomes "A" before a bare "e" would.
_ESPEAK_TO_KOKORO = sorted({
    "\u0303": "",  # nasalised vowels in loanwords
    "aɪ": "I", "aʊ": "W", "eɪ": "A", "e": "A", "oʊ": "O", "ɔɪ": "Y",
    "dʒ": "ʤ", "tʃ": "ʧ",
    "r": "ɹ", "x": "k", "ç": "k", "ɐ": "ə", "ɬ": "l",
    "ɚ": "əɹ", "ɜːɹ": "ɜɹ", "ɜː": "ɜɹ", "ɪə": "iə",
    "ʔn\u0329": "tᵊn", "ʔˌn\u0329": "tᵊn", "ʔn": "tᵊn", "ʔ": "t",
    "ʲ": "", "ɾ": "T",  # Kokoro v1.0 writes the American flap as "T"
}.items(), key=lambda kv: -len(kv[0]))
_SYLLABIC = re.compile(r"(\S)\u0329")
_SENTENCE_END = frozenset(".!?")
_FALLBACK_LOCK = threading.Lock()


@dataclass(frozen=True)
class Clause:
    """One espeak clause in Kokoro symbols, ending in its punctuation (``,`` ``.`` ...)."""

    phonemes: str
    sentence_end: bool


def espeak_to_kokoro(ipa: str) -> str:
    """Rewrite espeak-ng IPA (American English) in Kokoro's symbols."""
    ps = unicodedata.normalize("NFD", ipa)
    for old, new in _ESPEAK_TO_KOKORO:
        ps = ps.replace(old, new)
    ps = _SYLLABIC.sub(r"ᵊ\1", ps).replace("\u0329", "")
    ps = ps.replace("ː", "").replace("o", "ɔ")  # no long vowels in US Kokoro; bare o is ɔ
    return ps.replace("ɹɹ", "ɹ")  # "other" reads ʌðɚɹ in espeak: one r, not two


def espeak_clauses(text: str, language: str = "en-us") -> list[tuple[str, str, bool]]:
    """(IPA, terminator, ends a sentence) per clause, from the espeak-ng inside piper-tts.

    espeak-ng is one global state (the voice): use Piper's own lock and its one initialised
    phonemizer, so a Piper line on another thread never switches the language under us."""
    from piper import espeakbridge
    from piper import voice as piper_voice
    from piper.phonemize_espeak import ESPEAK_DATA_DIR, EspeakPhonemizer

    lock = getattr(piper_voice, "_ESPEAK_PHONEMIZER_LOCK", _FALLBACK_LOCK)
    with lock:
        if getattr(piper_voice, "_ESPEAK_PHONEMIZER", None) is None:
            piper_voice._ESPEAK_PHONEMIZER = EspeakPhonemizer(ESPEAK_DATA_DIR)
        espeakbridge.set_voice(language)
        return list(espeakbridge.get_phonemes(text))


def phonemize(text: str, language: str = "en-us") -> list[Clause]:
    """Kokoro phonemes of ``text``, clause by clause. Raw phonemes written ``[[ ... ]]`` (a
    lexicon entry) pass through unchanged."""
    clauses: list[Clause] = []
    for part, raw in _split_raw(text):
        if raw:
            _append_raw(clauses, part)
            continue
        for ipa, terminator, end in espeak_clauses(part, language):
            ps = espeak_to_kokoro(ipa).strip()
            if ps or terminator:
                clauses.append(Clause(ps + terminator, bool(end) or terminator in _SENTENCE_END))
    return [c for c in clauses if c.phonemes.strip()]


_RAW = re.compile(r"\[\[\s*(.*?)\s*\]\]")


def _split_raw(text: str) -> list[tuple[str, bool]]:
    """Text around ``[[phonemes]]`` blocks, each part flagged raw or not."""
    parts: list[tuple[str, bool]] = []
    pos = 0
    for match in _RAW.finditer(text):
        if match.start() > pos:
            parts.append((text[pos:match.start()], False))
        parts.append((match.group(1), True))
        pos = match.end()
    if pos < len(text):
        parts.append((text[pos:], False))
    return [(p, raw) for p, raw in parts if p.strip()]


def _append_raw(clauses: list[Clause], phonemes: str) -> None:
    """A raw block joins the clause before it (it is a word inside a sentence), or starts one."""
    if clauses and not clauses[-1].sentence_end:
        last = clauses.pop()
        body, punct = _split_punct(last.phonemes)
        clauses.append(Clause(f"{body} {phonemes}{punct}".strip(), False))
    else:
        clauses.append(Clause(phonemes, False))


def _split_punct(phonemes: str) -> tuple[str, str]:
    body = phonemes.rstrip(",.;:!?")
    return body, phonemes[len(body):]


def pack(clauses: list[Clause], limit: int = CALL_PHONEMES) -> list[str]:
    """Join clauses into chunks of at most ``limit`` symbols: whole sentences when they fit,
    else clauses, else words; a single word longer than ``limit`` is cut."""
    sentences: list[list[Clause]] = [[]]
    for clause in clauses:
        sentences[-1].append(clause)
        if clause.sentence_end:
            sentences.append([])
    pieces: list[str] = []
    for sentence in (s for s in sentences if s):
        text = " ".join(c.phonemes for c in sentence)
        if len(text) <= limit:
            pieces.append(text)
            continue
        for clause in sentence:
            pieces.extend(_words_within(clause.phonemes, limit))
    return _greedy(pieces, limit)


def _words_within(phonemes: str, limit: int) -> list[str]:
    if len(phonemes) <= limit:
        return [phonemes]
    out: list[str] = []
    for word in phonemes.split():
        out.extend(word[i:i + limit] for i in range(0, len(word), limit))
    return out


def _greedy(pieces: list[str], limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > limit:
            chunks.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks
