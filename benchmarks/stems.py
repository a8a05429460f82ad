"""Stems benchmark: what ``--stems`` adds to a mix, as a ratio against the same mix without.

    python -m benchmarks.stems               # a 20-minute episode, printed
    python -m benchmarks.stems --minutes 5   # a quick run
    python -m benchmarks.stems --write       # and update the "Stems" section of BENCHMARKS.md

The timeline is the mix benchmark's synthetic episode (benchmarks/mix.py: lines every few
seconds, two procedural beds, ducking, mastering). Runs alternate plain / stems / plain / stems
in one process so load on a shared machine hits both; CPU time is the steadier figure. With
stems on, every pre-master block is also split into the four buses and written as 32-bit float
WAVs (stems/*.wav), as ``render --stems`` does.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

import soundfile as sf

from benchmarks.mix import SR, _cpu, make_takes, make_timeline
from pipeline.mix import MixSettings, mix_timeline
from pipeline.mix.render import STEMS

BENCH_FILE = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
BEGIN, END = "<!-- stems:begin -->", "<!-- stems:end -->"
COMMAND = "python -m benchmarks.stems --write"


def one_run(tl, takes, folder: Path | None) -> tuple[float, float, int]:
    """(wall s, CPU s, bytes of stems written) of one mix, with stems into ``folder``."""
    files = {}
    if folder is not None:
        files = {n: sf.SoundFile(folder / f"{n}.wav", "w", SR, 2, subtype="FLOAT")
                 for n in STEMS}

    def write(buses) -> None:
        for name, block in buses.items():
            files[name].write(block)

    t0, c0 = time.perf_counter(), _cpu()
    result = mix_timeline(tl, takes.__getitem__, MixSettings(), stems=write if files else None)
    for _block in result.blocks():  # the master is read back once, as export does
        pass
    for f in files.values():
        f.close()
    size = sum((folder / f"{n}.wav").stat().st_size for n in STEMS) if folder else 0
    return time.perf_counter() - t0, _cpu() - c0, size


def measure(minutes: float, rounds: int = 2) -> dict:
    takes = make_takes()
    tl = make_timeline(minutes, takes, [("rain", False), ("night", False)])
    plain, stems, size = [], [], 0
    with tempfile.TemporaryDirectory(prefix="stems-bench-") as tmp:
        for _ in range(rounds):
            plain.append(one_run(tl, takes, None)[:2])
            wall, cpu, size = one_run(tl, takes, Path(tmp))
            stems.append((wall, cpu))
    best = {k: min(v, key=lambda x: x[1]) for k, v in (("plain", plain), ("stems", stems))}
    return {"minutes": minutes, "plain": best["plain"], "stems": best["stems"],
            "ratio_cpu": best["stems"][1] / best["plain"][1],
            "ratio_wall": best["stems"][0] / best["plain"][0], "mb": size / 1e6}


def table(r: dict) -> str:
    return "\n".join([
        f"| {r['minutes']:g}-minute episode, procedural beds, mastered | wall | CPU |",
        "|---|---|---|",
        f"| mix | {r['plain'][0]:.1f} s | {r['plain'][1]:.1f} s |",
        f"| mix + four float stems | {r['stems'][0]:.1f} s | {r['stems'][1]:.1f} s |",
        f"| ratio | {r['ratio_wall']:.2f}x | **{r['ratio_cpu']:.2f}x** |",
        "",
        f"Stems on disk: {r['mb']:.0f} MB ({r['mb'] / r['minutes'] / 4:.1f} MB per stem per "
        "minute, stereo 44.1 kHz float).",
    ])


def write_section(text: str) -> None:
    body = (f"{BEGIN}\n`{COMMAND}` (see the docstring of `benchmarks/stems.py`); best of two "
            f"runs each, alternating, in one process.\n\n{text}\n{END}")
    old = BENCH_FILE.read_text(encoding="utf-8")
    if BEGIN in old:
        new = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: body, old, flags=re.S)
    else:
        new = old.rstrip("\n") + "\n\n## Stems\n\n" + body + "\n"
    BENCH_FILE.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = ap.parse_args()
    text = table(measure(args.minutes))
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
