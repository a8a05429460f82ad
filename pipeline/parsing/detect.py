"""Guess a script's format from its file name and its text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.parsing.common import HEADER_KEYS
from pipeline.parsing.fountain import SCENE_HEADING, character_cue
from pipeline.parsing.play import match_speech

FORMATS = ("prose", "play", "fountain")
FOUNTAIN_EXTENSIONS = frozenset({".fountain", ".spmd"})
_SOUND_LINE = re.compile(r"^\[\s*(?:sfx|sound|fx|ambience|ambient|atmos|bed|music|pause|beat)\b",
                         re.IGNORECASE)
LONG_PARAGRAPH = 200  # characters: story prose, not a line of a play
LONG_SPEECH = 200


@dataclass
class TextStats:
    speeches: int = 0  # "NAME: words" lines of a play
    sounds: int = 0  # [SFX: ...] lines
    scene_headings: int = 0  # INT./EXT. lines
    character_cues: int = 0  # screenplay cue lines: all caps, blank line before, dialogue after
    long_paragraphs: int = 0


def text_stats(text: str) -> TextStats:
    stats = TextStats()
    lines = [line.strip() for line in text.split("\n")]
    for i, line in enumerate(lines):
        if not line:
            continue
        if _SOUND_LINE.match(line):
            stats.sounds += 1
        if SCENE_HEADING.match(line):
            stats.scene_headings += 1
        speech = match_speech(line)
        if speech and speech.group("text") and len(line) < LONG_SPEECH \
                and speech.group("name").strip().lower() not in HEADER_KEYS:
            stats.speeches += 1
        before_blank = i == 0 or not lines[i - 1]
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if before_blank and after and character_cue(line) and not character_cue(after) \
                and not SCENE_HEADING.match(line):
            stats.character_cues += 1
    for block in re.split(r"\n\s*\n", text):
        long_block = len(" ".join(block.split())) >= LONG_PARAGRAPH
        if (long_block and not match_speech(block.strip())) \
                or any(len(line) >= LONG_PARAGRAPH for line in block.split("\n")):
            stats.long_paragraphs += 1
    return stats


def detect_format(text: str, path: str | Path | None = None) -> str:
    """"fountain" for .fountain/.spmd files or screenplay-shaped text, "play" for text made of
    ``NAME: line`` speeches, else "prose"."""
    if path is not None and Path(path).suffix.lower() in FOUNTAIN_EXTENSIONS:
        return "fountain"
    stats = text_stats(text)
    if stats.character_cues >= 2 and stats.character_cues >= stats.speeches \
            and (stats.scene_headings >= 1 or stats.character_cues >= 3):
        return "fountain"
    if stats.speeches >= 2 and stats.speeches > stats.long_paragraphs:
        return "play"
    if stats.speeches == 1 and stats.long_paragraphs == 0 \
            and sum(1 for line in text.split("\n") if line.strip()) <= 3 + stats.sounds:
        return "play"  # a one-line scene: "MARA: Hello." is a speech, not a point of view
    return "prose"
