"""Which episode folder a script renders into, so two scripts never share one.

A folder belongs to the script its manifest names. ``render x.fountain`` after ``render x.txt``
finds ``OUT/x`` taken and uses ``OUT/x-<hash of the name>``; a folder whose script is gone (a
moved or renamed project) is taken over. An explicit slug (a show's episode) that another
script holds is an error: the feed needs that very name. A book's season folder
(``season.json``, one folder per chapter) belongs to its book the same way: an episode never
renders into it, and another book of the same name is refused with a clear error.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.errors import RenderError
from pipeline.files import RESERVED_SLUGS, slug_candidates
from pipeline.locks import episode_lock
from pipeline.render.manifest import MANIFEST_FILE

SEASON_FILE = "season.json"  # a book's season folder (pipeline.books.season)


def _named_path(path: Path, key: str) -> Path | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return Path(value) if isinstance(value, str) and value else None


def folder_script(episode_dir: Path) -> Path | None:
    """The script an episode folder was rendered from, or None (new, or unreadable)."""
    return _named_path(episode_dir / MANIFEST_FILE, "script")


def is_season(folder: Path) -> bool:
    return (folder / SEASON_FILE).exists()


def folder_holder(folder: Path) -> Path | None:
    """The script or book a folder holds episodes of: an episode's script, a season's book
    (``season.json``, or a chapter's manifest if the season was killed before it wrote one)."""
    holder = folder_script(folder) or _named_path(folder / SEASON_FILE, "book")
    if holder is None and folder.is_dir():
        chapters = sorted(folder.glob(f"[0-9]*/{MANIFEST_FILE}"))
        holder = _named_path(chapters[0], "script") if chapters else None
    return holder


def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


@contextlib.contextmanager
def claimed_episode_dir(out: Path, script: Path, slug: str | None = None,
                        note: Callable[[str], None] = lambda _: None) -> Iterator[Path]:
    """The episode folder for ``script``, with its lock held inside the block."""
    script = script.resolve()
    if slug is not None and slug in RESERVED_SLUGS:
        raise RenderError(f"'{slug}' cannot name an episode: OUT/{slug} is the published feed")
    names = [slug] if slug is not None else slug_candidates(script)
    for number, name in enumerate(names):
        folder = out / name
        with episode_lock(folder):
            holder = folder_holder(folder)
            if holder is None or same_file(holder, script):
                yield folder
                return
            # A moved or renamed script: its folder moves with it (a season stays a season)
            if not holder.exists() and not is_season(folder):
                note(f"{folder} was rendered from {holder}, which is gone; "
                     f"{script.name} takes it over")
                yield folder
                return
        if slug is not None:
            raise RenderError(f"{folder} holds the episode of another script ({holder}); "
                              "give this episode another slug")
        if number + 1 < len(names):
            note(f"{folder} holds the episode of {holder}; {script.name} renders into "
                 f"{out / names[number + 1]}")
    raise RenderError(f"every folder for this script under {out} holds another script's "
                      f"episode ({', '.join(names)})", script)
