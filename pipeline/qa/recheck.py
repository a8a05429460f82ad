"""QA again after a change: one line in about a second, or the episode without hearing unchanged
takes again; ``qa.json`` and ``qa.html`` updated in place.

The last report (``qa.json``) says how QA judged (its thresholds and Whisper model) and holds
every line's measurements. Checking one line hears its current take (and the mix where it now
sits), measures it against its voice's rate norm and updates the episode's word error rates;
the episode's loudness, peak and silences are measured again on the mix as it now is (a
retake's re-mix moves them).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import soundfile as sf

from pipeline.errors import CastwrightError
from pipeline.qa import metrics as M
from pipeline.qa.episode import (
    Audio,
    QaReport,
    QaSettings,
    cache_loader,
    episode_audio,
    hear,
    loudness_target,
    run_qa,
    with_vocabulary,
)
from pipeline.qa.report import JSON_FILE, write_html, write_json
from pipeline.qa.transcribe import TranscribeSettings
from pipeline.render.manifest import load_manifest, manifest_line


def load_report(episode_dir: Path) -> QaReport | None:
    """The episode's last QA report, or None when QA never ran (or its file is unreadable)."""
    try:
        data = json.loads((episode_dir / JSON_FILE).read_text(encoding="utf-8"))
        return QaReport(
            slug=data["slug"], title=data["title"], episode_dir=str(episode_dir),
            model=data["model"], thresholds=M.QaThresholds(**data["thresholds"]),
            lines=[M.LineMetrics(**m) for m in data["lines"]],
            episode=M.EpisodeMetrics(**data["episode"]), voices=data.get("voices"),
            fixes=data.get("fixes") or [], before=data.get("before"),
            pronounce=data.get("pronounce") or [], elapsed=float(data.get("elapsed") or 0.0),
            timings=data.get("timings") or {})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def settings_of(report: QaReport | None) -> QaSettings:
    """Judge as the last report did: its thresholds, its model, the mix heard if it was."""
    if report is None:
        return QaSettings()
    mixed = any(m.heard_mixed is not None for m in report.lines)
    return QaSettings(thresholds=report.thresholds, mixed=mixed,
                      transcribe=TranscribeSettings(model=report.model),
                      voices=report.voices is not None)


def check_episode(episode_dir: Path) -> QaReport:
    """``castwright qa`` with the last report's settings; takes it heard are not heard again."""
    old = load_report(episode_dir)
    known = {m.cache_key: m for m in old.lines} if old else None
    report = run_qa(episode_dir, settings_of(old), known=known)
    _write(report, episode_dir)
    return report


def check_line(episode_dir: Path, line_id: str) -> QaReport:
    """QA of one line's current take; the rest of the report is kept (the whole episode is
    checked when QA never ran)."""
    old = load_report(episode_dir)
    if old is None:
        return check_episode(episode_dir)
    manifest = load_manifest(episode_dir)
    line = manifest_line(manifest, line_id)
    settings = with_vocabulary(settings_of(old), manifest)
    t = settings.thresholds
    take = cache_loader(episode_dir)(line["cache_key"])
    mix = mix_clip(episode_dir, manifest, line) if settings.mixed else None
    # The take and the mix there are heard in one Whisper window (as QA packs lines): one
    # encoder pass, not two; doubtful hearings get their second hearing alone, as in QA.
    clips = [take] + ([mix] if mix is not None else [])
    heard = hear([line["text"]] * len(clips), clips, settings)
    fresh = M.measure_line(line, *take, heard[0][0], t)
    if mix is not None:
        fresh.heard_mixed, fresh.wer_mixed, fresh.errors_mixed = heard[1][0], heard[1][1].wer, \
            heard[1][1].errors
    order = [x["line_id"] for x in manifest["lines"]]
    results = sorted([m for m in old.lines if m.line_id != line_id] + [fresh],
                     key=lambda m: order.index(m.line_id) if m.line_id in order else len(order))
    M.apply_rate_norm(fresh, M.rate_norms(results, t), t)
    report = replace(old, lines=results, episode=episode_now(episode_dir, manifest, results, t))
    _write(report, episode_dir)
    return report


def episode_now(episode_dir: Path, manifest: dict, results: list[M.LineMetrics],
                t: M.QaThresholds) -> M.EpisodeMetrics:
    """The episode's figures for the mix as it is now. Loudness and true peak are the ones the
    last re-mix measured on this very master (the manifest's; measuring them again costs
    seconds for a long episode); silences and duration are read from the mixed file."""
    mix = episode_audio(episode_dir, manifest)
    loud = manifest.get("loudness") or {}
    lufs, peak = loud.get("integrated_lufs"), loud.get("true_peak_dbtp")
    duration = len(mix[0]) / mix[1] if mix else float(manifest.get("duration") or 0.0)
    silence = None
    if mix is not None:
        audio, sr = mix
        silence = M.longest_run(M.silent_frames(audio, sr, t.silence_db)) * M.FRAME_S
        if lufs is None or peak is None:  # an older manifest: measure them
            lufs, peak = M.integrated_loudness(audio, sr), M.true_peak(audio, sr)
    episode = M.EpisodeMetrics(
        duration=duration, wer_takes=M.overall_wer(results) or 0.0,
        wer_mixed=M.overall_wer(results, mixed=True),
        loudness=float(lufs) if lufs is not None else None,
        true_peak=float(peak) if peak is not None else None, longest_silence=silence,
        loudness_target=loudness_target(manifest, t))
    episode.flags = M.episode_flags(episode, t)
    return episode


def mix_clip(episode_dir: Path, manifest: dict, line: dict) -> Audio | None:
    """The mixed episode where ``line`` sits (read from the file at that span only)."""
    start, end = line.get("start"), line.get("end")
    if start is None or end is None:
        return None
    files = manifest.get("files") or {}
    for kind in ("wav", "mp3"):
        name = files.get(kind)
        if name and (episode_dir / name).is_file():
            with sf.SoundFile(episode_dir / name) as f:
                rate = f.samplerate
                f.seek(min(int(float(start) * rate), max(f.frames - 1, 0)))
                audio = f.read(max(1, int((float(end) - float(start)) * rate)),
                               dtype="float32", always_2d=True)
            return audio.mean(axis=1), rate
    return None


def _write(report: QaReport, episode_dir: Path) -> None:
    try:
        write_json(report, episode_dir)
        write_html(report, episode_dir)
    except OSError as err:
        raise CastwrightError(f"cannot write the QA report: {err.strerror}",
                              episode_dir / JSON_FILE) from None
