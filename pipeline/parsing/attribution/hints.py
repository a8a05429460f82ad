"""Gender hints for speakers a parser already knows by name (play scripts, Fountain, point-of-view
sections): the name itself (title, first name) and the pronouns that follow it in the narration
or fill its point-of-view passages."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.parsing.attribution.gender import (
    PRONOUN_WEIGHT,
    GenderEvidence,
    name_evidence,
    pronoun_gender,
)
from pipeline.parsing.attribution.names import parse_name

_PRONOUN = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
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
    for text, pov in passages:
        if pov in evidence:
            for pronoun in _PRONOUN.findall(text):
                evidence[pov].add(pronoun_gender(pronoun), PRONOUN_WEIGHT, "point of view")
        if pattern is None:
            continue
        mentions = list(pattern.finditer(text))
        for i, mention in enumerate(mentions):
            end = mentions[i + 1].start() if i + 1 < len(mentions) else len(text)
            window = _two_sentences(text[mention.end():end])
            if found := _PRONOUN.search(window):
                evidence[lookup[mention.group()]].add(pronoun_gender(found.group()),
                                                      PRONOUN_WEIGHT, "pronoun")
    for name in names:
        parsed = parse_name(name)
        evidence[name].merge(name_evidence(parsed.title, parsed.words))
    return {name: gender for name, e in evidence.items() if (gender := e.gender)}


def _two_sentences(text: str) -> str:
    ends = [m.end() for m in _SENTENCE.finditer(text[:300])]
    return text[:ends[1]] if len(ends) > 1 else text[:300]
