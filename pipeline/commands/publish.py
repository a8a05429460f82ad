"""CLI commands for publishing: ``castwright publish`` and ``castwright serve``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.cluster import ClusterOption
from pipeline.commands.common import (
    Column,
    JobsOption,
    JsonOption,
    aside,
    jobs_or_default,
    note,
    print_rows,
    say,
    user_errors,
)
from pipeline.errors import PublishError

EPISODE_COLUMNS = [Column("number", "#", justify="right"), Column("slug", in_table=False),
                   Column("title", wrap=True), Column("state"),
                   Column("published", show=lambda d: f"{d:%Y-%m-%d %H:%M}"),
                   Column("file_name", "file")]


def _state(rec, result) -> str:
    if rec in result.scheduled:
        return "scheduled"
    return "new or changed" if rec.slug in result.changed else "unchanged"


@user_errors
def publish_command(
    show: Annotated[Path, typer.Option("--show", help="The show file.")] = Path("show.toml"),
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Output folder (episodes, catalog, feed).")] = Path("output"),
    jobs: JobsOption = None,
    render: Annotated[bool, typer.Option(
        "--render/--no-render", help="Render stale episodes first (--no-render: fail instead).",
    )] = True,
    as_json: JsonOption = False,
    cluster: ClusterOption = None,
) -> None:
    """Render stale episodes, update the catalog and write the podcast feed to OUT/feed/.

    In a pipe: one tab-separated row per episode (number, slug, title, state, published, file)."""
    from pipeline.publish.publish import publish

    result = publish(show, out, jobs=jobs_or_default(jobs), render=render, log=note,
                     cluster=cluster)
    records = [*result.episodes, *result.scheduled]
    rows = [{**asdict(rec), "state": _state(rec, result)} for rec in records]
    print_rows(rows, EPISODE_COLUMNS, as_json=as_json,
               document={"feed": str(result.feed_path), "feed_dir": str(result.feed_dir),
                         "podcast_guid": result.podcast_guid, "rendered": result.rendered,
                         "episodes": rows})
    if not as_json:
        aside(f"published {len(result.episodes)} episode(s) to {result.feed_path}"
              + (f"; {len(result.scheduled)} scheduled" if result.scheduled else ""))


def _served_folder(out: Path, directory: Path | None) -> Path:
    """``--out OUT`` serves OUT/feed (what publish wrote); the old ``--dir`` names the folder
    itself, and so does an ``--out`` that already is a feed folder."""
    if directory is not None:
        return directory
    if not (out / "feed").is_dir() and (out / "feed.xml").is_file():
        return out
    return out / "feed"


@user_errors
def serve_command(
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Output folder whose feed/ to serve.")] = Path("output"),
    directory: Annotated[Path | None, typer.Option("--dir", hidden=True)] = None,
    port: Annotated[int, typer.Option(
        "--port", min=0, max=65535, help="Port (0: any free port).")] = 8000,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on: 0.0.0.0 lets a phone on your network "
        "subscribe.")] = "127.0.0.1",
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="URL the feed's links use (default: http://HOST:PORT/, with this "
        "machine's LAN address for 0.0.0.0).")] = None,
) -> None:
    """Preview the published feed and show page (with seeking) on http://HOST:PORT/."""
    from urllib.parse import urlsplit

    from pipeline.publish.serve import make_server

    folder = _served_folder(out, directory)
    if not folder.is_dir():
        raise PublishError("nothing to serve: run castwright publish first", folder)
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PublishError(f"--base-url '{base_url}' must be an http:// or https:// URL")
    try:
        server = make_server(folder, port, host=host, base_url=base_url)
    except OSError as err:
        raise PublishError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    url = server.base_url  # type: ignore[attr-defined]
    say(f"serving {folder} at {url} (feed: {url}feed.xml); Ctrl-C to stop")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"subscribe from another device on this network: {url}feed.xml")
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
