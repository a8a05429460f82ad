"""Hand cached takes to the mixer and write the episode's files and manifest.

This is the render/mix boundary: the renderer knows takes and cache keys, the mixer knows
timelines and audio. ``regen`` calls this too, so a single-line change re-mixes from cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import soxr

import pipeline.mix as mix_package
from pipeline import __version__
from pipeline.errors import CastwrightError
from pipeline.files import code_id, file_sha256
from pipeline.mix.meta import EpisodeMeta
from pipeline.mix.settings import MixSettings
from pipeline.mix.timeline import RenderedLine, build_timeline
from pipeline.render.cache import TakeCache
from pipeline.render.manifest import MANIFEST_FILE, load_manifest, manifest_text
from pipeline.render.plan import NOTICE_ID, LinePlan
from pipeline.transaction import FolderTransaction, is_file_name, verify

if TYPE_CHECKING:
    from pipeline.mix.delivery import Calibration
    from pipeline.render.episode import EpisodeContext


def rendered_lines(ctx: EpisodeContext, plans: list[LinePlan]) -> dict[str, RenderedLine]:
    lines = {}
    for plan in plans:
        meta = ctx.cache.meta(plan.key)
        if meta is None:
            raise KeyError(f"{plan.line_id}: take {plan.key} missing from cache")
        lines[plan.line_id] = RenderedLine(
            line_id=plan.line_id, section_id=plan.section_id, speaker=plan.speaker,
            voice=plan.voice.name, text=plan.text, take=plan.take, cache_key=plan.key,
            duration=float(meta["duration"]),
            # A recording carries the gain that matches its loudness to the voices' (recording.py)
            gain_db=plan.delivery.volume_db + float(meta.get("mix_gain_db") or 0.0),
            words=_words(meta.get("words")))
    return lines


def _notice_line(ctx: EpisodeContext) -> RenderedLine | None:
    """The show's spoken AI-voice notice, synthesized now if no render made it yet (a regen
    or the studio after the show file switched it on)."""
    plan = ctx.notice()
    if plan is None:
        return None
    if not ctx.cache.has(plan.key):
        from pipeline.render.synth import SynthJob, run_job

        run_job(SynthJob.from_plan(plan), str(ctx.cache.root))
    return rendered_lines(ctx, [plan])[plan.line_id]


def _words(words: object) -> list[list] | None:
    """The take's word timings as compact [word, start, end] rows (they go into the manifest's
    timeline and become the caption cues)."""
    if not isinstance(words, list):
        return None
    rows = []
    for w in words:
        try:
            rows.append([str(w["word"]), round(float(w["start"]), 3), round(float(w["end"]), 3)])
        except (KeyError, TypeError, ValueError):
            return None
    return rows or None


def take_loader(ctx: EpisodeContext, sample_rate: int) -> Callable[[str], np.ndarray]:
    return cache_loader(ctx.cache, sample_rate)


def cache_loader(cache: TakeCache, sample_rate: int) -> Callable[[str], np.ndarray]:
    """Takes at the mix rate. No memo here: the mixer holds a take only while it plays."""

    def load(key: str) -> np.ndarray:
        take = cache.load(key)
        if take.sample_rate == sample_rate:
            return take.samples.astype(np.float32)
        return soxr.resample(take.samples, take.sample_rate, sample_rate).astype(np.float32)

    return load


def episode_meta(ctx: EpisodeContext, extra: dict | None) -> EpisodeMeta:
    script = ctx.script
    fields = {"title": script.title or ctx.slug, "summary": script.summary,
              "author": script.metadata.get("author", "")}
    fields.update(extra or {})
    return EpisodeMeta(**fields)


@functools.cache
def mix_code_id() -> str:
    """The mixer's own source: a code change re-mixes even without a version bump."""
    return code_id(Path(mix_package.__file__).parent)


