"""Folder locks: exclusive between processes and threads, re-entrant in a thread, a clear
"busy" after a bounded wait, released by the kernel when the holder is killed, and not kept
alive by a forked helper."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.locks import BusyError, folder_lock, lock_path

REPO = Path(__file__).resolve().parents[1]
HOLDER = """
import sys, time
from pipeline.locks import folder_lock
with folder_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_in_process(folder: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(seconds)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_process_is_told_who_holds_the_folder_then_gives_up(tmp_path):
    folder = tmp_path / "out" / "story"
    holder = hold_in_process(folder, 30)
    try:
        said: list[str] = []
        started = time.monotonic()
        with pytest.raises(BusyError) as caught, folder_lock(folder, timeout=0.5,
                                                             on_wait=said.append):
            pass
        assert 0.4 < time.monotonic() - started < 5
        message = str(caught.value)
        assert message.startswith(f"busy: another castwright (pid {holder.pid}: ")
        assert str(folder) in message and "\n" not in message
        assert said == [f"waiting: {message.split('busy: ')[1].split('; gave up')[0]}"]
    finally:
        holder.kill()
        holder.wait()


def test_a_waiter_gets_the_lock_when_the_holder_is_killed(tmp_path):
    folder = tmp_path / "story"
    holder = hold_in_process(folder, 30)
    threading.Timer(0.5, os.kill, (holder.pid, signal.SIGKILL)).start()
    started = time.monotonic()
    with folder_lock(folder, timeout=20, on_wait=lambda _: None):
        waited = time.monotonic() - started
    holder.wait()
    assert 0.3 < waited < 10  # waited for the holder, and the kernel released its lock


def test_reentrant_in_a_thread_exclusive_between_threads(tmp_path):
    folder = tmp_path / "story"
    inside = threading.Event()
    with folder_lock(folder), folder_lock(folder):  # publish holds it and renders: no deadlock
        def other() -> None:
            with folder_lock(folder, timeout=10, on_wait=lambda _: None):
                inside.set()

        thread = threading.Thread(target=other)
        thread.start()
        assert not inside.wait(0.5)  # the other thread waits while we hold it
    thread.join(10)
    assert inside.is_set()
    assert lock_path(folder) == tmp_path / ".locks" / "story.lock"


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def test_a_forked_child_does_not_keep_the_lock(tmp_path):
    folder = tmp_path / "story"
    context = multiprocessing.get_context("fork")
    with folder_lock(folder):
        child = context.Process(target=_sleep, args=(20,))
        child.start()
    try:  # released by us: free for another process although the child inherited the fd
        run = subprocess.run([sys.executable, "-c", HOLDER, str(folder), "0"], cwd=REPO,
                             capture_output=True, text=True, timeout=30,
                             env={**os.environ, "CASTWRIGHT_LOCK_TIMEOUT": "2"})
        assert run.returncode == 0, run.stderr
    finally:
        child.kill()
        child.join()
