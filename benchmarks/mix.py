"""Mix benchmark: our numpy mixer vs a straightforward pydub mixer, and memory on a 3-hour episode.

    python -m benchmarks.mix            # 60-minute comparison + 3-hour memory run, print the table
    python -m benchmarks.mix --write    # and update the "Mix" section of BENCHMARKS.md
    python -m benchmarks.mix --minutes 10 --hours 0.5   # a quick run

The timeline is synthetic and the same for both mixers: a line every few seconds (24 distinct
speech-like takes: harmonic voices with syllable envelopes and fricative noise, peaks ~18 dB
over their RMS like real TTS), two ambience beds for the whole episode (20 s WAV loops rendered
from our rain and night generators, so both mixers read the same files), ducking under every
line and mastering to -16 LUFS. pydub has no true-peak limiter, so its mastering is a loudness
gain plus a sample-peak check: it does less work than ours.

The 3-hour run mixes with the procedural beds (the costlier case: nothing is a loop) in a
subprocess and reports its peak RSS (``VmHWM``; ``ru_maxrss`` where there is no /proc).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from pipeline.mix import MixSettings, mix_timeline
from pipeline.mix.beds import BUILTIN
from pipeline.mix.levels import speech_activity
from pipeline.mix.timeline import BedSpan, Placement, Timeline
from tests.mix_support import speech_like

SR = 44100
BENCH_FILE = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
BEGIN, END = "<!-- mix:begin -->", "<!-- mix:end -->"
COMMAND = "python -m benchmarks.mix --write"
N_TAKES = 24


# --- the synthetic episode ------------------------------------------------------------------
# Takes are the mix tests' synthetic speech (tests/mix_support.py), so both measure one thing.
def make_takes() -> dict[str, np.ndarray]:
    return {f"take{i:02d}": speech_like(i, 2.0 + (i * 7 % 9) * 0.5) for i in range(N_TAKES)}


def make_timeline(minutes: float, takes: dict[str, np.ndarray], beds: list[tuple[str, bool]]
                  ) -> Timeline:
    """Lines back to back with 0.35-1.5 s gaps, every line ~2-6 s, beds over the whole span."""
    g = np.random.default_rng(7)
    keys = sorted(takes)
    placements, t, i = [], 1.5, 0
    end = minutes * 60 - 2.0
    while True:
        key = keys[i % len(keys)]
        dur = len(takes[key]) / SR
        if t + dur > end:
            break
        placements.append(Placement(kind="speech", start=round(t, 3), duration=dur, source=key,
                                    line_id=f"s01-l{i + 1:04d}", speaker="A" if i % 2 else "B",
                                    text="words", section_id="s01"))
        t += dur + float(g.choice([0.35, 0.55, 0.9, 1.5]))
        i += 1
    duration = minutes * 60
    spans = [BedSpan(source=src, start=0.0, end=duration, fade_in=2.0, fade_out=2.0,
                     from_file=from_file, seed=k) for k, (src, from_file) in enumerate(beds)]
    return Timeline(sample_rate=SR, duration=duration, placements=placements, beds=spans)


def bed_files(folder: Path) -> list[tuple[str, bool]]:
    out = []
    for name in ("rain", "night"):
        path = folder / f"{name}.wav"
        sf.write(path, BUILTIN[name](seed=3, sample_rate=SR, channels=2).render(0, 20 * SR), SR,
                 subtype="PCM_16")
        out.append((str(path), True))
    return out


# --- the pydub mixer ------------------------------------------------------------------------
def mix_pydub(tl: Timeline, takes: dict[str, np.ndarray], settings: MixSettings):
    """Mix ``tl`` the way pydub invites: concatenate the speech track, loop each bed, duck it by
    slicing it at every line and applying gain per slice, overlay, then normalize loudness."""
    import pyloudnorm
    from pydub import AudioSegment

    def segment(x: np.ndarray) -> AudioSegment:
        pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
        return AudioSegment(pcm.tobytes(), frame_rate=SR, sample_width=2,
                            channels=1).set_channels(2)

    segs = {}
    for key, x in takes.items():  # same per-take normalization as ours, so levels match
        rms_db, _ = speech_activity(x, SR)
        segs[key] = segment(x).apply_gain(-20.0 - rms_db)
    total_ms = int(tl.duration * 1000)
    speech = AudioSegment.empty()
    lines = sorted(tl.speech(), key=lambda p: p.start)
    for p in lines:
        start_ms = int(p.start * 1000)
        speech += AudioSegment.silent(duration=start_ms - len(speech), frame_rate=SR)
        speech += segs[p.source].apply_gain(p.gain_db)
    speech += AudioSegment.silent(duration=total_ms - len(speech), frame_rate=SR)
    speech = speech.set_channels(2)
    mix = speech
    for span in tl.beds:
        clip = AudioSegment.from_wav(span.source)
        span_ms = int((span.end - span.start) * 1000)
        bed = (clip * math.ceil(span_ms / len(clip)))[:span_ms].apply_gain(settings.bed_gain_db)
        ducked, pos = AudioSegment.empty(), 0
        for p in lines:  # per-segment gain: down for every line, with short fades in and out
            a, b = int(p.start * 1000), int(p.end * 1000)
            if a <= pos:
                continue
            ducked += bed[pos:a]
            ducked += (bed[a:b].apply_gain(settings.duck_depth_db)
                       .fade_in(int(settings.duck_attack_ms)).fade_out(100))
            pos = b
        ducked += bed[pos:]
        ducked = ducked.fade_in(int(span.fade_in * 1000)).fade_out(int(span.fade_out * 1000))
        mix = mix.overlay(ducked, position=int(span.start * 1000))
    samples = np.array(mix.get_array_of_samples(), dtype=np.float64).reshape(-1, 2) / 32768
    loudness = pyloudnorm.Meter(SR).integrated_loudness(samples)
    del samples
    mix = mix.apply_gain(settings.target_lufs - loudness)
    if mix.max_dBFS > settings.true_peak_dbtp:  # no limiter in pydub: pull the whole mix down
        mix = mix.apply_gain(settings.true_peak_dbtp - mix.max_dBFS)
    return mix


# --- runs -----------------------------------------------------------------------------------
def _cpu() -> float:
    """CPU seconds of this process and its finished children (ffmpeg decodes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_ours(tl: Timeline, takes: dict[str, np.ndarray]) -> tuple[float, float, object]:
    """(wall s, CPU s, result); reading the mastered audio back once is part of the job."""
    t0, c0 = time.perf_counter(), _cpu()
    result = mix_timeline(tl, takes.__getitem__, MixSettings())
    checksum = sum(float(b[::997].sum()) for b in result.blocks())
    assert math.isfinite(checksum)
    return time.perf_counter() - t0, _cpu() - c0, result


def run_pydub(tl: Timeline, takes: dict[str, np.ndarray]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), _cpu()
    mix_pydub(tl, takes, MixSettings())
    return time.perf_counter() - t0, _cpu() - c0


def peak_rss_mb() -> float:
    """Peak resident memory of this process: VmHWM (reset by exec, unlike ``ru_maxrss``, which
    a child started from a big parent inherits), else ``ru_maxrss``."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(hours: float) -> None:
    """Runs in a subprocess: mix ``hours`` with procedural beds, print peak RSS as JSON."""
    base = peak_rss_mb()
    takes = make_takes()
    tl = make_timeline(hours * 60, takes, [("rain", False), ("night", False)])
    seconds, cpu, result = run_ours(tl, takes)
    peak = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak,
                      "import_mb": base, "lines": len(tl.placements),
                      "lufs": result.loudness.integrated_lufs,
                      "dbtp": result.loudness.true_peak_dbtp}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--hours", type=float, default=3.0)
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    ap.add_argument("--skip-pydub", action="store_true")
    ap.add_argument("--memory-child", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    takes = make_takes()
    with tempfile.TemporaryDirectory() as tmp:
        files = bed_files(Path(tmp))
        tl = make_timeline(args.minutes, takes, files)
        print(f"{args.minutes:g}-minute timeline: {len(tl.placements)} lines, 2 beds",
              flush=True)
        ours = run_ours(tl, takes)
        loud = ours[2].loudness
        print(f"  numpy mixer (bed files):       {ours[0]:7.1f} s wall {ours[1]:7.1f} s CPU   "
              f"{loud.integrated_lufs:.2f} LUFS {loud.true_peak_dbtp:.2f} dBTP", flush=True)
        proc_tl = make_timeline(args.minutes, takes, [("rain", False), ("night", False)])
        proc = run_ours(proc_tl, takes)
        print(f"  numpy mixer (procedural beds): {proc[0]:7.1f} s wall {proc[1]:7.1f} s CPU",
              flush=True)
        pydub = None if args.skip_pydub else run_pydub(tl, takes)
        if pydub is not None:
            print(f"  pydub mixer (bed files):       {pydub[0]:7.1f} s wall {pydub[1]:7.1f} s CPU"
                  f"   -> {pydub[0] / ours[0]:.1f}x wall, {pydub[1] / ours[1]:.1f}x CPU",
                  flush=True)
        row = (args.minutes, len(tl.placements), ours[:2], proc[:2], pydub, loud)
        del ours, proc
    child = subprocess.run([sys.executable, "-m", "benchmarks.mix", "--memory-child",
                            str(args.hours)], capture_output=True, text=True, check=True)
    mem = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"{args.hours:g}-hour timeline ({mem['lines']} lines, procedural beds): "
          f"{mem['seconds']:.1f} s wall, {mem['cpu']:.1f} s CPU, peak RSS "
          f"{mem['peak_mb']:.0f} MB (imports alone {mem['import_mb']:.0f} MB), "
          f"{mem['lufs']:.2f} LUFS, {mem['dbtp']:.2f} dBTP")
    if args.write:
        write_section(row, mem, args.hours)


def write_section(row, mem: dict, hours: float) -> None:
    minutes, lines, ours, proc, pydub, loud = row

    def cell(t: tuple[float, float] | None) -> str:
        return f"{t[0]:.1f} s | {t[1]:.1f} s" if t else "n/a | n/a"

    speed = (f"**{pydub[0] / ours[0]:.0f}x** | **{pydub[1] / ours[1]:.0f}x**" if pydub
             else "n/a | n/a")
    text = f"""{BEGIN}
## Mix

`{COMMAND}` mixes the same synthetic timeline with our numpy mixer and with a straightforward
pydub mixer, in one run (see the docstring of `benchmarks/mix.py`).
Machine: {_machine()}. It is shared, so CPU time (user + system, this process and its ffmpeg
children) is the steadier figure.

| {minutes:g}-minute episode, {lines} lines, 2 beds, ducking, mastering | wall | CPU |
|---|---|---|
| pydub: `+=` concatenation, looped beds, per-segment gain ducking, overlay | {cell(pydub)} |
| numpy mixer, same bed files (10 s blocks, true-peak limiter, read back once) | {cell(ours)} |
| numpy mixer, procedural beds (rain + night generated, never looped) | {cell(proc)} |
| speed-up over pydub, same input | {speed} |

The numpy mix measured {loud.integrated_lufs:.2f} LUFS integrated and {loud.true_peak_dbtp:.2f}
dBTP (target -16 LUFS, ceiling -1 dBTP). pydub has no true-peak limiter; its mix is only gained
to the loudness target. pydub's time grows with the square of the length (every `+=` copies the
whole track so far).

| {hours:g}-hour episode, {mem['lines']} lines, procedural beds, in a subprocess | |
|---|---|
| wall / CPU time | {mem['seconds']:.0f} s / {mem['cpu']:.0f} s |
| peak RSS (VmHWM, whole process) | **{mem['peak_mb']:.0f} MB** (goal <= 600 MB) |
| of which the interpreter and imports (numpy, scipy, pyloudnorm, ...) | {mem['import_mb']:.0f} MB |
| integrated loudness / true peak | {mem['lufs']:.2f} LUFS / {mem['dbtp']:.2f} dBTP |
{END}"""
    current = BENCH_FILE.read_text(encoding="utf-8") if BENCH_FILE.exists() else "# Benchmarks\n"
    if BEGIN in current:
        current = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda m: text, current,
                         flags=re.S)
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    BENCH_FILE.write_text(current, encoding="utf-8")
    print(f"updated {BENCH_FILE}")


def _machine() -> str:
    import os
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


if __name__ == "__main__":
    main()
