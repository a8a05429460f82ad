"""The script model: what a parsed story or script is, before any voice touches it.

Plain dataclasses flowing one way: text -> Script -> cast -> takes -> timeline -> master -> files.
Every spoken cue gets a readable line id (``s02-l014``) that users see everywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class CueKind(StrEnum):
    NARRATION = "narration"
    DIALOGUE = "dialogue"
    SFX = "sfx"
    AMBIENCE = "ambience"
    MUSIC = "music"
    PAUSE = "pause"
    AUDIO = "audio"  # a recorded sound or line played as it is: [AUDIO: takes/finn.wav]


SPOKEN_KINDS = frozenset({CueKind.NARRATION, CueKind.DIALOGUE})


class SectionKind(StrEnum):
    """What opened a section, so a book can be split into chapters (and parts) by kind."""

    SECTION = "section"  # the opening text, a Markdown or scene heading
    POV = "pov"  # told from one character's point of view ("Spike:", "Mara: The Last Ferry")
    CHAPTER = "chapter"  # "Chapter 3", "IV.", "Prologue", "Epilogue": one chapter of a book
    PART = "part"  # "Part Two", "Book I", "Volume II": a group of chapters


@dataclass
class Cue:
    """One event in a section.

    Spoken cues (narration, dialogue) carry ``text`` (the author's words, kept for the
    transcript) and a ``line_id``. Non-spoken cues use ``text`` for their argument: the
    sound effect, ambience bed or music name (``"off"`` stops a bed), and ``seconds`` for
    pauses and optional durations.
    """

    kind: CueKind
    text: str = ""
    speaker: str | None = None  # dialogue: character name as written in the cast; narration: None
    delivery: str | None = None  # parenthetical / stage direction, e.g. "whispering"
    seconds: float | None = None
    line_id: str | None = None
    source_line: int = 0  # 1-based line in the source file
    paragraph_end: bool = False  # last cue of a paragraph: the timeline adds a longer pause
    # Prose dialogue: the attribution rule that chose the speaker and how sure it is (0-1).
    rule: str | None = None
    confidence: float | None = None

    @property
    def is_spoken(self) -> bool:
        return self.kind in SPOKEN_KINDS


@dataclass
class Section:
    id: str  # "s00" (summary/intro), "s01", ...
    heading: str
    pov: str | None = None  # point-of-view character of prose sections
    cues: list[Cue] = field(default_factory=list)
    is_summary: bool = False
    source_line: int = 0
    kind: SectionKind = SectionKind.SECTION
    number: int | None = None  # a chapter's or part's number as the heading gives it ("IV" -> 4)
    title: str = ""  # the heading's own title ("The Ferry" of "Chapter 3: The Ferry"), if any

    @property
    def lines(self) -> list[Cue]:
        return [c for c in self.cues if c.is_spoken]


@dataclass
class CharacterInfo:
    """A person of a prose story: every name the text gives them and their gender, with why."""

    name: str  # the speaker name the cues use
    aliases: list[str] = field(default_factory=list)  # other names, most used first
    gender: str | None = None  # "male" | "female" | None
    gender_evidence: list[str] = field(default_factory=list)
    narrator: bool = False  # the first-person narrator
    described: bool = False  # known only by a description ("Old Man")


@dataclass
class Script:
    title: str
    source_path: str
    format: str  # "prose" | "play" | "fountain"
    summary: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Gender hints found in the text ("male"/"female"), used by automatic casting.
    gender_hints: dict[str, str] = field(default_factory=dict)
    # Prose: the people found in the text (speakers and their aliases); empty for scripts.
    characters: list[CharacterInfo] = field(default_factory=list)
    # Why the parser read the file as ``format`` (``castwright parse`` shows them).
    format_reasons: list[str] = field(default_factory=list)
    # The character telling a first-person story: the narration is read in their voice.
    narrator_character: str | None = None

    def lines(self) -> list[Cue]:
        return [c for s in self.sections for c in s.lines]

    def line(self, line_id: str) -> Cue | None:
        return next((c for c in self.lines() if c.line_id == line_id), None)

    def speakers(self) -> list[str]:
        """Dialogue speakers, point-of-view characters and a first-person narrator, in order of
        first appearance."""
        seen: dict[str, None] = {}
        if self.narrator_character:
            seen[self.narrator_character] = None
        for s in self.sections:
            if s.pov:
                seen.setdefault(s.pov, None)
            for c in s.cues:
                if c.kind is CueKind.DIALOGUE and c.speaker:
                    seen.setdefault(c.speaker, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def line_id(section_index: int, line_index: int) -> str:
    return f"s{section_index:02d}-l{line_index:03d}"


def assign_line_ids(script: Script) -> Script:
    """Number spoken cues per section, in order. Parsers call this last."""
    for s_index, section in enumerate(script.sections):
        section.id = f"s{s_index:02d}" if script.sections[0].is_summary else f"s{s_index + 1:02d}"
        n = 0
        for cue in section.cues:
            if cue.is_spoken:
                n += 1
                cue.line_id = line_id(int(section.id[1:]), n)
    return script
