"""The ``castwright`` command line. Each area registers its own commands (see ``commands/``)."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
from typing import Annotated

import typer

from pipeline import __version__
from pipeline.commands import (
    characters,
    common,
    docs,
    play,
    publish,
    qa,
    render,
    say,
    script,
    studio,
    voices,
)
from pipeline.commands.usage import PlainGroup, plain_help

app = typer.Typer(
    name="castwright",
    help="Turn a written story or script into a finished, published audio drama episode.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=PlainGroup,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"castwright {__version__}")
        raise typer.Exit()


@app.callback()
def options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Show the version and exit.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Only errors, warnings and the data asked for.")] = False,
    verbose: Annotated[int, typer.Option(
        "--verbose", "-v", count=True, help="More detail on stderr (-vv: debug log).")] = 0,
) -> None:
    """Turn a written story or script into a finished, published audio drama episode."""
    common.configure(-1 if quiet else verbose)


for area in (script, characters, voices, say, render, play, publish, qa, docs, studio):
    area.register(app)
plain_help(app)


def main() -> None:
    status: list[int] = [0]
    # Registered before any command imports the heavy libraries, so it runs after their exit
    # handlers (LIFO) and only skips the interpreter's own teardown of ~1,500 modules
    # (scipy, matplotlib, onnxruntime): ~0.3 s of a three-second `regen`.
    atexit.register(_fast_exit, status)
    # A plain `kill` cleans up like Ctrl-C: temp files go, the workers are stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        app()
    except SystemExit as done:
        status[0] = _exit_status(done.code)
        raise
    except KeyboardInterrupt:
        status[0] = 130
        raise
    except BaseException:
        status[0] = 1  # the traceback is printed before exit handlers run
        raise


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1  # SystemExit("message"): Python prints it


def _fast_exit(status: list[int]) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(status[0])


if __name__ == "__main__":
    main()
