"""The studio's long-lived state: where episodes live, the guard, the job runner, recent cuts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import RenderError
from pipeline.render.manifest import MANIFEST_FILE
from pipeline.studio.jobs import EventHub, JobRunner
from pipeline.studio.preview import CutStore
from pipeline.studio.security import Guard

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
LINE_ID = re.compile(r"^s\d{2,}-l\d{3,}$")


class NotFound(RenderError):
    """An episode, line or file the studio does not have (HTTP 404)."""


@dataclass
class StudioState:
    out_dir: Path  # every episode, the take cache and the feed live under it
    guard: Guard
    show: Path | None = None  # show.toml for publishing
    episode: str | None = None  # the episode the studio was opened on (slug)
    hub: EventHub = field(default_factory=EventHub)
    cuts: CutStore = field(default_factory=CutStore)
    runner: JobRunner = field(init=False)
    wanted: dict[str, str] = field(default_factory=dict)  # slug -> line to prepare a take of
    making: dict[str, str] = field(default_factory=dict)  # slug -> line whose take is made

    def __post_init__(self) -> None:
        self.out_dir = Path(self.out_dir)
        self.runner = JobRunner(self.hub)

    def episode_dir(self, slug: str) -> Path:
        """The folder of episode ``slug``: a real folder with a manifest, inside ``out_dir``."""
        root = self.out_dir.resolve()
        if not SLUG.match(slug):
            raise NotFound(f"unknown episode '{slug}'")
        folder = (root / slug).resolve()
        if folder.parent != root or not (folder / MANIFEST_FILE).is_file():
            raise NotFound(f"unknown episode '{slug}' (no {MANIFEST_FILE} under {self.out_dir})")
        return folder

    def close(self) -> None:
        self.runner.stop()
