"""The example drama with a mixed Piper + Kokoro cast: render speed, memory, pacing, regen.

    python -m benchmarks.drama [--write]

In one session, on fresh take, sound and prepared-model caches, each a fresh ``castwright``
process (start-up and model loading included):

- cold render of ``scripts/the-lighthouse-keeper.txt`` with ``--jobs 2``, once with the project's
  cast (``voices/cast.toml``: Piper narrator and Kokoro characters) and once with an all-Piper
  cast as the baseline: wall time / episode duration (RTF), CPU seconds of every process / episode
  duration / 2 (the RTF the render would have on two cores of its own: the machine is shared), the
  load average meanwhile, and the largest worker's peak memory;
- the silences between two characters' lines, measured on the rendered episode with beds, music
  and effects turned down to -60 dB (the timeline is the same): from the last 10 ms frame of one
  line within 35 dB of its loudest tenth to the first such frame of the next; median, quartiles,
  and how ``[mix] speaker_change_pause = 0.8`` moves it;
- ``regen`` of a Kokoro line and of a Piper line (re-mix and export included), median of three.

``--write`` puts the table into BENCHMARKS.md ("Voices in the drama").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DRAMA = REPO / "scripts" / "the-lighthouse-keeper.txt"
BENCH_FILE = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- drama:begin -->", "<!-- drama:end -->"
COMMAND = "python -m benchmarks.drama --write"
PIPER_CAST = """narrator = "joe"
[narrator_delivery]
pace = 0.97
[characters.Elias]
voice = "harold"
[characters.Mara]
voice = "maren"
[characters.Finn]
voice = "milo"
"""


# Runs the CLI as its child and reports the peak RSS of the largest process under it.
_MEASURE = ("import resource, subprocess, sys\n"
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def cli(*args: str, env: dict | None = None) -> tuple[float, float, float]:
    """Run ``castwright`` in a fresh process: wall s, CPU s of its process tree, peak MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "pipeline.cli",
                           *args], cwd=REPO, check=True, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, int(done.stdout.strip().splitlines()[-1]) / 1024


def cold_render(out: Path, cast: Path | None, models: Path, mix: str = "",
                stem: str = DRAMA.stem) -> dict:
    """Render in a fresh process; wall, CPU of the process tree, load, peak RSS, manifest.
    Cold unless ``out`` already holds takes (the speech-only renders reuse the mixed ones)."""
    env = {**os.environ, "CASTWRIGHT_MODEL_CACHE": str(models)}
    script = DRAMA
    if cast is not None or mix:
        folder = out.parent / f"script-{stem}"
        folder.mkdir(parents=True, exist_ok=True)
        script = folder / f"{stem}.txt"
        shutil.copy(DRAMA, script)
        text = cast.read_text(encoding="utf-8") if cast else (REPO / "voices" / "cast.toml"
                                                              ).read_text(encoding="utf-8")
        (folder / f"{stem}.cast.toml").write_text(text + mix, encoding="utf-8")
    load = os.getloadavg()[0]
    wall, cpu, rss = cli("render", str(script), "--out", str(out), "--jobs", "2", "--quiet",
                         env=env)
    manifest_path = out / script.stem / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": cpu, "load": (load + os.getloadavg()[0]) / 2,
            "rss_mb": rss, "manifest": manifest, "episode": manifest_path.parent}


# Beds, music and effects at -60 dB: the same timeline (levels do not move anything), so the
# silences between lines can be measured without mistaking a rain bed for speech.
SPEECH_ONLY = "\n[mix]\nbed_level_db = -60\nmusic_level_db = -60\nsfx_level_db = -60\n"


