"""What an episode's files are tagged with (title, show, numbers, cover).

A module of its own so the renderer can build it, and fingerprint a mix, without importing the
mixer (scipy, pyloudnorm: ~1.5 s that a render with nothing to re-mix must not pay).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class EpisodeMeta:
    title: str
    show: str = ""
    episode_number: int | None = None
    season: int | None = None
    author: str = ""
    summary: str = ""
    cover: str | Path | None = None  # PNG or JPEG, embedded in the MP3/M4A/Opus
    date: str | None = None  # "2025-01-06" or "2025"
