"""Several castwrights on one output folder, and castwrights killed mid-way, on real renders:
two regens at once keep both choices; render + publish and two publishes both finish with a
consistent episode and feed; a kill at any step of an export leaves, after the next run, files
that agree with the manifest; a killed ``render --jobs 2`` leaves no process and (after the
next run) no temp file behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import soundfile as sf

from pipeline.render.episode import render_episode
from pipeline.render.manifest import load_manifest
from pipeline.render.regen import regen_line
from pipeline.transaction import verify

pytestmark = pytest.mark.xdist_group("render")
REPO = Path(__file__).resolve().parents[1]
MIX = "[mix]\nauto_beds = false\nintro_music = false\noutro_music = false\n"
SCRIPT = """Title: Tide Tables

# The jetty
ANNA: The tide is coming in.
BILL: Then we had better go.
ANNA: Not before the boat is tied.
"""
SHOW = """title = "Tides"
author = "Ada Writer"
description = "Short stories by the sea."
language = "en"
category = "Fiction"
base_url = "https://example.com/tides/"

[owner]
name = "Ada Writer"
email = "ada@example.com"

[mix]
auto_beds = false
intro_music = false
outro_music = false

[[episodes]]
script = "scripts/tide.txt"
"""


def cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("tides")
    (root / "scripts").mkdir()
    script = root / "scripts" / "tide.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    (root / "scripts" / "tide.cast.toml").write_text(MIX, encoding="utf-8")
    result = render_episode(script, root / "output", show_progress=False)
    return root, result.episode_dir


def fresh_copy(rendered, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the rendered project (the take cache comes along: no synthesis)."""
    root, episode_dir = rendered
    copy = tmp_path / "project"
    shutil.copytree(root, copy, symlinks=True)
    manifest_path = copy / "output" / episode_dir.name / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["script"] = str(copy / "scripts" / "tide.txt")  # the copy renders its own script
    manifest_path.write_text(json.dumps(manifest))
    return copy, copy / "output" / episode_dir.name


def consistent(episode_dir: Path) -> dict:
    manifest = load_manifest(episode_dir)
    assert verify(episode_dir, manifest["checksums"]) is None
    assert not list(episode_dir.glob(".*"))  # no temp file, no journal
    return manifest


def test_two_regens_at_once_keep_both_choices(rendered, tmp_path):
    root, episode_dir = fresh_copy(rendered, tmp_path)
    out = str(root / "output")
    first = cli("regen", episode_dir.name, "s01-l001", "--out", out)
    second = cli("regen", episode_dir.name, "s01-l003", "--out", out)
    results = [finish(first), finish(second)]
    for code, text in results:
        assert code == 0, text
        assert "take 2 (synthesized" in text and "Traceback" not in text
    assert any("waiting: another castwright" in text for _, text in results)
    choices = json.loads((episode_dir / "choices.json").read_text())
    assert {k: v["take"] for k, v in choices.items()} == {"s01-l001": 2, "s01-l003": 2}
    manifest = consistent(episode_dir)
    assert [x["take"] for x in manifest["lines"]] == [2, 1, 2]  # both in the final mix


def test_render_and_publish_at_once(rendered, tmp_path):
    root, episode_dir = fresh_copy(rendered, tmp_path)
    (root / "show.toml").write_text(SHOW, encoding="utf-8")
    out = str(root / "output")
    render = cli("render", str(root / "scripts" / "tide.txt"), "--out", out, "--quiet")
    publish = cli("publish", "--show", str(root / "show.toml"), "--out", out)
    for code, text in (finish(render), finish(publish)):
        assert code == 0, text
        assert "Traceback" not in text
    consistent(episode_dir)
    feed = ET.parse(root / "output" / "feed" / "feed.xml").getroot()
    enclosure = feed.find("channel/item/enclosure")
    published = root / "output" / "feed" / enclosure.get("url").rsplit("/", 1)[1]
    assert int(enclosure.get("length")) == published.stat().st_size


def test_two_publishes_at_once(rendered, tmp_path):
    root, _ = fresh_copy(rendered, tmp_path)
    (root / "show.toml").write_text(SHOW, encoding="utf-8")
    out = root / "output"
    runs = [cli("publish", "--show", str(root / "show.toml"), "--out", str(out))
            for _ in range(2)]
    for code, text in map(finish, runs):
        assert code == 0, text
        assert "published 1 episode(s)" in text
    assert not list(out.glob(".feed.*"))  # no half-built feed folder left
    feed = ET.parse(out / "feed" / "feed.xml").getroot()
    assert len(feed.findall("channel/item")) == 1


