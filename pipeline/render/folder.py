"""Which episode folder a script renders into, so two scripts never share one.

A folder belongs to the script its manifest names. ``render x.fountain`` after ``render x.txt``
finds ``OUT/x`` taken and uses ``OUT/x-<hash of the name>``; a folder whose script is gone (a
moved or renamed project) is taken over. An explicit slug (a show's episode) that another
script holds is an error: the feed needs that very name.
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


def folder_script(episode_dir: Path) -> Path | None:
    """The script an episode folder was rendered from, or None (new, or unreadable)."""
    try:
        manifest = json.loads((episode_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    script = manifest.get("script") if isinstance(manifest, dict) else None
    return Path(script) if isinstance(script, str) and script else None


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
            holder = folder_script(folder)
            if holder is None or same_file(holder, script):
                yield folder
                return
            if not holder.exists():  # a moved or renamed script: its folder moves with it
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
