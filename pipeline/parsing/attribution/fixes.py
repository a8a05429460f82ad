"""The producer's fixes first: quotations named in the review file (see ``parsing.review``) get
the speaker written there, before any other pass, so the conversation around them follows."""

from __future__ import annotations

from collections import Counter

from pipeline.parsing.attribution.model import Character
from pipeline.parsing.attribution.story import Story
from pipeline.parsing.review import Review, words_of

RULE = "review"


def apply_fixes(story: Story, review: Review | None) -> None:
    if review is None or not review.fixes:
        return
    seen: Counter[str] = Counter()  # how many quotations so far read these words
    for quote in story.quotes:
        keys = {words_of(text) for text in (quote.text, *quote.parts) if text.strip()}
        seen.update(keys)
        fix = review.fix_for({key: seen[key] for key in keys})
        if fix is None:
            continue
        speaker = None if fix.to_narrator else _person(story, fix.speaker)
        quote.attribute(speaker, RULE, 1.0)


def _person(story: Story, name: str) -> Character:
    """The character a fix names, by any of their names; a new one for a new name."""
    people = story.characters
    if person := people.by_text.get(name):
        return person
    lowered = name.lower()
    for person in people.people:
        if person.name.lower() == lowered or lowered in (a.lower() for a in person.aliases):
            return person
    person = Character(name=name, roles=1)
    person.aliases[name] = 1
    people.people.append(person)
    people.by_text[name] = person
    return person
