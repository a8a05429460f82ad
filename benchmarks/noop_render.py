"""A render with nothing to do (every take cached, nothing changed): CPU and wall per run.

    python -m benchmarks.noop_render --out /tmp/noop [--baseline /work/main] [--runs 5]

Each checkout (this one, and ``--baseline`` if given: another checkout of the project) renders
the example episode into its own copy of ``--out`` once (synthesis and a mix, not counted),
then renders it again ``--runs`` times, interleaved, as a user would: ``castwright -q render``
in a fresh process. Reported: median CPU time (user + system, the process and its children)
and median wall time. A no-op render parses, casts, plans, checks the cache and the episode's
checksums; it must not load the mixer (scipy, pyloudnorm: ~1.5 s of CPU on import alone).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "the-lighthouse-keeper.txt"


def render(root: Path, out: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli", "-q", "render", str(SCRIPT),
                    "-o", str(out)], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    roots = {"this checkout": REPO}
    if args.baseline:
        roots["baseline"] = args.baseline.resolve()
    outs = {name: args.out / f"out-{i}" for i, name in enumerate(roots)}
    for name, root in roots.items():
        render(root, outs[name])  # synthesize and mix once: not counted
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in roots}
    for _ in range(args.runs):
        for name, root in roots.items():
            runs[name].append(render(root, outs[name]))
    for name, results in runs.items():
        cpu = statistics.median(c for c, _ in results)
        wall = statistics.median(w for _, w in results)
        print(f"{name:14s} no-op render: CPU {cpu:.2f} s, wall {wall:.2f} s "
              f"(median of {len(results)}; {roots[name]})")


if __name__ == "__main__":
    main()
