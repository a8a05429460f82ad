"""Reading a rendered episode folder (``output/<slug>/``) and deciding whether it is stale."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import PublishError
from pipeline.files import file_sha256
from pipeline.transaction import verify

MANIFEST = "manifest.json"
# kind -> default file name; the manifest's "files" map overrides these.
DEFAULT_FILES = {
    "mp3": "episode.mp3",
    "vtt": "transcript.vtt",
    "srt": "transcript.srt",
    "transcript_json": "transcript.json",
    "chapters_json": "chapters.json",
}
NARRATOR = "Narrator"
RECORDING = "recording"  # a manifest line's engine when a person's recording plays it


@dataclass(frozen=True)
class CastMember:
    name: str  # the character, as written in the script ("Narrator" for narration)
    voice: str | None  # the synthetic voice that plays it (None: every line is a recording)
    role: str  # Podcast Taxonomy role: "narrator" or "voice actor"
    recorded: int = 0  # lines played by a person's recording (regen --audio) instead

    def credit(self) -> str:
        """"voice: clara", "voice: clara; 2 lines recorded", or "recorded"."""
        recorded = (f"{self.recorded} line{'s' if self.recorded != 1 else ''} recorded"
                    if self.recorded else "")
        if self.voice is None:
            return "recorded" if self.recorded else ""
        return f"voice: {self.voice}" + (f"; {recorded}" if recorded else "")


@dataclass(frozen=True)
class EpisodeFolder:
    dir: Path
    title: str
    summary: str
    duration: float
    files: dict[str, Path]  # kind -> existing file (mp3 always present)
    lines: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def mp3(self) -> Path:
        return self.files["mp3"]

    def cast(self) -> list[CastMember]:
        """Everyone who speaks, in order of first line, with the first synthetic voice that
        plays them (a recorded line is counted, not named as a voice)."""
        voices: dict[str, str | None] = {}
        recorded: dict[str, int] = {}
        for line in self.lines:
            name = str(line.get("speaker") or NARRATOR).strip() or NARRATOR
            voices.setdefault(name, None)
            recorded.setdefault(name, 0)
            if line.get("engine") == RECORDING:
                recorded[name] += 1
            elif voices[name] is None:
                voices[name] = line.get("voice") or None
        return [CastMember(name, voice, "narrator" if name.lower() == NARRATOR.lower()
                           else "voice actor", recorded[name])
                for name, voice in voices.items()]


def _load_manifest(episode_dir: Path) -> dict[str, Any]:
    path = episode_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishError("episode is not rendered (no manifest.json)", path) from None
    except (OSError, ValueError) as err:
        raise PublishError(f"cannot read manifest: {err}", path) from None
    if not isinstance(manifest, dict):
        raise PublishError("manifest must be a JSON object", path)
    return manifest


@dataclass
class RenderRequest:
    """What publish renders an episode with; a folder rendered with anything else is stale."""

    meta: dict  # tags (show, number, season, date, cover, title), as the manifest keeps them
    mix: dict  # the show's [mix]: every key must be in the manifest's mix with this value
    show_cast: dict  # the show's [cast]


def stale_reason(script: Path, episode_dir: Path, request: RenderRequest | None = None
                 ) -> str | None:
    """Why the folder must be (re)rendered before publishing, or None when it is current."""
    path = episode_dir / MANIFEST
    if not path.is_file():
        return "not rendered yet"
    try:
        manifest = _load_manifest(episode_dir)
    except PublishError:
        return "manifest.json is unreadable"
    files = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    if not (episode_dir / str(files.get("mp3") or DEFAULT_FILES["mp3"])).is_file():
        return "the MP3 is missing"
    if "checksums" in manifest:  # older manifests carry none: taken as they are
        problem = verify(episode_dir, manifest["checksums"])
        if problem:
            return f"its files do not match its manifest: {problem}"
    recorded = manifest.get("script_sha256")
    if isinstance(recorded, str) and recorded:
        if recorded != file_sha256(script):
            return "the script changed"
    elif script.stat().st_mtime > path.stat().st_mtime:
        # Older manifests carry no script hash: fall back to modification times.
        return "the script is newer than the render"
    return _request_changed(manifest, request) if request is not None else None


def _request_changed(manifest: dict, request: RenderRequest) -> str | None:
    """A render made by hand (``castwright render``) or under another show file lacks the show's
    tags, cover, mix or cast: publishing it would ship the wrong file. Folders whose manifest
    does not record how they were rendered (older ones, other tools) are taken as they are."""
    if "episode_meta" not in manifest:
        return None
    if (manifest.get("episode_meta") or {}) != request.meta:
        return "rendered without this show's tags and cover"
    mix = manifest.get("mix") if isinstance(manifest.get("mix"), dict) else {}
    if any(mix.get(key) != value for key, value in request.mix.items()):
        return "rendered with other mix settings"
    if mix.get("ai_notice") and "ai_notice" not in request.mix:
        return "rendered with the spoken AI-voice notice the show file switched off"
    if (manifest.get("show_cast") or {}) != request.show_cast:
        return "rendered with another show cast"
    return None


def read_episode(episode_dir: Path) -> EpisodeFolder:
    """Load the manifest and locate the files publishing needs; PublishError if unusable."""
    manifest = _load_manifest(episode_dir)
    where = episode_dir / MANIFEST
    listed = manifest.get("files") or {}
    if not isinstance(listed, dict):
        raise PublishError("'files' must map kinds to file names", where)
    files: dict[str, Path] = {}
    for kind, default in DEFAULT_FILES.items():
        path = episode_dir / str(listed.get(kind) or default)
        if path.is_file():
            files[kind] = path
    if "mp3" not in files:
        raise PublishError(f"the episode MP3 is missing ({listed.get('mp3') or 'episode.mp3'})",
                           where)
    lines = manifest.get("lines") or []
    sections = manifest.get("sections") or []
    if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
        raise PublishError("'lines' must be a list of objects", where)
    if not isinstance(sections, list) or not all(isinstance(x, dict) for x in sections):
        raise PublishError("'sections' must be a list of objects", where)
    try:
        duration = float(manifest.get("duration") or 0.0)
    except (TypeError, ValueError):
        raise PublishError("'duration' must be a number of seconds", where) from None
    return EpisodeFolder(
        dir=episode_dir,
        title=str(manifest.get("title") or "").strip(),
        summary=str(manifest.get("summary") or "").strip(),
        duration=duration,
        files=files,
        lines=lines,
        sections=sections,
    )
