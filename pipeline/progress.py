"""Progress of long work: the pipeline reports it, whoever listens shows it.

Library code wraps a stage in ``task`` and calls the returned ``advance``. Nothing is shown
unless a display is installed (the CLI installs rich bars on a terminal, unless ``-q``): library
use, worker processes and pipes pay nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Advance(Protocol):
    def __call__(self, amount: float = 1.0, note: str | None = None) -> None: ...


class Display(Protocol):
    def task(self, description: str, total: float | None, unit: str
             ) -> AbstractContextManager[Advance]: ...


_display: list[Display] = []


def install(display: Display) -> None:
    _display[:] = [display]


def uninstall() -> None:
    _display.clear()


def _nothing(amount: float = 1.0, note: str | None = None) -> None:
    return None


@contextmanager
def task(description: str, total: float | None = None, unit: str = "",
         enabled: bool = True) -> Iterator[Advance]:
    """A stage of work: ``total`` in ``unit`` ("lines", "s" of audio, "episodes"; None: a
    spinner). ``advance(amount, note)`` moves it on; ``note`` is shown beside the count."""
    if not (_display and enabled):
        yield _nothing
        return
    with _display[0].task(description, total, unit) as advance:
        yield advance
