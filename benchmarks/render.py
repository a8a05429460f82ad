"""Render benchmark on the seed story (issue #4 goals).

    python -m benchmarks.render [--script ../shared/seeds/000_ca67e2d21db797f3.txt]

Measures, in one session on this machine: cold render end to end (fresh take, sound and
prepared-model caches) as a fraction of the episode's duration, warm re-render with nothing
changed, `regen` of one line including re-mix and export (the first, middle and last line, three
times each: the median and the slowest), and synthesis throughput with --jobs 2 against
--jobs 1 (same lines, fresh caches).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_ca67e2d21db797f3.txt"


def cli(*args: str) -> float:
    """Run the real CLI in a fresh process (includes start-up and model loading)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def regen_times(episode: Path, lines: list[str], rounds: int = 3) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {line: [] for line in lines}
    for _ in range(rounds):
        for line in lines:
            times[line].append(cli("regen", str(episode), line))
    return times


def synth_throughput(script: Path, jobs: int, work: Path, threads: int | None = None) -> float:
    """Seconds of audio synthesized per wall second, synthesis stage only (worker start-up and
    model loading included), in a fresh process with a fresh cache."""
    out = work / f"jobs{jobs}-threads{threads}"
    code = (
        "import sys, time\n"
        "from pipeline.render.choices import load_choices\n"
        "from pipeline.render.episode import load_context\n"
        "from pipeline.render.synth import missing_jobs, synthesize_jobs\n"
        f"ctx = load_context({str(script)!r}, {str(out)!r})\n"
        "todo = missing_jobs(ctx.plans(load_choices(ctx.episode_dir)), ctx.cache)\n"
        "t = time.perf_counter()\n"
        f"audio = synthesize_jobs(todo, ctx.cache.root, workers={jobs}, show_progress=False)\n"
        "print(audio / (time.perf_counter() - t))\n")
    env = dict(os.environ)
    if threads:
        env["CASTWRIGHT_ENGINE_THREADS"] = str(threads)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True,
                          capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", type=Path, default=SEED)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    script = args.script.resolve()
    work = Path(tempfile.mkdtemp(prefix="cw-bench-"))
    os.environ["CASTWRIGHT_MODEL_CACHE"] = str(work / "models")  # cold: models prepared anew
    try:
        out = work / "out"
        cold = cli("render", str(script), "--out", str(out), "--jobs", str(args.jobs), "--quiet")
        import json

        manifest_path = next(out.glob("*/manifest.json"))
        manifest = json.loads(manifest_path.read_text())
        duration = manifest["duration"]
        warm = cli("render", str(script), "--out", str(out), "--jobs", str(args.jobs), "--quiet")
        ids = [line["line_id"] for line in manifest["lines"]]
        picks = [ids[0], ids[len(ids) // 2], ids[-1]]
        regens = regen_times(manifest_path.parent, picks)
        every = [t for ts in regens.values() for t in ts]
        one = synth_throughput(script, 1, work)  # one process, ONNX Runtime on both cores
        one_core = synth_throughput(script, 1, work, threads=1)  # one process, one core
        two = synth_throughput(script, 2, work)  # two processes, one engine thread each
        rows = [
            ("episode duration", f"{duration:.1f} s", ""),
            (f"cold render (--jobs {args.jobs})", f"{cold:.1f} s",
             f"{cold / duration:.3f} x duration (goal <= 0.08)"),
            ("warm re-render, nothing changed", f"{warm:.2f} s", "goal <= 2 s"),
            ("regen + re-mix + export, median of 9", f"{statistics.median(every):.2f} s",
             "goal <= 3 s"),
            *((f"  regen {line}: median, slowest of 3", f"{statistics.median(ts):.2f} s",
               f"{max(ts):.2f} s") for line, ts in regens.items()),
            ("synthesis --jobs 1, engine on 1 thread", f"{one_core:.1f} s audio / s", ""),
            ("synthesis --jobs 1, engine on 2 threads (default)", f"{one:.1f} s audio / s", ""),
            ("synthesis --jobs 2, 1 thread each", f"{two:.1f} s audio / s",
             f"{two / one_core:.2f} x one core; {two / one:.2f} x default jobs 1 (goal >= 1.5)"),
        ]
        print("| measure | value | note |\n|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
