"""Gender hints for speakers a parser already knows by name (play scripts, Fountain, point-of-view
sections): the name itself (title, first name) and the pronouns that follow it in the narration
or fill its point-of-view passages."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pipeline.parsing.attribution.gender import (
    FEMALE,
    MALE,
    PRONOUN_WEIGHT,
    GenderEvidence,
    name_evidence,
    pronoun_gender,
)
from pipeline.parsing.attribution.names import parse_name

_PRONOUN = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself)\b")
POV_WEIGHT = 3.0  # a passage told from one's point of view: more than a first name says
POV_MAJORITY = 2.0  # one gender's pronouns outnumber the other's this many times
_WORD = {MALE: "he/him", FEMALE: "she/her"}


def point_of_view_evidence(narration: str) -> GenderEvidence:
    """What the narration of a character's point-of-view passages says of them: told in the
    third person ("He wrote, his hand scrawling..."), most of its he/she are the character.
    One vote when one gender clearly dominates; none for a passage told in the first person
    ("I saw him"), whose he/she are other people."""
    evidence = GenderEvidence()
    counts = Counter(pronoun_gender(p) for p in _PRONOUN.findall(narration))
    third = counts[MALE] + counts[FEMALE]
    if not third or len(_FIRST_PERSON.findall(narration)) * 2 >= third:
        return evidence
    top, other = (MALE, FEMALE) if counts[MALE] >= counts[FEMALE] else (FEMALE, MALE)
    if counts[top] >= POV_MAJORITY * counts[other]:
        evidence.add(top, POV_WEIGHT, f"point of view ({counts[top]} {_WORD[top]}, "
                                      f"{counts[other]} {_WORD[other]})")
    return evidence


_SENTENCE = re.compile(r"[.!?]+")


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Whole-word matches of each name as written or in capitals, longest first."""
    variants = {v for n in names for v in (n, n.upper()) if v}
    if not variants:
        return None
    alternation = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")


def gender_hints(names: Iterable[str],
                 passages: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """``{name: "male"|"female"}`` for the names the text gives away.

    ``passages`` are (narration text, point-of-view name or None).
    """
    names = [n for n in dict.fromkeys(names) if n]
    evidence = {n: GenderEvidence() for n in names}
    lookup = {v: n for n in names for v in (n, n.upper())}
    pattern = name_pattern(names)
    seen: dict[str, list[str]] = {}
    for text, pov in passages:
        if pov in evidence:
            seen.setdefault(pov, []).append(text)
        if pattern is None:
            continue
        mentions = list(pattern.finditer(text))
        for i, mention in enumerate(mentions):
            end = mentions[i + 1].start() if i + 1 < len(mentions) else len(text)
            window = _two_sentences(text[mention.end():end])
            if found := _PRONOUN.search(window):
                evidence[lookup[mention.group()]].add(pronoun_gender(found.group()),
                                                      PRONOUN_WEIGHT, "pronoun")
    for pov, texts in seen.items():
        evidence[pov].merge(point_of_view_evidence(" ".join(texts)))
    for name in names:
        parsed = parse_name(name)
        evidence[name].merge(name_evidence(parsed.title, parsed.words))
    return {name: gender for name, e in evidence.items() if (gender := e.gender)}


def _two_sentences(text: str) -> str:
    ends = [m.end() for m in _SENTENCE.finditer(text[:300])]
    return text[:ends[1]] if len(ends) > 1 else text[:300]
