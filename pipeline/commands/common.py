"""The CLI's output layer: every message, table, JSON document and progress bar goes through here.

- User text (script lines, titles, file names, voice names) is never read as rich markup or
  emoji codes: the consoles have both off, and styled words are ``(text, style)`` parts.
- Data commands print a rich table on a terminal, plain tab-separated rows into a pipe, and a
  JSON document with ``--json`` (``print_rows``).
- ``-q`` keeps errors, warnings and the data asked for; ``-v`` adds details on stderr.
- User errors become one line on stderr (``error: file:line: problem``) and exit status 2.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from pipeline.errors import CastwrightError

# soft_wrap: messages are never re-wrapped (paths and URLs stay whole in pipes and logs).
console = Console(markup=False, emoji=False, highlight=False, soft_wrap=True)
err_console = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)

Part = str | tuple[str, str]  # plain text, or (text, rich style)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@dataclass
class Verbosity:
    level: int = 0  # -1: quiet (-q), 0: normal, 1: details (-v), 2: debug log (-vv)


VERBOSITY = Verbosity()


def configure(level: int) -> None:
    """Set by the global ``-q/-v`` options before any command runs."""
    VERBOSITY.level = level
    if level >= 1:
        import logging

        logging.basicConfig(stream=sys.stderr, format="%(name)s: %(message)s",
                            level=logging.DEBUG if level >= 2 else logging.INFO)
    from pipeline import progress

    if level >= 0 and err_console.is_terminal:
        from pipeline.commands.progress_bars import RichDisplay

        progress.install(RichDisplay(err_console))
    else:
        progress.uninstall()


def quiet() -> bool:
    return VERBOSITY.level < 0


def text(*parts: Part) -> Text:
    """Plain strings stay as written; ``(text, style)`` parts are styled."""
    return Text.assemble(*parts)


def say(*parts: Part) -> None:
    """A result on stdout ("wrote X", "published 3 episodes"); ``-q`` silences it."""
    if not quiet():
        console.print(text(*parts))


def aside(*parts: Part) -> None:
    """Words around data (a title over a table, a summary under it): stdout on a terminal,
    stderr in a pipe, where stdout carries only rows or JSON. ``-q`` silences it."""
    if not quiet():
        (console if console.is_terminal else err_console).print(text(*parts))


def note(*parts: Part) -> None:
    """Status while working ("rendering x: its script changed"): stderr; ``-q`` silences it."""
    if not quiet():
        err_console.print(text(*parts))


def detail(*parts: Part) -> None:
    """Only with ``-v``: stderr."""
    if VERBOSITY.level >= 1:
        err_console.print(text(*parts))


def warn(message: str) -> None:
    err_console.print(text(("warning:", "yellow"), " ", message))


def error(message: str) -> None:
    err_console.print(text(("error:", "red"), " ", message))


def _plain(value: Any) -> Any:
    """What JSON and TSV say for values JSON has no word for: dates in ISO 8601, paths."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False, default=_plain) + "\n")


@dataclass(frozen=True)
class Column:
    """One column of a data table: ``key`` into each row; ``show`` formats a table cell
    (TSV keeps the raw value); ``wrap``: long text that wraps in the table (other columns keep
    to one line while they can); ``in_table=False``: only in TSV rows (and JSON)."""

    key: str
    header: str = ""
    show: Callable[[Any], str] | None = None
    wrap: bool = False
    justify: str = "left"
    in_table: bool = True

    @property
    def title(self) -> str:
        return self.header or self.key


def tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{round(value, 3):g}"
    if not isinstance(value, str | int):
        value = _plain(value)
    # A tab or line break inside a cell would break the row apart.
    return " ".join(str(value).replace("\t", " ").splitlines())


def print_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], *,
               title: str = "", as_json: bool = False, document: Any = None,
               row_styles: Sequence[str | None] | None = None) -> None:
    """Data out: ``document`` (default: the rows) as JSON with ``as_json``; else a rich table
    on a terminal, or one tab-separated line per row (no header) in a pipe."""
    if as_json:
        print_json(rows if document is None else document)
        return
    if not console.is_terminal:
        for row in rows:
            sys.stdout.write("\t".join(tsv_cell(row.get(c.key)) for c in columns) + "\n")
        return
    from rich.table import Table

    table = Table(title=Text(title) if title else None, title_justify="left")
    columns = [c for c in columns if c.in_table]
    for column in columns:
        table.add_column(column.title, overflow="fold", no_wrap=not column.wrap,
                         justify=column.justify)  # type: ignore[arg-type]
    for i, row in enumerate(rows):
        cells = [Text(column.show(row.get(column.key)) if column.show
                      else tsv_cell(row.get(column.key))) for column in columns]
        table.add_row(*cells, style=row_styles[i] if row_styles else None)
    console.print(table)


def default_jobs() -> int:
    """The cores this process may run on (respects taskset/cgroup affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def jobs_or_default(jobs: int | None) -> int:
    return default_jobs() if jobs is None else jobs


JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, show_default=False,
    help="Parallel synthesis processes (default: the cores available).")]


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command: a ``CastwrightError`` prints ``error: file:line: problem``, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CastwrightError as err:
            error(str(err))
            raise typer.Exit(2) from None
        except OSError as err:  # unwritable output, disk full, vanished files: the machine's word
            where = f"{err.filename}: " if err.filename else ""
            error(f"{where}{err.strerror or err}")
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console.print("interrupted; rerun to resume from the cache")
            raise typer.Exit(130) from None

    return wrapper
