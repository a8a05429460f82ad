"""Play scripts: ``NAME: line`` speeches, ``[SFX: ...]`` cue lines, headings, stage directions.

    Title: The Lighthouse Keeper
    Summary: A storm, a lamp, a visitor.

    # The lamp room
    [AMBIENCE: wind]
    The wind leans on the glass.          <- stage direction: the narrator reads it
    MARA: (quietly) Is it lit?            <- (delivery) at the start of a speech
    TOM: It's lit.
      And it will stay lit.               <- continuation: joins TOM's speech
    [PAUSE 1.5s]
    [[a note to self]]                    <- ignored

Scene headings are ``# Heading``, ``INT./EXT. ...`` or ``ACT/SCENE n`` lines. ``Title:``,
``Author:``, ``Summary:`` (and other header keys) before the first speech are metadata.
A ``NARRATOR:`` speech is narration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import CueKind, Script, Section
from pipeline.parsing.common import (
    HEADER_KEYS,
    SUMMARY_KEYS,
    Block,
    canonical_name,
    check_name,
    finish,
    new_section,
    plain_label,
    sound_cue,
    spoken_cues,
    strip_notes,
)
from pipeline.parsing.speech import speech_cues

# "NAME: text"; CJK scripts write a full-width colon, with no space after it.
SPEECH = re.compile(r"^(?P<name>[^:\uff1a\[\]\"\u201c\u201d(){}<>]{1,60}?)\s*"
                    r"(?:\((?P<ext>[^()]{0,60})\)\s*)?"
                    r"(?:[:\uff1a]\s*$|(?::\s+|\uff1a\s*)(?P<text>.*))")
HEADING = re.compile(r"^(?:#{1,6}\s*(?P<md>.+)|(?P<scene>(?:INT|EXT|EST|INT\.?/EXT|I/E)[.\s].*"
                     r"|(?:ACT|Act|SCENE|Scene)\s+(?:\d+|[IVXLC]+)\b.*))$")
HEADER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z/' ]{0,24}?)\s*:\s*(?P<value>.*)$")
_NAME_WORD = re.compile(r"^(?:[^\W\d_][\w'\u2019.\-/\\]*|\d+|[\w'\u2019.\-/\\]*[/\\][\w.\-/\\]*)$")
_NAME_CONNECTORS = frozenset({"of", "the", "de", "la", "le", "van", "von", "der", "du", "da",
                              "al", "y", "and"})
NARRATOR_NAMES = frozenset({"narrator", "the narrator", "narration"})


def capital(ch: str) -> bool:
    """An upper-case letter, or a letter of a script without case (Hebrew, Arabic, CJK)."""
    return ch.isupper() or (ch.isalpha() and ch.lower() == ch.upper())


def looks_like_name(raw: str) -> bool:
    """A speaker name: 1-4 words, the first capitalised, the rest capitalised or connectors
    ("Mr. Steel", "Lady of the Lake", "GUARD 2"). Path characters are let through on purpose:
    they are refused later with a clear error instead of being read as a stage direction."""
    words = raw.split()
    if not 1 <= len(words) <= 4 or len(raw) > 40 or not any(c.isalpha() for c in raw):
        return False
    if not capital(words[0][:1]) and not re.search(r"[/\\]|\.\.", raw):
        return False
    for word in words:
        if not _NAME_WORD.match(word):
            return False
        if not (capital(word[:1]) or word[:1].isdigit() or word.lower() in _NAME_CONNECTORS
                or re.search(r"[/\\]|\.\.", word)):
            return False
    return True


def match_speech(line: str) -> re.Match[str] | None:
    match = SPEECH.match(line.strip())
    if match and looks_like_name(match.group("name")):
        return match
    return None


@dataclass
class _Speech:
    name: str | None  # None: the narrator
    delivery: str | None
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _PlayParser:
    where: str
    script: Script
    section: Section | None = None
    speech: _Speech | None = None
    directions: list[tuple[int, str]] = field(default_factory=list)
    header_open: bool = True
    summary_lines: list[tuple[int, str]] = field(default_factory=list)
    last_header_key: str | None = None

    def current(self, line: int) -> Section:
        if self.section is None:
            self.section = new_section("", line)
            self.script.sections.append(self.section)
        return self.section

    def flush(self) -> None:
        if self.speech is not None:
            speech, self.speech = self.speech, None
            if speech.lines:
                kind = CueKind.DIALOGUE if speech.name else CueKind.NARRATION
                block = Block.of_lines(speech.lines)
                self.current(speech.lines[0][0]).cues.extend(
                    speech_cues(block, kind, speech.name, speech.delivery))
        if self.directions:
            block = Block.of_lines(self.directions)
            self.current(self.directions[0][0]).cues.extend(
                spoken_cues(block, 0, len(block.text), CueKind.NARRATION))
            self.directions = []

    def header(self, number: int, line: str) -> bool:
        """Metadata lines before the first speech; True if ``line`` was one."""
        if not self.header_open:
            return False
        match = HEADER.match(plain_label(line.strip()))
        if match and match.group("key").strip().lower() in HEADER_KEYS:
            key = match.group("key").strip().lower()
            value = match.group("value").strip()
            self.last_header_key = key
            if key in SUMMARY_KEYS:
                self.summary_lines.append((number, value))
            else:
                self.script.metadata[key] = value
            return True
        if self.last_header_key and line.strip() and self._continues_header(line):
            if self.last_header_key in SUMMARY_KEYS:
                self.summary_lines.append((number, line))
            else:
                key = self.last_header_key
                self.script.metadata[key] = f"{self.script.metadata[key]} {line.strip()}".strip()
            return True
        self.last_header_key = None
        return not line.strip()

    def _continues_header(self, line: str) -> bool:
        """An indented line continues a header value; so does any plain line after Summary."""
        if line[:1] in (" ", "\t"):
            return True
        stripped = line.strip()
        return (self.last_header_key in SUMMARY_KEYS and not match_speech(stripped)
                and not HEADING.match(stripped) and not stripped.startswith("["))

    def feed(self, number: int, raw: str) -> None:
        line = raw.strip()
        if self.header(number, raw):
            return
        self.header_open = False
        if not line:  # a blank line ends a speech or a stage direction
            self.flush()
        elif cue := sound_cue(line, number, self.where, self.script.warnings):
            self.flush()
            self.current(number).cues.append(cue)
        elif heading := HEADING.match(line):
            self.flush()
            text = (heading.group("md") or heading.group("scene")).strip().strip("#").strip()
            self.section = new_section(text, number)
            self.script.sections.append(self.section)
        elif speech := match_speech(line):
            self.flush()
            check_name(speech.group("name"), self.where, number)
            name = canonical_name(speech.group("name"))
            speaker = None if name.lower() in NARRATOR_NAMES else name
            self.speech = _Speech(speaker, speech.group("ext"))
            if speech.group("text"):
                self.speech.lines.append((number, speech.group("text")))
        elif self.speech is not None:  # the next line (indented or not) continues the speech
            self.speech.lines.append((number, line))
        else:
            self.directions.append((number, line))


def parse_play(text: str, where: str) -> Script:
    script = Script(title="", source_path=where, format="play")
    parser = _PlayParser(where, script)
    lines = strip_notes(text).split("\n")
    for number, raw in enumerate(lines, start=1):
        parser.feed(number, raw)
    parser.flush()
    script.title = script.metadata.get("title", "")
    if parser.summary_lines:
        block = Block.of_lines(parser.summary_lines)
        script.summary = block.text.strip()
        summary = Section(id="s00", heading="Summary", is_summary=True,
                          source_line=parser.summary_lines[0][0])
        summary.cues = spoken_cues(block, 0, len(block.text), CueKind.NARRATION)
        script.sections.insert(0, summary)
    return finish(script, _first_line(lines))


def _first_line(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines, start=1) if line.strip()), 1)

