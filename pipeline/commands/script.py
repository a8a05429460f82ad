"""``castwright parse`` and ``castwright cast``: see what the parser and caster decided."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import (
    Column,
    JsonOption,
    aside,
    console,
    note,
    print_json,
    print_rows,
    user_errors,
    warn,
)

FormatOption = Annotated[str | None, typer.Option("--format", "-f",
                                                  help="prose, play or fountain.")]
CastOption = Annotated[Path | None, typer.Option("--cast", help="Cast file (TOML).")]
VoicesDirOption = Annotated[Path | None, typer.Option(
    "--voices-dir", help="Your voices folder (default: ./voices), layered over the built-in one.")]
# The old spelling, kept working but out of the help.
VoicesAlias = Annotated[Path | None, typer.Option("--voices", hidden=True)]

CUE_COLUMNS = [Column("section"), Column("line"), Column("kind"), Column("speaker"),
               Column("voice"), Column("text", wrap=True)]
NARRATION_COLUMNS = [Column("section"), Column("heading", wrap=True), Column("narrator"),
                     Column("voice"), Column("lines", justify="right")]
CAST_COLUMNS = [Column("speaker"), Column("voice"), Column("engine"),
                Column("gender", show=lambda g: g or "-"),
                Column("how"), Column("lines", justify="right")]


def _context(script: Path, fmt: str | None, cast: Path | None, voices: Path | None):
    from pipeline.casting import cast_script, find_cast_file, load_cast_file
    from pipeline.catalog import default_voices_dir, load_catalog
    from pipeline.parsing import parse_script

    parsed = parse_script(script, format=fmt)
    voices_dir = voices or default_voices_dir()
    cast_path = cast or find_cast_file(script, voices_dir)
    casting = cast_script(parsed, load_catalog(voices_dir), load_cast_file(cast_path))
    parsed.warnings.extend(casting.warnings)  # e.g. characters sharing a voice
    return parsed, casting


def _cue_rows(section, casting) -> list[dict]:
    rows = []
    for cue in section.cues:
        if cue.line_id:
            line = casting.lines[cue.line_id]
            rows.append({"section": section.id, "line": cue.line_id, "kind": str(cue.kind),
                         "speaker": line.speaker, "voice": line.voice.name, "text": cue.text})
        else:
            detail = f"{cue.seconds:g}s" if cue.seconds is not None else cue.text
            rows.append({"section": section.id, "line": "", "kind": str(cue.kind),
                         "speaker": "", "voice": "", "text": detail})
    return rows


def _parse_json(parsed, casting) -> dict:
    data = parsed.to_dict()
    data["cast"] = {name: v.name for name, v in casting.voices.items()}
    for section in data["sections"]:
        for cue in section["cues"]:
            if cue["line_id"]:
                line = casting.lines[cue["line_id"]]
                cue["voice_speaker"], cue["voice"] = line.speaker, line.voice.name
    return data


@user_errors
def parse(
    script: Annotated[Path, typer.Argument(metavar="SCRIPT", help="Story or script file.")],
    fmt: FormatOption = None,
    cast: CastOption = None,
    voices_dir: VoicesDirOption = None,
    voices_alias: VoicesAlias = None,
    as_json: JsonOption = False,
) -> None:
    """Show sections, lines, speakers and voices of a script.

    In a pipe: one tab-separated row per cue (section, line, kind, speaker, voice, text)."""
    parsed, casting = _context(script, fmt, cast, voices_dir or voices_alias)
    if as_json:
        print_json(_parse_json(parsed, casting))
    else:
        aside((parsed.title, "bold"), f" ({parsed.format}) — {len(parsed.sections)} sections, "
              f"{len(parsed.lines())} lines")
        aside(("format:", "dim"), f" {parsed.format} — {'; '.join(parsed.format_reasons)}")
        if parsed.summary:
            aside(("summary:", "dim"), f" {parsed.summary}")
        if console.is_terminal:
            for section in parsed.sections:
                title = f"{section.id} {section.heading}" + (
                    f" — point of view: {section.pov}" if section.pov else "")
                rows = _cue_rows(section, casting)
                print_rows(rows, CUE_COLUMNS[1:], title=title,
                           row_styles=[None if row["line"] else "cyan" for row in rows])
        else:
            print_rows([row for s in parsed.sections for row in _cue_rows(s, casting)],
                       CUE_COLUMNS)
        _show_uncertain(parsed, script)
    for warning in parsed.warnings:
        warn(warning)


def _show_uncertain(parsed, script: Path, shown: int = 10) -> None:
    """The prose attributions the parser was least sure of, and how to fix one."""
    from pipeline.commands.characters import UNCERTAIN, uncertain_lines

    lines = uncertain_lines(parsed)
    if not lines:
        return
    aside((f"{len(lines)} uncertain speaker(s)", "yellow"),
          f" (confidence below {UNCERTAIN:g}; least sure first):")
    for cue in lines[:shown]:
        words = cue.text if len(cue.text) <= 60 else cue.text[:57] + "..."
        aside(f"  {cue.line_id}  {cue.speaker or 'narrator'}  ({cue.rule}, "
              f"{cue.confidence:.2f})  {words}")
    if len(lines) > shown:
        aside(f"  ... and {len(lines) - shown} more: castwright review {script}")
    aside(f"fix one with: castwright review {script} LINE SPEAKER")


def cast_rows(parsed, casting) -> list[dict]:
    counts: dict[str, int] = {}
    for line in casting.lines.values():
        counts[line.speaker] = counts.get(line.speaker, 0) + 1
    rows = []
    for name, voice in casting.voices.items():
        how = "automatic" if name in casting.automatic else "cast file" if name != "Narrator" \
            else "narrator"
        rows.append({"speaker": name, "voice": voice.name, "engine": voice.engine,
                     "gender": parsed.gender_hints.get(name) or voice.gender or None,
                     "how": how, "lines": counts.get(name, 0)})
    return rows


@user_errors
def cast(
    script: Annotated[Path, typer.Argument(metavar="SCRIPT", help="Story or script file.")],
    fmt: FormatOption = None,
    cast: CastOption = None,
    voices_dir: VoicesDirOption = None,
    voices_alias: VoicesAlias = None,
    write: Annotated[Path | None, typer.Option("--write", "-w",
                                               help="Write the chosen cast to this file.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the cast chosen for a script and who narrates each section (and optionally write
    the cast as a cast file).

    In a pipe: one tab-separated row per speaker (speaker, voice, engine, gender, how, lines);
    --json adds the narrators of the sections."""
    import tomli_w

    from pipeline.atomic import write_text

    parsed, casting = _context(script, fmt, cast, voices_dir or voices_alias)
    rows = cast_rows(parsed, casting)
    narration = narration_rows(parsed, casting)
    print_rows(rows, CAST_COLUMNS, title=f"cast of {parsed.title}", as_json=as_json,
               document={"title": parsed.title, "script": str(script),
                         "cast_file": str(casting.settings.path or "") or None, "cast": rows,
                         "narration": narration})
    if narration and console.is_terminal and not as_json:  # a pipe gets the cast rows only
        print_rows(narration, NARRATION_COLUMNS, title="who narrates")
    if write:
        write_text(write, tomli_w.dumps(casting.to_toml_dict()))
        note(f"wrote {write}")


def narration_rows(parsed, casting) -> list[dict]:
    """Who reads each section's narration (duet narration: points of view in their voices)."""
    from pipeline.casting import narration_by_section

    return [{"section": section.id, "heading": section.heading, "narrator": narrator,
             "voice": casting.voices[narrator].name, "lines": count}
            for section, narrator, count in narration_by_section(parsed, casting)]


def register(app: typer.Typer) -> None:
    app.command()(parse)
    app.command()(cast)
