"""Builders for publish tests (no tests here): a show folder and rendered-looking episode folders
with a real MP3, so publishing is tested without the renderer."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import soundfile as sf
from PIL import Image

SHOW_TOML = """\
title = {title}
author = "Ada Writer"
description = "Stories for the dark evenings."
language = "en"
artwork = "cover.png"
category = "Fiction"
subcategory = "Drama"
explicit = false
type = "episodic"
base_url = "https://example.com/show/"
locked = true

[owner]
name = "Ada Writer"
email = "ada@example.com"

[[episodes]]
script = "scripts/one.txt"
number = 1
season = 1
date = 2025-01-06

[[episodes]]
script = "scripts/two.txt"
number = 2
season = 1
date = 2025-01-13T18:30:00Z
title = "Two: the return"
"""

CAST = [("Narrator", "en_US-joe-medium"), ("Mara", "en_GB-alba-medium"),
        ("Tom", "en_US-ryan-high")]


def toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_cover(path: Path, side: int = 1400, mode: str = "RGB", fmt: str = "PNG") -> Path:
    Image.new(mode, (side, side), "navy" if mode == "RGB" else 0).save(path, format=fmt)
    return path


def make_show(root: Path, text: str | None = None, *, title: str = "Night Stories") -> Path:
    """A show folder: show.toml, scripts/one.txt + two.txt, cover.png. Returns show.toml."""
    (root / "scripts").mkdir(parents=True, exist_ok=True)
    for name in ("one", "two"):
        (root / "scripts" / f"{name}.txt").write_text(f"# Episode {name}\n\nIt was dark.\n")
    if not (root / "cover.png").exists():
        write_cover(root / "cover.png")
    path = root / "show.toml"
    path.write_text(text if text is not None else SHOW_TOML.format(title=toml_str(title)),
                    encoding="utf-8")
    return path


def make_episode(out: Path, slug: str, script: Path | None = None, *, title: str = "One",
                 summary: str = "A keeper & his lamp.", seconds: float = 1.0,
                 freq: float = 440.0) -> Path:
    """A folder like render + mix write: manifest.json, episode.mp3, transcripts, chapters."""
    folder = out / slug
    folder.mkdir(parents=True, exist_ok=True)
    sr = 44100
    t = np.arange(int(sr * seconds)) / sr
    sf.write(folder / "episode.mp3", (0.2 * np.sin(2 * np.pi * freq * t)).astype("float32"), sr,
             format="MP3")
    step = seconds / len(CAST)
    lines = [{"line_id": f"s01-l{i + 1:03d}", "section_id": "s01", "speaker": who, "voice": voice,
              "text": f"Line {i + 1} by {who} <b>&</b>", "start": i * step,
              "end": (i + 1) * step} for i, (who, voice) in enumerate(CAST)]
    manifest = {
        "slug": slug, "title": title, "summary": summary, "duration": seconds,
        "files": {"mp3": "episode.mp3", "vtt": "transcript.vtt", "srt": "transcript.srt",
                  "transcript_json": "transcript.json", "chapters_json": "chapters.json"},
        "lines": lines,
        "sections": [{"id": "s01", "heading": "The Lamp", "start": 0.0, "end": seconds}],
    }
    if script is not None:
        manifest["script_sha256"] = hashlib.sha256(script.read_bytes()).hexdigest()
    vtt = ["WEBVTT", ""]
    srt = []
    for i, line in enumerate(lines, 1):
        a, b = line["start"], line["end"]
        vtt += [f"00:00:{a:06.3f} --> 00:00:{b:06.3f}", f"<v {line['speaker']}>{line['text']}", ""]
        srt += [str(i), f"00:00:{a:06.3f} --> 00:00:{b:06.3f}".replace(".", ","), line["text"], ""]
    (folder / "transcript.vtt").write_text("\n".join(vtt))
    (folder / "transcript.srt").write_text("\n".join(srt))
    (folder / "transcript.json").write_text(json.dumps({"version": "1.0.0", "segments": [
        {"speaker": x["speaker"], "startTime": x["start"], "endTime": x["end"], "body": x["text"]}
        for x in lines]}))
    (folder / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [
        {"startTime": 0, "title": "The Lamp"}]}))
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return folder


def make_rendered_show(root: Path, **kwargs) -> tuple[Path, Path]:
    """A show with both episodes already rendered and current. Returns (show.toml, output/)."""
    show = make_show(root, **kwargs)
    out = root / "output"
    make_episode(out, "one", root / "scripts" / "one.txt", title="One")
    make_episode(out, "two", root / "scripts" / "two.txt", title="Two", seconds=1.5, freq=330)
    return show, out
