"""Synthesis workers forked from a fork server with the models loaded, against spawned workers.

    python -m benchmarks.workers [--script ../shared/seeds/000_ca67e2d21db797f3.txt]
                                 [--rounds 3] [--jobs 2]

Each run is the real CLI (``render SCRIPT --jobs 2``) in a fresh process with a fresh take
cache (the prepared-model cache is warmed first and shared), alternating the two ways of
starting workers, so both see the same machine load. Reported per way: wall and CPU seconds
(the CLI and every process it started, through ``wait4``) and the process tree's memory,
sampled every 0.1 s (PSS counts pages shared between processes once; ``memroles``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

try:
    from benchmarks.memroles import RoleSampler
except ModuleNotFoundError:  # run as a script
    from memroles import RoleSampler

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_ca67e2d21db797f3.txt"
# The CLI with the way of starting workers chosen for this run.
LAUNCH = ("import sys; import pipeline.render.workers as w; w._FORK_SERVER = sys.argv.pop(1) "
          "== 'forkserver'; from pipeline.cli import main; sys.argv[0] = 'castwright'; main()")


def run(mode: str, script: Path, out: Path, jobs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, mode, "render", str(script),
                             "--out", str(out), "--jobs", str(jobs), "--quiet"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    sampler = RoleSampler(proc.pid)
    root = psutil.Process(proc.pid)
    status = None
    while status is None:
        with contextlib.suppress(psutil.Error):  # a process ended while being read
            sampler.sample([root, *root.children(recursive=True)],
                           time.perf_counter() - started)
        pid, status_word, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status = status_word
        else:
            time.sleep(0.1)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} render failed ({proc.returncode})")
    report = sampler.report()
    workers = report["roles"].get("synthesis worker", {})
    return {"wall": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
            "tree_pss": report["tree_pss"]["mb"],
            "workers_pss": workers.get("sum_pss", {}).get("mb", 0.0),
            "server_pss": report["roles"].get("fork server", {}).get("sum_pss", {}).get("mb",
                                                                                        0.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, default=SEED)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="castwright-workers-"))
    results: dict[str, list[dict]] = {"spawn": [], "forkserver": []}
    try:
        run("spawn", args.script, work / "warm", args.jobs)  # prepared models on disk
        for n in range(args.rounds):
            for mode in results:
                out = work / f"{mode}-{n}"
                results[mode].append(run(mode, args.script, out, args.jobs))
                shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"| workers (--jobs {args.jobs}, {args.rounds} rounds, median) | wall (s) | CPU (s) "
          "| tree PSS peak (MB) | workers' PSS peak (MB) | fork server PSS (MB) |")
    print("|---|---|---|---|---|---|")
    for mode, runs in results.items():
        cells = [statistics.median(r[k] for r in runs)
                 for k in ("wall", "cpu", "tree_pss", "workers_pss", "server_pss")]
        print(f"| {mode} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    base = {k: statistics.median(r[k] for r in results["spawn"]) for k in ("wall", "cpu")}
    new = {k: statistics.median(r[k] for r in results["forkserver"]) for k in ("wall", "cpu")}
    print(f"\nfork server / spawn: wall {new['wall'] / base['wall']:.2f}x, "
          f"CPU {new['cpu'] / base['cpu']:.2f}x")


if __name__ == "__main__":
    main()
