"""Cluster benchmark (issue #16): the same book rendered locally (``--jobs 2``) and on a local
Ray cluster (``ray start --head --num-cpus 2`` on this machine), in the same session.

    python -m benchmarks.cluster [--book ../shared/pdnc-dev/PrideAndPrejudice/novel_text.txt]
                                 [--chapters 1-2] [--rounds 2] [--work DIR]

Every render is the real CLI in a fresh process with a fresh output folder (no take cache), so
start-up, model loading, synthesis and mixing are all in the wall time. Wall time on a shared
machine mostly says how much of the CPU the run got, so the CPU time each side used is measured
too: the CLI's own and its reaped children's (``wait4``), plus, for every process of the Ray
head (its daemons, the actors, the mix workers), the CPU time it gained during the run. Rounds
alternate local, cluster, local, cluster... so a change in the machine's load hits both sides
alike.
A one-line script is rendered the same two ways to separate the fixed cost of the cluster (Ray
import, connect, actors starting and loading their voices) from the cost per line.

Also measured: the sizes a catalogue plan needs (take cache and episode files per hour of
audio, the largest take and the largest chapter's takes: what the head's object store holds in
flight), the head's own memory (its processes' PSS, sampled), and that both renders wrote the
same bytes. Results go to ``<work>/cluster-benchmark.json`` and stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
NOVEL = REPO.parent / "shared" / "pdnc-dev" / "PrideAndPrejudice" / "novel_text.txt"
sys.path.insert(0, str(REPO / "tests"))  # the test suite's real local Ray head

ONE_LINE = "Title: One Line\n\nMARA: Is this the last ferry tonight?\n"


def castwright(args: list[str], env: dict[str, str], head=None) -> dict:
    """Run the CLI: wall time, its JSON, the CPU time it used (its own and its reaped children's:
    synthesis workers, encoders) and the CPU time of every Ray process of ``head`` meanwhile
    (head daemons, actors, mix workers), and the peak PSS of the head's own processes."""
    ray_before = _cpu(head.pids()) if head else {}
    ray_seen = dict(ray_before)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_head, peak_driver = 0, 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        if head:
            ray_seen.update(_cpu(head.pids()))  # the last value seen: actors exit at the end
            peak_head = max(peak_head, _pss(head_core_pids(head)))
        peak_driver = max(peak_driver, _pss([proc.pid]))
        time.sleep(0.5)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    driver_cpu = usage.ru_utime + usage.ru_stime
    ray_cpu = sum(cpu - ray_before.get(pid, 0.0) for pid, cpu in ray_seen.items())
    if proc.returncode != 0:
        raise SystemExit(f"castwright {' '.join(args)} failed:\n{err[-3000:]}")
    return {"wall": wall, "json": json.loads(out), "peak_head_pss_mb": peak_head / 2**20,
            "peak_driver_pss_mb": peak_driver / 2**20, "driver_cpu": driver_cpu,
            "ray_cpu": ray_cpu, "cpu": driver_cpu + ray_cpu}


