"""Attribution benchmark: who speaks each quotation, scored on PDNC (``../shared/pdnc-dev``).

    python -m benchmarks.attribution                  # excerpts (the judged metric), all novels
    python -m benchmarks.attribution --half dev       # the development half only (or: check)
    python -m benchmarks.attribution --whole          # whole novels: more quotations, more signal
    python -m benchmarks.attribution --restore        # apostrophes put back (``don t`` -> don't)
    python -m benchmarks.attribution --errors 20      # per-rule breakdown and 20 wrong answers
    python -m benchmarks.attribution --cli            # run ``castwright parse --json`` itself
    python -m benchmarks.attribution --write          # update the Attribution part of BENCHMARKS.md

The metric is the one ``pdnc-dev/README.md`` defines. Excerpts of about 20,000 characters start
at the first chapter heading after 25%, 50% and 75% of each book (else at the next paragraph)
and end at the first paragraph break after 20,000 characters. Each is parsed exactly as
``castwright parse EXCERPT --format prose --json`` does (in process unless ``--cli``); cues are
laid back onto the excerpt's characters, and every gold quotation whose spans lie in the excerpt
gets the speaker of the cues covering most of its characters (the narrator when narration or
nothing covers them). *accuracy*: that speaker is the gold main name or an alias; *lenient*:
or a name whose words fit the aliases of exactly one character, the gold one; *coverage*: the
share of quotations made into dialogue; *words kept*: the share of the excerpt's words that
reach some cue. Speed: whole novels through ``parse_text``, CPU seconds per 100,000 characters.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "pdnc-dev"
BENCH_FILE = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- attribution:begin -->", "<!-- attribution:end -->"
EXCERPT_CHARS = 20_000
FRACTIONS = (0.25, 0.50, 0.75)
TYPES = ("Explicit", "Anaphoric", "Implicit")
# Development half (look at its errors) and check half (only its scores): mixed in author,
# period, first-person narration and apostrophes replaced by spaces.
DEV = ("AnneOfGreenGables", "DaisyMiller", "HardTimes", "NightAndDay", "PrideAndPrejudice",
       "Persuasion", "TheManWhoWasThursday")
CHECK = ("MansfieldPark", "NorthangerAbbey", "SenseAndSensibility", "TheAwakening",
         "ThePictureOfDorianGray", "TheSignOfTheFour", "TheSportOfTheGods")
_HEADING = re.compile(r"^(?:(?:chapter|book|part|volume|letter)\s+[\w.]+.*|[IVXLC]+\.?"
                      r"|\d{1,3}\.?)\s*$", re.IGNORECASE | re.MULTILINE)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_WORD = re.compile(r"[A-Za-z0-9]+")
# "don t", "Helen s": an apostrophe the corpus turned into a space (same length back).
_LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z]) (?=(?:s|t|re|ve|ll|d|m)\b)")


# --- the corpus ----------------------------------------------------------------------------------

@dataclass
class GoldQuote:
    spans: list[tuple[int, int]]
    speaker: str
    type: str
    text: str


@dataclass
class Character:
    name: str
    aliases: set[str]


@dataclass
class Novel:
    name: str
    text: str
    quotes: list[GoldQuote]
    characters: list[Character]

    def character(self, name: str) -> Character | None:
        """The character a gold speaker names: by main name, else by alias (a few gold
        speakers are written as an alias of their character)."""
        return next((c for c in self.characters if c.name == name), None) or next(
            (c for c in self.characters if name in c.aliases), None)


def load_novel(folder: Path) -> Novel:
    text = (folder / "novel_text.txt").read_text(encoding="utf-8")
    quotes = []
    with open(folder / "quotation_info.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            spans = [tuple(s) for s in ast.literal_eval(row["quoteByteSpans"])]
            quotes.append(GoldQuote(spans, row["speaker"], row["quoteType"], row["quoteText"]))
    characters = []
    with open(folder / "character_info.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            aliases = set(ast.literal_eval(row["Aliases"])) | {row["Main Name"]}
            characters.append(Character(row["Main Name"], aliases))
    return Novel(folder.name, text, quotes, characters)


def restore_apostrophes(text: str) -> str:
    return _LOST_APOSTROPHE.sub("'", text)


def excerpt_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each judged excerpt: from the first chapter heading within 20,000
    characters after 25/50/75% (else the next paragraph) to the paragraph break after 20,000."""
    bounds = []
    for fraction in FRACTIONS:
        point = int(len(text) * fraction)
        heading = _next_heading(text, point)
        if heading is not None and heading - point <= EXCERPT_CHARS:
            start = heading
        else:
            para = _PARAGRAPH.search(text, point)
            start = para.end() if para else point
        brk = _PARAGRAPH.search(text, start + EXCERPT_CHARS)
        bounds.append((start, brk.start() if brk else len(text)))
    return bounds


