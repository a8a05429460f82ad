"""Rich progress bars for ``pipeline.progress`` (installed by the CLI on a terminal).

One live display for all stages: a stage that ends while an outer one runs (an episode's mix
inside ``publish``) leaves the screen; a top-level stage stays as a finished line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from pipeline.progress import Advance


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def count_text(done: float, total: float | None, unit: str, note: str | None) -> str:
    if unit == "s":  # seconds of audio
        shown = _clock(done) + (f"/{_clock(total)}" if total is not None else "") + " audio"
    elif total is None:
        shown = f"{done:.0f} {unit}".strip() if done else ""
    else:
        shown = f"{done:.0f}/{total:.0f} {unit}".rstrip()
    return " · ".join(x for x in (shown, note) if x)


class RichDisplay:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.bars: Progress | None = None
        self.open = 0

    def _start(self) -> Progress:
        if self.bars is None:
            # markup=False: descriptions and notes can hold user text (slugs, titles).
            self.bars = Progress(
                TextColumn("{task.description}", style="bold", markup=False), BarColumn(),
                TextColumn("{task.fields[count]}", markup=False), TimeElapsedColumn(),
                TextColumn("ETA"), TimeRemainingColumn(), console=self.console)
            self.bars.start()
        return self.bars

    @contextmanager
    def task(self, description: str, total: float | None, unit: str) -> Iterator[Advance]:
        bars = self._start()
        self.open += 1
        done = 0.0
        task_id: TaskID = bars.add_task(description, total=total,
                                         count=count_text(0, total, unit, None))

        def advance(amount: float = 1.0, note: str | None = None) -> None:
            nonlocal done
            done += amount
            bars.update(task_id, advance=amount, count=count_text(done, total, unit, note))

        finished = False
        try:
            yield advance
            finished = True
        finally:
            self.open -= 1
            if finished and total is None:  # a spinner stage: show it done
                bars.update(task_id, total=1, completed=1)
            if self.open:
                bars.remove_task(task_id)
            else:
                bars.stop()
                self.bars = None
