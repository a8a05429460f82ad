"""One character's speech -> cues: parentheticals become deliveries, "(beat)" becomes a pause."""

from __future__ import annotations

import re

from pipeline.model import Cue, CueKind
from pipeline.parsing.common import Block, spoken_cues

# Parentheticals that ask for silence rather than a way of speaking.
PAUSE_WORDS = {"beat": 0.6, "a beat": 0.6, "short beat": 0.4, "long beat": 1.5, "pause": 1.0,
               "a pause": 1.0, "short pause": 0.6, "long pause": 2.0, "a long pause": 2.0,
               "silence": 1.5, "beat.": 0.6, "pause.": 1.0}
_PAREN = re.compile(r"\(([^()]*)\)")
_SENTENCE_END = re.compile(r"[.!?\u2026:;\u2014\u2013-][\"'\u201d\u2019]?\s*$")


def speech_cues(block: Block, kind: CueKind, speaker: str | None, delivery: str | None,
                every_parenthetical: bool = False) -> list[Cue]:
    """Cut a speech at its parentheticals.

    A parenthetical at the start of the speech or after a sentence end sets the delivery of what
    follows; one at the very end is a stage direction the narrator reads. With
    ``every_parenthetical`` (Fountain, where parentheticals sit on lines of their own) every one
    counts; otherwise a mid-sentence "(and I meant it)" stays part of the spoken text.
    """
    text = block.text
    cues: list[Cue] = []
    current, pos = delivery, 0
    for match in _PAREN.finditer(text):
        before, after = text[pos:match.start()], text[match.end():]
        at_boundary = not before.strip() or _SENTENCE_END.search(before) is not None
        at_end = not after.strip()
        if not (every_parenthetical or at_boundary or at_end):
            continue
        cues.extend(spoken_cues(block, pos, match.start(), kind, speaker, current, False))
        words = " ".join(match.group(1).split())
        line = block.line_at(match.start())
        if words.lower() in PAUSE_WORDS:
            cues.append(Cue(CueKind.PAUSE, text=words, seconds=PAUSE_WORDS[words.lower()],
                            source_line=line))
            current = delivery
        elif at_end and cues:  # "Goodbye. (She exits.)": a stage direction after the words
            cues.extend(spoken_cues(block, match.start(), match.end(), CueKind.NARRATION))
        elif words:
            current = words
        pos = match.end()
    cues.extend(spoken_cues(block, pos, len(text), kind, speaker, current, False))
    spoken = [c for c in cues if c.is_spoken]
    if spoken:
        spoken[-1].paragraph_end = True
    return cues