def _next_heading(text: str, point: int) -> int | None:
    for match in _HEADING.finditer(text, point):
        before = text[max(0, match.start() - 2):match.start()]
        if match.start() == 0 or before.endswith("\n\n") or before == "\n":
            return match.start()
    return None


# --- parsing and laying cues back onto the text --------------------------------------------------

@dataclass
class CueSpan:
    start: int
    end: int
    kind: str
    speaker: str | None
    rule: str | None = None
    confidence: float | None = None


def parse_cues(text: str, use_cli: bool = False) -> tuple[list[dict], float]:
    """The spoken cues of ``text`` as ``parse --json`` gives them, and the parse time."""
    with tempfile.TemporaryDirectory(prefix="cw-attr-") as tmp:
        path = Path(tmp) / "excerpt.txt"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        if use_cli:
            done = subprocess.run(["castwright", "parse", str(path), "--format", "prose",
                                   "--json"], capture_output=True, text=True, check=True)
            data = json.loads(done.stdout)
        else:
            from pipeline.parsing import parse_script
            data = parse_script(path, format="prose").to_dict()
        elapsed = time.perf_counter() - started
    cues = [c for s in data["sections"] for c in s["cues"]
            if c["kind"] in ("narration", "dialogue")]
    return cues, elapsed


def align(text: str, cues: list[dict]) -> tuple[list[CueSpan], int]:
    """Each cue's (start, end) in ``text``, found in order on the non-space characters;
    returns the spans and how many cues could not be placed."""
    offsets = [i for i, ch in enumerate(text) if not ch.isspace()]
    flat = "".join(text[i] for i in offsets)
    spans, missing, pointer = [], 0, 0
    for cue in cues:
        key = "".join(cue["text"].split())
        if not key:
            continue
        pos = flat.find(key, pointer)
        length = len(key)
        if pos < 0:
            pos = flat.find(key[:24], pointer)
        if pos < 0:
            missing += 1
            continue
        end = min(pos + length, len(offsets)) - 1
        spans.append(CueSpan(offsets[pos], offsets[end] + 1, cue["kind"], cue.get("speaker"),
                             cue.get("rule"), cue.get("confidence")))
        pointer = end + 1
    return spans, missing


# --- scoring -------------------------------------------------------------------------------------

def _norm(name: str) -> str:
    return " ".join(name.lower().replace(".", " ").split())


def _words(name: str) -> set[str]:
    return set(_norm(name).split())


@dataclass
class Judge:
    """Decides whether a predicted speaker is the gold one (strict and lenient)."""

    novel: Novel

    def strict(self, predicted: str | None, gold: str) -> bool:
        character = self.novel.character(gold)
        if not predicted or character is None:
            return False
        return _norm(predicted) in {_norm(a) for a in character.aliases}

    def lenient(self, predicted: str | None, gold: str) -> bool:
        if self.strict(predicted, gold):
            return True
        if not predicted:
            return False
        words = _words(predicted)
        fits = [c.name for c in self.novel.characters
                if any(words <= _words(alias) for alias in c.aliases)]
        character = self.novel.character(gold)
        return character is not None and fits == [character.name]


@dataclass
class Outcome:
    quote: GoldQuote
    predicted: str | None  # None: the narrator (or nothing) reads it
    dialogue: bool
    strict: bool
    lenient: bool
    rule: str | None
    confidence: float | None
    context: str = ""


@dataclass
class Score:
    outcomes: list[Outcome] = field(default_factory=list)
    words: int = 0
    words_kept: int = 0
    unplaced_cues: int = 0
    seconds: float = 0.0
    chars: int = 0

    def add(self, other: Score) -> None:
        self.outcomes += other.outcomes
        self.words += other.words
        self.words_kept += other.words_kept
        self.unplaced_cues += other.unplaced_cues
        self.seconds += other.seconds
        self.chars += other.chars

    def share(self, attr: str, kind: str | None = None) -> float:
        chosen = [o for o in self.outcomes if kind is None or o.quote.type == kind]
        return sum(getattr(o, attr) for o in chosen) / len(chosen) if chosen else float("nan")

    @property
    def kept(self) -> float:
        return self.words_kept / self.words if self.words else 1.0


