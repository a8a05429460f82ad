"""``castwright characters`` (who is in a story) and ``castwright review`` (fix who says what)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import Column, JsonOption, aside, print_rows, say, user_errors
from pipeline.errors import ScriptError

FormatOption = Annotated[str | None, typer.Option("--format", "-f",
                                                  help="prose, play or fountain.")]
UNCERTAIN = 0.5  # attributions below this confidence are listed for review

CHARACTER_COLUMNS = [
    Column("name", "character", show=lambda n: n),
    Column("aliases", "also called", show=lambda a: ", ".join(a), wrap=True),
    Column("gender", show=lambda g: g or "-"),
    Column("gender_evidence", "because", show=lambda e: "; ".join(e[:3]), wrap=True),
    Column("lines", justify="right"),
    Column("narrator", show=lambda n: "narrator" if n else ""),
]
UNCERTAIN_COLUMNS = [Column("line"), Column("speaker", show=lambda s: s or "narrator"),
                     Column("rule"), Column("sure", show=lambda c: f"{c:.2f}"),
                     Column("text", wrap=True)]


def character_rows(script) -> list[dict]:
    """Each character with aliases, gender and its evidence, and how many lines they speak."""
    from pipeline.model import CueKind

    counts: dict[str, int] = {}
    for cue in script.lines():
        if cue.kind is CueKind.DIALOGUE and cue.speaker:
            counts[cue.speaker] = counts.get(cue.speaker, 0) + 1
    rows = []
    known = set()
    for person in script.characters:
        known.add(person.name)
        rows.append({"name": person.name, "aliases": person.aliases, "gender": person.gender,
                     "gender_evidence": person.gender_evidence, "narrator": person.narrator,
                     "described": person.described, "lines": counts.get(person.name, 0)})
    for name in script.speakers():  # play and Fountain scripts: their speakers, as named
        if name not in known:
            rows.append({"name": name, "aliases": [], "gender": script.gender_hints.get(name),
                         "gender_evidence": [], "narrator": name == script.narrator_character,
                         "described": False, "lines": counts.get(name, 0)})
    return sorted(rows, key=lambda r: -r["lines"])


@user_errors
def characters(
    script: Annotated[Path, typer.Argument(help="Story or script file.")],
    fmt: FormatOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a story's characters: other names, gender (and why), lines spoken.

    In a pipe: one tab-separated row per character."""
    from pipeline.parsing import parse_script

    parsed = parse_script(script, format=fmt)
    print_rows(character_rows(parsed), CHARACTER_COLUMNS, as_json=as_json,
               title=f"characters of {parsed.title}")


def uncertain_lines(script, below: float = UNCERTAIN) -> list:
    """Dialogue lines whose speaker the parser was least sure of, least sure first."""
    lines = [c for c in script.lines() if c.confidence is not None and c.confidence < below]
    return sorted(lines, key=lambda c: c.confidence)


@user_errors
def review(
    script: Annotated[Path, typer.Argument(help="Prose story file.")],
    line: Annotated[str | None, typer.Argument(help="Line id to fix (e.g. s01-l004).")] = None,
    speaker: Annotated[str | None, typer.Argument(
        help="Who really says it (any name of theirs, or Narrator).")] = None,
    below: Annotated[float, typer.Option("--below", help="List attributions less sure than "
                                                         "this (0-1).")] = UNCERTAIN,
    as_json: JsonOption = False,
) -> None:
    """List uncertain speakers, or fix one: castwright review SCRIPT s01-l004 Mara.

    Fixes go to a file beside SCRIPT named for it (story.txt: story.review.toml), keyed by the
    quotation's words, so later edits elsewhere keep them; parse, render and regen honour
    them."""
    from pipeline.parsing import parse_script
    from pipeline.parsing.review import load_review, review_path

    parsed = parse_script(script, format="prose")
    if line is None:
        _list_uncertain(parsed, script, below, load_review(script), as_json)
        return
    if speaker is None or not speaker.strip():
        raise ScriptError("say who speaks the line: castwright review SCRIPT LINE SPEAKER",
                          script, None)
    path = _fix_line(parsed, script, line, speaker)
    fixed = parse_script(script, format="prose").line(line)
    if fixed is None or fixed.rule != "review":
        raise ScriptError(f"line {line} is not a quotation; nothing to fix", review_path(script),
                          None)
    say(f"{line}: now said by {fixed.speaker or 'the narrator'} (fix written to {path})")


def _fix_line(parsed, script: Path, line: str, speaker: str) -> Path:
    from pipeline.parsing.review import add_fix, words_of

    cue = parsed.line(line)
    if cue is None:
        raise ScriptError(f"no line {line!r} in this story (see castwright parse)", script, None)
    if cue.rule is None and cue.speaker is None:
        raise ScriptError(f"line {line} is narration, not a quotation", script, cue.source_line)
    words = words_of(cue.text)
    same = [c for c in parsed.lines() if c.rule is not None and words_of(c.text) == words]
    occurrence = next(i for i, c in enumerate(same, start=1) if c is cue) if len(same) > 1 \
        else None
    return add_fix(script, cue.text, speaker, occurrence)


def _list_uncertain(parsed, script: Path, below: float, existing, as_json: bool) -> None:
    lines = uncertain_lines(parsed, below)
    rows = [{"line": c.line_id, "speaker": c.speaker, "rule": c.rule, "sure": c.confidence,
             "text": c.text} for c in lines]
    print_rows(rows, UNCERTAIN_COLUMNS, as_json=as_json,
               title=f"speakers less than {below:.0%} sure in {parsed.title}")
    if as_json:
        return
    fixes = len(existing.fixes) if existing else 0
    quotations = sum(1 for c in parsed.lines() if c.rule)
    aside(f"{len(lines)} uncertain of {quotations} quoted lines; {fixes} fixed in the review "
          f"file. Fix one with: castwright review {script} LINE SPEAKER")


def register(app: typer.Typer) -> None:
    app.command()(characters)
    app.command()(review)
