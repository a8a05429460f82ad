"""Whole-novel benchmark (issue #13): a book rendered as a season on one machine.

    python -m benchmarks.book [--book ../shared/pdnc-dev/PrideAndPrejudice/novel_text.txt]
                              [--chapters 1-61] [--jobs 2] [--kill-after 600] [--work DIR]
                              [--reuse]

``--reuse`` keeps the work folder's take cache from an earlier run (the book is copied again);
``--kill-after 0`` skips the kill. Results are written after every phase.

Runs the real CLI (``castwright render BOOK``) in fresh processes and measures:
1. a cold render killed with SIGKILL (the whole process group) after ``--kill-after`` seconds,
   then resumed to the end: wall time of both, peak RSS of the process tree (main process,
   synthesis workers, encoders, plot helper; sampled every 0.25 s) and of the largest process;
2. a second run with nothing changed: lines synthesized (must be 0), episodes mixed, wall time;
3. one sentence changed in chapter 30: lines synthesized (must be 1) and episodes re-mixed
   (must be 1);
and the disk used per hour of audio (take cache; episode files) and the cache hit rates.
Results go to ``<work>/book-benchmark.json`` and stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

try:
    from benchmarks.memroles import RoleSampler, table
except ImportError:  # run as a script: benchmarks/ is on the path, not the repo root
    from memroles import RoleSampler, table

REPO = Path(__file__).resolve().parents[1]
NOVEL = REPO.parent / "shared" / "pdnc-dev" / "PrideAndPrejudice" / "novel_text.txt"


def run(args: list[str], kill_after: float | None = None,
        season_dir: Path | None = None) -> dict:
    """Run the CLI, sampling the process tree's memory (also by role: ``memroles``); SIGKILL it
    after ``kill_after`` s."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    peak_tree, peak_pss, peak_one, peak_main, killed = 0, 0, 0, 0, False
    root = psutil.Process(proc.pid)
    roles = RoleSampler(proc.pid, season_dir)
    timeline: list[tuple[float, float]] = []  # (seconds, tree PSS MB) every ~30 s
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            roles.sample(tree, time.perf_counter() - start)
            sizes, shares = [], []
            for p in tree:
                try:
                    full = p.memory_full_info()  # PSS: shared pages split between sharers
                    sizes.append(full.rss)
                    shares.append(full.pss)
                    if p.pid == root.pid:
                        peak_main = max(peak_main, full.rss)
                except psutil.Error:
                    pass
            peak_tree = max(peak_tree, sum(sizes))
            peak_pss = max(peak_pss, sum(shares))
            elapsed = time.perf_counter() - start
            if not timeline or elapsed - timeline[-1][0] >= 30:
                timeline.append((round(elapsed), round(sum(shares) / 2**20)))
            peak_one = max(peak_one, max(sizes, default=0))
        except psutil.Error:
            pass
        if kill_after and time.perf_counter() - start > kill_after:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.25)
    output = proc.communicate()[0]
    wall = time.perf_counter() - start
    if not killed and proc.returncode != 0:
        raise SystemExit(f"castwright {' '.join(args)} failed:\n{output[-3000:]}")
    try:
        summary = json.loads(output) if not killed else {}
    except ValueError:
        summary = {}
    return {"wall": wall, "peak_tree_rss_mb": peak_tree / 2**20,
            "peak_tree_pss_mb": peak_pss / 2**20, "peak_process_rss_mb": peak_one / 2**20,
            "peak_main_rss_mb": peak_main / 2**20,
            "killed": killed, "pss_timeline_mb": timeline, "by_role": roles.report(),
            "synthesized": summary.get("synthesized"), "reused": summary.get("reused"),
            "mixed": summary.get("mixed")}


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def change_chapter(book: Path, number: int) -> str:
    """Change one word of one narration sentence in chapter ``number``; returns the new text."""
    sys.path.insert(0, str(REPO))
    from pipeline.books.book import chapter_script, load_book
    from pipeline.model import CueKind

    loaded = load_book(book)
    script = chapter_script(loaded, number)
    cue = next(c for c in script.lines() if c.kind is CueKind.NARRATION and " the " in c.text
               and len(c.text) > 80)
    lines = book.read_text(encoding="utf-8").split("\n")
    index = cue.source_line - 1
    for offset in range(0, 6):
        if " the " in lines[index + offset]:
            lines[index + offset] = lines[index + offset].replace(" the ", " that ", 1)
            break
    book.write_text("\n".join(lines), encoding="utf-8")
    return cue.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--book", type=Path, default=NOVEL)
    parser.add_argument("--chapters", default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=600.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/castwright-book-bench"))
    parser.add_argument("--change-chapter", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--cold-only", action="store_true",
                        help="only the cold render (no second run, no changed chapter)")
    parser.add_argument("--summarise", action="store_true",
                        help="only add the disk and audio figures to an existing run's report")
    args = parser.parse_args()

    work = args.work
    if args.summarise:
        summarise(work)
        return
    if work.exists() and not args.reuse:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    book = work / "pride-and-prejudice.txt"
    shutil.copyfile(args.book, book)
    out = work / "output"
    base = ["render", str(book), "-o", str(out), "-j", str(args.jobs), "--json"]
    if args.chapters:
        base += ["--chapters", args.chapters]
    results: dict = {"command": " ".join(["castwright", *base]),
                     "cached_at_start": len(list((out / ".cache" / "takes").rglob("*.json")))}
    report = work / "book-benchmark.json"

    def phase(name: str, **kwargs) -> None:
        load = os.getloadavg()
        results[name] = {**run(base, season_dir=out / book.stem, **kwargs),
                         "load_before": load, "load_after": os.getloadavg()}
        report.write_text(json.dumps(results, indent=1))
        print(f"{name}: {results[name]['wall']:.0f} s\n{table(results[name]['by_role'])}",
              flush=True)

    if args.kill_after:
        phase("killed", kill_after=args.kill_after)
    phase("resumed")
    if args.cold_only:
        return
    phase("second")
    results["changed_text"] = change_chapter(book, args.change_chapter)
    phase("changed")
    summarise(work, results)


def summarise(work: Path, results: dict | None = None) -> None:
    """Disk per audio hour, episodes and feed order, added to the run's report."""
    report = work / "book-benchmark.json"
    results = results if results is not None else json.loads(report.read_text())
    out = work / "output"
    season = json.loads((out / "pride-and-prejudice" / "season.json").read_text())
    hours = sum(e["duration"] or 0 for e in season["episodes"]) / 3600
    takes = du(out / ".cache" / "takes")
    episodes = du(out / "pride-and-prejudice")
    mp3 = sum(p.stat().st_size for p in (out / "pride-and-prejudice").rglob("episode.mp3"))
    results.update({
        "episodes": len(season["episodes"]), "audio_hours": hours,
        "takes_gb_per_hour": takes / 2**30 / hours,
        "episodes_gb_per_hour": episodes / 2**30 / hours,
        "mp3_mb_per_hour": mp3 / 2**20 / hours,
        "wall_cold_total": results.get("killed", {}).get("wall", 0.0)
        + results["resumed"]["wall"],
        "feed_order": [e["number"] for e in season["episodes"]],
    })
    report.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
