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
    first_name_gender,
    name_evidence,
    noun_gender,
    pronoun_gender,
)
from pipeline.parsing.attribution.mentions import Mention
from pipeline.parsing.attribution.model import Character
from pipeline.parsing.attribution.names import Name
from pipeline.parsing.attribution.words import title_gender

# Subject pronouns only: "Ralph took her hand" says nothing about Ralph.
_PRONOUN = re.compile(r"\b(?:he|himself|she|herself)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?;]\s")
# Titles used with a family name only ("Mrs. Bennet" is never Elizabeth Bennet's first name).
_FAMILY_TITLES = frozenset({"mrs", "miss", "ms", "mr", "mister", "dr", "doctor", "professor",
                            "prof", "captain", "capt", "colonel", "col", "major", "general",
                            "lieutenant", "inspector", "sergeant", "admiral", "mme", "mlle",
                            "madame", "monsieur", "herr", "frau", "signor", "signora"})
NARRATOR_NAME = "Narrator"
# the title a parent or spouse shares the family name under
_KIN_TITLES = {"mother": "mrs", "mamma": "mrs", "mama": "mrs", "wife": "mrs", "father": "mr",
               "papa": "mr", "husband": "mr", "lady": "mrs"}  # "his lady": his wife
# "her ladyship", "his lordship": a person of that rank
_RANK_NOUNS = {"ladyship": {"lady"}, "lordship": {"lord", "sir"}}


@cache
def _nicknamer():
    from nicknames import NickNamer
    return NickNamer()


@cache
def canonical_first_names(word: str) -> frozenset[str]:
    """"Lizzy" -> {"elizabeth"} and "Elizabeth" -> {"lizzy", "eliza", ...}: the first names
    that are the same name, long or short."""
    namer, lowered = _nicknamer(), word.lower()
    try:
        return frozenset(n.lower() for n in namer.canonicals_of(lowered)
                         | namer.nicknames_of(lowered))
    except (KeyError, ValueError):
        return frozenset()


@dataclass(frozen=True)
class Form:
    """One way a name is written, without possessive: title + words."""

    title: str | None
    words: tuple[str, ...]

    @classmethod
    def of(cls, name: Name) -> Form:
        titles = [w.lower().rstrip(".") for w in (name.title or "").split()]
        if "mrs" in titles and len(name.words) >= 2 and first_name_gender(name.words[0]) == "male":
            return cls(name.title, name.words[-1:])  # "Mrs. Thomas Lynde": Mrs. Lynde
        return cls(name.title, name.words)

    @property
    def text(self) -> str:
        return " ".join(((self.title,) if self.title else ()) + self.words)

    @property
    def title_words(self) -> list[str]:
        return [w.lower().rstrip(".") for w in (self.title or "").split()]


def _dominant(candidates: list[Character], form: Form) -> list[Character]:
    """Of several people a short name fits, the one it surely means: a bare family name means
    the only man among them ("Bounderby" beside Mrs. Bounderby), and any short name means
    someone the text names three times as often as all the others together."""
    if form.title is None:
        men = [p for p in candidates if "mr" in p.titles or p.evidence.gender == "male"]
        if len(men) == 1 and all(p.first != form.words[0] for p in candidates):
            return men
    counts = sorted(((sum(p.aliases.values()), i) for i, p in enumerate(candidates)),
                    reverse=True)
    best, rest = counts[0][0], sum(c for c, _ in counts[1:])
    return [candidates[counts[0][1]]] if best >= 3 * rest else candidates