# A regen that kills itself (SIGKILL) just before the N-th step of its export's commit: the
# journal's rename (the commit point), each file's rename (8 of them), the journal's removal.
KILLED_REGEN = r"""
import os, signal, sys

kill_at = int(os.environ["KILL_AT"])
events = [0]
real_replace, real_unlink = os.replace, os.unlink

def step():
    if events[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    events[0] += 1

def replace(src, dst, *a, **k):
    if str(dst).endswith(".castwright-commit.json") or events[0] > 0:
        step()
    return real_replace(src, dst, *a, **k)

def unlink(path, *a, **k):
    if str(path).endswith(".castwright-commit.json"):
        step()
    return real_unlink(path, *a, **k)

os.replace, os.unlink = replace, unlink
from pipeline.cli import main
sys.argv = ["castwright", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("kill_at", [0, 1, 9])  # every step: test_transaction.py
def test_a_kill_during_export_never_leaves_a_stale_file_after_the_next_run(
        rendered, tmp_path, kill_at):
    """The issue's case: new audio beside the old manifest, then ``regen --take 1`` reported
    "re-mixed" over the other take's WAV. Now the next run finds old or new whole."""
    root, episode_dir = fresh_copy(rendered, tmp_path)
    original, rate = sf.read(episode_dir / "episode.wav", dtype="float32")
    killed = subprocess.run([sys.executable, "-c", KILLED_REGEN, "regen", str(episode_dir),
                             "s01-l002"], cwd=REPO, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "KILL_AT": str(kill_at)})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    back = regen_line(episode_dir, "s01-l002", take=1)  # takes the lock: recovers first
    manifest = consistent(episode_dir)
    assert back.manifest == manifest and manifest["lines"][1]["take"] == 1
    audio, _ = sf.read(episode_dir / "episode.wav", dtype="float32")
    assert audio.shape == original.shape and (audio == original).all()


def _children(pid: int) -> list[int]:
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat_file.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 240) -> list[int]:
    """Wait until ``ready()``; remember the process's children; kill -9 it; its children."""
    deadline = time.monotonic() + timeout
    children: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        children.update(_children(proc.pid))
        if ready(children):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return sorted(children)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_killed_render_leaves_no_process_and_its_temp_files_go_next_run(tmp_path):
    lines = "\n".join(f"ANNA: Line number {n} of a scene that goes on for a while."
                      for n in range(1, 13))
    script = tmp_path / "long.txt"
    script.write_text(f"Title: Long\n\n# Scene\n{lines}\n", encoding="utf-8")
    (tmp_path / "long.cast.toml").write_text(MIX, encoding="utf-8")
    out = tmp_path / "out"
    cache = out / ".cache" / "takes"

    def takes() -> int:
        return len([p for p in cache.glob("*/*.json") if not p.name.startswith(".")])

    # 1. Killed while synthesizing: both spawn workers go with it.
    render = cli("render", str(script), "--out", str(out), "--jobs", "2", "--quiet")
    want = min(2, os.cpu_count() or 1)
    workers = _kill_when(render, lambda kids: len(kids) >= want and takes() >= 2)
    assert len(workers) >= want
    # 2. Killed while mixing: the forked plot helper goes, the raw mix audio stays behind.
    render = cli("render", str(script), "--out", str(out), "--jobs", "2", "--quiet")
    helpers = _kill_when(render, lambda _: any(out.glob("castwright-mix-*/premaster.f32")))
    assert list(out.glob("castwright-mix-*"))
    deadline = time.monotonic() + 30  # SIGKILL from the kernel, but a loaded machine is slow
    while time.monotonic() < deadline and any(map(_alive, workers + helpers)):
        time.sleep(0.1)
    assert not [pid for pid in workers + helpers if _alive(pid)]
    # 3. The next run sweeps what the killed ones left and finishes the episode.
    result = render_episode(script, out, show_progress=False)
    assert not list(out.glob("castwright-mix-*"))
    assert not [p for p in out.rglob(".*.tmp*")]
    consistent(result.episode_dir)
