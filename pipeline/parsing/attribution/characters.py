"""Characters, not strings: the names of a story grouped into people.

Names are grouped longest first. A full name ("Elizabeth Bennet") makes a person; "Mr. Darcy"
joins the one man whose family name is Darcy, "Lady Catherine" the one woman called Catherine;
a bare "Holmes" or "Elizabeth" joins the one person with that family or first name, and a
nickname ("Lizzy") the one person whose first name it shortens. "Mrs." and "Miss" with a family
name stay apart from first-name forms unless the text writes them together ("Miss Mary
Morstan"): a mother and her daughters share a family name. A name that fits several people
("Bennet" beside Mr. and Mrs. Bennet) is a person of its own. Gender comes from titles, first
names and the pronouns that follow a name in the narration (see ``gender``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from pipeline.parsing.attribution.gender import (
    PRONOUN_WEIGHT,
    name_evidence,
    noun_gender,
    pronoun_gender,
)
from pipeline.parsing.attribution.mentions import Mention
from pipeline.parsing.attribution.model import Character
from pipeline.parsing.attribution.names import Name
from pipeline.parsing.attribution.words import title_gender

_PRONOUN = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?;]\s")
# Titles used with a family name only ("Mrs. Bennet" is never Elizabeth Bennet's first name).
_FAMILY_TITLES = frozenset({"mrs", "miss", "ms", "mr", "mister", "dr", "doctor", "professor",
                            "prof", "captain", "capt", "colonel", "col", "major", "general",
                            "lieutenant", "inspector", "sergeant", "admiral", "mme", "mlle",
                            "madame", "monsieur", "herr", "frau", "signor", "signora"})
NARRATOR_NAME = "Narrator"


@cache
def _nicknamer():
    from nicknames import NickNamer
    return NickNamer()


def canonical_first_names(word: str) -> set[str]:
    """"Lizzy" -> {"elizabeth"}: the names a nickname shortens."""
    try:
        return {n.lower() for n in _nicknamer().canonicals_of(word.lower())}
    except (KeyError, ValueError):
        return set()


@dataclass(frozen=True)
class Form:
    """One way a name is written, without possessive: title + words."""

    title: str | None
    words: tuple[str, ...]

    @classmethod
    def of(cls, name: Name) -> Form:
        return cls(name.title, name.words)

    @property
    def text(self) -> str:
        return " ".join(((self.title,) if self.title else ()) + self.words)

    @property
    def title_words(self) -> list[str]:
        return [w.lower().rstrip(".") for w in (self.title or "").split()]


@dataclass
class Characters:
    """The people of a story and the way to each from any of their names."""

    people: list[Character] = field(default_factory=list)
    by_form: dict[Form, Character] = field(default_factory=dict)
    by_text: dict[str, Character] = field(default_factory=dict)
    described: dict[str, Character] = field(default_factory=dict)
    narrator: Character | None = None

    # --- building ------------------------------------------------------------------------------

    @classmethod
    def build(cls, names: Iterable[Name]) -> Characters:
        counts: Counter[Form] = Counter(Form.of(n) for n in names)
        characters = cls()
        for form in sorted(counts, key=lambda f: (-len(f.words), f.title is None, -counts[f])):
            person = characters._place(form)
            person.aliases[form.text] = person.aliases.get(form.text, 0) + counts[form]
            if form.title:
                person.titles.update(form.title_words)
            # a first name tells the gender; a family name used alone ("Darcy") does not
            first_slot = len(form.words) >= 2 or person.first == form.words[0]
            person.evidence.merge(name_evidence(form.title, form.words, first_slot))
            characters.by_form[form] = person
        for person in characters.people:
            characters._name(person)
        return characters

    def _place(self, form: Form) -> Character:
        if len(form.words) >= 2:
            first, last = form.words[0], form.words[-1]
            for person in self.people:
                if person.first == first and person.last == last \
                        and self._compatible(person, form):
                    return person
            return self._new(first=first, last=last)
        word = form.words[0]
        candidates = self._candidates(form, word)
        if len(candidates) == 1:
            return candidates[0]
        return self._new(first=word if form.title is None or not self._family_title(form)
                         else None, last=word if self._family_title(form) else None)

    def _candidates(self, form: Form, word: str) -> list[Character]:
        people = [p for p in self.people if self._compatible(p, form)]
        if form.title and self._family_title(form):
            same_title = [p for p in people if p.last == word
                          and (set(form.title_words) & p.titles or "mr" in form.title_words
                               or not ({"mrs", "miss", "ms"} & set(form.title_words)))]
            return same_title
        if form.title:  # "Lady Catherine", "Sir William", "Aunt Marilla": a first name
            firsts = [p for p in people if p.first == word]
            return firsts or [p for p in people if p.last == word and p.first is None]
        firsts = [p for p in people if p.first == word]
        if firsts:
            return firsts
        lasts = [p for p in people if p.last == word]
        if lasts:
            return lasts
        nick = canonical_first_names(word)
        return [p for p in people if p.first and p.first.lower() in nick] if nick else []

    @staticmethod
    def _family_title(form: Form) -> bool:
        return any(w in _FAMILY_TITLES for w in form.title_words)

    @staticmethod
    def _compatible(person: Character, form: Form) -> bool:
        genders = {title_gender(w) for w in form.title_words} - {None}
        if len(form.words) >= 2:
            genders |= {g for g in (name_evidence(None, form.words).gender,) if g}
        if not genders:
            return True
        other = {title_gender(t) for t in person.titles} - {None}
        if person.gender:
            other.add(person.gender)
        return not other or other == genders

    def _new(self, first: str | None = None, last: str | None = None) -> Character:
        person = Character(name="", first=first, last=last)
        self.people.append(person)
        return person

    def _name(self, person: Character) -> None:
        """The voice's name: the way the story most often writes it (the longer on a tie)."""
        best = max(person.aliases.items(), key=lambda kv: (kv[1], len(kv[0])))
        person.name = best[0]
        for alias in person.aliases:
            self.by_text.setdefault(alias, person)

    # --- looking up ------------------------------------------------------------------------

    def of_name(self, name: Name) -> Character | None:
        return self.by_form.get(Form.of(name))

    def of_mention(self, mention: Mention) -> Character | None:
        if mention.kind == "name" and mention.name is not None:
            return self.of_name(mention.name)
        return None

    def describe(self, mention: Mention) -> Character:
        """The person a description names ("the old man" -> Old Man), made on first sight."""
        words = mention.words.split()
        key = " ".join(w.lower() for w in words)
        if key in self.described:
            return self.described[key]
        name = " ".join(w[:1].upper() + w[1:] for w in words)
        person = Character(name=name, described=True)
        person.aliases[name] = 1
        if gender := noun_gender(words[-1]):
            person.evidence.add(gender, 4.0, f"noun {words[-1].lower()}")
        self.described[key] = person
        self.people.append(person)
        return person

    def first_person(self) -> Character:
        """The narrator of a story told in the first person."""
        if self.narrator is None:
            self.narrator = Character(name=NARRATOR_NAME, narrator=True)
            self.people.append(self.narrator)
        return self.narrator

    def gendered(self, gender: str) -> list[Character]:
        return [p for p in self.people if p.gender == gender]

    # --- evidence from the narration ---------------------------------------------------------

    def learn_pronouns(self, text: str, mentions: list[Mention]) -> None:
        """The first he/she after a name, before the next name and within two sentences,
        most likely points back to it."""
        names = [m for m in mentions if m.kind == "name" and m.name is not None]
        for i, mention in enumerate(names):
            person = self.of_name(mention.name)
            if person is None:
                continue
            stop = names[i + 1].start if i + 1 < len(names) else len(text)
            window = text[mention.end:stop]
            ends = [m.end() for m in _SENTENCE.finditer(window)]
            if len(ends) >= 2:
                window = window[:ends[1]]
            if found := _PRONOUN.search(window):
                person.evidence.add(pronoun_gender(found.group()), PRONOUN_WEIGHT, "pronoun")