def score_text(novel: Novel, start: int, end: int, text: str, use_cli: bool = False) -> Score:
    """Parse ``text`` (the novel's characters start..end, maybe with apostrophes restored) and
    score the gold quotations lying inside it."""
    cues, seconds = parse_cues(text, use_cli)
    spans, missing = align(text, cues)
    owner = [-1] * len(text)
    for index, span in enumerate(spans):
        for i in range(span.start, span.end):
            owner[i] = index
    score = Score(seconds=seconds, chars=len(text), unplaced_cues=missing)
    for word in _WORD.finditer(text):
        score.words += 1
        score.words_kept += owner[word.start()] >= 0
    judge = Judge(novel)
    for quote in novel.quotes:
        if quote.spans[0][0] < start or quote.spans[-1][1] > end:
            continue
        votes: Counter[int] = Counter()
        for a, b in quote.spans:
            for i in range(a - start, b - start):
                if not text[i].isspace():
                    votes[owner[i]] += 1
        best = votes.most_common(1)[0][0] if votes else -1
        span = spans[best] if best >= 0 else None
        dialogue = span is not None and span.kind == "dialogue"
        predicted = span.speaker if dialogue and span else None
        a, b = quote.spans[0][0] - start, quote.spans[-1][1] - start
        score.outcomes.append(Outcome(
            quote, predicted, dialogue, judge.strict(predicted, quote.speaker),
            judge.lenient(predicted, quote.speaker), span.rule if span else None,
            span.confidence if span else None,
            text[max(0, a - 150):b + 150].replace("\n", " ")))
    return score


def score_novel(novel: Novel, whole: bool, restore: bool, use_cli: bool) -> Score:
    text = restore_apostrophes(novel.text) if restore else novel.text
    bounds = [(0, len(text))] if whole else excerpt_bounds(text)
    total = Score()
    for start, end in bounds:
        total.add(score_text(novel, start, end, text[start:end], use_cli))
    return total


def parse_speed(novel: Novel) -> float:
    """CPU seconds per 100,000 characters to parse the whole novel (best of two). CPU time,
    not wall time: other work on the shared cores would otherwise count as ours."""
    from pipeline.parsing import parse_text
    best = float("inf")
    for _ in range(2):
        started = time.process_time()
        parse_text(novel.text, f"{novel.name}.txt", "prose")
        best = min(best, time.process_time() - started)
    return best / len(novel.text) * 100_000


# --- reporting -----------------------------------------------------------------------------------

def _pct(value: float) -> str:
    return "-" if value != value else f"{100 * value:.1f}"


HEADER = ("| novel | quotes | accuracy | lenient | coverage | explicit | anaphoric | implicit "
          "| words kept | CPU s/100k chars |\n|---|---|---|---|---|---|---|---|---|---|")


def row(name: str, score: Score, speed: float | None) -> str:
    types = " | ".join(_pct(score.share("lenient", t)) for t in TYPES)
    return (f"| {name} | {len(score.outcomes)} | {_pct(score.share('strict'))} "
            f"| {_pct(score.share('lenient'))} | {_pct(score.share('dialogue'))} | {types} "
            f"| {100 * score.kept:.2f} | {'-' if speed is None else f'{speed:.2f}'} |")


def rule_breakdown(score: Score) -> str:
    by_rule: dict[str, list[Outcome]] = {}
    for outcome in score.outcomes:
        key = outcome.rule or ("narrator" if not outcome.dialogue else "(none)")
        by_rule.setdefault(key, []).append(outcome)
    lines = ["| rule | quotes | share | lenient |", "|---|---|---|---|"]
    total = len(score.outcomes) or 1
    for rule, outs in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
        good = sum(o.lenient for o in outs)
        lines.append(f"| {rule} | {len(outs)} | {100 * len(outs) / total:.1f} "
                     f"| {100 * good / len(outs):.1f} |")
    return "\n".join(lines)


