"""``castwright render``, ``lines``, ``regen``, ``takes``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands import common
from pipeline.commands.cluster import ClusterOption, cluster_session
from pipeline.commands.common import (
    Column,
    JobsOption,
    JsonOption,
    detail,
    jobs_or_default,
    print_json,
    print_rows,
    say,
    user_errors,
    warn,
)
from pipeline.commands.script import CastOption, VoicesAlias, VoicesDirOption
from pipeline.errors import ScriptError
from pipeline.render.manifest import load_manifest, resolve_episode

OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
EpisodeArgument = Annotated[str, typer.Argument(metavar="EPISODE", help="Episode folder or slug.")]


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes)}:{secs:05.2f}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


LINE_COLUMNS = [Column("line_id", "line"), Column("speaker"), Column("voice"),
                Column("take", justify="right"), Column("start", show=fmt_time),
                Column("duration", "dur", show=_seconds), Column("text", wrap=True)]
TAKE_COLUMNS = [Column("take", justify="right"), Column("cached", "in cache"),
                Column("duration", show=_seconds), Column("current", show=lambda c: "◀" if c
                                                          else ""),
                Column("cache_key", "cache key"),
                Column("recording", show=lambda r: Path(r).name if r else "")]


@user_errors
def render(
    script: Annotated[Path, typer.Argument(
        metavar="SCRIPT",
        help="Story, script or book (prose, play, Fountain, EPUB, HTML, Markdown, DOCX).")],
    cast: CastOption = None,
    out: OutOption = Path("output"),
    jobs: JobsOption = None,
    voices_dir: VoicesDirOption = None,
    voices_alias: VoicesAlias = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Same as castwright -q.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    stems: Annotated[bool, typer.Option(
        "--stems", help="Also write dialogue, music, effects and ambience stems (stems/*.wav) "
        "for finishing in a DAW.")] = False,
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
    cluster: ClusterOption = None,
) -> None:
    """Render an episode, or a book as a season (one episode per chapter): parse, cast,
    synthesize (cached), mix, master and export."""
    from pipeline.commands.season import render_book

    if quiet:
        common.configure(-1)
    if stems and not whole:
        _refuse_book_stems(script, all_matter, read_notes)
    from pipeline.render.episode import render_episode

    with cluster_session(cluster) as session:
        if not whole and render_book(script, out, cast, jobs_or_default(jobs),
                                     voices_dir or voices_alias, quiet, chapters, all_matter,
                                     read_notes, as_json, cluster=session):
            return
        result = render_episode(script, out, cast, jobs=jobs_or_default(jobs),
                                voices_dir=voices_dir or voices_alias, show_progress=not quiet,
                                cluster=session, stems=stems)
    for warning in result.warnings:
        warn(warning)
    m = result.manifest
    files = {kind: str(result.episode_dir / name) for kind, name in m["files"].items()}
    loud = m.get("loudness") or {}
    if as_json:
        print_json({"episode": str(result.episode_dir), "slug": m["slug"], "title": m["title"],
                    "duration": m["duration"], "lines": len(m["lines"]),
                    "synthesized": result.synthesized, "reused": result.reused,
                    "seconds": result.seconds, "loudness": loud, "files": files,
                    "warnings": result.warnings})
        return
    say((m["title"], "bold green"), f" — {fmt_time(m['duration'])}, {len(m['lines'])} lines "
        f"({result.synthesized} synthesized, {result.reused} from cache) in "
        f"{result.seconds['total']:.1f} s")
    if loud:
        say(loudness_line(loud, m.get("files") or {}))
    say(f"files: {', '.join(files.values())}")
    detail("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items()))
    detail(f"cast file: {m.get('cast_file') or 'none (all automatic)'}; "
           f"voices: {m.get('voices_dir')}")


def loudness_line(loud: dict, files: dict) -> str:
    """What listeners get: each delivered file's loudness as decoded, then the master's."""
    def num(x: object) -> float:
        return float(x) if isinstance(x, int | float) else float("nan")

    if not loud:
        return ""
    parts = []
    for fmt, d in (loud.get("delivered") or {}).items():
        if isinstance(d, dict) and d.get("integrated_lufs") is not None:
            parts.append(f"{files.get(fmt, fmt)} {num(d['integrated_lufs']):.1f} LUFS, "
                         f"{num(d.get('true_peak_dbtp')):.1f} dBTP")
    master = (f"{num(loud.get('integrated_lufs')):.1f} LUFS, "
              f"{num(loud.get('true_peak_dbtp')):.1f} dBTP")
    if not parts:
        return f"loudness {master} (true peak)"
    return f"loudness {'; '.join(parts)} (true peak; master {master})"


@user_errors
def lines(
    episode: EpisodeArgument,
    out: OutOption = Path("output"),
    as_json: JsonOption = False,
) -> None:
    """List an episode's lines: id, speaker, voice, take, start, duration and text.

    In a pipe: one tab-separated row per line, times in seconds."""
    episode_dir = resolve_episode(episode, out)
    manifest = load_manifest(episode_dir)
    rows = []
    for line in manifest["lines"]:
        start, end = line.get("start"), line.get("end")
        duration = end - start if start is not None and end is not None else None
        rows.append({**line, "duration": duration})
    print_rows(rows, LINE_COLUMNS, title=manifest["title"], as_json=as_json,
               document={"episode": str(episode_dir), "title": manifest["title"],
                         "lines": rows})


def _refuse_book_stems(script: Path, all_matter: bool, read_notes: bool) -> None:
    """Stems are per episode: a season would write one set per chapter nobody asked for."""
    from pipeline.books.book import load_book

    if load_book(script, all_matter, read_notes).is_season:
        raise ScriptError("--stems works on one episode: add --whole to render the book as "
                          "one, or run `castwright regen CHAPTER-EPISODE LINE --stems`", script)


@user_errors
def regen(
    episode: EpisodeArgument,
    line_id: Annotated[str, typer.Argument(metavar="LINE", help="Line id, e.g. s01-l004.")],
    take: Annotated[int | None, typer.Option("--take", help="Switch to this take.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="New text for this line.")] = None,
    voice: Annotated[str | None, typer.Option("--voice", help="Voice for this line.")] = None,
    pace: Annotated[float | None, typer.Option(
        "--pace", help="Delivery for this line: > 1 faster (0.5 .. 2.0).")] = None,
    expressiveness: Annotated[float | None, typer.Option(
        "--expressiveness", help="Delivery for this line: the engine's variation (0 .. 2).",
    )] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Drop this line's overrides.")] = False,
    stems: Annotated[bool, typer.Option(
        "--stems", help="Also write the stems for a DAW (slower: off by default).")] = False,
    audio: Annotated[Path | None, typer.Option(
        "--audio", help="Your own recording of the line (WAV, MP3, FLAC …) as a new take: "
        "trimmed and matched to the voices' loudness.")] = None,
    out: OutOption = Path("output"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Make a new take of one line (or switch take, text, voice or delivery) and re-mix."""
    from pipeline.render.regen import regen_line

    started = time.perf_counter()
    result = regen_line(resolve_episode(episode, out), line_id, take=take, text=text,
                        voice=voice, reset=reset, pace=pace, expressiveness=expressiveness,
                        audio=audio, stems=stems)
    seconds = time.perf_counter() - started
    if as_json:
        print_json({"line_id": line_id, "take": result.take, "synthesized": result.synthesized,
                    "recording": result.recording, "duration": result.duration,
                    "cache_key": result.cache_key, "seconds": seconds})
        return
    how = ("recording " + Path(result.recording).name if result.recording
           else "synthesized" if result.synthesized else "from cache")
    say(f"{line_id}: take {result.take} ({how}, {result.duration:.2f} s); "
        f"episode re-mixed in {seconds:.1f} s")


@user_errors
def takes(
    episode: EpisodeArgument,
    line_id: Annotated[str, typer.Argument(metavar="LINE", help="Line id.")],
    out: OutOption = Path("output"),
    as_json: JsonOption = False,
) -> None:
    """List the takes of one line.

    In a pipe: one tab-separated row per take (take, in cache, duration, current, cache key,
    recording)."""
    from dataclasses import asdict

    from pipeline.render.regen import list_takes

    episode_dir = resolve_episode(episode, out)
    rows = [asdict(info) for info in list_takes(episode_dir, line_id)]
    print_rows(rows, TAKE_COLUMNS, title=f"{line_id} takes", as_json=as_json,
               document={"episode": str(episode_dir), "line_id": line_id, "takes": rows})


def register(app: typer.Typer) -> None:
    for command in (render, lines, regen, takes):
        app.command()(command)
