"""Memory of one synthesis worker reading a novel's longest lines (issue #13).

    python -m benchmarks.book_memory [--book ../shared/pdnc-dev/PrideAndPrejudice/novel_text.txt]
                                     [--chapter 10] [--lines 6] [--voices joe,maren,clara]

Each configuration runs in a fresh process, as a render's worker does: one engine thread, the
chapter's longest lines read in every voice, resident memory sampled every 10 ms. "before"
restores what a worker did before the fix (ONNX Runtime's arena and memory pattern on, sentences
up to 300 characters in one call, no heap trim between takes); "after" is the shipped code.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOVEL = REPO.parent / "shared" / "pdnc-dev" / "PrideAndPrejudice" / "novel_text.txt"


def worker(book: Path, chapter: int, count: int, voices: list[str], before: bool) -> dict:
    os.environ["CASTWRIGHT_ENGINE_THREADS"] = "1"
    import psutil

    from pipeline import engines
    from pipeline.books.book import chapter_script, load_book
    from pipeline.catalog import load_catalog
    from pipeline.engines import piper_engine, piper_model
    from pipeline.memory import release_free_memory

    if before:
        plain = piper_model._session_options

        def with_arena():
            opts = plain()
            opts.enable_cpu_mem_arena = opts.enable_mem_pattern = True
            return opts

        piper_model._session_options = with_arena
        piper_engine.MAX_SENTENCE_CHARS = 10_000
    proc = psutil.Process()
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.01)

    catalog = load_catalog(REPO / "voices")
    lines = sorted((c.text for c in chapter_script(load_book(book), chapter).lines()), key=len)
    longest = lines[-count:]
    threading.Thread(target=sample, daemon=True).start()
    started = time.perf_counter()
    audio = 0.0
    for name in voices:
        for text in longest:
            take = engines.synthesize(catalog[name], text)
            audio += take.duration
            del take
            if not before:
                release_free_memory()
    seconds = time.perf_counter() - started
    done.set()
    return {"peak_rss_mb": round(peak[0] / 2**20), "end_rss_mb": round(proc.memory_info().rss
            / 2**20), "seconds": round(seconds, 1), "audio_s": round(audio, 1),
            "chars": [len(t) for t in longest]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--book", type=Path, default=NOVEL)
    parser.add_argument("--chapter", type=int, default=10)
    parser.add_argument("--lines", type=int, default=6)
    parser.add_argument("--voices", default="joe,maren,clara")
    parser.add_argument("--config", choices=("before", "after"))
    args = parser.parse_args()
    voices = args.voices.split(",")
    if args.config:  # one configuration, in this fresh process
        print(json.dumps(worker(args.book, args.chapter, args.lines, voices,
                                args.config == "before")))
        return
    results = {}
    for config in ("before", "after"):
        out = subprocess.run([sys.executable, "-m", "benchmarks.book_memory", "--config", config,
                              "--book", str(args.book), "--chapter", str(args.chapter),
                              "--lines", str(args.lines), "--voices", args.voices],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout
        results[config] = json.loads(out.strip().splitlines()[-1])
    results["peak_ratio"] = round(results["after"]["peak_rss_mb"]
                                  / results["before"]["peak_rss_mb"], 2)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
