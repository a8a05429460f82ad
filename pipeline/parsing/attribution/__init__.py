"""Who speaks each quotation of a prose story: a sieve of small passes (after Muzny et al.,
EACL 2017: quote -> mention -> speaker, then conversation structure).

0. ``fixes``: the producer's fixes from the review file (``parsing.review``).
1. ``story``: the paragraphs are read once: how the text capitalises each word (``names``),
   the speech tag or action beat next to each quote (``tags``), the names each quote
   addresses (``vocatives``), the people and their aliases and genders (``characters``,
   ``gender``).
2. ``explicit``: labels, tags and beats that name the speaker, first-person tags; one speaker
   per paragraph.
3. ``conversation``: in reading order, continued speeches, pronoun and description tags,
   vocatives, turn-taking and the scene's people for everything else.
4. ``naming``: the first-person narrator and described speakers get the names others call
   them by.

Every quote ends with a speaker (or None when the story gives nobody to say it), the rule that
decided and a confidence between 0 and 1.
"""

from __future__ import annotations

from pipeline.parsing.attribution.characters import NARRATOR_NAME
from pipeline.parsing.attribution.conversation import attribute_conversations
from pipeline.parsing.attribution.explicit import attribute_explicit
from pipeline.parsing.attribution.fixes import apply_fixes
from pipeline.parsing.attribution.hints import gender_hints, name_pattern
from pipeline.parsing.attribution.model import Character, Paragraph, Quote, Tag
from pipeline.parsing.attribution.naming import name_described, name_narrator
from pipeline.parsing.attribution.story import Story
from pipeline.parsing.attribution.words import HEADING_STARTERS, STARTERS
from pipeline.parsing.review import Review

NOT_NAMES = HEADING_STARTERS  # what the section reader calls them

UNCERTAIN = 0.5  # attributions below this confidence are listed for review


def attribute(paragraphs: list[Paragraph], review: Review | None = None) -> Story:
    """Give every quote of ``paragraphs`` a speaker, a rule and a confidence; the producer's
    fixes in ``review`` come first."""
    story = Story.read(paragraphs)
    apply_fixes(story, review)
    attribute_explicit(story)
    attribute_conversations(story)
    name_narrator(story)
    name_described(story)
    for quote in story.quotes:
        if quote.speaker is not None:
            quote.speaker.lines += 1
    return story


__all__ = ["NARRATOR_NAME", "NOT_NAMES", "STARTERS", "UNCERTAIN", "Character", "Paragraph",
           "Quote", "Story", "Tag", "attribute", "gender_hints", "name_pattern"]
