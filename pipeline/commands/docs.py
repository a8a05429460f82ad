"""``castwright docs``: the reference documents the package ships, readable from any folder."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.commands.common import Column, print_rows, user_errors
from pipeline.errors import CastwrightError


def _heading(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.lstrip("#").strip()


@user_errors
def docs_command(
    topic: Annotated[str | None, typer.Argument(
        help="Document to show, e.g. show-file (none: list them).")] = None,
    path: Annotated[bool, typer.Option("--path", help="Print the file's path instead.")] = False,
) -> None:
    """Show a reference document (show file, cast file, voices, sound and mix)."""
    from pipeline.resources import doc_topics

    topics = doc_topics()
    if topic is None:
        rows = [{"topic": name, "title": _heading(file.read_text(encoding="utf-8")),
                 "path": str(file)} for name, file in topics.items()]
        print_rows(rows, [Column("topic"), Column("title")], title="castwright docs TOPIC")
        return
    file = topics.get(topic.lower().removesuffix(".md"))
    if file is None:
        raise CastwrightError(f"no document '{topic}' (known: {', '.join(topics)})")
    if path:
        typer.echo(str(file))
        return
    text = file.read_text(encoding="utf-8")
    typer.echo(text, nl=not text.endswith("\n"))


def register(app: typer.Typer) -> None:
    """Add ``castwright docs``."""
    app.command("docs")(docs_command)
