"""Files of a folder that become current together: commit, abort, a kill at every step of a
commit (then recovery), and checking a folder against its recorded checksums."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.transaction import JOURNAL, FolderTransaction, recover, verify

REPO = Path(__file__).resolve().parents[1]
NAMES = ["episode.wav", "episode.mp3", "transcript.vtt", "stems/dialogue.wav", "manifest.json"]


def old_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ep"
    (folder / "stems").mkdir(parents=True)
    for name in NAMES:
        (folder / name).write_text(f"old {name}\n")
    (folder / "gone.srt").write_text("old gone.srt\n")  # the new export does not make it
    (folder / "choices.json").write_text("{}\n")  # not part of the export: never touched
    return folder


def state(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_commit_makes_every_file_current_and_removes_stale_ones(tmp_path):
    folder = old_folder(tmp_path)
    with FolderTransaction(folder) as txn:
        for name in NAMES:
            txn.write_text(name, f"new {name}\n")
        txn.remove("gone.srt")
        sums = txn.checksums()
        txn.commit()
    after = state(folder)
    assert after == {**{n: f"new {n}\n" for n in NAMES}, "choices.json": "{}\n"}
    assert verify(folder, sums) is None
    for name in NAMES:  # published files: readable by everyone, like any file the user makes
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_leaving_without_commit_keeps_the_old_files(tmp_path):
    folder = old_folder(tmp_path)
    before = state(folder)
    with pytest.raises(RuntimeError), FolderTransaction(folder) as txn:
        txn.write_text("episode.wav", "half")
        raise RuntimeError("disk full")
    assert state(folder) == before  # no temp file left either


KILLER = r"""
import os, signal, sys
from pathlib import Path
from pipeline.transaction import FolderTransaction

folder, kill_at = Path(sys.argv[1]), int(sys.argv[2])
events = [0]
real_replace, real_unlink = os.replace, os.unlink

def step():
    if events[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    events[0] += 1

def replace(src, dst, *a, **k):
    step()
    return real_replace(src, dst, *a, **k)

def unlink(path, *a, **k):
    if str(path).endswith(".castwright-commit.json"):
        step()
    return real_unlink(path, *a, **k)

os.replace, os.unlink = replace, unlink
with FolderTransaction(folder) as txn:
    for name in %r:
        txn.write_text(name, f"new {name}\n")
    txn.remove("gone.srt")
    txn.commit()
print("finished", events[0])
"""


def test_a_kill_at_any_step_of_a_commit_leaves_old_or_new_whole_after_recovery(tmp_path):
    """Steps: the journal's rename (the commit point), each file's rename, the journal's
    removal. Killed before the commit point the old export stays; after it, ``recover`` (run
    by the next writer under the folder's lock) completes the new one."""
    script = KILLER % (NAMES,)
    steps = len(NAMES) + 2
    outcomes = []
    for kill_at in range(steps + 1):
        case = tmp_path / str(kill_at)
        folder = old_folder(case)
        old = state(folder)
        new = {**{n: f"new {n}\n" for n in NAMES}, "choices.json": "{}\n"}
        run = subprocess.run([sys.executable, "-c", script, str(folder), str(kill_at)],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
        killed = run.returncode == -9
        assert killed == (kill_at < steps), run.stderr
        torn = state(folder)
        recover(folder)
        after = state(folder)
        assert after in (old, new), f"killed at step {kill_at}: {sorted(after)}"
        assert not (folder / JOURNAL).exists()
        if kill_at >= 1:  # the journal was in place: the new export is completed
            assert after == new
        outcomes.append((kill_at, torn != after, after == new))
    # the kills really tore the folder in between (else this test would prove nothing)
    assert any(torn for _, torn, _ in outcomes)


def test_a_damaged_journal_is_dropped_and_temp_files_swept(tmp_path):
    folder = old_folder(tmp_path)
    before = state(folder)
    (folder / JOURNAL).write_text(json.dumps({"rename": [["../../etc/x", "episode.wav"]],
                                              "remove": []}))
    dead_temp = folder / ".episode.wav.999999999-abcdefgh.tmp.wav"
    dead_temp.write_text("from a killed run")
    live_temp = folder / f".episode.mp3.{os.getpid()}-abcdefgh.tmp.mp3"
    live_temp.write_text("still being written")
    recover(folder)
    assert not (folder / JOURNAL).exists() and not dead_temp.exists()
    assert live_temp.exists()  # a running process's temp file is not touched
    live_temp.unlink()
    assert state(folder) == before


def test_verify_tells_changed_missing_and_damaged_records(tmp_path):
    folder = old_folder(tmp_path)
    with FolderTransaction(folder) as txn:
        txn.write_text("episode.wav", "new audio\n")
        txn.write_text("manifest.json", "{}")
        sums = txn.checksums(["episode.wav"])
        txn.commit()
    assert verify(folder, sums) is None
    (folder / "episode.wav").write_text("NEW AUDIO\n")  # same size, other bytes, new mtime
    assert "episode.wav" in verify(folder, sums)
    (folder / "episode.wav").unlink()
    assert verify(folder, sums) == "episode.wav is missing"
    assert verify(folder, None) == "it records no checksums of its files"
    assert "damaged" in verify(folder, {"episode.wav": 5})
    assert "outside" in verify(folder, {"../x": {"size": 1}})


def test_names_outside_the_folder_are_refused(tmp_path):
    with FolderTransaction(tmp_path) as txn:
        for bad in ("../x", "/etc/passwd", ".hidden", "a/../../b", ""):
            with pytest.raises(ValueError):
                txn.stage(bad)
