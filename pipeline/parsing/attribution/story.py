"""The story as the passes see it: paragraphs, the words' capitalisation, the characters, and
who was mentioned where (for pronouns and turn-taking)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.parsing.attribution.characters import Characters
from pipeline.parsing.attribution.hints import point_of_view_evidence
from pipeline.parsing.attribution.intro import is_speaking
from pipeline.parsing.attribution.mentions import Mention, find_mentions
from pipeline.parsing.attribution.model import Character, Paragraph, Quote
from pipeline.parsing.attribution.names import Lexicon, Name, parse_name
from pipeline.parsing.attribution.tags import find_tag, tag_before
from pipeline.parsing.attribution.vocatives import is_echo, vocatives

# the word before a place's name ("at Longbourn", "left Bath"), never before a person's
_LOCATIVE = re.compile(r"\b(?:in|at|near|from|into|towards?|reach(?:ed)?|leav(?:e|ing)|left"
                       r"|quit(?:ted)?|visit(?:ed)?)\s+$", re.IGNORECASE)
_LAST_WORDS = re.compile(r"(?:[A-Za-z]+\s+){0,2}[A-Za-z]+$")
_STARTS_TO_SPEAK = frozenset({"began", "begins", "continued", "continues", "resumed", "proceeded",
                              "went"})
FIRST_PERSON_SHARE = 0.004  # "I" per narration word above which a story is told in the first person


@dataclass
class Story:
    paragraphs: list[Paragraph]
    lexicon: Lexicon = field(default_factory=Lexicon)
    characters: Characters = field(default_factory=Characters)
    quotes: list[Quote] = field(default_factory=list)
    first_person: bool = False

    @classmethod
    def read(cls, paragraphs: list[Paragraph]) -> Story:
        story = cls(paragraphs)
        story._number()
        story._learn_words()
        story._find_tags()
        story._find_characters()
        return story

    def _number(self) -> None:
        for index, para in enumerate(self.paragraphs):
            para.index = index
            items = para.items
            for i, item in enumerate(items):
                if isinstance(item, Quote):
                    item.paragraph = index
                    item.position = len(self.quotes)
                    item.before = items[i - 1] if i and isinstance(items[i - 1], str) else ""
                    item.between = bool(item.before) and i >= 2 and isinstance(items[i - 2],
                                                                               Quote)
                    item.after = items[i + 1] if i + 1 < len(items) and isinstance(
                        items[i + 1], str) else ""
                    self.quotes.append(item)

    def _learn_words(self) -> None:
        for para in self.paragraphs:
            at_start = True
            for item in para.items:
                if isinstance(item, Quote):
                    self.lexicon.add(item.text, True)
                    at_start = item.ends_sentence
                else:
                    self.lexicon.add(item, at_start)
                    at_start = True

    def _find_tags(self) -> None:
        said_before = ""  # the speech before, which a name may only echo
        for quote in self.quotes:
            quote.tag = find_tag(quote, self.lexicon)
            quote.vocatives = [n for n in vocatives(quote.text, self.lexicon)
                               if not is_echo(n, quote.text, said_before)]
            said_before = quote.text
        for previous, para in zip(self.paragraphs, self.paragraphs[1:], strict=False):
            items = para.items
            if items and isinstance(items[0], Quote) and items[0].tag is None \
                    and previous.items and isinstance(previous.items[-1], str) \
                    and not para.section_start:
                # "Mr. Darcy replied with great intrepidity," then the speech on its own
                intro = previous.items[-1].rstrip()
                if intro.endswith((",", ":", "\u2014", "--")) or _ends_speaking(intro):
                    items[0].tag = tag_before(intro, self.lexicon)
                elif intro[-1:].isalpha():
                    # no stop at all: a lead-in whose dash was lost ("...said in a quiet
                    # voice" then the speech), if its last clause speaks
                    tag = tag_before(intro, self.lexicon)
                    if tag is not None and is_speaking(tag.verb or ""):
                        items[0].tag = tag
                elif intro[-1:] == "." and not previous.quotes:
                    # "Crawford began again about the house." then the speech: a beat of
                    # the one whose last sentence starts (or goes on) to speak
                    tag = tag_before(intro, self.lexicon)
                    if tag is not None and (tag.verb or "") in _STARTS_TO_SPEAK:
                        items[0].tag = tag

    def _find_characters(self) -> None:
        names: list[Name] = []
        words = pronouns = 0
        for para in self.paragraphs:
            text = para.narration
            para.mentions = find_mentions(text, self.lexicon)
            names.extend(m.name for m in para.mentions if m.name is not None)
            words += text.count(" ") + 1
            pronouns += sum(1 for m in para.mentions if m.pronoun == "i")
        for quote in self.quotes:
            if quote.tag and quote.tag.mention.name is not None:
                names.append(quote.tag.mention.name)
            names.extend(quote.vocatives)
        names.extend(parse_name(p.pov) for p in self.paragraphs if p.pov)
        names.extend(parse_name(q.label) for q in self.quotes if q.label)
        self.characters = Characters.build(n for n in names if not n.possessive)
        self._count_roles()
        for para in self.paragraphs:
            self.characters.learn_pronouns(para.narration, para.mentions)
        self._learn_from_tags()
        self._learn_from_points_of_view()
        self.first_person = words > 0 and pronouns / words >= FIRST_PERSON_SHARE

    def _count_roles(self) -> None:
        """What shows a name is a person: it acts in the narration, speaks, is addressed."""
        people = self.characters
        for para in self.paragraphs:
            narration = para.narration if para.mentions else ""
            for mention in para.mentions:
                person = people.of_mention(mention) if mention.kind == "name" else None
                if person is None:
                    continue
                person.mentioned += 1
                before = narration[max(0, mention.start - 16):mention.start]
                person.located += _LOCATIVE.search(before) is not None
                person.acts += mention.subject
        for quote in self.quotes:
            if quote.tag and (person := people.of_mention(quote.tag.mention)):
                person.roles += 1
            for name in quote.vocatives:
                if person := people.of_name(name):
                    person.roles += 1
            if quote.label and (person := people.of_name(parse_name(quote.label))):
                person.roles += 1
        for para in self.paragraphs:
            if para.pov and (person := self.pov_character(para)):
                person.roles += 1

    def _learn_from_points_of_view(self) -> None:
        """A character's point-of-view passages, told in the third person, say their gender."""
        told: dict[int, tuple[Character, list[str]]] = {}
        for para in self.paragraphs:
            if para.pov and (person := self.pov_character(para)):
                told.setdefault(id(person), (person, []))[1].append(para.narration)
        for person, narration in told.values():
            person.evidence.merge(point_of_view_evidence(" ".join(narration)))

    def _learn_from_tags(self) -> None:
        """``"...," said Mary. "...," she added.``: Mary is a she."""
        from pipeline.parsing.attribution.gender import pronoun_gender
        for para in self.paragraphs:
            named: Character | None = None
            for quote in para.quotes:
                mention = quote.tag.mention if quote.tag and not quote.tag.is_beat else None
                if mention is None:
                    continue
                if mention.kind == "name":
                    named = self.characters.of_mention(mention)
                elif mention.kind == "pronoun" and named is not None:
                    named.evidence.add(pronoun_gender(mention.pronoun or ""), 2.0,
                                       "pronoun tag after a named tag")

    def character_of(self, mention: Mention) -> Character | None:
        return self.characters.of_mention(mention)

    def pov_character(self, para: Paragraph) -> Character | None:
        return self.characters.of_name(parse_name(para.pov)) if para.pov else None


def _ends_speaking(intro: str) -> bool:
    """``Syme turned to him and said`` with the dash before the speech lost: a speaking verb
    among the last three words, and no stop."""
    last = _LAST_WORDS.search(intro)
    return last is not None and any(w.islower() and is_speaking(w) for w in last.group().split())
