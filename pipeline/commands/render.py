"""``castwright render``, ``lines``, ``regen``, ``takes``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeline.commands.common import console, err_console, user_errors
from pipeline.render.manifest import load_manifest, resolve_episode

OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes)}:{secs:05.2f}"


@user_errors
def render(
    script: Annotated[Path, typer.Argument(
        help="Story, script or book (prose, play, Fountain, EPUB, HTML, Markdown, DOCX).")],
    cast: Annotated[Path | None, typer.Option("--cast", help="Cast file (TOML).")] = None,
    out: OutOption = Path("output"),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Synthesis processes.")] = 1,
    voices_dir: Annotated[Path | None, typer.Option("--voices", help="Voices folder.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    chapters: Annotated[str | None, typer.Option(
        "--chapters", help="A book's chapters to render: 3-5, 7, 1,4-6, 58- (default: all).",
    )] = None,
    whole: Annotated[bool, typer.Option(
        "--whole", help="A book as one episode (its chapters as sections).")] = False,
    all_matter: Annotated[bool, typer.Option(
        "--all-matter", help="Keep a book's front/back matter (copyright, contents...).",
    )] = False,
    read_notes: Annotated[bool, typer.Option(
        "--read-notes", help="Read the author's notes aloud.")] = False,
) -> None:
    """Render an episode, or a book as a season (one episode per chapter): parse, cast,
    synthesize (cached), mix, master and export."""
    from pipeline.commands.season import render_book

    if not whole and render_book(script, out, cast, jobs, voices_dir, quiet, chapters,
                                 all_matter, read_notes):
        return
    from pipeline.render.episode import render_episode

    result = render_episode(script, out, cast, jobs=jobs, voices_dir=voices_dir,
                            show_progress=not quiet)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}")
    m = result.manifest
    files = ", ".join(str(result.episode_dir / f) for f in m["files"].values())
    console.print(f"[bold green]{m['title']}[/] — {_fmt_time(m['duration'])}, "
                  f"{len(m['lines'])} lines ({result.synthesized} synthesized, "
                  f"{result.reused} from cache) in {result.seconds['total']:.1f} s")
    loud = m.get("loudness") or {}
    if loud:
        console.print(f"loudness {loud.get('integrated_lufs', float('nan')):.1f} LUFS, "
                      f"true peak {loud.get('true_peak_dbtp', float('nan')):.1f} dBTP")
    console.print(f"files: {files}", soft_wrap=True)


@user_errors
def lines(
    episode: Annotated[str, typer.Argument(help="Episode folder or slug.")],
    out: OutOption = Path("output"),
) -> None:
    """List an episode's lines: id, speaker, voice, take, time and text."""
    manifest = load_manifest(resolve_episode(episode, out))
    table = Table(title=manifest["title"])
    for col in ("line", "speaker", "voice", "take", "start", "dur", "text"):
        table.add_column(col, overflow="fold" if col == "text" else None)
    for line in manifest["lines"]:
        start, end = line.get("start"), line.get("end")
        dur = f"{end - start:.1f}s" if start is not None and end is not None else "-"
        table.add_row(line["line_id"], line["speaker"], line["voice"], str(line["take"]),
                      _fmt_time(start), dur, line["text"])
    console.print(table)


@user_errors
def regen(
    episode: Annotated[str, typer.Argument(help="Episode folder or slug.")],
    line_id: Annotated[str, typer.Argument(help="Line id, e.g. s01-l004.")],
    take: Annotated[int | None, typer.Option("--take", help="Switch to this take.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="New text for this line.")] = None,
    voice: Annotated[str | None, typer.Option("--voice", help="Voice for this line.")] = None,
    pace: Annotated[float | None, typer.Option(
        "--pace", help="Delivery for this line: > 1 faster (0.5 .. 2.0).")] = None,
    expressiveness: Annotated[float | None, typer.Option(
        "--expressiveness", help="Delivery for this line: the engine's variation (0 .. 2).",
    )] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Drop this line's overrides.")] = False,
    out: OutOption = Path("output"),
) -> None:
    """Make a new take of one line (or switch take, text, voice or delivery) and re-mix."""
    from pipeline.render.regen import regen_line

    started = time.perf_counter()
    result = regen_line(resolve_episode(episode, out), line_id, take=take, text=text,
                        voice=voice, reset=reset, pace=pace, expressiveness=expressiveness)
    how = "synthesized" if result.synthesized else "from cache"
    console.print(f"{line_id}: take {result.take} ({how}, {result.duration:.2f} s); "
                  f"episode re-mixed in {time.perf_counter() - started:.1f} s")


@user_errors
def takes(
    episode: Annotated[str, typer.Argument(help="Episode folder or slug.")],
    line_id: Annotated[str, typer.Argument(help="Line id.")],
    out: OutOption = Path("output"),
) -> None:
    """List the takes of one line."""
    from pipeline.render.regen import list_takes

    table = Table(title=f"{line_id} takes")
    for col in ("take", "in cache", "duration", "current", "cache key"):
        table.add_column(col)
    for info in list_takes(resolve_episode(episode, out), line_id):
        table.add_row(str(info.take), "yes" if info.cached else "no",
                      f"{info.duration:.2f}s" if info.duration else "-",
                      "◀" if info.current else "", info.cache_key)
    console.print(table)


def register(app: typer.Typer) -> None:
    for command in (render, lines, regen, takes):
        app.command()(command)