def character_gaps(episode: Path, manifest: dict) -> list[float]:
    """Silences between consecutive lines of two different characters, on the rendered
    speech: from the last 10 ms frame of one line within 35 dB of its loudest tenth to the
    first such frame of the next."""
    import soundfile as sf

    audio, sr = sf.read(episode / manifest["files"]["wav"], dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    frame = int(0.01 * sr)
    n = len(mono) // frame
    db = 10 * np.log10(np.mean(mono[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    speech = [p for p in manifest["timeline"]["placements"] if p["kind"] == "speech"]
    speech.sort(key=lambda p: p["start"])
    gaps = []
    for a, b in zip(speech, speech[1:], strict=False):
        if "Narrator" in (a["speaker"], b["speaker"]) or a["speaker"] == b["speaker"]:
            continue
        if b["start"] - (a["start"] + a["duration"]) > 2.0:  # a sound or pause between
            continue
        gaps.append(_silence(db, a, b))
    return [g for g in gaps if g is not None]


def _silence(db: np.ndarray, a: dict, b: dict) -> float | None:
    def frames(p: dict) -> slice:
        return slice(int(p["start"] / 0.01), int((p["start"] + p["duration"]) / 0.01))

    level_a, level_b = np.percentile(db[frames(a)], 90), np.percentile(db[frames(b)], 90)
    loud_a = np.flatnonzero(db[frames(a)] > level_a - 35)
    loud_b = np.flatnonzero(db[frames(b)] > level_b - 35)
    if not len(loud_a) or not len(loud_b):
        return None
    end_a = (frames(a).start + loud_a[-1] + 1) * 0.01
    start_b = (frames(b).start + loud_b[0]) * 0.01
    return start_b - end_a


def regen_median(episode: Path, line: str, models: Path) -> tuple[float, float]:
    """Median wall and CPU seconds of three regens (each a new take: it synthesizes)."""
    env = {**os.environ, "CASTWRIGHT_MODEL_CACHE": str(models)}
    runs = [cli("regen", str(episode), line, env=env) for _ in range(3)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cw-drama-"))
    try:
        piper_cast = work / "piper.cast.toml"
        piper_cast.write_text(PIPER_CAST, encoding="utf-8")
        mixed = cold_render(work / "mixed", None, work / "models-mixed")
        piper = cold_render(work / "piper", piper_cast, work / "models-piper")
        speech = cold_render(work / "mixed", None, work / "models-mixed", mix=SPEECH_ONLY,
                             stem="speech-only")
        slower = cold_render(work / "mixed", None, work / "models-mixed",
                             mix=SPEECH_ONLY + "speaker_change_pause = 0.8\n", stem="slower")
        manifest = mixed["manifest"]
        engines = {line["engine"] for line in manifest["lines"]}
        kokoro_line = next(x["line_id"] for x in manifest["lines"] if x["engine"] == "kokoro")
        piper_line = next(x["line_id"] for x in manifest["lines"] if x["engine"] == "piper")
        regen_k = regen_median(mixed["episode"], kokoro_line, work / "models-mixed")
        regen_p = regen_median(mixed["episode"], piper_line, work / "models-mixed")
        text = report(mixed, piper, speech, slower, engines, regen_k, regen_p, kokoro_line,
                      piper_line)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(text)
    if args.write:
        write_section(text)
    return 0


def _share(manifest: dict) -> str:
    by: dict[str, float] = {}
    for line in manifest["lines"]:
        by[line["engine"]] = by.get(line["engine"], 0.0) + (line["end"] - line["start"])
    total = sum(by.values())
    return ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(by.items()))


def report(mixed: dict, piper: dict, speech: dict, slower: dict, engines: set[str],
           regen_k: tuple[float, float], regen_p: tuple[float, float], kokoro_line: str,
           piper_line: str) -> str:
    rows = []
    for name, run in (("mixed Piper + Kokoro (voices/cast.toml)", mixed),
                      ("all Piper (baseline)", piper)):
        duration = run["manifest"]["duration"]
        rows.append(f"| {name} | {duration:.1f} s | {run['wall']:.1f} s | "
                    f"**{run['wall'] / duration:.3f}** | {run['cpu']:.1f} s | "
                    f"**{run['cpu'] / duration / 2:.3f}** | {run['load']:.1f} | "
                    f"{run['rss_mb']:.0f} MB | {_share(run['manifest'])} |")
    gaps = character_gaps(speech["episode"], speech["manifest"])
    gaps_slow = character_gaps(slower["episode"], slower["manifest"])
    q = np.percentile(gaps, [25, 50, 75]) if gaps else [0, 0, 0]
    q_slow = np.percentile(gaps_slow, [25, 50, 75]) if gaps_slow else [0, 0, 0]
    ratio = mixed["wall"] / mixed["manifest"]["duration"] / (
        piper["wall"] / piper["manifest"]["duration"])
    return (
        f"Command: `{COMMAND}` ({time.strftime('%Y-%m-%d')}, 2 cores shared with other jobs: "
        f"the load average is in the table). Engines in the cast: {', '.join(sorted(engines))}."
        "\n\n| cast | episode | wall | RTF (wall) | CPU, all processes | RTF on 2 free cores "
        "(CPU / 2) | load avg | largest process peak RSS | speech by engine |\n"
        "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) +
        f"\n\nMixed cast against the all-Piper baseline in the same session: {ratio:.2f}× the "
        f"wall time per second of audio.\n\n"
        f"Silence between two characters' lines, measured on the rendered episode with beds, "
        f"music and effects at −60 dB (same timeline; {len(gaps)} exchanges): median "
        f"**{q[1]:.2f} s** (quartiles {q[0]:.2f}–{q[2]:.2f} s); with "
        f"`[mix] speaker_change_pause = 0.8` in the cast file: median {q_slow[1]:.2f} s "
        f"(quartiles {q_slow[0]:.2f}–{q_slow[2]:.2f} s).\n\n"
        f"`castwright regen` (new take, re-mix, export), median of 3, wall / CPU: Kokoro line "
        f"{kokoro_line} {regen_k[0]:.2f} s / {regen_k[1]:.2f} s, Piper line {piper_line} "
        f"{regen_p[0]:.2f} s / {regen_p[1]:.2f} s.\n")


def write_section(text: str) -> None:
    from pipeline.atomic import write_text

    current = BENCH_FILE.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text.strip()}\n{END}"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        new = head + block + rest.split(END, 1)[1]
    else:
        new = current.rstrip("\n") + f"\n\n## Voices in the drama\n\n{block}\n"
    write_text(BENCH_FILE, new)


if __name__ == "__main__":
    sys.exit(main())
