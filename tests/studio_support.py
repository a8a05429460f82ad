"""Helpers for the studio tests: a small rendered episode, a real studio process, HTTP calls.

The studio runs as a user starts it (``castwright studio EPISODE --port 0`` in a subprocess);
tests talk to it over HTTP on 127.0.0.1 only, and drive Debian's Chromium through Playwright.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required", "--mute-audio"]

SCRIPT = """Title: Harbour Lights

# The quay

[AMBIENCE: sea]
NARRATOR: Night on the quay. The harbour lamps are lit.
ANNA: The tide is coming in.
BILL: Then we had better go.
ANNA: (quietly) Not yet. Listen.
"""
CAST = """narrator = "joe"
[characters.Anna]
voice = "clara"
[characters.Bill]
voice = "harold"
[mix]
intro_music = false
outro_music = false
"""


def write_script(folder: Path, text: str = SCRIPT) -> Path:
    script = folder / "harbour.txt"
    script.write_text(text, encoding="utf-8")
    (folder / "harbour.cast.toml").write_text(CAST, encoding="utf-8")
    return script


def render_episode(folder: Path, text: str = SCRIPT, show_file: Path | None = None) -> Path:
    """``text`` (default: the harbour play) rendered into ``folder/out``, reading the
    ``[pronounce]`` of ``show_file`` when given (as ``castwright publish`` renders)."""
    from pipeline.render.episode import render_episode as render

    result = render(write_script(folder, text), folder / "out", show_progress=False,
                    show_file=show_file)
    return Path(result.episode_dir)


def render_again(folder: Path, slug: str) -> Path:
    """The play already written in ``folder`` rendered once more as episode ``slug`` (its
    takes come from the shared take cache): a fresh episode for one test."""
    from pipeline.render.episode import render_episode as render

    shutil.rmtree(folder / "out" / slug, ignore_errors=True)  # no choices left from a rerun
    result = render(folder / "harbour.txt", folder / "out", show_progress=False, slug=slug)
    return Path(result.episode_dir)


@dataclass
class Studio:
    process: subprocess.Popen
    url: str  # http://127.0.0.1:PORT
    token: str
    episode_dir: Path

    @property
    def slug(self) -> str:
        return self.episode_dir.name

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_studio(target: Path, cwd: Path, *extra: str) -> Studio:
    """``castwright studio EPISODE --out out --port 0`` in ``cwd``; waits for its address."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "studio", str(target), "--out", "out",
         "--port", "0", *extra],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    said = _until_address(process, timeout=120)
    match = re.search(r"studio: (http://127\.0\.0\.1:\d+)/", said)
    if not match:
        process.kill()
        raise AssertionError(f"the studio did not start: {said}{process.communicate()[0]}")
    url = match.group(1)
    page = get(url + "/episodes").body.decode()
    token = re.search(r'name="castwright-token" content="([^"]+)"', page).group(1)
    episode = target if (target / "manifest.json").exists() else cwd / "out" / target.stem
    studio = Studio(process, url, token, episode.resolve())
    threading.Thread(target=_drain, args=(process,), daemon=True).start()
    return studio


def _until_address(process: subprocess.Popen, timeout: float) -> str:
    """What the studio printed up to its "studio: URL" line (or until it exits)."""
    said: list[str] = []

    def read() -> None:
        for line in process.stdout:
            said.append(line)
            if line.startswith("studio: "):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return "".join(said)


def _drain(process: subprocess.Popen) -> None:
    for line in process.stdout:  # keep the pipe flowing; show what the studio says on failure
        sys.stderr.write(f"[studio] {line}")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def request(url: str, method: str = "GET", body: dict | None = None,
            headers: dict[str, str] | None = None) -> Reply:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data is not None else {}),
        **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()},
                         response.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def get(url: str, **headers: str) -> Reply:
    return request(url, headers=headers)


def post(studio: Studio, path: str, body: dict | None = None, **headers: str) -> Reply:
    return request(studio.url + path, "POST", body if body is not None else {},
                   {"X-Castwright-Token": studio.token, **headers})


def wait_job(studio: Studio, job_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = get(f"{studio.url}/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def wait_idle(studio: Studio, timeout: float = 120.0) -> None:
    """Until the episode has no queued or running job (the re-mix after an edit included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not get(f"{studio.url}/api/episodes/{studio.slug}/busy").json()["jobs"]:
            return
        time.sleep(0.05)
    raise AssertionError("the studio stayed busy")


def manifest(studio: Studio) -> dict:
    return json.loads((studio.episode_dir / "manifest.json").read_text())


def takes(studio: Studio) -> dict[str, int]:
    return {line["line_id"]: line["take"] for line in manifest(studio)["lines"]}


# ---- the browser: Debian's Chromium through Playwright ------------------------------------
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda err: errors.append(str(err)))
    opened.set_default_timeout(90_000)
    yield opened
    context.close()
    assert not errors, errors


def episode_url(studio: Studio) -> str:
    return f"{studio.url}/episodes/{studio.slug}"


def wait_remixed(page, version: str) -> str:
    """Wait until the page shows a new mix (its audio source changes); returns the version."""
    page.wait_for_function(
        "v => document.body.dataset.version !== v && !document.querySelector('.line.working')",
        arg=version)
    page.wait_for_function("() => !document.querySelector('.job:not([data-state=done])')")
    return page.evaluate("document.body.dataset.version")


def row_takes(page) -> dict[str, int]:
    return page.evaluate("Object.fromEntries([...document.querySelectorAll('.line')]"
                         ".map(r => [r.dataset.line, +r.dataset.take]))")
