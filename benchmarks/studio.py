"""Studio retake latency on the seed story: how soon a new take is heard, re-mixed, in context.

    python -m benchmarks.studio [--rounds 3] [--browser] [--write]

In one session on this machine: the seed episode is rendered (fresh caches), then
- baseline: ``castwright regen EPISODE LINE`` in a fresh process (start-up, imports, model
  load, synthesis, re-mix, encode), the first, middle and last line, ``--rounds`` times each;
- the studio (``castwright studio EPISODE``, one long-lived process) is asked for a new take
  of the same lines over HTTP, as the page does: POST the retake, follow the event stream,
  fetch the cut it announces. "Heard" is the moment the client holds the re-mixed audio around
  the line (a second before it to a second after it, mastered like the episode); "episode
  re-mixed" is when the whole episode's files (MP3, WAV, picture) are rewritten. Each retake
  starts with the studio idle: its background work done, which includes every line's next
  take made ahead (``pipeline/studio/prepare.py``), so no retake has its synthesis on the
  clock. Measured too: the first retake right after opening, while that background work is
  still under way (it stops for the retake; the line's own synthesis is then on the clock);
- ``--browser``: in Debian's headless Chromium: click the line, wait while it is heard, then
  from the click on "New take" to the audio element's ``playing`` event.
The machine is shared: absolute times move with the load, so the table gives the load average
and the ratio of the studio's figures to the CLI regen measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from benchmarks.render import SEED, cli

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- studio:begin -->", "<!-- studio:end -->"


class EventStream:
    """The studio's server-sent events, parsed on a thread into a queue."""

    def __init__(self, url: str, query: str = ""):
        self.events: queue.Queue = queue.Queue()
        self.response = urllib.request.urlopen(url + "/events" + query, timeout=300)
        threading.Thread(target=self._read, daemon=True).start()

    def close(self) -> None:
        self.response.close()

    def _read(self) -> None:
        kind, data = "", ""
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and kind:
                    self.events.put((kind, json.loads(data)))
                    kind, data = "", ""
        except (OSError, ValueError, AttributeError):  # closed by close() (http.client)
            return

    def wait_for(self, test, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            kind, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if test(kind, data):
                return data


def post(url: str, token: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "X-Castwright-Token": token})
    with urllib.request.urlopen(req, timeout=60) as response:
        return json.loads(response.read())


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def start_studio(episode: Path) -> tuple[subprocess.Popen, str, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "studio", str(episode), "--port", "0"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        if line.startswith("studio: "):
            url = line.split()[1].rstrip("/")
            break
    else:
        raise SystemExit("the studio did not start")
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    page = fetch(url + "/episodes").decode()
    token = page.split('name="castwright-token" content="')[1].split('"')[0]
    return process, url, token


def wait_idle(url: str, slug: str) -> None:
    while json.loads(fetch(f"{url}/api/episodes/{slug}/busy"))["jobs"]:
        time.sleep(0.05)


def studio_retake(url: str, token: str, slug: str, line: str,
                  events: EventStream) -> tuple[float, float, dict[str, float]]:
    """Seconds until the retake is heard (cut fetched) and until the episode is re-mixed, and
    the job's own stage times (synthesis done, cut done)."""
    start = time.perf_counter()
    job = post(f"{url}/api/episodes/{slug}/lines/{line}/retake", token, {})["job"]["id"]
    heard = events.wait_for(lambda k, d: k == "heard" and d.get("job") == job)
    fetch(url + heard["url"])
    heard_at = time.perf_counter() - start
    events.wait_for(lambda k, d: k == "episode" and d.get("episode") == slug)
    stages = json.loads(fetch(f"{url}/api/jobs/{job}"))["timings"]
    return heard_at, time.perf_counter() - start, {
        "synthesis": stages["mixing in context"], "cut": stages["heard"] - stages[
            "mixing in context"]}


def wait_warm(url: str, slug: str) -> None:
    """Until the voices are loaded (the next takes may still be in the making)."""
    while any(j["kind"] == "warmup" for j in json.loads(
            fetch(f"{url}/api/episodes/{slug}/busy"))["jobs"]):
        time.sleep(0.05)


def browser_retakes(url: str, slug: str, lines: list[str], rounds: int) -> list[float]:
    """Click "New take" in Chromium; seconds until the cue player starts playing the cut."""
    from playwright.sync_api import sync_playwright

    from tests.studio_support import CHROMIUM, CHROMIUM_FLAGS

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/episodes/{slug}")
        for _ in range(rounds):
            for line in lines:
                wait_idle(url, slug)
                page.click(f"#line-{line} .text")  # opened and heard: its next take prepared
                page.wait_for_selector(f'#inspector .panel[data-line="{line}"]', state="attached",
                                       timeout=120_000)
                page.evaluate("document.querySelector('#episode-audio').pause()")
                wait_idle(url, slug)
                page.evaluate("""() => { window.heardAt = null;
                    const cue = document.querySelector('#cue-audio');
                    cue.addEventListener('playing', () => { window.heardAt = performance.now(); },
                                         {once: true}); }""")
                clicked = page.evaluate("() => performance.now()")
                page.click(f"#line-{line} .retake")
                page.wait_for_function("() => window.heardAt !== null", timeout=120_000)
                times.append((page.evaluate("window.heardAt") - clicked) / 1000)
        browser.close()
    return times


def run(rounds: int, browser: bool) -> list[tuple[str, str, str]]:
    work = Path(tempfile.mkdtemp(prefix="cw-studio-bench-"))
    try:
        out = work / "out"
        cli("render", str(SEED), "--out", str(out), "--jobs", "2", "--quiet")
        episode = next(out.glob("*/manifest.json")).parent
        ids = [x["line_id"] for x in json.loads((episode / "manifest.json").read_text())["lines"]]
        picks = [ids[0], ids[len(ids) // 2], ids[-1]]
        load = [os.getloadavg()[0]]
        baseline = [cli("regen", str(episode), line) for _ in range(rounds) for line in picks]
        process, url, token = start_studio(episode)
        try:
            events = EventStream(url)
            wait_warm(url, episode.name)  # voices loaded; next takes still being made
            opening = studio_retake(url, token, episode.name, picks[-1], events)
            heard, full, synthesis, cut = [], [], [], []
            for _ in range(rounds):
                for line in picks:
                    wait_idle(url, episode.name)
                    h, f, stages = studio_retake(url, token, episode.name, line, events)
                    heard.append(h)
                    full.append(f)
                    synthesis.append(stages["synthesis"])
                    cut.append(stages["cut"])
            print(f"idle {heard} opening {opening}", flush=True)
            clicks = browser_retakes(url, episode.name, picks, rounds) if browser else []
        finally:
            process.terminate()
            process.wait(30)
        load.append(os.getloadavg()[0])
        cli_median = statistics.median(baseline)
        rows = [
            ("load average (1 min), start / end", f"{load[0]:.1f} / {load[1]:.1f}", "2 cores"),
            (f"CLI `regen`, median of {len(baseline)}", f"{cli_median:.2f} s",
             f"slowest {max(baseline):.2f} s"),
            (f"studio retake of any line heard in context, median of {len(heard)}",
             f"**{statistics.median(heard):.2f} s**",
             f"{statistics.median(heard) / cli_median:.2f} x CLI regen; slowest "
             f"{max(heard):.2f} s (goal <= 1 s); studio idle: next takes made ahead"),
            ("  of which: the line's take (from the take cache), median",
             f"{statistics.median(synthesis):.2f} s", ""),
            ("  of which: the cut of the mix around it, median",
             f"{statistics.median(cut):.3f} s", "mix window +-1 s, mastered, WAV"),
            ("first retake right after opening (last line), background work still running",
             f"{opening[0]:.2f} s", f"its synthesis on the clock ({opening[2]['synthesis']:.2f}"
             " s); the background take stopped for it"),
            ("studio retake, whole episode re-mixed and encoded, median",
             f"{statistics.median(full):.2f} s",
             f"{statistics.median(full) / cli_median:.2f} x CLI regen"),
        ]
        if clicks:
            rows.append((f"in Chromium, line opened: click on New take to the cut playing, "
                         f"median of {len(clicks)}",
                         f"**{statistics.median(clicks):.2f} s**",
                         f"slowest {max(clicks):.2f} s"))
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| measure | value | note |", "|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write(text: str) -> None:
    path = REPO / "BENCHMARKS.md"
    doc = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc:
        doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(doc, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    os.environ["CASTWRIGHT_MODEL_CACHE"] = tempfile.mkdtemp(prefix="cw-models-")
    rows = run(args.rounds, args.browser)
    command = "python -m benchmarks.studio" + (" --browser" if args.browser else "") + \
        f" --rounds {args.rounds}"
    text = (f"## Studio\n\nCommand: `{command}` (the seed "
            f"`../shared/seeds/000_ca67e2d21db797f3.txt`, first, middle and last line; "
            f"see the docstring of `benchmarks/studio.py`). Run on "
            f"{time.strftime('%Y-%m-%d')}.\n\n{table(rows)}")
    print(text)
    if args.write:
        write(text)


if __name__ == "__main__":
    main()
