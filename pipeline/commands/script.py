"""``castwright parse`` and ``castwright cast``: see what the parser and caster decided."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import tomli_w
import typer
from rich.markup import escape
from rich.table import Table

from pipeline.atomic import write_text
from pipeline.commands.common import console, err_console, user_errors

FormatOption = Annotated[str | None, typer.Option("--format", "-f",
                                                  help="prose, play or fountain.")]
CastOption = Annotated[Path | None, typer.Option("--cast", help="Cast file (TOML).")]
VoicesOption = Annotated[Path | None, typer.Option("--voices", help="Voices folder.")]


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


@user_errors
def parse(
    script: Annotated[Path, typer.Argument(help="Story or script file.")],
    fmt: FormatOption = None,
    cast: CastOption = None,
    voices: VoicesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show sections, lines, speakers and voices of a script."""
    parsed, casting = _context(script, fmt, cast, voices)
    if as_json:
        data = parsed.to_dict()
        data["cast"] = {name: v.name for name, v in casting.voices.items()}
        for section in data["sections"]:
            for cue in section["cues"]:
                if cue["line_id"]:
                    line = casting.lines[cue["line_id"]]
                    cue["voice_speaker"], cue["voice"] = line.speaker, line.voice.name
        typer.echo(json.dumps(data, indent=1, ensure_ascii=False))
        return
    console.print(f"[bold]{parsed.title}[/] ({parsed.format}) — {len(parsed.sections)} sections, "
                  f"{len(parsed.lines())} lines")
    console.print(f"[dim]format:[/] {parsed.format} — {escape('; '.join(parsed.format_reasons))}",
                  soft_wrap=True)
    if parsed.summary:
        console.print(f"[dim]summary:[/] {parsed.summary}", soft_wrap=True)
    for section in parsed.sections:
        table = Table(title=f"{section.id} {section.heading}"
                      + (f" — point of view: {section.pov}" if section.pov else ""))
        for col in ("line", "kind", "speaker", "voice", "text"):
            table.add_column(col, overflow="fold" if col == "text" else None)
        for cue in section.cues:
            if cue.line_id:
                line = casting.lines[cue.line_id]
                table.add_row(cue.line_id, cue.kind, line.speaker, line.voice.name, cue.text)
            else:
                detail = f"{cue.seconds:g}s" if cue.seconds is not None else cue.text
                table.add_row("", f"[cyan]{cue.kind}[/]", "", "", detail)
        console.print(table)
    for warning in parsed.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}")


@user_errors
def cast(
    script: Annotated[Path, typer.Argument(help="Story or script file.")],
    fmt: FormatOption = None,
    cast: CastOption = None,
    voices: VoicesOption = None,
    write: Annotated[Path | None, typer.Option("--write", "-w",
                                               help="Write the chosen cast to this file.")] = None,
) -> None:
    """Show the cast chosen for a script (and optionally write it as a cast file)."""
    parsed, casting = _context(script, fmt, cast, voices)
    table = Table(title=f"cast of {parsed.title}")
    for col in ("speaker", "voice", "engine", "gender", "how", "lines"):
        table.add_column(col)
    counts: dict[str, int] = {}
    for line in casting.lines.values():
        counts[line.speaker] = counts.get(line.speaker, 0) + 1
    for name, voice in casting.voices.items():
        how = "automatic" if name in casting.automatic else "cast file" if name != "Narrator" \
            else "narrator"
        gender = parsed.gender_hints.get(name) or voice.gender or "-"
        table.add_row(name, voice.name, voice.engine, gender, how, str(counts.get(name, 0)))
    console.print(table)
    console.print(_narration_table(parsed, casting))
    if write:
        write_text(write, tomli_w.dumps(casting.to_toml_dict()))
        console.print(f"wrote {write}")


def _narration_table(parsed, casting) -> Table:
    """Who reads each section's narration (duet narration: points of view in their voices)."""
    from pipeline.casting import narration_by_section

    table = Table(title="who narrates")
    for col in ("section", "heading", "narrator", "voice", "lines"):
        table.add_column(col)
    for section, narrator, count in narration_by_section(parsed, casting):
        table.add_row(section.id, escape(section.heading), escape(narrator),
                      casting.voices[narrator].name, str(count))
    return table


def register(app: typer.Typer) -> None:
    app.command()(parse)
    app.command()(cast)
