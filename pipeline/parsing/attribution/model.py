"""What the attribution passes read and write: a story as paragraphs of narration and quotes,
the characters found in it, and for every quote its speaker, the rule and a confidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.parsing.attribution.gender import GenderEvidence
from pipeline.parsing.attribution.mentions import Mention
from pipeline.parsing.attribution.names import Name

PLACE_SHARE = 0.3  # places: ~0.4-1.0 of mentions after a locative word; people: <= 0.2


@dataclass
class Tag:
    """A speech tag or action beat next to a quote, naming (or pointing at) its speaker.

    place: "label" (``Name: "..."``), "after"/"before" (a tag: ``"...," said Mary`` /
    ``Mary said, "..."``), "beat-after"/"beat-before" (the action around a quote: ``Mary
    frowned. "Why?"``). ``verb``: the verb if any; ``to``: the person spoken to.
    """

    mention: Mention
    place: str
    verb: str | None = None
    to: Mention | None = None

    @property
    def is_beat(self) -> bool:
        return self.place.startswith("beat")


@dataclass
class Character:
    """One person: every name the text gives them, their gender and why."""

    name: str  # the name used for the voice
    aliases: dict[str, int] = field(default_factory=dict)  # name as written -> times seen
    evidence: GenderEvidence = field(default_factory=GenderEvidence)
    described: bool = False  # known only by a description ("the old man")
    narrator: bool = False  # the first-person narrator ("I")
    first: str | None = None  # first name, if known
    last: str | None = None  # family name, if known
    titles: set[str] = field(default_factory=set)
    lines: int = 0
    acts: int = 0  # times the narration shows them acting ("Anne laughed")
    roles: int = 0  # times the text shows them as a person: tagged, addressed, a point of view
    mentioned: int = 0  # times the narration names them
    located: int = 0  # of those, after "in", "at", "from"...: a place ("at Netherfield")

    @property
    def is_place(self) -> bool:
        """Named like a place: often after "in", "at", "from" ("stayed at Longbourn"), which
        no person's name is, and no title."""
        return not (self.titles or self.narrator or self.described) and self.located >= 3 \
            and self.located >= PLACE_SHARE * self.mentioned and self.roles < self.located

    @property
    def is_person(self) -> bool:
        """A person, not a place or a thing: titled, tagged, addressed, known by a first name
        or a description, or acting again and again."""
        if self.is_place:
            return False
        return bool(self.roles or self.described or self.narrator or self.titles
                    or self.acts >= 5 or self.acts and self.evidence.gender is not None)

    @property
    def gender(self) -> str | None:
        return self.evidence.gender if self.is_person else None

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


@dataclass
class Quote:
    """A quotation: its words, where it is, and (once attributed) who says it."""

    text: str
    line: int
    closed: bool = True
    label: str | None = None  # "Name: "..."" in the source
    paragraph: int = 0  # index of its paragraph in the story
    position: int = 0  # index among all quotes of the story
    parts: list[str] = field(default_factory=list)  # the pieces it is read in, if cut up
    before: str = ""  # narration right before it in its paragraph
    between: bool = False  # that narration follows another quote: "X," she said, "Y."
    after: str = ""  # narration right after it in its paragraph
    tag: Tag | None = None
    vocatives: list[Name] = field(default_factory=list)
    speaker: Character | None = None
    rule: str | None = None
    confidence: float = 0.0

    def attribute(self, speaker: Character | None, rule: str, confidence: float) -> None:
        self.speaker, self.rule, self.confidence = speaker, rule, round(confidence, 2)

    @property
    def ends_sentence(self) -> bool:
        return self.text.rstrip("\"'\u2019\u201d )").endswith((".", "!", "?", "\u2026"))


@dataclass
class Paragraph:
    """A paragraph: narration strings and quotes in reading order."""

    items: list[str | Quote] = field(default_factory=list)
    pov: str | None = None
    section_start: bool = False
    index: int = 0
    mentions: list[Mention] = field(default_factory=list)  # people its narration names

    @property
    def quotes(self) -> list[Quote]:
        return [i for i in self.items if isinstance(i, Quote)]

    @property
    def narration(self) -> str:
        return " ".join(i for i in self.items if isinstance(i, str))
