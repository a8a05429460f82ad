"""Running the CLI in-process for tests, in a pipe (the default) or as if on a wide terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.commands import common

TERMINAL_ENV = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1", "COLUMNS": "200"}  # rich: a terminal


@contextlib.contextmanager
def wide_terminal() -> Iterator[None]:
    """Rich fixes a console's width when it is made (from COLUMNS, if set then, as under
    xdist): set it for the duration."""
    saved = [(c, c._width) for c in (common.console, common.err_console)]
    for console, _ in saved:
        console._width = 200
    try:
        yield
    finally:
        for console, width in saved:
            console._width = width


def run(*args: str, env: dict[str, str] | None = None, terminal: bool = False):
    """Invoke ``castwright ARGS``; never a traceback, whatever the exit status."""
    with wide_terminal() if terminal else contextlib.nullcontext():
        result = CliRunner().invoke(app, list(args),
                                    env={**(TERMINAL_ENV if terminal else {}), **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result
