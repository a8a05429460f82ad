"""Pauses between lines, from the conversation rather than one constant.

Radio drama runs its replies tight and lets narration breathe:

- a reply (one character, then another) follows after ``speaker_change_pause`` (0.35 s), a little
  sooner after a question;
- the same voice going on within a paragraph waits ``sentence_pause``; a narration line tucked
  into a paragraph of dialogue ("…," she said, "…") waits the shorter of the two;
- a new paragraph (narration, or a change between narration and dialogue across paragraphs)
  waits ``paragraph_pause``;
- a character's line cut off with a dash (``—``, ``--``) and answered by another character is
  interrupted: the next speaker comes in ``interruption_overlap`` seconds before it ends and the
  cut line fades out under them.

These are the silences a listener hears: every take carries the same short edges (see
``pipeline.engines.edges``), which are subtracted when lines are placed. Each pause varies by up
to ``JITTER`` either way, seeded by the line and the mix ``seed``, so an exchange never ticks
like a metronome and the same script always gets the same timing.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from pipeline.engines.edges import LEAD_S, TAIL_S
from pipeline.mix.settings import MixSettings
from pipeline.model import CueKind

EDGE_S = LEAD_S + TAIL_S  # silence every take already has: its tail plus the next one's lead
QUESTION_REPLY = 0.85  # a reply to a question comes this much sooner
JITTER = 0.15
CUT_FADE_S = 0.05  # an interrupted line fades out over this, under the interruption
_CUT_OFF = re.compile(r"(?:\u2014|\u2013|--+|(?<=\w)-)\s*$")
_CLOSERS = "\"'”’»)]* _"


@dataclass(frozen=True)
class Turn:
    """What pacing needs to know about one spoken line."""

    line_id: str
    speaker: str
    kind: CueKind
    text: str  # the author's words
    paragraph_end: bool


def cut_off(text: str) -> bool:
    """The line ends in a dash: its speaker is interrupted ("I was going to—")."""
    return bool(_CUT_OFF.search(text.rstrip(_CLOSERS)))


def asks(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith("?")


def pause_between(prev: Turn, nxt: Turn, s: MixSettings) -> float:
    """The silence heard between two consecutive lines, in seconds; negative when ``nxt``
    interrupts ``prev`` (it starts that long before ``prev`` ends)."""
    both_speak = prev.kind is CueKind.DIALOGUE and nxt.kind is CueKind.DIALOGUE
    if prev.speaker != nxt.speaker and both_speak and cut_off(prev.text):
        return -s.interruption_overlap
    if prev.speaker != nxt.speaker:
        if both_speak:
            base = s.speaker_change_pause * (QUESTION_REPLY if asks(prev.text) else 1.0)
        elif not prev.paragraph_end:
            base = min(s.sentence_pause, s.speaker_change_pause)  # "…," she said, "…"
        else:
            base = s.paragraph_pause
    else:
        base = s.paragraph_pause if prev.paragraph_end else s.sentence_pause
    return base * jitter(nxt.line_id, s.seed)


def jitter(line_id: str, seed: int) -> float:
    """A factor in [1 - JITTER, 1 + JITTER], the same for a line and seed every time."""
    unit = zlib.crc32(f"{seed}/{line_id}/pause".encode()) / 0xFFFFFFFF
    return 1.0 + JITTER * (2.0 * unit - 1.0)
