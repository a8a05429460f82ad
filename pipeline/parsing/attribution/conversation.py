"""Conversation structure: the quotes no tag names, read in order as a conversation.

Walking the story paragraph by paragraph (a section starts a new scene), each paragraph whose
quotes are still unattributed gets the first answer of:

1. *continued speech*: it opens with the rest of a speech left open in the paragraph before;
2. *pronoun tag* (``she said``, ``was his answer``): the person of that gender the paragraph has
   just named, else the one whose turn it is, else the one last mentioned;
3. *description tag* (``said the other``, ``cried her mother``, ``said the old man``): "the
   other" is whoever did not speak last; a person noun is resolved like a pronoun of its gender
   when the conversation holds such a person, else it is a new described character;
4. *pronoun beat* (``She smiled. "Yes."``): like a pronoun tag, a little less sure;
5. *vocative*: the person the last speaker addressed by name answers (if the scene has shown
   them: "Oh, Frank, Frank!" to someone far away leaves the pair talking);
6. *turn-taking*: in a run of quoted paragraphs, the speaker before last speaks again
   (A, B, A, B);
7. *partner*: a speech calling someone by name ("I tell you, Mary, ...") is said by whoever
   last talked with them;
8. *addressee*: after one known speaker, the other person in the scene — the one last
   mentioned who is not the speaker;
9. *scene*: the person the narration just before is about, else the last speaker.

A speaker is never the person their own quote addresses by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.parsing.attribution.explicit import spread_in_paragraph
from pipeline.parsing.attribution.gender import noun_gender, pronoun_gender
from pipeline.parsing.attribution.mentions import Mention
from pipeline.parsing.attribution.model import Character, Paragraph, Quote
from pipeline.parsing.attribution.names import find_names
from pipeline.parsing.attribution.story import Story
from pipeline.parsing.attribution.vocatives import kin_called
from pipeline.parsing.attribution.words import CONTINUE_VERBS, OTHER_WORDS, RELATION_NOUNS

PARTNER_REACH = 4  # paragraphs back in which a speech's addressee may have talked
RUN_GAP = 1  # paragraphs between two quoted ones that still keep one conversation going
FADE = 0.7  # how much of a person's salience carries over to the next paragraph
SUBJECT_WEIGHT, NAME_WEIGHT, SPEAKER_WEIGHT, PRONOUN_WEIGHT = 2.0, 1.0, 1.5, 0.5
Decision = tuple[Character, str, float]


@dataclass
class Scene:
    """What the walk remembers within a section: who spoke in the current run of quoted
    paragraphs and when each person was last mentioned."""

    turns: list[tuple[int, Character]] = field(default_factory=list)  # (paragraph, speaker)
    history: list[tuple[int, Character]] = field(default_factory=list)  # speakers of the section
    addressed: Character | None = None  # named by a vocative in the last turn
    since_turn: list[Character] = field(default_factory=list)  # acting in narration since
    he_she_since: list[str] = field(default_factory=list)  # genders of "He ..." / "She ..." since
    salience: dict[Character, float] = field(default_factory=dict)  # fades paragraph by paragraph
    guessed: int = 0  # turns in a row decided by the conversation alone (no tag)

    def see(self, person: Character | None, weight: float = 1.0) -> None:
        if person is not None:
            self.salience[person] = self.salience.get(person, 0.0) + weight

    def fade(self) -> None:
        for person in self.salience:
            self.salience[person] *= FADE

    def focus(self, gender: str) -> Character | None:
        """The person of that gender the narration is about: "she" in the narration keeps the
        current one in focus (pronouns mostly continue the topic)."""
        people = [p for p in self.salience if p.is_person and p.gender == gender]
        return max(people, key=self.salience.__getitem__) if people else None

    def recent(self, exclude: set[Character] = frozenset(), gender: str | None = None,
               limit: int = 12) -> list[Character]:
        """People by salience, most salient first."""
        people = sorted(self.salience, key=lambda p: -self.salience[p])
        out = [p for p in people if p not in exclude and p.is_person and _fits(p, gender)]
        return out[:limit]

    def in_run(self, paragraph: int) -> bool:
        return bool(self.turns) and paragraph - self.turns[-1][0] <= RUN_GAP + 1

    def last(self, n: int = 1) -> Character | None:
        """The speaker ``n`` turns back, counting only changes of speaker."""
        distinct: list[Character] = []
        for _, person in reversed(self.turns):
            if not distinct or distinct[-1] is not person:
                distinct.append(person)
        return distinct[n - 1] if len(distinct) >= n else None


def _fits(person: Character, gender: str | None) -> bool:
    return gender is None or person.gender == gender


# what comes before a name its speaker gives as their own ("My name is Anne", or the name alone)
_GIVES_NAME = re.compile(r"(?:\bI am|\bI'm|\bname is|\bcall me|\bit is|\bit's)\s*$|^\s*$",
                         re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.!?;]\s+)(?=\S)")


def _after_pronoun_subject(text: str, pos: int, gender: str) -> bool:
    """"He came up to Joe and sat down.": a name in a sentence whose subject is "he" (and
    that does not act itself) is not who "he" is; "he said" goes back to the man before."""
    starts = [m.end() for m in _SENTENCE_START.finditer(text, 0, pos)]
    start = starts[-1] if starts else 0
    word = text[start:start + 4].split(" ")[0].lower()
    return pronoun_gender(word) == gender and word in ("he", "she")


def _fits_loosely(person: Character, gender: str | None) -> bool:
    """Of that gender, or of one the text never gave away."""
    return gender is None or person.gender in (gender, None)


@dataclass
class ConversationWalk:
    story: Story
    scene: Scene = field(default_factory=Scene)
    previous: Paragraph | None = None

    def run(self) -> None:
        for para in self.story.paragraphs:
            if para.section_start:
                self.scene = Scene()
            quotes = para.quotes
            if quotes:
                self.attribute(para, quotes)
            else:
                self._see_narration(para)
                if self.scene.turns and para.index - self.scene.turns[-1][0] > RUN_GAP:
                    self.scene.turns = []
            self.previous = para

    # --- one paragraph ---------------------------------------------------------------------------

    def attribute(self, para: Paragraph, quotes: list[Quote]) -> None:
        known = next((q for q in quotes if q.speaker is not None or q.rule), None)
        if known is None:
            decision = self.decide(para, quotes)
            if decision is not None:
                speaker, rule, confidence = decision
                for quote in quotes:
                    quote.attribute(speaker, rule, confidence)
                guessed = rule in ("turn-taking", "vocative", "addressee", "scene", "interlude")
                self.scene.guessed = self.scene.guessed + 1 if guessed else 0
        else:
            self.scene.guessed = 0
            self._rest_of_paragraph(para, quotes)
        self._see_narration(para)
        speaker = next((q.speaker for q in reversed(quotes) if q.speaker is not None), None)
        if speaker is not None:
            if not self.scene.in_run(para.index):
                self.scene.turns = []
            self.scene.turns.append((para.index, speaker))
            self.scene.history.append((para.index, speaker))
            self.scene.since_turn = []
            self.scene.he_she_since = []
            self.scene.see(speaker, SPEAKER_WEIGHT)
            addressed = [self.story.characters.of_name(n) for q in quotes for n in q.vocatives]
            addressed += [self.story.characters.kin(speaker, noun)
                          for q in quotes for noun in kin_called(q.text)]
            self.scene.addressed = next((p for p in addressed if p and p is not speaker
                                         and p.is_person), None)

    def _rest_of_paragraph(self, para: Paragraph, quotes: list[Quote]) -> None:
        """A paragraph with a known speaker and a quote tagged as someone else ("the Clown
        had only said,"): that quote by its own tag, the others by their neighbours."""
        open_quotes = [q for q in quotes if q.speaker is None and not q.rule]
        if not open_quotes:
            return
        for quote in open_quotes:
            forbidden = {p for n in quote.vocatives
                         if (p := self.story.characters.of_name(n)) is not None}
            decision = self._tag_decision(para, quote, forbidden)
            if decision is not None and decision[0] not in forbidden:
                quote.attribute(*decision)
        spread_in_paragraph(para, own_tags=False)

    def decide(self, para: Paragraph, quotes: list[Quote]) -> Decision | None:
        first = quotes[0]
        forbidden = {p for q in quotes for n in q.vocatives
                     if (p := self.story.characters.of_name(n)) is not None}
        spoken_of = {p for q in quotes for p in self._spoken_of(q)}
        # the rest of a speech left open goes on with its speaker, whoever it names ("Dear
        # Matthew," in a letter Matthew reads out)
        if decision := self.continued(para, first, forbidden):
            return decision
        for rule in (self.tagged, self.vocative, self.interlude, self.turn_taking,
                     self.partner, self.addressee, self.narration_before):
            # "she said" is never someone the speech talks about
            decision = rule(para, first, forbidden | spoken_of if rule == self.tagged
                            else forbidden)
            if decision is not None and decision[0] not in forbidden:
                return decision
        return None

    def _spoken_of(self, quote: Quote) -> set[Character]:
        """The people a quote names ("I was thinking about Anne"): people rarely speak of
        themselves by name, unless they give it ("I am Sissy Jupe")."""
        people = set()
        for name in find_names(quote.text, self.story.lexicon):
            if _GIVES_NAME.search(quote.text, 0, name.start):
                continue
            person = self.story.characters.of_name(name)
            if person is not None and person.is_person:
                people.add(person)
        return people

    # --- the rules -------------------------------------------------------------------------------

    def continued(self, para: Paragraph, first: Quote, forbidden: set) -> Decision | None:
        previous = self.previous.quotes if self.previous else []
        if para.items and para.items[0] is first and previous and not previous[-1].closed \
                and previous[-1].speaker is not None:
            return previous[-1].speaker, "continued-speech", 0.9
        return None

    def tagged(self, para: Paragraph, first: Quote, forbidden: set) -> Decision | None:
        for quote in para.quotes:
            if decision := self._tag_decision(para, quote, forbidden):
                return decision
        return None

    def _tag_decision(self, para: Paragraph, quote: Quote, forbidden: set) -> Decision | None:
        tag = quote.tag
        if tag is None:
            return None
        mention = tag.mention
        beat = tag.is_beat
        if mention.kind == "pronoun" and (gender := pronoun_gender(mention.pronoun or "")):
            continuing = (tag.verb or "") in CONTINUE_VERBS
            person = self.resolve(gender, para, quote, forbidden, continuing)
            if person is not None:
                rule = "beat-pronoun" if beat else "tag-pronoun"
                return person, rule, 0.6 if beat else 0.7
        elif mention.kind == "description":
            return self.described(mention, para, quote, forbidden, beat)
        return None

    def vocative(self, para: Paragraph, first: Quote, forbidden: set) -> Decision | None:
        last = self.scene.last()
        addressed = self.scene.addressed
        if self.scene.in_run(para.index) and addressed is not None and addressed is not last:
            before_last = self.scene.last(2)
            if before_last not in (None, addressed) and addressed not in self.scene.salience:
                return None  # calling someone the scene never showed: the pair goes on
            return addressed, "vocative", 0.7
        return None

    def interlude(self, para: Paragraph, first: Quote, forbidden: set) -> Decision | None:
        """A narration paragraph between two turns is about one of the pair: "She paused."
        then an untagged speech is hers, whether or not it is her turn."""
        if not self.scene.in_run(para.index) or self.scene.turns[-1][0] != para.index - 2:
            return None
        last, before_last = self.scene.last(), self.scene.last(2)
        pair = [p for p in (last, before_last) if p is not None]
        named = [p for p in self.scene.since_turn if p in pair]
        if named:
            return named[-1], "interlude", 0.55
        genders = set(self.scene.he_she_since)
        if len(genders) == 1 and len(pair) == 2 and last.gender != before_last.gender:
            gender = genders.pop()
            person = next((p for p in pair if p.gender == gender), None)
            if person is not None:
                return person, "interlude", 0.55
        return None

    def turn_taking(self, para: Paragraph, first: Quote, forbidden: set) -> Decision | None:
        if not self.scene.in_run(para.index):
            return None
        before_last = self.scene.last(2)
        if before_last is not None and before_last not in forbidden:
            # each turn guessed in a row, with no tag to check it, is less sure
            sure = max(0.35, 0.75 - 0.08 * self.scene.guessed)
            return before_last, "turn-taking", sure
        return None

    def partner(self, para: Paragraph, first: Quote, forbidden: set) -> Decision | None:
        """"I tell you, Mary, ...": said by whoever last talked with the one it addresses."""
        called = [p for p in forbidden if p.is_person]
        if len(called) != 1:
            return None
        turns = [person for index, person in self.scene.history
                 if para.index - index <= PARTNER_REACH]
        for i in range(len(turns) - 1, -1, -1):
            if turns[i] is called[0]:
                near = [turns[j] for j in (i + 1, i - 1) if 0 <= j < len(turns)]
                other = next((p for p in near if p is not called[0]), None)
                if other is not None:
                    return other, "partner", 0.5
        return None

    def addressee(self, para: Paragraph, first: Quote, forbidden: set) -> Decision | None:
        last = self.scene.last()
        if last is None or not self.scene.in_run(para.index):
            return None
        tag = self.last_tag_to()
        if tag is not None:
            return tag, "addressee", 0.6
        others = self.scene.recent(exclude={last} | forbidden)
        return (others[0], "addressee", 0.4) if others else None

    def narration_before(self, para: Paragraph, first: Quote, forbidden: set) -> Decision | None:
        """The person the narration just before is about (``Anne came back with a sigh.``
        then ``"Was she?"``), else the last speaker of the section."""
        candidates = self.scene.recent(exclude=forbidden)
        if candidates:
            return candidates[0], "scene", 0.35
        return None

    # --- resolving pronouns and descriptions -----------------------------------------------------

    def _owner(self, pronoun: str, para: Paragraph, quote: Quote) -> Character | None:
        """Who "her" in "her mother" is: the one of that gender just named, else the last
        speaker."""
        gender = pronoun_gender(pronoun)
        if gender is None:
            return None
        named = self._named_before(para, quote, gender, set())
        last = self.scene.last()
        if named is not None:
            return named
        if last is not None and _fits(last, gender):
            return last
        focus = self.scene.recent(gender=gender)
        return focus[0] if focus else None

    def resolve(self, gender: str, para: Paragraph, quote: Quote, forbidden: set,
                continuing: bool = False, relation: bool = False) -> Character | None:
        """Who "she" (or "he") is, speaking ``quote``."""
        here = self._named_before(para, quote, gender, forbidden)
        if here is not None:
            return here
        if relation:  # "her mother": whoever of that gender the scene holds besides
            others = self.scene.recent(exclude=forbidden, gender=gender)
            return others[0] if others else None
        # the narration since the last speech is about someone: "he" is most likely them
        acting = [p for p in self.scene.since_turn if _fits(p, gender) and p not in forbidden]
        if acting:
            return acting[-1]
        last, before_last = self.scene.last(), self.scene.last(2)
        if self.scene.in_run(para.index):
            # The pair talking: the one whose turn it is when the pronoun fits them, else the
            # one who just spoke (a speech broken by narration), else a third person.
            addressed = self.scene.addressed
            if continuing and last is not None and _fits(last, gender):
                return last
            pair = [p for p in (addressed, before_last, last) if p is not None
                    and p not in forbidden]
            for person in pair:
                if _fits(person, gender):
                    return person
            third = self.scene.recent(exclude={last, before_last} | forbidden, gender=gender)
            if third:
                return third[0]
            # nobody known to be of that gender: one of the pair whose gender the text never
            # gave away
            return next((p for p in pair if p.gender is None), None)
        focus = self.scene.recent(exclude=forbidden, gender=gender)
        if focus:
            return focus[0]
        pov = self.story.pov_character(para)
        if pov is not None and _fits(pov, gender):
            return pov
        return None

    def _named_before(self, para: Paragraph, quote: Quote, gender: str,
                      forbidden: set) -> Character | None:
        """The person of that gender the paragraph is about before the tag: the last one
        opening a sentence ("Mary was tired. She heard Kate call her. 'Yes,' she said":
        Mary), else the last one named."""
        opening: Character | None = None
        acting: Character | None = None
        for item in para.items:
            if item is quote:
                break
            if not isinstance(item, str):
                continue
            for mention in self._mentions_in(para, item):
                person = self.story.character_of(mention)
                if person is None or not _fits(person, gender) or person in forbidden \
                        or not mention.subject and _after_pronoun_subject(item, mention.start,
                                                                          gender):
                    continue
                acting = person
                if not item[:mention.start].rstrip() or \
                        item[:mention.start].rstrip()[-1:] in ".!?;":
                    opening = person
        return opening or acting

    def _mentions_in(self, para: Paragraph, text: str) -> list[Mention]:
        from pipeline.parsing.attribution.mentions import find_mentions
        return [m for m in find_mentions(text, self.story.lexicon) if m.kind == "name"]

    def described(self, mention: Mention, para: Paragraph, quote: Quote, forbidden: set,
                  beat: bool) -> Decision | None:
        """"the other", "her mother", "this lady", "the old man" (see the module docstring)."""
        noun = (mention.noun or "").lower()
        last = self.scene.last()
        not_last = forbidden | ({last} if last else set())
        in_run = self.scene.in_run(para.index)
        if noun in OTHER_WORDS and mention.determiner == "the":
            other = self.scene.last(2) if in_run else None
            if other is None:
                people = self.scene.recent(exclude=not_last)
                other = people[0] if people else None
            return (other, "tag-other", 0.7) if other else None
        gender = noun_gender(noun)
        if ranked := self.story.characters.of_rank(noun):
            # "said her ladyship": the one of that rank the scene holds, else the only one
            present = [p for p in self.scene.recent(exclude=forbidden) if p in ranked]
            person = present[0] if present else ranked[0] if len(ranked) == 1 else None
            if person is not None:
                return person, "tag-description", 0.7
        if mention.owner in ("his", "her", "their") and (noun in RELATION_NOUNS
                                                         or noun == "lady"):
            # "her mother": someone of that gender other than the one "her" points at
            owner = self._owner(mention.owner, para, quote)
            kin = self.story.characters.kin(owner, noun)
            if kin is not None and kin not in forbidden:
                return kin, "tag-description", 0.7
            person = self.resolve(gender, para, quote, not_last | {owner}, relation=True) \
                if gender else None
            return (person, "tag-description", 0.5) if person else None
        if mention.owner is not None and mention.owner not in ("his", "her", "their", "my",
                                                               "our", "your"):
            return self.story.characters.describe(mention), "tag-description", 0.6
        known = self.story.characters.described.get(mention.words.lower())
        if known is not None:
            return known, "tag-description", 0.8
        if (mention.words.split() or [""])[-1][:1].isupper():
            # "the Professor": the one Professor the story names, or a character so called
            return self.story.characters.describe(mention), "tag-description", 0.75
        addressed = self.scene.addressed
        if mention.determiner == "the" and in_run and addressed is not None \
                and addressed not in not_last and (addressed.gender == gender if gender
                                                   else addressed.gender is None):
            # "...., Small," said the detective. "Justice!" snarled the ex-convict: Small
            return addressed, "tag-description", 0.6
        if mention.determiner in ("this", "that") and gender:
            # "this lady": the one just spoken of
            person = self.resolve(gender, para, quote, forbidden)
            if person is not None and not person.described:
                return person, "tag-description", 0.55
        if mention.determiner == "the" and in_run and gender:
            # an epithet for someone in the conversation: the one addressed, or whose turn it
            # is, else the one of that gender the scene last mentioned
            for person in (self.scene.addressed, self.scene.last(2)):
                if person is not None and person not in not_last and _fits(person, gender) \
                        and not person.described:
                    return person, "tag-description", 0.55
            person = self.resolve(gender, para, quote, not_last) if gender else None
            if person is not None and not person.described:
                return person, "tag-description", 0.5
        return self.story.characters.describe(mention), "tag-description", 0.6 if beat else 0.7

    def last_tag_to(self) -> Character | None:
        """The person the last speaker's tag said they spoke to ("said she to Charlotte")."""
        if not self.scene.turns or self.previous is None:
            return None
        for quote in self.previous.quotes:
            if quote.tag and quote.tag.to and quote.tag.to.kind == "name":
                person = self.story.character_of(quote.tag.to)
                if person is not None and person is not self.scene.last():
                    return person
        return None

    def _see_narration(self, para: Paragraph) -> None:
        self.scene.fade()
        for mention in para.mentions:
            if mention.kind == "name":
                person = self.story.character_of(mention)
                self.scene.see(person, SUBJECT_WEIGHT if mention.subject else NAME_WEIGHT)
                if mention.subject and person is not None and not para.quotes:
                    self.scene.since_turn.append(person)
            elif mention.pronoun == "i" and self.story.first_person:
                self.scene.see(self.story.characters.first_person(), NAME_WEIGHT)
            elif gender := pronoun_gender(mention.pronoun or ""):
                self.scene.see(self.scene.focus(gender), PRONOUN_WEIGHT)
                if not para.quotes and mention.text[:1].isupper():
                    self.scene.he_she_since.append(gender)  # "He paused."


def attribute_conversations(story: Story) -> None:
    ConversationWalk(story).run()
