"""The episode manifest: every line's id, speaker, voice, text, take, times and cache key."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.atomic import write_text
from pipeline.errors import RenderError
from pipeline.jsoncheck import TABLE, TEXT, number, optional, problem, whole
from pipeline.render.choices import MAX_TAKE

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
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise RenderError(f"manifest is damaged: {err}; render the episode again",
                          path) from None
    wrong = manifest_problem(manifest)
    if wrong:
        raise RenderError(f"manifest is damaged: {wrong}; render the episode again", path)
    manifest.setdefault("slug", Path(episode_dir).name)  # hand-built or older manifests
    manifest.setdefault("title", manifest["slug"])
    return manifest


_TOP = {
    "slug": TEXT, "title": TEXT, "script": TEXT, "cast_file": optional(TEXT),
    "voices_dir": optional(TEXT), "mix": optional(TABLE), "show_cast": optional(TABLE),
    "show_file": optional(TEXT),
    "episode_meta": optional(TABLE), "duration": number(0), "files": TABLE,
    "loudness": optional(TABLE), "checksums": TABLE, "timeline": TABLE,
    "lines": (lambda v: isinstance(v, list), "a list of lines"), "book": optional(TABLE),
}
_BOOK = {"chapter": whole(1, 100_000)}
_LINE = {
    "line_id": TEXT, "section_id": TEXT, "speaker": TEXT, "voice": TEXT, "text": TEXT,
    "spoken_text": TEXT, "take": whole(1, MAX_TAKE), "cache_key": TEXT,
    "start": optional(number(0)), "end": optional(number(0)),
}


def manifest_problem(manifest: object) -> str | None:
    """The first field of the wrong type among those castwright reads back, or None."""
    wrong = problem(manifest, _TOP, required=("lines",))
    if wrong or not isinstance(manifest, dict):
        return wrong
    for i, line in enumerate(manifest["lines"]):
        if wrong := problem(line, _LINE, f"lines[{i}]", required=("line_id", "take")):
            return wrong
    if manifest.get("book") and (wrong := problem(manifest["book"], _BOOK, "book",
                                                  required=("chapter",))):
        return wrong
    files = manifest.get("files", {})
    bad = next((k for k, v in files.items() if not isinstance(v, str)), None)
    return f"'files.{bad}' must be a file name" if bad is not None else None


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
