"""Gender evidence: titles ("Mrs."), first names (the ``gender-guesser`` name dictionary) and the
pronouns the text uses after a name. Every piece of evidence is kept, so ``castwright
characters`` can say why it decided."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from pipeline.parsing.attribution.words import (
    FEMALE_PRONOUNS,
    MALE_PRONOUNS,
    PERSON_NOUNS,
    title_gender,
)

MALE, FEMALE = "male", "female"
TITLE_WEIGHT = 5.0
NOUN_WEIGHT = 4.0
FIRST_NAME_WEIGHT = 2.0
PRONOUN_WEIGHT = 1.0


@cache
def _detector():  # loading the name dictionary takes ~0.2 s: only when a name needs it
    import gender_guesser.detector as gender_guesser
    return gender_guesser.Detector(case_sensitive=False)


@cache
def first_name_gender(name: str) -> str | None:
    """"Elizabeth" -> female, "Tom" -> male; None for unknown or either-gender names."""
    if not name.isalpha() or len(name) < 2:
        return None
    found = _detector().get_gender(name.capitalize())
    if found in ("male", "mostly_male"):
        return MALE
    if found in ("female", "mostly_female"):
        return FEMALE
    return None


def pronoun_gender(pronoun: str) -> str | None:
    lowered = pronoun.lower()
    if lowered in MALE_PRONOUNS:
        return MALE
    if lowered in FEMALE_PRONOUNS:
        return FEMALE
    return None


def noun_gender(noun: str) -> str | None:
    return PERSON_NOUNS.get(noun.lower())


@dataclass
class GenderEvidence:
    """Weighted votes for each gender, with what cast them."""

    votes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, gender: str | None, weight: float, reason: str) -> None:
        if gender in (MALE, FEMALE):
            self.votes[gender] += weight
            self.reasons[f"{reason}: {gender}"] += 1

    def merge(self, other: GenderEvidence) -> None:
        self.votes.update(other.votes)
        self.reasons.update(other.reasons)

    @property
    def gender(self) -> str | None:
        male, female = self.votes[MALE], self.votes[FEMALE]
        if male > 0 and male >= 1.5 * female:
            return MALE
        if female > 0 and female >= 1.5 * male:
            return FEMALE
        return None

    def explain(self) -> list[str]:
        return [f"{reason} ({count}x)" if count > 1 else reason
                for reason, count in self.reasons.most_common()]


def name_evidence(title: str | None, words: tuple[str, ...],
                  first_name: bool = True) -> GenderEvidence:
    """What a name itself says: its title ("Lady"), a gendered word ("Old Man"), and its first
    word when that is a first name."""
    evidence = GenderEvidence()
    if title:
        for word in title.split():
            evidence.add(title_gender(word), TITLE_WEIGHT, f"title {word}")
    if words and (gender := noun_gender(words[-1])):
        evidence.add(gender, NOUN_WEIGHT, f"noun {words[-1].lower()}")
    if first_name and words and not title_gender(words[0]) \
            and (gender := first_name_gender(words[0])):
        evidence.add(gender, FIRST_NAME_WEIGHT, f"first name {words[0]}")
    return evidence
