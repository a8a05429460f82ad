"""Shared CLI plumbing: user errors become one line on stderr and exit status 2."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from pipeline.errors import CastwrightError

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command: a ``CastwrightError`` prints ``error: file:line: problem``, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CastwrightError as err:
            err_console.print(f"[red]error:[/red] {err}", markup=True)
            raise typer.Exit(2) from None
        except OSError as err:  # unwritable output, disk full, vanished files: the machine's word
            where = f"{err.filename}: " if err.filename else ""
            err_console.print(f"[red]error:[/red] {where}{err.strerror or err}", markup=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console.print("interrupted; rerun to resume from the cache")
            raise typer.Exit(130) from None

    return wrapper
