"""Story structure on the PDNC development novels: sections found, words kept, cost.

    python -m benchmarks.structure [--write]     # --write updates BENCHMARKS.md

Per novel (``../shared/pdnc-dev/*/novel_text.txt``, parsed with ``--format prose``): chapter and
part sections found, point-of-view sections opened (none of these novels has any: every one would
be bogus, e.g. a hard-wrapped ``Mr. Chitling:`` line), words of the text that reach no cue (header
metadata such as ``Title: Hard Times`` aside), the format ``detect`` chooses for the whole file,
and the time of the structural passes (format detection, reading paragraphs and headings) against
the whole prose parse, in seconds per 100,000 characters, measured in this one process.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PDNC = REPO.parent / "shared" / "pdnc-dev"
BENCH_FILE = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- structure:begin -->", "<!-- structure:end -->"
COMMAND = "python -m benchmarks.structure --write"
PER = 100_000


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in re.findall(r"\w+", text))


def measure(path: Path) -> dict:
    from pipeline.model import SectionKind
    from pipeline.parsing import parse_text
    from pipeline.parsing.detect import detect
    from pipeline.parsing.paragraphs import read_items

    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    detected = detect(text, path)
    detect_s = time.perf_counter() - start
    start = time.perf_counter()
    read_items(text.split("\n"), str(path), [])
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    script = parse_text(text, path, format="prose")
    parse_s = time.perf_counter() - start
    kinds = Counter(s.kind for s in script.sections)
    read = words(" ".join(c.text for c in script.lines()))
    metadata = words(" ".join(f"{k} {v}" for k, v in script.metadata.items()))
    lost = words(text) - read - metadata
    scale = PER / len(text)
    return {"novel": path.parent.name, "chars": len(text), "detected": detected.format,
            "chapters": kinds[SectionKind.CHAPTER], "parts": kinds[SectionKind.PART],
            "pov": kinds[SectionKind.POV], "lost": sum(lost.values()),
            "detect": detect_s * scale, "read": read_s * scale, "parse": parse_s * scale}


def table(rows: list[dict]) -> str:
    lines = [f"Command: `{COMMAND}` (2 cores, shared). Times in seconds per 100,000 characters, "
             "one process.", "",
             "| novel | characters | detected | chapters | parts | POV sections | words lost "
             "| detect | read paragraphs | whole prose parse |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['novel']} | {r['chars']:,} | {r['detected']} | {r['chapters']} | "
                     f"{r['parts']} | {r['pov']} | {r['lost']} | {r['detect']:.3f} | "
                     f"{r['read']:.3f} | {r['parse']:.3f} |")
    total = sum(r["chars"] for r in rows)

    def mean(key: str) -> float:
        return sum(r[key] * r["chars"] for r in rows) / total

    lines.append(f"| **all** | {total:,} | {sum(r['detected'] == 'prose' for r in rows)} prose | "
                 f"{sum(r['chapters'] for r in rows)} | {sum(r['parts'] for r in rows)} | "
                 f"{sum(r['pov'] for r in rows)} | {sum(r['lost'] for r in rows)} | "
                 f"{mean('detect'):.3f} | {mean('read'):.3f} | {mean('parse'):.3f} |")
    return "\n".join(lines)


def write_section(text: str) -> None:
    from pipeline.atomic import write_text

    current = BENCH_FILE.read_text(encoding="utf-8") if BENCH_FILE.exists() else "# Benchmarks\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        new = f"{head}{BEGIN}\n{text.strip()}\n{END}{rest.split(END, 1)[1]}"
    else:
        new = (current.rstrip("\n") + "\n\n## Story structure (PDNC novels)\n\n"
               f"{BEGIN}\n{text.strip()}\n{END}\n")
    write_text(BENCH_FILE, new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv)
    novels = sorted(PDNC.glob("*/novel_text.txt"))
    if not novels:
        print(f"no novels under {PDNC}", file=sys.stderr)
        return 2
    text = table([measure(path) for path in novels])
    print(text)
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
