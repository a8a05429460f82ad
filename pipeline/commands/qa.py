"""``castwright qa``: listen to a rendered episode and flag lines that came out wrong."""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import console, user_errors
from pipeline.errors import CastwrightError


def load_thresholds(path: Path | None):
    """Thresholds from a TOML file: ``QaThresholds`` field names at top level, plus an
    optional ``[rate_norms]`` table (voice name -> words per minute)."""
    from pipeline.qa.metrics import QaThresholds

    if path is None:
        return QaThresholds()
    try:
        return QaThresholds.from_dict(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError) as err:
        raise CastwrightError(f"bad QA thresholds: {err}", path) from None


@user_errors
def qa(
    episode: Annotated[str, typer.Argument(help="Episode folder or slug.")],
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
    voices: Annotated[bool | None, typer.Option("--voices/--no-voices", help="Speaker "
                                                "similarity checks (default: if installed)."
                                                )] = None,
    mixed: Annotated[bool, typer.Option("--mixed/--no-mixed", help="Also transcribe the "
                                        "mixed episode (WER with beds).")] = True,
    all_lines: Annotated[bool, typer.Option("--all", help="List every line, not only "
                                            "flagged ones.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if anything is still "
                                         "flagged.")] = False,
) -> None:
    """Transcribe every line back, compare with the script, measure the audio; write
    qa.json and qa.html beside the episode."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # QA never downloads
    from pipeline.qa.episode import QaSettings, run_qa
    from pipeline.qa.report import print_report, write_html, write_json
    from pipeline.qa.transcribe import TranscribeSettings
    from pipeline.render.manifest import resolve_episode

    episode_dir = resolve_episode(episode, out)
    limits = load_thresholds(thresholds)
    if max_wer is not None:
        limits = replace(limits, max_wer=max_wer)
    settings = QaSettings(thresholds=limits, mixed=mixed, voices=voices,
                          transcribe=TranscribeSettings(model=model) if model
                          else TranscribeSettings())
    with console.status("transcribing…"):
        report = run_qa(episode_dir, settings)
    if fix and report.flagged:
        from pipeline.qa.fix import fix_episode

        console.print(f"fixing {len(report.flagged)} flagged line(s), up to {tries} "
                      f"new take(s) each:")
        for m in report.flagged:
            console.print(f"  {m.line_id} take {m.take}: {'; '.join(m.flags)}",
                          highlight=False, markup=False)
        with console.status("regenerating…"):
            report = fix_episode(episode_dir, report, settings, tries)
    print_report(report, console, all_lines=all_lines)
    json_path, html_path = write_json(report, episode_dir), write_html(report, episode_dir)
    console.print(f"wrote {json_path} and {html_path}", highlight=False, soft_wrap=True)
    if strict and (report.flagged or report.episode.flags):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("qa")(qa)
