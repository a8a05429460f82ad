"""Names for people the text first leaves unnamed.

- *The first-person narrator* (``"...," I said``) is called by their name when the others name
  them: the name others address in the turns next to the narrator's own, which the narration
  (told by the narrator) never uses for anyone else.
- *A described speaker* ("the old man") is the named person the other side of a two-person
  conversation addresses by a name nobody else in it has ("Thank you, Thomas.").
"""

from __future__ import annotations

from collections import Counter

from pipeline.parsing.attribution.model import Character, Quote
from pipeline.parsing.attribution.story import Story

MIN_CALLS = 2  # times the narrator must be addressed by a name before taking it


def name_narrator(story: Story) -> None:
    narrator = story.characters.narrator
    if narrator is None:
        return
    near = _names_addressed_to(story, narrator)
    named_speakers = {q.speaker for q in story.quotes if q.speaker is not narrator
                      and q.rule in ("tag-name", "label", "beat-name")}
    anywhere: Counter[Character] = Counter(
        person for q in story.quotes if q.speaker is not narrator for n in q.vocatives
        if (person := story.characters.of_name(n)) is not None and person is not q.speaker)
    # The narration is the narrator's own voice: it never names them, and they are nobody
    # else who speaks. Names said to them in the turns next to theirs count double.
    named = sorted(((2 * near[p] + n, p) for p, n in anywhere.items()
                    if near[p] and p not in named_speakers and _narrated_count(story, p) == 0),
                   key=lambda pair: -pair[0])
    if not named or named[0][0] < MIN_CALLS + 1:
        return
    person = named[0][1]
    _merge(story, keep=narrator, gone=person)
    narrator.name = person.name


def _names_addressed_to(story: Story, person: Character) -> Counter[Character]:
    """Names spoken in the turns right next to ``person``'s own, by someone else."""
    calls: Counter[Character] = Counter()
    quotes = story.quotes
    for i, quote in enumerate(quotes):
        if quote.speaker is not person:
            continue
        for neighbour in _neighbours(quotes, i):
            if neighbour.speaker is person:
                continue
            for name in neighbour.vocatives:
                called = story.characters.of_name(name)
                if called is not None and called is not neighbour.speaker:
                    calls[called] += 1
    return calls


def _neighbours(quotes: list[Quote], i: int) -> list[Quote]:
    here = quotes[i].paragraph
    return [q for q in quotes[max(0, i - 3):i + 4] if abs(q.paragraph - here) == 1]


def _narrated_count(story: Story, person: Character) -> int:
    """How often the narration names ``person`` (a first-person narrator rarely names
    themself)."""
    return sum(1 for para in story.paragraphs for m in para.mentions
               if m.kind == "name" and story.character_of(m) is person)


def name_described(story: Story) -> None:
    """Link each described speaker to the name the other speaker of their conversation calls
    them by, when one name stands out."""
    for described in [p for p in story.characters.people if p.described]:
        calls = _names_addressed_to(story, described)
        if not calls:
            continue
        person, count = calls.most_common(1)[0]
        spoken = {q.speaker for q in story.quotes if q.speaker is not None}
        if person.described or person in spoken and _together(story, person, described):
            continue
        if described.evidence.gender is None or person.evidence.gender != described.gender:
            continue  # "the old man" can be Thomas; "a guard" is nobody in particular
        _merge(story, keep=person, gone=described)


def _together(story: Story, a: Character, b: Character) -> bool:
    """Both speak in the same run of paragraphs (so they are two people)."""
    paragraphs_a = {q.paragraph for q in story.quotes if q.speaker is a}
    return any(abs(q.paragraph - p) <= 1 for q in story.quotes if q.speaker is b
               for p in paragraphs_a)


def _merge(story: Story, keep: Character, gone: Character) -> None:
    for quote in story.quotes:
        if quote.speaker is gone:
            quote.speaker = keep
    for alias, count in gone.aliases.items():
        keep.aliases[alias] = keep.aliases.get(alias, 0) + count
    keep.evidence.merge(gone.evidence)
    characters = story.characters
    for form, person in list(characters.by_form.items()):
        if person is gone:
            characters.by_form[form] = keep
    for text, person in list(characters.by_text.items()):
        if person is gone:
            characters.by_text[text] = keep
    for key, person in list(characters.described.items()):
        if person is gone:
            characters.described[key] = keep
    characters.people = [p for p in characters.people if p is not gone]
