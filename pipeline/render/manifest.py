"""The episode manifest: every line's id, speaker, voice, text, take, times and cache key."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.atomic import write_text
from pipeline.errors import RenderError

MANIFEST_FILE = "manifest.json"


def manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=1, ensure_ascii=False)


def write_manifest(episode_dir: Path, manifest: dict) -> None:
    write_text(episode_dir / MANIFEST_FILE, manifest_text(manifest))


def load_manifest(episode_dir: str | Path) -> dict:
    path = Path(episode_dir) / MANIFEST_FILE
    if not path.exists():
        raise RenderError("no rendered episode here (manifest.json missing); run "
                          "`castwright render` first", Path(episode_dir))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise RenderError(f"manifest is damaged: {err}", path) from None


def resolve_episode(episode: str | Path, out_dir: str | Path = "output") -> Path:
    """An episode is named by its folder or by its slug under ``out_dir``."""
    for candidate in (Path(episode), Path(out_dir) / str(episode)):
        if (candidate / MANIFEST_FILE).exists():
            return candidate
    raise RenderError(f"unknown episode '{episode}' (no {MANIFEST_FILE} in it or under "
                      f"{out_dir}/)")


def manifest_line(manifest: dict, line_id: str) -> dict:
    for line in manifest["lines"]:
        if line["line_id"] == line_id:
            return line
    raise RenderError(f"unknown line id '{line_id}' in episode '{manifest['slug']}' "
                      f"(see `castwright lines {manifest['slug']}`)")