@dataclass
class Characters:
    """The people of a story and the way to each from any of their names."""

    people: list[Character] = field(default_factory=list)
    by_form: dict[Form, Character] = field(default_factory=dict)
    by_text: dict[str, Character] = field(default_factory=dict)
    described: dict[str, Character] = field(default_factory=dict)
    narrator: Character | None = None
    family_words: set[str] = field(default_factory=set)  # names seen after Mr., Mrs.

    # --- building ------------------------------------------------------------------------------

    @classmethod
    def build(cls, names: Iterable[Name]) -> Characters:
        counts: Counter[Form] = Counter(Form.of(n) for n in names)
        characters = cls()
        characters.family_words = {f.words[-1] for f in counts
                                   if {"mr", "mrs"} & set(f.title_words)}
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
            for person in self.people:  # (no nicknames here: Tom Bertram is Sir Thomas's son)
                if person.last == last and person.first == first \
                        and self._compatible(person, form):
                    return person
            return self._new(first=first, last=last)
        word = form.words[0]
        candidates = self._candidates(form, word)
        if len(candidates) > 1:
            candidates = _dominant(candidates, form)
        if len(candidates) == 1:
            return candidates[0]
        return self._new(first=word if form.title is None or not self._family_title(form)
                         else None, last=word if self._family_title(form) else None)

    def _candidates(self, form: Form, word: str) -> list[Character]:
        # a titled name joins people called by that title or by none ("Mr. Elliot" is not
        # Sir Walter Elliot; "Lady Elliot" is not Miss Elliot)
        titles = set(form.title_words)
        people = [p for p in self.people if self._compatible(p, form)
                  and (not titles or not p.titles or titles & p.titles)]
        if form.title and self._family_title(form):
            return self._family_candidates(form, word, people)
        nick = canonical_first_names(word)
        firsts = [p for p in people if p.first == word] \
            or [p for p in people if p.first and p.first.lower() in nick]
        if form.title:  # "Lady Catherine", "Sir William", "Aunt Marilla": a first name
            return firsts or [p for p in people if p.last == word and p.first is None]
        return firsts or [p for p in people if p.last == word]

    def _family_candidates(self, form: Form, word: str,
                           people: list[Character]) -> list[Character]:
        """Who "Mr. Darcy", "Mrs. Bennet", "Miss Morstan" can be. "Mr." joins the one man of
        that family; "Mrs." only another "Mrs." of it (the mother is not her daughters);
        "Miss" the one person of that family when no Mr. or Mrs. of it appears (else she may
        be any daughter: "Miss Bennet" is the eldest, not Elizabeth)."""
        titles = set(form.title_words)
        family = [p for p in people if p.last == word]
        if not titles & {"mrs", "miss", "ms", "mme", "mlle", "madame", "frau", "signora"}:
            return family
        same = [p for p in family if titles & p.titles and p.first is None]
        if same or "mrs" in titles:
            return same
        whole_family = [p for p in self.people if p.last == word]
        return family if len(whole_family) == 1 and word not in self.family_words else []

    def _family_title(self, form: Form) -> bool:
        """"Mrs. Bennet": a family name; "Miss Lizzy", "Lady Catherine": a first name (a
        girl's first name after "Miss" that no "Mr." or "Mrs." ever takes)."""
        if "miss" in form.title_words and form.words[0] not in self.family_words \
                and first_name_gender(form.words[0]) == "female":
            return False
        return any(w in _FAMILY_TITLES for w in form.title_words)

    @staticmethod
    def _compatible(person: Character, form: Form) -> bool:
        genders = {title_gender(w) for w in form.title_words} - {None}
        if len(form.words) >= 2:
            genders |= {g for g in (name_evidence(None, form.words).gender,) if g}
        if not genders:
            return True
        other = {title_gender(t) for t in person.titles} - {None}
        if person.evidence.gender:
            other.add(person.evidence.gender)
        return not other or other == genders

    def _new(self, first: str | None = None, last: str | None = None) -> Character:
        person = Character(name="", first=first, last=last)
        self.people.append(person)
        return person

    def _name(self, person: Character) -> None:
        """The voice's name: the way the story most often writes it, except that a bare
        family name another person of the story shares ("Bennet") gives way to a fuller form
        ("Mr. Bennet")."""
        shared = any(p is not person and person.last in (p.last, p.first)
                     for p in self.people)
        shared_first = person.first is not None and any(
            p is not person and p.first == person.first for p in self.people)

        def rank(alias: str) -> tuple[bool, int, int]:
            bare = alias == person.last and shared or alias == person.first and shared_first
            bare = bare and len(person.aliases) > 1
            return (not bare, person.aliases[alias], len(alias))

        person.name = max(person.aliases, key=rank)
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
        if titled := self.titled(words[-1]):
            return titled  # "the Professor": the one Professor the story names
        name = " ".join(w[:1].upper() + w[1:] for w in words)
        person = Character(name=name, described=True)
        person.aliases[name] = 1
        if gender := noun_gender(words[-1]):
            person.evidence.add(gender, 4.0, f"noun {words[-1].lower()}")
        self.described[key] = person
        self.people.append(person)
        return person

    def titled(self, noun: str) -> Character | None:
        """The one named person whose title is ``noun`` ("the Colonel": Colonel Forster)."""
        lowered = noun.lower()
        alias = {"doctor": "dr", "dr": "doctor", "captain": "capt", "professor": "prof"}
        found = [p for p in self.people if not p.described
                 and (lowered in p.titles or alias.get(lowered) in p.titles)]
        return found[0] if len(found) == 1 else None

    def of_rank(self, noun: str) -> list[Character]:
        """Who "her ladyship" or "his lordship" can be: the named people of that rank."""
        titles = _RANK_NOUNS.get(noun.lower(), set())
        return [p for p in self.people if not p.described and titles & p.titles]

    def kin(self, owner: Character | None, noun: str) -> Character | None:
        """"her mother", "his wife" of a person whose family name is known: the one Mrs. of that
        family (a father or husband: the one Mr.) — kin share a family name."""
        title = _KIN_TITLES.get(noun.lower())
        if owner is None or owner.last is None or title is None:
            return None
        found = [p for p in self.people if p is not owner and not p.described
                 and p.last == owner.last and title in p.titles]
        return found[0] if len(found) == 1 else None

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
            if person is None or not mention.subject:
                continue
            stop = names[i + 1].start if i + 1 < len(names) else len(text)
            window = text[mention.end:stop]
            ends = [m.end() for m in _SENTENCE.finditer(window)]
            if len(ends) >= 2:
                window = window[:ends[1]]
            if found := _PRONOUN.search(window):
                person.evidence.add(pronoun_gender(found.group()), PRONOUN_WEIGHT, "pronoun")
