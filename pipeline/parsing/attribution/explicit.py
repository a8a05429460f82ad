"""The sure passes: quotes whose speaker the text names right beside them.

- ``Name: "..."`` labels;
- tags that name the speaker (``said Mary``, ``Mary said``) and, failing a tag, an action beat
  that does (``Mary frowned. "Why?"``);
- first-person tags (``"...," I said``): the point-of-view character in a point-of-view section,
  else the story's narrator;
- every other quote of the paragraph then takes the speaker of its nearest attributed quote
  (one speaker per paragraph, unless two tags name two people).
"""

from __future__ import annotations

from pipeline.parsing.attribution.gender import pronoun_gender
from pipeline.parsing.attribution.model import Character, Paragraph, Quote
from pipeline.parsing.attribution.names import parse_name
from pipeline.parsing.attribution.story import Story

CONFIDENCE = {"label": 0.99, "tag-name": 0.95, "tag-first-person": 0.9, "beat-name": 0.75,
              "beat-first-person": 0.7}


def attribute_explicit(story: Story) -> None:
    for para in story.paragraphs:
        tagged = False
        for quote in para.quotes:
            tagged |= _label_or_tag(story, para, quote, beats=False)
        if not tagged:
            for quote in para.quotes:
                _label_or_tag(story, para, quote, beats=True)
        spread_in_paragraph(para)


def _label_or_tag(story: Story, para: Paragraph, quote: Quote, beats: bool) -> bool:
    if quote.speaker is not None:
        return True
    if quote.label and not beats:
        quote.attribute(story.characters.of_name(parse_name(quote.label)), "label",
                        CONFIDENCE["label"])
        return quote.speaker is not None
    tag = quote.tag
    if tag is None or tag.is_beat != beats:
        return False
    mention, kind = tag.mention, "beat" if beats else "tag"
    speaker: Character | None = None
    if mention.kind == "unknown" and not beats:
        quote.attribute(None, "tag-unknown", 0.9)  # "someone called": nobody to voice
        return True
    if mention.kind == "name":
        speaker, rule = story.character_of(mention), f"{kind}-name"
    elif mention.kind == "pronoun" and mention.pronoun == "i":
        speaker = story.pov_character(para) or story.characters.first_person()
        rule = f"{kind}-first-person"
    if speaker is None:
        return False
    quote.attribute(speaker, rule, CONFIDENCE[rule])
    return True


def spread_in_paragraph(para: Paragraph, own_tags: bool = True) -> None:
    """Untagged quotes of a paragraph take the speaker of the nearest attributed quote before
    them (else after them); with ``own_tags``, not those whose own tag names someone else."""
    quotes = para.quotes
    known = [q for q in quotes if q.speaker is not None]
    if not known or len(known) == len(quotes):
        return
    for i, quote in enumerate(quotes):
        if quote.speaker is not None or quote.rule:
            continue
        source = next((q for q in reversed(quotes[:i]) if q.speaker is not None), None) \
            or next(q for q in quotes[i + 1:] if q.speaker is not None)
        if own_tags and _tagged_otherwise(quote, source.speaker):
            continue  # "the Clown had only said," names someone else: the later passes decide
        quote.attribute(source.speaker, "same-paragraph", min(source.confidence, 0.9))


def _tagged_otherwise(quote: Quote, speaker: Character) -> bool:
    """A tag of its own that cannot be ``speaker``: a description, or a pronoun of the other
    gender."""
    tag = quote.tag
    if tag is None or tag.is_beat:
        return False
    mention = tag.mention
    if mention.kind == "description":
        return True
    gender = pronoun_gender(mention.pronoun or "") if mention.kind == "pronoun" else None
    return gender is not None and speaker.gender is not None and gender != speaker.gender
