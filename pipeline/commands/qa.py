"""``castwright qa``: listen to a rendered episode and flag lines that came out wrong."""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import (
    Column,
    aside,
    console,
    note,
    print_json,
    print_rows,
    user_errors,
)
from pipeline.errors import CastwrightError


def load_thresholds(path: Path | None):
    """Thresholds from a TOML file: ``QaThresholds`` field names at top level, plus an
    optional ``[rate_norms]`` table (voice name -> words per minute)."""
    from pipeline.qa.metrics import QaThresholds
    from pipeline.tomlfile import KeyLines, read_toml

    if path is None:
        return QaThresholds()
    data, text = read_toml(path, CastwrightError, "QA thresholds file")
    try:
        return QaThresholds.from_dict(data)
    except (ValueError, TypeError) as err:
        key = str(err).split("'")[1] if str(err).startswith("'") else None
        raise CastwrightError(f"bad QA thresholds: {err}", path,
                              KeyLines(text).line(key) if key else None) from None


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}" if x >= 0.095 or x == 0 else f"{x:.1%}"


def _flags_and_heard(m) -> str:
    flags = "; ".join(m.flags) if m.flags else "ok"
    return flags + (f"\nheard: {m.heard}" if m.wer > 0 else "")


QA_COLUMNS = [
    Column("line_id", "line"), Column("speaker", show=lambda s: s or "narrator"),
    Column("take", justify="right"), Column("wer", "WER", show=_pct, justify="right"),
    Column("wer_mixed", "mixed", show=_pct, justify="right"),
    Column("wpm", "wpm", justify="right", show=lambda w: f"{w:.0f}"),
    Column("rate_deviation", "Δrate", justify="right",
           show=lambda d: "" if d is None else f"{d:+.0%}"),
]
# A table shows what was heard under the flags; TSV keeps them apart.
TABLE_TAIL = [Column("flags_and_heard", "flags / heard", wrap=True)]
TSV_TAIL = [Column("flags_text", "flags"), Column("heard")]


def print_report(report, all_lines: bool = False) -> None:
    """The lines (flagged ones, or all) as a table or TSV rows, and the episode summary."""
    from pipeline.qa.report import episode_lines

    shown = report.lines if all_lines else report.flagged
    aside(("QA", "bold"), f" {report.title} ({report.slug}) — model {report.model}")
    rows = [{**asdict(m), "flags_text": "; ".join(m.flags),
             "flags_and_heard": _flags_and_heard(m)} for m in shown]
    if rows:
        print_rows(rows, QA_COLUMNS + (TABLE_TAIL if console.is_terminal else TSV_TAIL),
                   row_styles=["red" if r["flags"] else None for r in rows])
    n, flagged = len(report.lines), len(report.flagged)
    aside((f"{n - flagged}/{n} lines pass" + (f", {flagged} flagged" if flagged else ""),
           "yellow" if flagged else "green"))
    for line in episode_lines(report):
        aside(line)
    for flag in report.episode.flags:
        aside(("episode:", "yellow"), f" {flag}")
    if report.voices:
        for a, b, s in report.voices["similarity"][:3]:
            aside(f"voices: {a} ~ {b} similarity {s:.2f}")
        for flag in report.voices["flags"]:
            aside(("voices:", "yellow"), f" {flag}")
    for word in report.pronounce:  # names the transcription keeps mishearing
        again = " (it has a lexicon entry: try another)" if word["has_entry"] else ""
        aside(("misheard:", "yellow"), f" {word['word']} in {word['misheard']} of "
              f"{word['lines']} lines{again}; a lexicon entry to try:")
        aside(f"  {word['entry']}")
    if report.before is not None:
        _print_fixes(report)


def _print_fixes(report) -> None:
    b, flagged = report.before, len(report.flagged)
    aside(("--fix", "bold"), f": flagged lines {b['flagged_lines']} → {flagged}, "
          f"WER takes {_pct(b['wer_takes'])} → {_pct(report.episode.wer_takes)}, "
          f"as mixed {_pct(b['wer_mixed'])} → {_pct(report.episode.wer_mixed)}")
    for fix in report.fixes:
        tries = ", ".join(f"take {a['take']} wer {_pct(a['wer'])}" for a in fix["tries"])
        kept = fix["kept"]
        aside(f"  {fix['line_id']}: take {fix['before']['take']} "
              f"wer {_pct(fix['before']['wer'])} → tried {tries or 'nothing'}; "
              f"kept take {kept['take']}" + (" (still flagged)" if kept["flags"] else ""))


@user_errors
def qa(
    episode: Annotated[str, typer.Argument(metavar="EPISODE", help="Episode folder or slug.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("output"),
    fix: Annotated[bool, typer.Option("--fix", help="Regenerate flagged lines, keep the "
                                      "best take of each, re-mix.")] = False,
    tries: Annotated[int, typer.Option("--tries", min=1, help="New takes per flagged line "
                                       "with --fix.")] = 3,
    model: Annotated[str | None, typer.Option("--model", help="Whisper model folder or "
                                              "name (default: bundled tiny.en).")] = None,
    thresholds: Annotated[Path | None, typer.Option("--thresholds", help="TOML file of "
                                                    "QA thresholds.")] = None,
    max_wer: Annotated[float | None, typer.Option("--max-wer", help="Flag lines above this "
                                                  "word error rate.")] = None,
    voice_check: Annotated[bool | None, typer.Option(
        "--voice-check/--no-voice-check",
        help="Speaker similarity checks (default: if installed).")] = None,
    voices_alias: Annotated[bool | None, typer.Option("--voices/--no-voices", hidden=True)
                            ] = None,
    mixed: Annotated[bool, typer.Option("--mixed/--no-mixed", help="Also transcribe the "
                                        "mixed episode (WER with beds).")] = True,
    all_lines: Annotated[bool, typer.Option("--all", help="List every line, not only "
                                            "flagged ones.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if anything is still "
                                         "flagged.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report (qa.json) "
                                          "instead.")] = False,
) -> None:
    """Transcribe every line back, compare with the script, measure the audio; write
    qa.json and qa.html beside the episode.

    In a pipe: one tab-separated row per line shown (line, speaker, take, WER, WER mixed,
    words per minute, rate deviation, flags, heard)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # QA never downloads
    from pipeline.qa.episode import QaSettings, run_qa
    from pipeline.qa.report import write_html, write_json
    from pipeline.qa.transcribe import TranscribeSettings
    from pipeline.render.manifest import resolve_episode

    episode_dir = resolve_episode(episode, out)
    limits = load_thresholds(thresholds)
    if max_wer is not None:
        limits = replace(limits, max_wer=max_wer)
    settings = QaSettings(thresholds=limits, mixed=mixed,
                          voices=voice_check if voice_check is not None else voices_alias,
                          transcribe=TranscribeSettings(model=model) if model
                          else TranscribeSettings())
    report = run_qa(episode_dir, settings)
    if fix and report.flagged:
        from pipeline.qa.fix import fix_episode

        note(f"fixing {len(report.flagged)} flagged line(s), up to {tries} new take(s) each:")
        for m in report.flagged:
            note(f"  {m.line_id} take {m.take}: {'; '.join(m.flags)}")
        report = fix_episode(episode_dir, report, settings, tries)
    json_path, html_path = write_json(report, episode_dir), write_html(report, episode_dir)
    if as_json:
        print_json(report.to_dict())
    else:
        print_report(report, all_lines=all_lines)
        aside(f"wrote {json_path} and {html_path}")
    if strict and (report.flagged or report.episode.flags):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("qa")(qa)