def _cpu(pids: list[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            found[pid] = times.user + times.system
    return found


def _pss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            total += psutil.Process(pid).memory_full_info().pss
    return total


def du(path: Path, pattern: str = "*") -> int:
    return sum(p.stat().st_size for p in path.rglob(pattern) if p.is_file())


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"
            and ".locks" not in p.parts}


def head_core_pids(head) -> list[int]:
    """The head's own processes (GCS, raylet, the head's log and agent processes), not the
    actors and mix workers, which are the node's work rather than what the head holds."""
    found = []
    for pid in head.pids():
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if not cmd.startswith(b"ray::"):
            found.append(pid)
    return found


def main() -> None:
    from cluster_support import LocalHead, cluster_env

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--book", type=Path, default=NOVEL)
    parser.add_argument("--chapters", default="1-2")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/castwright-cluster-bench"))
    args = parser.parse_args()

    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    book = work / "book.txt"
    shutil.copyfile(args.book, book)
    tiny = work / "one-line.txt"
    tiny.write_text(ONE_LINE, encoding="utf-8")
    env = cluster_env()
    results: dict = {"chapters": args.chapters, "rounds": [], "load": []}
    report = work / "cluster-benchmark.json"

    started = time.perf_counter()
    head = LocalHead(cpus=2)
    results["head_start_seconds"] = time.perf_counter() - started
    try:
        for n in range(args.rounds):
            row = {}
            for where in ("local", "cluster"):
                results["load"].append(os.getloadavg()[0])
                out = work / f"{where}-{n}"
                target = ["--cluster", head.address] if where == "cluster" else ["--jobs", "2"]
                row[where] = castwright(["render", str(book), "-o", str(out), "-q", "--json",
                                         "--chapters", args.chapters, *target], env, head)
                row[f"{where}_one_line"] = castwright(
                    ["render", str(tiny), "-o", str(work / f"{where}-tiny-{n}"), "-q",
                     "--json", *target], env, head)
            results["rounds"].append(row)
            report.write_text(json.dumps(results, indent=1, default=str))
    finally:
        head.stop()
    summarize(results, work)
    report.write_text(json.dumps(results, indent=1, default=str))
    print(json.dumps({k: v for k, v in results.items() if k != "rounds"}, indent=1))


def summarize(results: dict, work: Path) -> None:
    rounds = results["rounds"]
    first = rounds[0]["cluster"]["json"]
    lines = first["synthesized"]
    hours = sum(e["duration"] or 0 for e in first["episodes"]) / 3600
    local = [r["local"]["wall"] for r in rounds]
    cluster = [r["cluster"]["wall"] for r in rounds]
    fixed = [r["cluster_one_line"]["wall"] - r["local_one_line"]["wall"] for r in rounds]
    # Local: the CLI's tree only (the idle head's background meanwhile is not the render's; it
    # is reported on its own). Cluster: the driver and every Ray process, background included.
    fixed_cpu = [r["cluster_one_line"]["cpu"] - r["local_one_line"]["driver_cpu"] for r in rounds]
    local_cpu = [r["local"]["driver_cpu"] for r in rounds]
    cluster_cpu = [r["cluster"]["cpu"] for r in rounds]
    takes = work / "cluster-0" / ".cache" / "takes"
    wavs = [p.stat().st_size for p in takes.rglob("*.wav")]
    season = next(p for p in (work / "cluster-0").iterdir() if p.is_dir() and p.name != ".cache")
    per_chapter = chapter_take_bytes(work / "cluster-0", takes)
    results.update({
        "lines": lines, "episodes": len(first["episodes"]), "audio_hours": hours,
        "local_wall": local, "cluster_wall": cluster,
        "cluster_over_local": [c / max(lo, 1e-9) for c, lo in zip(cluster, local, strict=True)],
        "fixed_cost_seconds": fixed,
        "overhead_per_line_seconds": [(c - lo - f) / lines for c, lo, f in
                                      zip(cluster, local, fixed, strict=True)],
        "local_cpu": local_cpu, "cluster_cpu": cluster_cpu, "fixed_cost_cpu": fixed_cpu,
        "idle_head_cpu_per_second": [r["local"]["ray_cpu"] / r["local"]["wall"] for r in rounds],
        "cluster_cpu_over_local": [c / lo for c, lo in zip(cluster_cpu, local_cpu, strict=True)],
        "cpu_overhead_per_line": [(c - lo - f) / lines for c, lo, f in
                                  zip(cluster_cpu, local_cpu, fixed_cpu, strict=True)],
        "cpu_per_audio_second_local": [c / (hours * 3600) for c in local_cpu],
        "cpu_per_audio_second_cluster": [c / (hours * 3600) for c in cluster_cpu],
        "audio_seconds_per_wall_second_local": [hours * 3600 / w for w in local],
        "audio_seconds_per_wall_second_cluster": [hours * 3600 / w for w in cluster],
        "take_cache_gb_per_hour": du(takes) / 2**30 / hours,
        "episodes_gb_per_hour": du(season) / 2**30 / hours,
        "mp3_mb_per_hour": du(season, "episode.mp3") / 2**20 / hours,
        "take_mb_mean": statistics.mean(wavs) / 2**20, "take_mb_max": max(wavs) / 2**20,
        "chapter_takes_mb_max": max(per_chapter) / 2**20,
        "head_pss_mb_max": max(r["cluster"]["peak_head_pss_mb"] for r in rounds),
        "driver_pss_mb_local": max(r["local"]["peak_driver_pss_mb"] for r in rounds),
        "driver_pss_mb_cluster": max(r["cluster"]["peak_driver_pss_mb"] for r in rounds),
        "same_bytes": all(hashes(work / f"local-{n}" / season.name) ==
                          hashes(work / f"cluster-{n}" / season.name) and
                          hashes(work / f"local-{n}" / ".cache" / "takes") ==
                          hashes(work / f"cluster-{n}" / ".cache" / "takes")
                          for n in range(len(rounds))),
        "mixed_on": [e.get("mixed_on") for e in first["episodes"]],
    })


def chapter_take_bytes(out: Path, takes: Path) -> list[int]:
    """Bytes of the takes each chapter plays (what one mix task ships to its node)."""
    sizes = []
    for manifest in out.glob("*/*/manifest.json"):
        keys = {line["cache_key"] for line in json.loads(manifest.read_text())["lines"]
                if line.get("cache_key")}
        sizes.append(sum((takes / k[:2] / f"{k}.wav").stat().st_size for k in keys
                         if (takes / k[:2] / f"{k}.wav").is_file()))
    return sizes or [0]


if __name__ == "__main__":
    main()
