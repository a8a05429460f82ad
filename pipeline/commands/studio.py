"""``castwright studio``: a local web app to listen to an episode, retake and fix its lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import console, quiet, user_errors, warn


def _say(text: str) -> None:
    """The address is the data asked for: printed even with -q, and at once (a pipe, a log)."""
    if text.startswith("warning: "):
        warn(text.removeprefix("warning: "))
        return
    console.print(text)
    console.file.flush()


def _render(script: Path, out: Path) -> Path:
    from pipeline.render.episode import render_episode

    result = render_episode(script, out, show_progress=not quiet())
    for warning in result.warnings:
        warn(warning)
    return Path(result.episode_dir)


@user_errors
def studio(
    target: Annotated[Path | None, typer.Argument(
        metavar="EPISODE", help="Episode folder or slug, or a script to render first (default: "
                                "list the episodes under --out).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("output"),
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on (others than 127.0.0.1 reach it too).",
    )] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        "--port", min=0, max=65535, help="Port (0: any free port).")] = 8765,
    show: Annotated[Path | None, typer.Option(
        "--show", help="Show file for publishing (default: show.toml here, if any).",
    )] = None,
    open_browser: Annotated[bool, typer.Option(
        "--open", help="Open the studio in the web browser.")] = False,
) -> None:
    """Open the studio: listen to an episode, retake, compare and fix lines, recast, publish."""
    from pipeline.studio.server import open_target, serve

    if show is None and Path("show.toml").is_file():
        show = Path("show.toml")
    opened = open_target(target, out, _render)
    serve(opened.out_dir, opened.slug, host, port, show, _say, open_browser)


def register(app: typer.Typer) -> None:
    """Add ``castwright studio``."""
    app.command("studio")(studio)
