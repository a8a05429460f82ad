"""One progress display for a whole season: lines synthesized (with the audio they made and an
ETA weighed by characters, not lines), and episodes mixed."""

from __future__ import annotations

import threading

from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class SeasonProgress:
    def __init__(self, enabled: bool, lines: int, chars: int, episodes: int):
        self.progress = Progress(
            TextColumn("[bold]{task.description:<12}"), BarColumn(),
            TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), disable=not enabled, transient=False)
        self.lines, self.done_lines, self.audio = lines, 0, 0.0
        self.episodes, self.done_episodes, self.episode_audio = episodes, 0, 0.0
        self.lock = threading.Lock()
        self.synth: TaskID | None = None
        self.mix: TaskID | None = None
        self.chars = max(chars, 1)

    def __enter__(self) -> SeasonProgress:
        self.progress.__enter__()
        if self.lines:
            self.synth = self.progress.add_task("synthesizing", total=self.chars,
                                                info=self._synth_info())
        self.mix = self.progress.add_task("mixing", total=self.episodes, info=self._mix_info(""))
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def _synth_info(self) -> str:
        return f"{self.done_lines}/{self.lines} lines · {self.audio / 60:.1f} min audio"

    def _mix_info(self, current: str) -> str:
        hours = self.episode_audio / 3600
        text = f"{self.done_episodes}/{self.episodes} episodes · {hours:.2f} h"
        return f"{text} · {current}" if current else text

    def line_done(self, seconds: float, chars: int) -> None:
        with self.lock:
            self.done_lines += 1
            self.audio += seconds
            if self.synth is not None:
                self.progress.update(self.synth, advance=chars, info=self._synth_info())

    def mixing(self, number: int, title: str) -> None:
        with self.lock:
            label = f"{number}: {title}"
            if self.mix is not None:
                self.progress.update(self.mix, info=self._mix_info(label[:40]))

    def mixed(self, duration: float) -> None:
        with self.lock:
            self.done_episodes += 1
            self.episode_audio += duration
            if self.mix is not None:
                self.progress.update(self.mix, advance=1, info=self._mix_info(""))
