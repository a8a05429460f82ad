"""Rendering on a real local Ray cluster (``ray start --head`` with 2 CPUs, see cluster_support):
the same episode bytes as a local render, a killed actor's lines redone elsewhere, and a lost
head ending the render in one line with the finished takes kept for the next run."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from cluster_support import LocalHead, actor_pids, cluster_env
from test_publish_fakes import SHOW_TOML, make_show

from pipeline.cluster.address import HEAD_CHECK_SECONDS
from pipeline.cluster.pool import POLL_SECONDS, STALL_SECONDS
from pipeline.render.cache import TakeCache
from pipeline.render.episode import CACHE_DIR

pytestmark = pytest.mark.xdist_group("cluster")

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """Title: The Night Ferry
Summary: Two strangers share the last ferry across the bay.

# The deck
MARA: Is this the last ferry tonight?
OWEN: The very last. After this, the harbour sleeps.
MARA: I nearly missed it. The bus from the station never came.
OWEN: It never does on a Sunday. You learn to walk.
MARA: You cross every night, then?
OWEN: Every night for eleven years, there and back again.

# The cabin
MARA: It is warmer in here, at least.
OWEN: The heater was fixed in the spring. First time in a decade.
MARA: Do you know the captain?
OWEN: She is my sister. She will not let me steer.
MARA: Wise woman.
OWEN: Wiser than the rest of the family put together.
"""


def many_lines(count: int) -> str:
    lines = "\n".join(f"{'MARA' if n % 2 else 'OWEN'}: This is line number {n}, and the ferry "
                      "rolls a little as the wind comes up across the water." for n in
                      range(1, count + 1))
    return f"Title: Long Crossing\n\n# The deck\n{lines}\n"


@pytest.fixture(scope="module")
def head():
    """One head for the module (Ray takes seconds to start); stopped and its temp removed."""
    started = LocalHead(cpus=2)
    try:
        yield started
    finally:
        started.stop()
    assert not started.pids(), "Ray processes outlived the test head"
    assert not started.temp.exists()


def castwright(*args: str, env: dict | None = None, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO,
                            env=cluster_env(env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def finish(proc: subprocess.Popen, seconds: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=seconds)
    assert "Traceback" not in err, err
    return proc.returncode, out, err


def files_by_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"
            and ".locks" not in p.parts}


class TimedLines:
    """Reads a pipe on a thread, noting when each line arrived."""

    def __init__(self, pipe) -> None:
        self.lines: list[tuple[float, str]] = []
        self._reader = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._reader.start()

    def _read(self, pipe) -> None:
        for line in pipe:
            self.lines.append((time.monotonic(), line))

    def text(self) -> str:
        self._reader.join(30)
        return "".join(line for _, line in self.lines)

    def when(self, wanted: str) -> float:
        return next(at for at, line in self.lines if line.strip() == wanted.strip())


def cached_takes(out: Path) -> list[Path]:
    """Finished entries (the sidecar is renamed into place last)."""
    return [p for p in (out / CACHE_DIR).glob("*/*.json") if not p.name.startswith(".")]


def test_cluster_render_is_byte_identical_to_a_local_one(head, tmp_path):
    script = tmp_path / "ferry.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    local = castwright("render", str(script), "--out", str(tmp_path / "local"), "--jobs", "2",
                       "--json")
    code, out, err = finish(local)
    assert code == 0, err
    remote = castwright("render", str(script), "--out", str(tmp_path / "cluster"), "--json",
                        "--cluster", head.address)
    code, out, err = finish(remote)
    assert code == 0, err
    result = json.loads(out)
    assert result["synthesized"] == result["lines"] == 13  # the summary is read too
    assert "Ray cluster" in err and "2 synthesis actor(s)" in err  # the takes were made there
    local_files, cluster_files = (files_by_hash(tmp_path / name) for name in ("local", "cluster"))
    assert any(name.endswith("episode.mp3") for name in cluster_files)
    assert sum(1 for name in cluster_files if name.endswith(".wav")) == 14  # takes + master
    assert cluster_files == local_files  # every take, the audio, captions, chapters, plot
    manifests = [json.loads(next((tmp_path / n).glob("*/manifest.json")).read_text())
                 for n in ("local", "cluster")]
    for manifest in manifests:
        for entry in manifest["checksums"].values():
            entry.pop("mtime_ns")
    assert manifests[0] == manifests[1]


def test_an_episode_mixed_as_a_ray_task_is_byte_identical(head, tmp_path, monkeypatch):
    """The season mixer: the same timeline mixed on a cluster node (takes and a sound file
    shipped there, files shipped back) gives the same files as the local mix."""
    from pipeline.cluster.address import parse_address
    from pipeline.cluster.mixing import RemoteMixer
    from pipeline.cluster.session import ClusterSession
    from pipeline.render.assemble import assemble_episode
    from pipeline.render.choices import load_choices
    from pipeline.render.episode import load_context, render_episode

    rate = 22050
    knock = np.sin(np.linspace(0, 900, rate // 2)).astype(np.float32) * 0.3
    sf.write(tmp_path / "knock.wav", knock, rate)
    script = tmp_path / "door.txt"
    script.write_text("Title: The Door\n\n# Hall\nMARA: Did you hear that?\n"
                      "[SFX: knock.wav]\nOWEN: Someone at the door, this late.\n",
                      encoding="utf-8")
    local = render_episode(script, tmp_path / "local", jobs=1, show_progress=False)
    shutil.copytree(tmp_path / "local" / CACHE_DIR, tmp_path / "remote" / CACHE_DIR)
    for name, value in cluster_env().items():
        monkeypatch.setenv(name, value)
    with ClusterSession(parse_address(head.address)) as session:
        ctx = load_context(script, tmp_path / "remote")
        manifest = assemble_episode(ctx, ctx.plans(load_choices(ctx.episode_dir)),
                                    mixer=RemoteMixer(session))
    assert manifest["files"] == local.manifest["files"]
    assert any(e["kind"] == "sfx" for e in manifest["timeline"]["placements"])
    assert files_by_hash(tmp_path / "remote" / "door") == files_by_hash(local.episode_dir)
    assert manifest["loudness"] == local.manifest["loudness"]


def test_publish_renders_on_the_show_files_cluster(head, tmp_path):
    show = make_show(tmp_path, SHOW_TOML.format(title='"T"')
                     + f'\n[render]\ncluster = "{head.address}"\n')
    code, out, err = finish(castwright("publish", "--show", str(show), "--out",
                                       str(tmp_path / "out")))
    assert code == 0, err
    assert "on the Ray cluster at" in err
    assert (tmp_path / "out" / "one" / "episode.mp3").is_file()
    assert (tmp_path / "out" / "feed" / "feed.xml").is_file()


def test_killed_actor_lines_are_redone_elsewhere(head, tmp_path):
    script = tmp_path / "long.txt"
    script.write_text(many_lines(20), encoding="utf-8")
    out = tmp_path / "out"
    proc = castwright("render", str(script), "--out", str(out), "--cluster", head.address)
    killed = None
    deadline = time.monotonic() + 180
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        actors = actor_pids(head)
        if actors and len(cached_takes(out)) >= 2:
            killed = actors[0]
            environment = Path(f"/proc/{killed}/environ").read_bytes().split(b"\0")
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    code, _, err = finish(proc)
    assert killed is not None, "the render ended before an actor could be killed"
    assert code == 0, err
    # Actors start with the local workers' heap settings (pipeline/memory.py)
    tunables = [e for e in environment if e.startswith(b"GLIBC_TUNABLES=")]
    assert tunables and b"glibc.malloc.mmap_threshold=" in tunables[0]
    assert "retried" in err  # the user is told a worker died and its lines went elsewhere
    assert killed not in actor_pids(head)
    manifest = json.loads((out / "long" / "manifest.json").read_text())
    assert len(manifest["lines"]) == 20
    cache = TakeCache(out / CACHE_DIR)
    assert all(cache.has(line["cache_key"]) for line in manifest["lines"])
    assert not list(out.rglob(".*.tmp*"))


def test_lost_head_ends_in_one_line_and_keeps_the_takes(tmp_path):
    """The head machine dies mid-render: one line, exit 2, finished takes kept; the next run
    (here on this machine) synthesizes only the rest."""
    doomed = LocalHead(cpus=1)
    try:
        script = tmp_path / "long.txt"
        script.write_text(many_lines(16), encoding="utf-8")
        out = tmp_path / "out"
        proc = castwright("render", str(script), "--out", str(out), "--cluster",
                          doomed.address)
        stderr = TimedLines(proc.stderr)
        deadline = time.monotonic() + 180
        while len(cached_takes(out)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        killed_at = time.monotonic()
        doomed.kill()
        code = proc.wait(180)
        exited_at = time.monotonic()
    finally:
        doomed.stop()
    err = stderr.text()
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert lines[-1].startswith("error: ") and "lost the Ray head" in lines[-1], err
    # What the pool promises: a stalled render checks the head after STALL_SECONDS without a
    # result (one poll late, one TCP check long). Twice that plus a margin for a loaded
    # machine; Ray's own reconnect waits (a minute) would still fail it.
    promised = STALL_SECONDS + POLL_SECONDS + HEAD_CHECK_SECONDS
    told_at = stderr.when(lines[-1])
    assert told_at - killed_at < 2 * promised + 15, (told_at - killed_at, err)
    # Then it exits at once: Ray's own exit handler would wait 5 s or more on the dead head.
    assert exited_at - told_at < 4, exited_at - told_at
    kept = [p.stem for p in cached_takes(out)]
    assert 2 <= len(kept) < 16
    assert not (out / "long" / "manifest.json").exists()
    again = castwright("render", str(script), "--out", str(out), "--json", "--jobs", "2",
                       "--cluster", "off")
    code, stdout, err = finish(again)
    assert code == 0, err
    assert json.loads(stdout)["synthesized"] == 16 - len(kept)


def test_a_book_renders_as_a_season_on_the_cluster(head, tmp_path):
    """``render BOOK --cluster``: the chapters' takes made on the actors, each chapter mixed
    as a Ray task on a worker, and every file of the season the same bytes as a local render."""
    from book_support import FERRY, write_txt

    book = write_txt(tmp_path / "ferry.txt", FERRY)
    code, out, err = finish(castwright("render", str(book), "--out", str(tmp_path / "local"),
                                       "--jobs", "2", "--json"))
    assert code == 0, err
    local = json.loads(out)
    assert all(e["mixed_on"] is None for e in local["episodes"])
    code, out, err = finish(castwright("render", str(book), "--out", str(tmp_path / "cluster"),
                                       "--json", "--cluster", head.address))
    assert code == 0, err
    remote = json.loads(out)
    assert [e["number"] for e in remote["episodes"]] == [1, 2, 3]
    assert remote["synthesized"] == local["synthesized"] > 0 and "Ray cluster" in err
    mixers = {e["mixed_on"] for e in remote["episodes"]}
    assert all(m and m.split("pid ")[1].rstrip(")").isdigit() for m in mixers)
    assert not any(f"pid {os.getpid()})" in m for m in mixers)  # not this process
    for folder in ("ferry", CACHE_DIR):  # the season's episodes and season.json; the takes
        local_files, cluster_files = (files_by_hash(tmp_path / name / folder)
                                      for name in ("local", "cluster"))
        assert cluster_files == local_files and cluster_files
    assert sum(1 for name in cluster_files if name.endswith(".wav")) == remote["synthesized"]
    assert sorted(p.name for p in (tmp_path / "cluster" / "ferry").glob("*/episode.mp3")) == \
        ["episode.mp3"] * 3
    again = castwright("render", str(book), "--out", str(tmp_path / "cluster"), "--json",
                       "--cluster", head.address)
    code, out, err = finish(again)
    assert code == 0, err
    rerun = json.loads(out)
    assert rerun["synthesized"] == 0 and rerun["mixed"] == 0  # nothing sent to the cluster
    assert "Ray cluster" not in err