def error_samples(score: Score, count: int, kind: str | None) -> str:
    wrong = [o for o in score.outcomes if not o.lenient and (kind is None or o.quote.type == kind)]
    step = max(1, len(wrong) // max(1, count))
    lines = []
    for o in wrong[::step][:count]:
        lines.append(f"- [{o.quote.type}] gold={o.quote.speaker!r} got={o.predicted!r} "
                     f"rule={o.rule} conf={o.confidence}\n    {o.context}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the pdnc-dev folder")
    ap.add_argument("--half", choices=("dev", "check", "all"), default="all")
    ap.add_argument("--novel", action="append", help="only this novel (repeatable)")
    ap.add_argument("--whole", action="store_true", help="score whole novels, not excerpts")
    ap.add_argument("--restore", action="store_true", help="put lost apostrophes back")
    ap.add_argument("--cli", action="store_true", help="run the castwright command itself")
    ap.add_argument("--speed", action="store_true", help="also time whole-novel parses")
    ap.add_argument("--errors", type=int, default=0, help="show this many wrong answers")
    ap.add_argument("--type", choices=TYPES, help="errors of this quotation type only")
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md (implies --speed)")
    ap.add_argument("--dump", type=Path, help="write every outcome to this JSON file")
    ap.add_argument("--diff", type=Path, help="show quotes whose outcome changed since a dump")
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"error: {args.data}: no PDNC folder (expected ../shared/pdnc-dev)")
    names = args.novel or {"dev": DEV, "check": CHECK, "all": DEV + CHECK}[args.half]
    speed = args.speed or args.write
    lines = [HEADER]
    halves: dict[str, Score] = {"dev": Score(), "check": Score()}
    total = Score()
    speeds = []
    for name in names:
        novel = load_novel(args.data / name)
        score = score_novel(novel, args.whole, args.restore, args.cli)
        seconds = parse_speed(novel) if speed else None
        if seconds is not None:
            speeds.append(seconds)
        lines.append(row(name, score, seconds))
        total.add(score)
        halves["dev" if name in DEV else "check"].add(score)
        print(lines[-1], flush=True)
    for half, score in halves.items():
        if score.outcomes and len(names) > 1:
            lines.append(row(f"**{half} half**", score, None))
    mean_speed = sum(speeds) / len(speeds) if speeds else None
    lines.append(row("**all**", total, mean_speed))
    table = "\n".join(lines)
    load = os.getloadavg()[0]
    mode = ("whole novels" if args.whole else "excerpts") + (
        ", apostrophes restored" if args.restore else "")
    print(f"\n{mode}; load average {load:.1f} on {os.cpu_count()} cores\n")
    print(table)
    print("\n" + rule_breakdown(total))
    if args.errors:
        print("\n" + error_samples(total, args.errors, args.type))
    if args.dump:
        args.dump.write_text(json.dumps(_outcome_table(total)), encoding="utf-8")
    if args.diff:
        print("\n" + _diff(json.loads(args.diff.read_text(encoding="utf-8")), total))
    if args.write:
        _write(table, rule_breakdown(total), mode, load, sys.argv[1:])


def _outcome_table(score: Score) -> dict[str, list]:
    return {f"{o.quote.spans[0][0]}:{o.quote.speaker}": [o.predicted, o.lenient, o.rule]
            for o in score.outcomes}


def _diff(before: dict[str, list], score: Score) -> str:
    """Quotes that turned right or wrong since the dump ``before``."""
    lines = []
    for o in score.outcomes:
        old = before.get(f"{o.quote.spans[0][0]}:{o.quote.speaker}")
        if old is None or old[1] == o.lenient:
            continue
        mark = "+" if o.lenient else "-"
        lines.append(f"{mark} [{o.quote.type}] gold={o.quote.speaker!r} was={old[0]!r} ({old[2]}) "
                     f"now={o.predicted!r} ({o.rule})\n    {o.context}")
    gained = sum(line.startswith("+") for line in lines)
    return "\n".join(lines) + f"\n{gained} gained, {len(lines) - gained} lost"


def _write(table: str, rules: str, mode: str, load: float, argv: list[str]) -> None:
    command = " ".join(["python -m benchmarks.attribution", *argv])
    body = (f"{BEGIN}\n### {mode}\n\n`{command}` (load average {load:.1f} on "
            f"{os.cpu_count()} cores while measuring)\n\n{table}\n\nBy rule (all novels):\n\n"
            f"{rules}\n{END}")
    current = BENCH_FILE.read_text(encoding="utf-8") if BENCH_FILE.exists() else "# Benchmarks\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        current = head + body + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n## Attribution\n\n" + body + "\n"
    BENCH_FILE.write_text(current, encoding="utf-8")
    print(f"updated {BENCH_FILE}")


if __name__ == "__main__":
    main()
