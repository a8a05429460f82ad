"""Bounded work on hostile input, and what the safety machinery costs.

    python -m benchmarks.reliability

1. Parse time of pathological scripts at n and 8n characters (CPU time, ratio to n: ~8 means
   linear, ~64 quadratic). The issue's case: ``'Mr. ' * 25000`` took 39 s.
2. A folder lock taken and released (no contention), and an episode export's commit: journal,
   renames and the checksums of every file (the 62 MB WAV of the example episode included).
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pipeline.atomic import write_bytes
from pipeline.errors import ScriptError
from pipeline.locks import folder_lock
from pipeline.parsing import parse_text
from pipeline.transaction import FolderTransaction

CASES = {
    "'Mr. ' * n": "Mr. ",
    "'\"a\" ' * n (quotes)": '"a" ',
    "'(' * n (open parentheses)": "(",
    "'MARA: ' * n (one long line)": "MARA: ",
    "'[b]x[/b] ' * n": "[b]x[/b] ",
    "'A. ' * n (initials)": "A. ",
}


def cpu(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def _parse(text: str) -> None:
    with contextlib.suppress(ScriptError):  # "nothing to read" is an answer too
        parse_text(text, "bench.txt")


def parse_scaling(chars: int = 25_000) -> None:
    print(f"| input | {chars // 1000}k chars | {8 * chars // 1000}k chars | ratio (8 = linear) |")
    print("|---|---|---|---|")
    for name, unit in CASES.items():
        times = []
        for size in (chars, 8 * chars):
            text = "Title: T\n\n" + unit * (size // len(unit))
            times.append(cpu(lambda t=text: _parse(t)))
        print(f"| {name} | {times[0]:.3f} s | {times[1]:.3f} s | {times[1] / times[0]:.1f} |")


def safety_costs(wav_mb: int = 62) -> None:
    work = Path(tempfile.mkdtemp(prefix="cw-bench-reliability-"))
    try:
        folder = work / "episode"
        folder.mkdir()
        start = time.perf_counter()
        for _ in range(200):
            with folder_lock(folder):
                pass
        lock_s = (time.perf_counter() - start) / 200
        payload = bytes(range(256)) * (wav_mb << 12)

        def commit() -> None:
            with FolderTransaction(folder) as txn:
                txn.write_bytes("episode.wav", payload)
                for name in ("episode.mp3", "transcript.vtt", "transcript.srt", "episode.png"):
                    txn.write_bytes(name, payload[:1 << 20])
                txn.checksums()
                txn.write_text("manifest.json", "{}")
                txn.commit()

        def plain() -> None:  # before: each file atomic on its own (temp, fsync, rename)
            for name in ("episode.wav", "episode.mp3", "transcript.vtt", "transcript.srt",
                         "episode.png", "manifest.json"):
                write_bytes(folder / name, payload if name == "episode.wav"
                            else payload[:1 << 20])

        txn_s, plain_s = [], []
        for _ in range(5):  # interleaved, so both see the same load
            for fn, times in ((commit, txn_s), (plain, plain_s)):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
        txn_s, plain_s = statistics.median(txn_s), statistics.median(plain_s)
        print(f"\nfolder lock, uncontended: {lock_s * 1e3:.2f} ms")
        print(f"export of a {wav_mb} MB WAV + 5 files as one transaction: {txn_s:.3f} s; "
              f"as separate atomic writes (before): {plain_s:.3f} s; ratio "
              f"{txn_s / plain_s:.2f} (median of 5: the journal and the checksums)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parse_scaling()
    safety_costs()
