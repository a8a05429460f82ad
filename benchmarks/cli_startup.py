"""CLI start-up: CPU time of short ``castwright`` commands, as a ratio to a bare interpreter.

    python -m benchmarks.cli_startup [--runs 21] [--baseline OTHER_CHECKOUT]

CPU time (user + sys of the child) is much steadier than wall time on a shared machine. With
``--baseline``, the same commands run from another checkout (e.g. ``git archive OLD pipeline |
tar -x -C /tmp/old``), interleaved with ours, so both see the same load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "Title: Start\n\nMARA: Hello there.\nELIAS: Fine.\n"


def cpu_seconds(argv: list[str], env: dict[str, str], cwd: str) -> float:
    """User + system CPU time of one child process."""
    pid = os.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execve(argv[0], argv, env)
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="cw-startup-")
    Path(work, "s.txt").write_text(SCRIPT)
    commands = {
        "--version": ["--version"],
        "--help": ["--help"],
        "error path (lines nope)": ["lines", "nope"],
        "parse --json (2 lines)": ["parse", "s.txt", "--json"],
    }
    roots = {"this checkout": REPO}
    if args.baseline:
        roots["baseline"] = args.baseline.resolve()
    env0 = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    bare = [sys.executable, "-c", "pass"]
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        samples.setdefault(("python", "bare"), []).append(cpu_seconds(bare, env0, work))
        for name, argv in commands.items():
            for label, root in roots.items():
                env = {**env0, "PYTHONPATH": str(root)}
                cmd = [sys.executable, "-m", "pipeline.cli", *argv]
                samples.setdefault((label, name), []).append(cpu_seconds(cmd, env, work))
    bare_s = statistics.median(samples[("python", "bare")])
    print(f"bare interpreter: {bare_s * 1000:.0f} ms CPU (median of {args.runs})")
    print(f"| command | {' | '.join(roots)} |" + (" ratio |" if args.baseline else ""))
    print("|---|" + "---|" * (len(roots) + bool(args.baseline)))
    for name in commands:
        cells = []
        for label in roots:
            s = statistics.median(samples[(label, name)])
            cells.append(f"{s * 1000:.0f} ms ({s / bare_s:.1f}× bare)")
        ratio = ""
        if args.baseline:
            ours = statistics.median(samples[("this checkout", name)])
            ratio = f" {ours / statistics.median(samples[('baseline', name)]):.2f} |"
        print(f"| {name} | {' | '.join(cells)} |{ratio}")


if __name__ == "__main__":
    main()
