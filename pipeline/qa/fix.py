"""``castwright qa --fix``: regenerate flagged lines as new takes and keep the best one.

Each round regenerates every still-flagged line (one new take each, the renderer picks the
number), transcribes the new takes in one batch and measures them against the same rate
norms as before. After at most ``tries`` rounds each line keeps its least-bad take (fewest
flags, then lowest WER), pinned in ``choices.json``; the episode is re-mixed once and
measured again so the report shows before and after.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.qa import metrics as M
from pipeline.qa.episode import (
    QaReport,
    QaSettings,
    TakeLoader,
    cache_loader,
    measure_lines,
    run_qa,
    with_vocabulary,
)
from pipeline.render.manifest import load_manifest


@dataclass
class Attempt:
    take: int
    wer: float
    flags: list[str]

    @classmethod
    def of(cls, m: M.LineMetrics) -> Attempt:
        return cls(m.take, m.wer, list(m.flags))


@dataclass
class FixRecord:
    line_id: str
    before: Attempt
    tries: list[Attempt] = field(default_factory=list)
    kept: Attempt | None = None


def fix_episode(episode_dir: Path, report: QaReport, settings: QaSettings, tries: int = 3,
                load_take: TakeLoader | None = None) -> QaReport:
    """Fix the flagged lines of ``report``; return the report of the re-mixed episode."""
    from pipeline.render.regen import regen_line, remix  # heavy: engines, mixer

    started = time.perf_counter()
    settings = with_vocabulary(settings, load_manifest(episode_dir))
    t = settings.thresholds
    load_take = load_take or cache_loader(episode_dir)
    norms = {m.voice: m.rate_norm for m in report.lines if m.rate_norm is not None}
    manifest_lines = {m.line_id: m for m in report.lines}
    best = {m.line_id: m for m in report.flagged}
    last_take = {lid: m.take for lid, m in best.items()}
    records = {lid: FixRecord(lid, Attempt.of(m)) for lid, m in best.items()}
    known = {m.cache_key: m for m in report.lines}

    for _ in range(max(0, tries)):
        pending = [lid for lid, m in best.items() if m.flags]
        if not pending:
            break
        lines: list[dict] = []
        for lid in pending:
            new = regen_line(episode_dir, lid, remix=False)
            last_take[lid] = int(new.take)
            old = manifest_lines[lid]
            lines.append({"line_id": lid, "speaker": old.speaker, "voice": old.voice,
                          "text": old.text, "take": int(new.take), "cache_key": new.cache_key})
        clips = [load_take(line["cache_key"]) for line in lines]
        for m in measure_lines(lines, clips, settings):
            M.apply_rate_norm(m, norms, t)
            known[m.cache_key] = m
            records[m.line_id].tries.append(Attempt.of(m))
            if m.badness() < best[m.line_id].badness():
                best[m.line_id] = m

    changed = False
    for lid, m in best.items():
        records[lid].kept = Attempt.of(m)
        if last_take[lid] != m.take:  # the last regen pinned its own take: pin the best
            regen_line(episode_dir, lid, take=m.take, remix=False)
        changed = changed or records[lid].tries != []
    if changed:
        remix(episode_dir)

    after = run_qa(episode_dir, settings, load_take=load_take, known=known)
    after.before = report.summary()
    after.fixes = [asdict(r) for r in records.values()]
    after.elapsed = report.elapsed + time.perf_counter() - started  # regen and re-mix too
    return after
