"""Rewrite a line for an engine: its lexicon pronunciations.

Engines that take phonemes (Piper, Kokoro: ``takes_phonemes``) get ``[[ipa]]`` blocks for
lexicon entries with IPA; other engines get the entries' respellings. The rewrite keeps track of
which words each original word became, so word timings carry the author's words again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.engines.base import VoiceSpec, WordTiming
from pipeline.lexicon import Entry

_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)
_POSSESSIVE = re.compile(r"^(.*?)(['’]s)$", re.IGNORECASE)
MAX_WORDS = 4  # longest multi-word entry matched


@dataclass
class Rewritten:
    text: str
    groups: list[int]  # per original token: how many tokens of ``text`` it became
    changed: bool


def word_ipa(word: str, language: str = "en-us") -> str:
    """espeak-ng's IPA for one word (the espeak inside piper-tts)."""
    from pipeline.engines.kokoro_phonemes import espeak_clauses

    return "".join(ipa for ipa, _, _ in espeak_clauses(word, language)).strip()


def rewrite(text: str, entries: Sequence[Entry], phonemes: bool = False) -> Rewritten:
    """``text`` with lexicon ``entries`` applied for an engine that takes phonemes
    (``phonemes``) or only text."""
    tokens = text.split()
    by_words = {tuple(e.word.lower().split()): e for e in entries}
    out: list[str] = []
    groups: list[int] = []
    changed = False
    i = 0
    while i < len(tokens):
        for n in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
            replacement = _replace(tokens[i:i + n], by_words, phonemes)
            if replacement is not None:
                out.append(replacement)
                groups.extend([len(replacement.split())] + [0] * (n - 1))
                changed = True
                i += n
                break
        else:
            out.append(tokens[i])
            groups.append(1)
            i += 1
    return Rewritten(" ".join(out), groups, changed)


def _replace(span: list[str], by_words: dict[tuple[str, ...], Entry],
             phonemes: bool) -> str | None:
    """The replacement for a run of tokens, or None to leave them."""
    joined = " ".join(span)
    lead, trail = _EDGE.match(span[0]).group(1), _EDGE.match(span[-1]).group(3)
    if len(lead) + len(trail) >= len(joined):
        return None  # nothing but punctuation
    inner = joined[len(lead):len(joined) - len(trail)]
    possessive = ""
    match = _POSSESSIVE.match(inner)
    if match and tuple(match.group(1).lower().split()) in by_words:
        inner, possessive = match.group(1), match.group(2)
    entry = by_words.get(tuple(inner.lower().split()))
    if entry is None:
        return None
    if phonemes and entry.ipa:
        return f"{lead}[[{entry.ipa}{'z' if possessive else ''}]]{trail}"
    if entry.say:
        return f"{lead}{entry.say}{possessive}{trail}"
    return None


def relabel(words: list[WordTiming] | None, original: str,
            rewritten: Rewritten) -> list[WordTiming] | None:
    """Timings of the rewritten text's words, labelled with the original words again (a word
    that became several spans from the first one's start to the last one's end)."""
    if not words or not rewritten.changed:
        return words
    new_tokens = rewritten.text.split()
    spoken = [i for i, t in enumerate(new_tokens) if any(c.isalnum() for c in t)]
    if len(spoken) != len(words):
        return words  # the engine placed words its own way: keep its labels
    timing_of = dict(zip(spoken, words, strict=True))
    out: list[WordTiming] = []
    pos = 0
    for token, count in zip(original.split(), rewritten.groups, strict=True):
        mine = [timing_of[j] for j in range(pos, pos + count) if j in timing_of]
        pos += count
        if any(c.isalnum() for c in token):
            if mine:
                out.append(WordTiming(token, mine[0].start, mine[-1].end))
            elif out:  # swallowed by a multi-word entry: shares the entry's timing
                out.append(WordTiming(token, out[-1].start, out[-1].end))
    return out


def voice_phonemes(spec: VoiceSpec) -> frozenset[str] | None:
    """The phoneme symbols ``spec``'s model can say (Piper: its phoneme map; Kokoro: its
    vocabulary), or None for an engine that reads text, not phonemes."""
    if spec.engine == "piper":
        import json

        from pipeline.engines.piper_engine import model_paths

        _, config = model_paths(spec)
        return frozenset(json.loads(Path(config).read_text(encoding="utf-8"))["phoneme_id_map"])
    if spec.engine == "kokoro":
        from pipeline.engines.kokoro_model import load_vocab

        return frozenset(load_vocab())
    return None


def unsayable(ipa: str, spec: VoiceSpec) -> str:
    """The symbols of ``ipa`` that ``spec`` has no phoneme for ("" when it can say them all,
    or when it reads text and never sees the IPA)."""
    known = voice_phonemes(spec)
    if known is None:
        return ""
    return "".join(dict.fromkeys(c for c in ipa if c not in known and not c.isspace()))