def mix_fingerprint(timeline, settings: MixSettings, meta: EpisodeMeta,
                    plans: list[LinePlan]) -> str:
    """Everything the episode files depend on: same fingerprint, same files."""
    layout = timeline.to_dict()
    layout.pop("script_path", None)  # only named in errors: `x.txt` and `./x.txt` mix the same
    payload = [__version__, mix_code_id(), layout, asdict(settings), asdict(meta),
               [(p.line_id, p.speaker, p.voice.name, p.text, p.take) for p in plans],
               _sound_files(timeline)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _sound_files(timeline) -> list:
    """Size and modification time of every sound file the mix reads: a replaced theme or
    ambience file (same name, new sound) re-mixes too."""
    paths = sorted({x.source for x in [*timeline.placements, *timeline.beds] if x.from_file})
    out = []
    for path in paths:
        try:
            st = Path(path).stat()
            out.append((path, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((path, None, None))
    return out


def _last_manifest(ctx: EpisodeContext) -> dict | None:
    try:
        return load_manifest(ctx.episode_dir)
    except CastwrightError:
        return None


def up_to_date(ctx: EpisodeContext, last: dict | None, fingerprint: str) -> bool:
    """Whether the last manifest says the episode was already mixed from exactly this, and
    the folder still holds the very files it describes."""
    if last is None or last.get("mix_fingerprint") != fingerprint:
        return False
    return verify(ctx.episode_dir, last.get("checksums")) is None


def previous_files(last: dict | None) -> set[str]:
    """Files the last export made (they go unless this one makes them again). A hand-edited
    name that is not a plain file of the folder is ignored, never deleted."""
    last = last or {}
    names: set[str] = set()
    files, sums = last.get("files"), last.get("checksums")
    if isinstance(files, dict):
        names.update(v for v in files.values() if isinstance(v, str))
    if isinstance(sums, dict):
        names.update(k for k in sums if isinstance(k, str))
    return {n for n in names if is_file_name(n)}


def previous_master(last: dict | None) -> tuple[float, float] | None:
    """The last render's mastering gain and limiter threshold, if there was one."""
    try:
        loudness = (last or {}).get("loudness") or {}
        return float(loudness["gain_db"]), float(loudness["limiter_threshold_db"])
    except (KeyError, TypeError, ValueError):
        return None


def assemble_episode(ctx: EpisodeContext, plans: list[LinePlan], meta: dict | None = None,
                     keep_master: bool = False, stems: bool = False,
                     mixer: Mixer | None = None, calibration: Calibration | None = None) -> dict:
    """Mix and export. ``keep_master`` (single-line changes) reuses the last mastering gain so
    every unchanged line stays sample-identical; a full render re-masters from scratch.
    ``stems`` also writes the dialogue, music, effects and ambience stems (``stems/``); a mix
    without them drops the last one's, which would no longer match. ``mixer`` mixes elsewhere
    (a Ray task); by default the mix runs here. ``calibration``: where the encoders' first
    guess comes from (default: the output folder's, as it is now)."""
    settings = MixSettings.from_table(ctx.mix)
    lines = rendered_lines(ctx, plans)
    timeline = build_timeline(ctx.script, lines, settings, notice=_notice_line(ctx))
    last = _last_manifest(ctx)
    fixed = previous_master(last) if keep_master else None
    episode = episode_meta(ctx, meta)
    fingerprint = mix_fingerprint(timeline, settings, episode, plans)
    has_stems = "stem_dialogue" in ((last or {}).get("files") or {})
    if last is not None and up_to_date(ctx, last, fingerprint) and (has_stems or not stems):
        # (stems made for this very mix stay, asked for or not); nothing to do: the mixer
        # (scipy, ~1.5 s of imports) is never loaded
        return last
    from pipeline.mix import plot
    from pipeline.mix.delivery import Calibration, predicted_settings

    if mixer is None:
        plot.start_helper()  # matplotlib imports in a forked helper while we mix (no-op if running)
    # Raw mix audio goes beside the output (not a possibly RAM-backed /tmp): 3 h is ~8 GB.
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    ctx.episode_dir.mkdir(parents=True, exist_ok=True)
    calibration = calibration or Calibration(ctx.sounds_dir.parent)
    encoders = predicted_settings(settings.formats + ["mp3"], settings.mp3_bitrate,
                                  settings.channels, last, calibration)
    # One transaction: every file of the episode, the manifest last, becomes current at once.
    with FolderTransaction(ctx.episode_dir) as txn:
        mixed = (mixer or mix_here)(txn, timeline, episode, settings, encoders, fixed, ctx,
                                    stems)
        manifest = build_manifest(ctx, plans, timeline, mixed.files, mixed)
        if stems:  # what a DAW user needs to line them up with the master
            manifest["stems"] = {"level": "pre-master", "sum": "the master before its gain and "
                                 "limiter", "master_gain_db": mixed.loudness.gain_db}
        manifest["loudness"].update(_delivered(mixed.delivered, last, settings))
        if fixed is not None:  # a one-line re-mix does not measure the beds: keep the last
            before = (last or {}).get("loudness") or {}
            for key in ("speech_to_bed_db", "speech_to_bed_min_db", "bed_rise_db"):
                if manifest["loudness"].get(key) is None:
                    manifest["loudness"][key] = before.get(key)
        manifest["script_sha256"] = file_sha256(ctx.script_path)
        manifest["episode_meta"] = meta or {}  # so a regen re-tags the file the same way
        if ctx.book:
            manifest["book"] = ctx.book  # a chapter of a book: regen cuts it from the book again
        manifest["mix_fingerprint"] = fingerprint
        manifest["checksums"] = txn.checksums()
        for name in previous_files(last) - set(txn.staged) - {MANIFEST_FILE}:
            txn.remove(name)
        txn.write_text(MANIFEST_FILE, manifest_text(manifest))
        txn.commit()
    if fixed is None:  # the encoder settings that worked: the next render's first guess
        calibration.update({Calibration.key(fmt, settings.mp3_bitrate, settings.channels):
                            setting for fmt, setting in mixed.encoder_settings.items()})
    return manifest


def used_entries(plans: list[LinePlan]) -> list[list[str | None]]:
    """The lexicon entries the episode's lines were read with (publish compares them)."""
    seen: dict[str, list[str | None]] = {}
    for plan in plans:
        for entry in plan.pronounce:
            seen.setdefault(entry.word.lower(), entry.key())
    return list(seen.values())


@dataclass
class MixOutput:
    """What mixing and encoding an episode gives its manifest; the files are staged."""

    files: dict[str, str]  # kind -> file name
    loudness: Any
    delivered: dict
    encoder_settings: dict


# (txn, timeline, episode meta, settings, encoders, fixed master, ctx, stems) -> MixOutput; the
# cluster's mixer (pipeline.cluster.mixing) runs write_mix on another machine.
Mixer = Callable[..., MixOutput]


def mix_here(txn: FolderTransaction, timeline, episode: EpisodeMeta, settings: MixSettings,
             encoders: dict, fixed: tuple[float, float] | None,
             ctx: EpisodeContext, stems: bool = False) -> MixOutput:
    return write_mix(txn, timeline, episode, settings, encoders, fixed, ctx.cache,
                     work_dir=ctx.out_dir, sounds_dir=ctx.sounds_dir, stems=stems)


def write_mix(txn: FolderTransaction, timeline, episode: EpisodeMeta, settings: MixSettings,
              encoders: dict, fixed: tuple[float, float] | None, cache: TakeCache,
              work_dir: Path, sounds_dir: Path, stems: bool = False) -> MixOutput:
    """Mix ``timeline`` from the takes in ``cache`` and stage the episode's files in ``txn``.
    The writer takes the master as it is made: with a fixed master (a single-line change)
    the encoders run while the episode is still being mixed."""
    from pipeline.mix import EpisodeWriter, mix_timeline  # the mixer: scipy, only when mixing

    with EpisodeWriter(txn.folder, timeline, episode, settings, txn=txn,
                       encoders=encoders, verify=fixed is None, stems=stems) as writer:
        result = mix_timeline(timeline, cache_loader(cache, timeline.sample_rate), settings,
                              work_dir=work_dir, fixed_master=fixed, sink=writer.write,
                              sound_cache=sounds_dir,
                              stems=writer.write_stems if stems else None)
        files = writer.finish(result)
    return MixOutput(files, result.loudness, writer.delivered, writer.encoder_settings)


def _delivered(delivered: dict, last: dict | None, settings: MixSettings) -> dict:
    """The delivered files' loudness for the manifest. A one-line regen does not measure: it
    keeps the last measured figures (the gains are the same, and one line barely moves them)."""
    before = ((last or {}).get("loudness") or {}).get("delivered") or {}
    out = {}
    for fmt, d in delivered.items():
        entry = d.to_dict()
        if not d.measured and isinstance(before.get(fmt), dict):  # same settings as then
            entry["integrated_lufs"] = before[fmt].get("integrated_lufs")
            entry["true_peak_dbtp"] = before[fmt].get("true_peak_dbtp")
        out[fmt] = {k: (None if isinstance(v, float) and v != v else v) for k, v in entry.items()}
    return {"delivered": out, "mp3_bitrate": settings.mp3_bitrate}


def build_manifest(ctx: EpisodeContext, plans: list[LinePlan], timeline, files: dict,
                   result) -> dict:
    starts = {p.line_id: p for p in timeline.placements if p.kind == "speech" and p.line_id}
    lines = []
    for plan in plans:
        placed = starts.get(plan.line_id)
        start = placed.start if placed else None
        lines.append({
            "line_id": plan.line_id, "section_id": plan.section_id, "speaker": plan.speaker,
            "voice": "recording" if plan.recording else plan.voice.name,
            "engine": "recording" if plan.recording else plan.voice.engine, "text": plan.text,
            "spoken_text": plan.spoken_text, "take": plan.take, "cache_key": plan.key,
            "start": start, "end": (start + placed.duration) if placed else None,
            "source_line": plan.source_line,
        })
    chapters = {c.section_id: c for c in timeline.chapters}
    sections = []
    for section in ctx.script.sections:
        chapter = chapters.get(section.id)
        sections.append({"id": section.id, "heading": section.heading,
                         "title": chapter.title if chapter else section.heading,
                         "pov": section.pov,
                         "start": chapter.start if chapter else None,
                         "end": chapter.end if chapter else None})
    loudness = result.loudness
    return {
        "slug": ctx.slug,
        "title": ctx.script.title or ctx.slug,
        "script": str(ctx.script_path.resolve()),
        "format": ctx.script.format,
        "cast_file": str(ctx.cast_path.resolve()) if ctx.cast_path else None,
        "voices_dir": str(ctx.voices_dir.resolve()),
        "mix": ctx.mix,
        "show_cast": ctx.show_cast,
        "pronounce": used_entries(plans),
        "show_file": str(ctx.show_file) if ctx.show_file else None,
        "summary": ctx.script.summary,
        "metadata": ctx.script.metadata,
        "duration": timeline.duration,
        "sample_rate": timeline.sample_rate,
        "cast": {name: voice.name for name, voice in ctx.cast.voices.items()},
        "lines": lines,
        "sections": sections,
        "timeline": timeline.to_dict(),
        "files": files,
        "loudness": dict(loudness.__dict__ if hasattr(loudness, "__dict__") else loudness),
        "warnings": ctx.warnings,
        "notice": next(({"text": p.text, "start": p.start, "end": p.end, "cache_key": p.source}
                        for p in timeline.placements if p.line_id == NOTICE_ID), None),
    }
