"""CLI commands for publishing: ``castwright publish`` and ``castwright serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import console, user_errors
from pipeline.errors import PublishError


def _say(text: str) -> None:
    """Plain text (titles may contain [brackets]), never re-wrapped: URLs stay on one line."""
    console.print(text, highlight=False, markup=False, soft_wrap=True)


@user_errors
def publish_command(
    show: Annotated[Path, typer.Option("--show", help="The show file.")] = Path("show.toml"),
    out: Annotated[Path, typer.Option(
        "--out", help="Output folder (episodes, catalog, feed).")] = Path("output"),
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=1, help="Parallel synthesis jobs when rendering.")] = 1,
    render: Annotated[bool, typer.Option(
        "--render/--no-render", help="Render stale episodes first (--no-render: fail instead).",
    )] = True,
) -> None:
    """Render stale episodes, update the catalog and write the podcast feed to OUT/feed/."""
    from pipeline.publish.publish import publish

    result = publish(show, out, jobs=jobs, render=render, log=_say)
    for rec in result.episodes:
        mark = "new or changed" if rec.slug in result.changed else "unchanged"
        _say(f"  {rec.number:>3}  {rec.title}  ({mark})")
    _say(f"published {len(result.episodes)} episode(s) to {result.feed_path}"
         + (f"; {len(result.scheduled)} scheduled" if result.scheduled else ""))


@user_errors
def serve_command(
    directory: Annotated[Path, typer.Option(
        "--dir", help="Folder to serve.")] = Path("output/feed"),
    port: Annotated[int, typer.Option(
        "--port", min=0, max=65535, help="Port (0: any free port).")] = 8000,
) -> None:
    """Preview the published feed and show page on http://127.0.0.1:PORT/ (with seeking)."""
    from pipeline.publish.serve import make_server

    if not directory.is_dir():
        raise PublishError("nothing to serve: run castwright publish first", directory)
    try:
        server = make_server(directory, port)
    except OSError as err:
        raise PublishError(f"cannot listen on 127.0.0.1:{port}: {err.strerror or err}") from None
    url = f"http://127.0.0.1:{server.server_port}/"
    _say(f"serving {directory} at {url} (feed: {url}feed.xml); Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("publish")(publish_command)
    app.command("serve")(serve_command)
