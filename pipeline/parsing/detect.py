"""Guess a script's format from its file name and its whole text, and say why.

- ``.fountain`` / ``.spmd`` files, and text shaped like a screenplay (all-caps character cues
  over their dialogue, ``INT.``/``EXT.`` scene headings), are Fountain.
- A play script is one where most paragraphs are ``NAME: speech``.
- Everything else is prose. A few ``Name:`` or ``Name: Title`` lines opening paragraphs of
  narration are point-of-view headings, not speeches; quoted dialogue (``"Hi," she said.``)
  weighs twice for prose, since a play has no need of quotation marks.

``detect(text, path)`` returns the format, the reasons (``castwright parse`` prints them) and
whether it was a close call (the parser then warns: ``--format`` decides, or a ``Format: prose``
line among the header lines at the top of the file, which every command honours).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ScriptError
from pipeline.parsing.common import HEADER_KEYS, plain_label
from pipeline.parsing.fountain import SCENE_HEADING, character_cue
from pipeline.parsing.headings import chapter_heading, title_like
from pipeline.parsing.paragraphs import MD_HEADING, SCENE_BREAK, layout_of
from pipeline.parsing.play import HEADING as PLAY_HEADING
from pipeline.parsing.play import match_speech

FORMATS = ("prose", "play", "fountain")
FOUNTAIN_EXTENSIONS = frozenset({".fountain", ".spmd"})
_SOUND_LINE = re.compile(r"^\[\s*(?:sfx|sound|fx|ambience|ambient|atmos|bed|music|pause|beat)\b",
                         re.IGNORECASE)
LONG_PARAGRAPH = 200  # characters: story prose, not a line of a play
LONG_SPEECH = 200
CLOSE_CALL = (0.4, 0.6)  # share of play speeches between these: the parser warns
_QUOTE_OPEN = re.compile(r"(?:^|[\s(\u2014\u2013-])[\"\u201c\u00ab]\S")
_QUOTE_END = re.compile(r"[\w,.!?\u2026\u2014\u2013-][\"\u201d\u00bb](?:\s|$)")
_DIRECTION = re.compile(r"^[(\[].*[)\]]$")  # (She exits.) [Lights down.]
_EXAMPLES = 2


@dataclass
class TextStats:
    speeches: int = 0  # paragraphs that are "NAME: words" speeches of a play
    narration: int = 0  # paragraphs of story text (or stage directions)
    quoted: int = 0  # ... of them with quoted dialogue
    pov_headings: int = 0  # "Name:" / "Name: Title" lines opening a paragraph
    sounds: int = 0  # [SFX: ...] lines
    scene_headings: int = 0  # INT./EXT. lines
    character_cues: int = 0  # screenplay cue lines: all caps, blank line before, dialogue after
    long_paragraphs: int = 0
    heading_examples: list[str] = field(default_factory=list)
    speech_examples: list[str] = field(default_factory=list)


@dataclass
class Detection:
    format: str
    reasons: list[str]
    close_call: bool = False


def text_stats(text: str) -> TextStats:
    stats = TextStats()
    lines = text.split("\n")
    _line_stats(stats, [line.strip() for line in lines])
    _paragraph_stats(stats, lines)
    return stats


def _line_stats(stats: TextStats, lines: list[str]) -> None:
    """Screenplay evidence, line by line."""
    for i, line in enumerate(lines):
        if not line:
            continue
        if _SOUND_LINE.match(line):
            stats.sounds += 1
        if SCENE_HEADING.match(line):
            stats.scene_headings += 1
        before_blank = i == 0 or not lines[i - 1]
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if before_blank and after and character_cue(line) and not character_cue(after) \
                and not SCENE_HEADING.match(line):
            stats.character_cues += 1


def _paragraph_stats(stats: TextStats, lines: list[str]) -> None:
    """Play speeches against story paragraphs, unit by unit: a ``Name:`` line opens a unit and
    the lines under it continue it (as in a play); in a hard-wrapped file a wrapped line always
    continues."""
    layout = layout_of(lines)
    unit: list[str] = []
    previous = ""
    for raw in lines + [""]:
        line = raw.strip()
        if not line:
            if unit:
                _count_unit(stats, unit)
            unit, previous = [], ""
            continue
        starts = not unit or (not layout.full(previous, raw) and (
            match_speech(line) is not None or _SOUND_LINE.match(line) is not None
            or _standalone(line) or _standalone(unit[-1])))
        if starts and unit:
            _count_unit(stats, unit)
            unit = []
        unit.append(line)
        previous = raw


def _standalone(line: str) -> bool:
    return bool(SCENE_BREAK.match(line) or MD_HEADING.match(line) or PLAY_HEADING.match(line)
                or chapter_heading(line) or _DIRECTION.match(line))


def _count_unit(stats: TextStats, unit: list[str]) -> None:
    first = unit[0]
    if _SOUND_LINE.match(first) or _standalone(first):
        return
    speech = match_speech(first)
    if speech is None:
        _narration(stats, unit)
        return
    name = speech.group("name").strip()
    said = (speech.group("text") or "").strip()
    if name.lower() in HEADER_KEYS:
        return  # Title:, Summary: ... are neither speech nor story
    if not said or title_like(said):  # "Spike:", "Mara: The Last Ferry"
        _heading(stats, name, said)
        _narration(stats, unit[1:])
    elif len(first) >= LONG_SPEECH:  # "Spike: When she was gone He wrote, ..." runs on
        _heading(stats, name, "")
        _narration(stats, [said] + unit[1:])
    elif not _QUOTE_OPEN.match(" " + said):  # Name: "..." labels a quote: neither
        stats.speeches += 1
        if len(stats.speech_examples) < _EXAMPLES:
            stats.speech_examples.append(first[:40])


def _heading(stats: TextStats, name: str, title: str) -> None:
    stats.pov_headings += 1
    if len(stats.heading_examples) < _EXAMPLES:
        stats.heading_examples.append(f"{name}: {title}" if title else f"{name}:")


def _narration(stats: TextStats, parts: list[str]) -> None:
    text = " ".join(parts).strip()
    if not text:
        return
    stats.narration += 1
    if _QUOTE_OPEN.search(" " + text) and _QUOTE_END.search(text):
        stats.quoted += 1
    if len(text) >= LONG_PARAGRAPH:
        stats.long_paragraphs += 1


_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z/'\u2019 ]{0,24}?)\s*:\s*(?P<value>.*)$")


def declared_format(text: str, where: str = "") -> str | None:
    """``Format: play`` among the header lines at the top of the file (Title:, Author: ...);
    an unknown value is a ``ScriptError`` at its line."""
    for number, line in enumerate(text.split("\n"), start=1):
        match = _HEADER_LINE.match(plain_label(line.strip()))
        if not line.strip():
            continue
        if not match or match.group("key").strip().lower() not in HEADER_KEYS:
            return None
        if match.group("key").strip().lower() == "format":
            value = match.group("value").strip().lower()
            if value not in FORMATS:
                raise ScriptError(f"unknown format {value!r} in the 'Format:' header line: use "
                                  f"one of {', '.join(FORMATS)}", where, number)
            return value
    return None


def detect(text: str, path: str | Path | None = None) -> Detection:
    """The format of ``text`` (named ``path``), with the reasons for it."""
    if declared := declared_format(text, str(path or "")):
        return Detection(declared, [f"the file's header says 'Format: {declared}'"])
    if path is not None and Path(path).suffix.lower() in FOUNTAIN_EXTENSIONS:
        return Detection("fountain", [f"the file name ends in {Path(path).suffix}"])
    stats = text_stats(text)
    if stats.character_cues >= 2 and stats.character_cues >= stats.speeches \
            and (stats.scene_headings >= 1 or stats.character_cues >= 3):
        return Detection("fountain", [
            f"{stats.character_cues} screenplay character cues (all-caps names over their "
            f"dialogue) and {stats.scene_headings} INT./EXT. scene headings"])
    story = stats.narration + stats.quoted  # quoted dialogue weighs twice
    share = stats.speeches / (stats.speeches + story) if stats.speeches + story else 0.0
    reasons = [_speech_reason(stats), _story_reason(stats)]
    if stats.pov_headings:
        reasons.append(f"{stats.pov_headings} 'Name:' heading line(s) opening narration "
                       f"({', '.join(stats.heading_examples)}): points of view, not speeches")
    close = stats.speeches + story >= 2 and CLOSE_CALL[0] <= share <= CLOSE_CALL[1]
    if stats.speeches >= 2 and stats.speeches > story:
        return Detection("play", reasons, close)
    if stats.speeches == 1 and story == 0 and stats.pov_headings == 0:
        return Detection("play", reasons + ["a one-line scene: 'NAME: words' is a speech"])
    return Detection("prose", [r for r in reasons if r], close)


def _speech_reason(stats: TextStats) -> str:
    if not stats.speeches:
        return "no 'NAME: speech' paragraphs"
    examples = "; ".join(stats.speech_examples)
    return f"{stats.speeches} 'NAME: speech' paragraph(s) of a play ({examples})"


def _story_reason(stats: TextStats) -> str:
    return (f"{stats.narration} paragraph(s) of narration, {stats.quoted} with quoted "
            "dialogue (weighing twice)")


def detect_format(text: str, path: str | Path | None = None) -> str:
    """"fountain" for .fountain/.spmd files or screenplay-shaped text, "play" for text made of
    ``NAME: line`` speeches, else "prose"."""
    return detect(text, path).format
