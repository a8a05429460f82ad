"""The CLI skips the interpreter's teardown (``os._exit``): exit statuses must survive it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("app", "status", "stderr"), [
    ("def app(): print('done')", 0, ""),
    ("def app(): raise SystemExit(2)", 2, ""),
    ("def app(): raise SystemExit('bad thing')", 1, "bad thing"),
    ("def app(): raise KeyboardInterrupt", 130, "KeyboardInterrupt"),
    ("def app(): raise ZeroDivisionError('boom')", 1, "ZeroDivisionError: boom"),
])
def test_exit_status_survives_the_fast_exit(app: str, status: int, stderr: str) -> None:
    done = _run(f"import pipeline.cli as cli\n{app}\ncli.app = app\ncli.main()\n")
    assert done.returncode == status
    assert stderr in done.stderr


def test_output_is_flushed_and_errors_are_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "regen", str(tmp_path),
                           "s01-l001"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
    listed = subprocess.run([sys.executable, "-m", "pipeline.cli", "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "regen" in listed.stdout  # buffered output not lost
