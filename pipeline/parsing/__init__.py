"""Parsing: a story or script file -> ``Script``.

``parse_script(path, format=None)`` reads the file (see ``reading``), picks the format by file
name and the whole text (``detect``, its reasons kept in ``Script.format_reasons``, a close call
warned about) unless ``format`` is given, and runs the prose, play or Fountain parser. Every
problem with the input is a ``ScriptError`` pointing at ``file:line``.

Speaker names are canonical: all-caps or all-lowercase names become title case ("BRICK" ->
"Brick", "MR. STEEL" -> "Mr. Steel"), mixed case stays as written, so a cast file says
``Brick`` whichever way the script spells the cue.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.errors import ScriptError
from pipeline.model import CueKind, Script
from pipeline.parsing.attribution import gender_hints
from pipeline.parsing.detect import FORMATS, Detection, detect, detect_format
from pipeline.parsing.fountain import parse_fountain
from pipeline.parsing.play import parse_play
from pipeline.parsing.prose import parse_prose
from pipeline.parsing.reading import check_text, read_script_file
from pipeline.parsing.review import Review, load_review

PARSERS: dict[str, Callable[[str, str], Script]] = {
    "prose": parse_prose,
    "play": parse_play,
    "fountain": parse_fountain,
}


def parse_script(path: str | Path, format: str | None = None) -> Script:
    """Read and parse a script file; ``format`` is "prose", "play", "fountain" or None (guess).
    A prose story's review file beside it (``story.review.toml``) fixes who says what.

    Book files (EPUB, HTML, Markdown, DOCX) go through their reader first (``pipeline.readers``)
    and parse as one script, every chapter a section or more (``pipeline.books``)."""
    from pipeline.readers import reader_for

    if reader_for(path) is not None and format is None:
        from pipeline.books.book import load_book

        return load_book(path).script
    text, warnings = read_script_file(path)
    script = parse_text(text, str(path), format, review=load_review(path))
    script.warnings[:0] = warnings
    return script


def parse_text(text: str, source_path: str | Path, format: str | None = None,
               review: Review | None = None) -> Script:
    """Parse already-read text; ``source_path`` names it in errors and warnings; ``review``:
    the producer's speaker fixes (prose only)."""
    where = str(source_path)
    chosen = format.strip().lower() if format else None
    if chosen is not None and chosen not in PARSERS:
        raise ScriptError(f"unknown script format {format!r}: use one of {', '.join(FORMATS)}",
                          where)
    text = check_text(text, where)
    detection = Detection(chosen, [f"chosen with --format {chosen}"]) if chosen \
        else detect(text, where)
    if detection.format == "prose":
        script = parse_prose(text, where, review)
    else:
        script = PARSERS[detection.format](text, where)
    script.format_reasons = detection.reasons
    if detection.close_call:
        other = "prose" if detection.format == "play" else "play"
        script.warnings.insert(0, f"{where}:1: close call between play script and prose; read as "
                               f"{detection.format} ({'; '.join(detection.reasons)}); use "
                               f"--format {other} or a 'Format: {other}' header line to read "
                               "it the other way")
    _add_gender_hints(script)
    return script


def _add_gender_hints(script: Script) -> None:
    """Hints for speakers the parser did not already decide, from the narration around them."""
    missing = [name for name in script.speakers() if name not in script.gender_hints]
    if not missing:
        return
    # Headings left out: "Spike:" opening his point of view is no mention followed by a
    # pronoun (the next "she" is someone else).
    passages = [(" ".join(c.text for c in s.cues
                          if c.kind is CueKind.NARRATION and c.delivery != "heading"), s.pov)
                for s in script.sections]
    script.gender_hints.update(gender_hints(missing, passages))


__all__ = ["FORMATS", "PARSERS", "Detection", "detect", "detect_format", "parse_script",
           "parse_text"]
