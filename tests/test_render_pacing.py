"""Pacing measured on rendered audio: the silence between two characters' lines, and a cast
file's speaker_change_pause moving it, with Piper and Kokoro voices in one cast."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pipeline.render.episode import render_episode

pytestmark = pytest.mark.xdist_group("render")

SCRIPT = """Title: Night Shift

# The lamp room
MARA: Is the lamp lit?
ELIAS: Since six o'clock.
MARA: Then why is it so dark out there?
ELIAS: Fog. It swallows the beam.
MARA: Can they see us at all?
ELIAS: They hear the horn. That is enough.
"""
CAST = """narrator = "joe"
[characters.Mara]
voice = "clara"
[characters.Elias]
voice = "harold"
[mix]
intro_music = false
outro_music = false
auto_beds = false
"""


def _gaps(episode: Path) -> list[float]:
    """Silences between consecutive lines on the mixed audio: from the last 10 ms frame of a
    line within 30 dB of the episode's loudest frame to the first such frame of the next."""
    manifest = json.loads((episode / "manifest.json").read_text(encoding="utf-8"))
    audio, sr = sf.read(episode / manifest["files"]["wav"], dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    hop = int(0.01 * sr)
    n = len(mono) // hop
    db = 10 * np.log10(np.mean(mono[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    loud = db > db.max() - 30
    lines = sorted(manifest["lines"], key=lambda x: x["start"])
    gaps = []
    for a, b in zip(lines, lines[1:], strict=False):
        assert a["speaker"] != b["speaker"]
        window = loud[int(a["start"] / 0.01):int(b["end"] / 0.01)]
        # the speech of a, then silence, then the speech of b: the longest quiet run between
        quiet = np.flatnonzero(~window)
        runs = np.split(quiet, np.flatnonzero(np.diff(quiet) > 1) + 1) if quiet.size else []
        gaps.append(max((len(r) for r in runs), default=0) * 0.01)
    return gaps


def _render(tmp_path: Path, name: str, extra_mix: str = "") -> list[float]:
    folder = tmp_path / name
    folder.mkdir()
    script = folder / "night.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    (folder / "night.cast.toml").write_text(CAST + extra_mix, encoding="utf-8")
    result = render_episode(script, folder / "out", show_progress=False)
    engines = {line["engine"] for line in result.manifest["lines"]}
    assert engines == {"piper", "kokoro"}
    return _gaps(result.episode_dir)


def test_replies_are_quick_and_speaker_change_pause_moves_them(tmp_path):
    default = _render(tmp_path, "default")
    assert len(default) == 5
    assert 0.2 <= statistics.median(default) <= 0.45, default
    slower = _render(tmp_path, "slower", "speaker_change_pause = 0.9\n")
    assert 0.7 <= statistics.median(slower) <= 1.1, slower
    assert statistics.median(slower) - statistics.median(default) > 0.4
