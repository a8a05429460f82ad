"""Single-line work on a rendered episode: list lines and takes, make a new take, pin one, re-mix.

Only the named line is synthesized; every other line comes from the cache, so it stays
sample-identical. Choices persist in ``choices.json`` and survive the next full render.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.catalog import get_voice
from pipeline.errors import CastError, RenderError, VoiceError
from pipeline.locks import episode_lock
from pipeline.render.choices import MAX_TAKE, LineChoice, load_choices, save_choices
from pipeline.render.episode import EpisodeContext, load_context, sweep_leftovers
from pipeline.render.manifest import load_manifest, manifest_line
from pipeline.render.plan import LinePlan
from pipeline.render.synth import SynthJob, missing_jobs, run_job, synthesize_jobs


@dataclass
class RegenResult:
    line_id: str
    take: int
    cache_key: str
    duration: float
    synthesized: bool
    manifest: dict | None
    recording: str | None = None  # the take is this recording


@dataclass
class TakeInfo:
    take: int
    cache_key: str
    cached: bool
    duration: float | None
    current: bool
    recording: str | None = None  # the file, when the take is the producer's recording


def episode_context(episode_dir: str | Path) -> tuple[EpisodeContext, dict]:
    episode_dir = Path(episode_dir)
    manifest = load_manifest(episode_dir)
    if "script" not in manifest:
        raise RenderError("the manifest names no script: render the episode again",
                          episode_dir / "manifest.json")
    if manifest.get("book"):  # a chapter of a book: cut from the book again, cast as the book
        from pipeline.books.season import load_chapter_context

        return load_chapter_context(manifest, episode_dir), manifest
    script = Path(manifest["script"])
    if not script.exists():
        raise RenderError(f"the episode's script is gone: {script}", episode_dir / "manifest.json")
    cast_file = manifest.get("cast_file")
    ctx = load_context(script, episode_dir.parent, cast_file, manifest.get("voices_dir"),
                       manifest.get("mix"), slug=episode_dir.name,
                       show_cast=manifest.get("show_cast"), show_file=manifest.get("show_file"))
    return ctx, manifest


def _plan_for(ctx: EpisodeContext, choices: dict[str, LineChoice], line_id: str) -> LinePlan:
    for plan in ctx.plans(choices):
        if plan.line_id == line_id:
            return plan
    raise RenderError(f"line '{line_id}' is not voiced in this episode")


def _check_line(ctx: EpisodeContext, manifest: dict, line_id: str) -> str:
    cue = ctx.script.line(line_id)
    if cue is None:
        manifest_line(manifest, line_id)  # raises the friendly unknown-line error
        raise RenderError(f"line '{line_id}' is no longer in the script {ctx.script_path}")
    return cue.text


def regen_line(episode_dir: str | Path, line_id: str, take: int | None = None,
               text: str | None = None, voice: str | None = None, remix: bool = True,
               reset: bool = False, pace: float | None = None,
               expressiveness: float | None = None,
               audio: str | Path | None = None, stems: bool = False) -> RegenResult:
    """Make a new take of one line (or switch to ``take``), persist the choice, re-mix.
    ``pace`` and ``expressiveness`` override the line's delivery (as the cast file's keys);
    ``audio`` makes the producer's own recording the new take (see ``recording.py``)."""
    if audio is not None and (take is not None or voice is not None or reset):
        raise RenderError(f"{line_id}: --audio makes a new take from a recording; it does not "
                          "go with --take, --voice or --reset")
    if remix:
        _prepare_remix()
    with episode_lock(episode_dir):  # choices.json: read, change, write, re-mix as one
        return _regen_locked(Path(episode_dir), line_id, take, text, voice, remix, reset, pace,
                             expressiveness, Path(audio) if audio is not None else None, stems)


def _regen_locked(episode_dir: Path, line_id: str, take: int | None, text: str | None,
                  voice: str | None, remix: bool, reset: bool, pace: float | None,
                  expressiveness: float | None, audio: Path | None = None,
                  stems: bool = False) -> RegenResult:
    ctx, manifest = episode_context(episode_dir)
    sweep_leftovers(ctx)
    script_text = _check_line(ctx, manifest, line_id)
    choices = load_choices(ctx.episode_dir)
    choice = LineChoice() if reset else choices.get(line_id, LineChoice())
    if text is not None:
        if not text.strip():
            raise RenderError(f"{line_id}: --text is empty")
        choice.text = text
    if voice is not None:
        try:
            get_voice(ctx.catalog, voice)
        except VoiceError as err:
            raise CastError(f"{line_id}: {err.problem}") from None
        choice.voice = voice
    _set_delivery(choice, line_id, pace, expressiveness)
    if take is not None and not 1 <= take <= MAX_TAKE:
        raise RenderError(f"{line_id}: take numbers go from 1 to {MAX_TAKE}")
    if take is None and not reset:
        take = next_take(manifest, choice, line_id)
        if take > MAX_TAKE:
            raise RenderError(f"{line_id}: {MAX_TAKE} takes are all this line gets; pick one "
                              "with --take")
    choice.take = take
    choice.script_text = script_text
    if audio is not None:
        from pipeline.render.recording import import_recording

        key, sha, _ = import_recording(audio.resolve(), ctx.cache,
                                       {"line_id": line_id, "take": take, "text": script_text})
        choice.recordings[str(take)] = {"file": str(audio.resolve()), "sha256": sha,
                                        "key": key}
    choices[line_id] = choice
    plan = _plan_for(ctx, choices, line_id)
    made = not ctx.cache.has(plan.key) and plan.recording is None
    if made:
        # While the mixer imports on one core, the engine gets the rest (measured ~0.15 s
        # faster than letting its threads and the import fight over both).
        with _engine_threads((os.cpu_count() or 2) - 1 if remix else None):
            run_job(SynthJob.from_plan(plan), str(ctx.cache.root))
    choice.takes = sorted({*choice.takes, 1, plan.take})
    save_choices(ctx.episode_dir, choices)
    duration = float(ctx.cache.meta(plan.key)["duration"])
    new_manifest = _remix(ctx, choices, manifest, stems) if remix else None
    return RegenResult(line_id, plan.take, plan.key, duration, made, new_manifest,
                       plan.recording["file"] if plan.recording else None)


def next_take(manifest: dict, choice: LineChoice, line_id: str) -> int:
    """The take number a new take of ``line_id`` gets (one past every take it has had)."""
    return max([manifest_line(manifest, line_id).get("take", 1), 1, *choice.takes]) + 1


DELIVERY_RANGES = {"pace": (0.5, 2.0), "expressiveness": (0.0, 2.0)}


def _set_delivery(choice: LineChoice, line_id: str, pace: float | None,
                  expressiveness: float | None) -> None:
    for name, value in (("pace", pace), ("expressiveness", expressiveness)):
        if value is None:
            continue
        low, high = DELIVERY_RANGES[name]
        if not low <= value <= high:
            raise RenderError(f"{line_id}: {name} {value:g} is outside {low:g}..{high:g}")
        setattr(choice, name, float(value))


@contextlib.contextmanager
def _engine_threads(count: int | None) -> Iterator[None]:
    """Engine threads for models loaded inside the block (``CASTWRIGHT_ENGINE_THREADS`` wins)."""
    name = "CASTWRIGHT_ENGINE_THREADS"
    if count is None or name in os.environ:
        yield
        return
    os.environ[name] = str(max(1, count))
    try:
        yield
    finally:
        os.environ.pop(name, None)


def _prepare_remix() -> None:
    """Get the slow imports going while the script is parsed and the line is read.

    A forked helper imports matplotlib for the plot (forks go first, before any thread), and a
    thread imports the mixer (scipy and friends, ~1 s): onnxruntime releases the GIL, so on two
    cores the import and the engine overlap. ``_remix``'s own import waits for the thread."""
    from pipeline.mix.plot import start_helper

    start_helper()
    threading.Thread(target=_import_mixer, name="import-mixer", daemon=True).start()


def _import_mixer() -> None:
    # The collector would walk scipy's ~100k new objects over and over while they are created.
    gc.disable()
    try:
        importlib.import_module("pipeline.render.assemble")
    finally:
        gc.enable()


def _remix(ctx: EpisodeContext, choices: dict[str, LineChoice], manifest: dict,
           stems: bool = False) -> dict:
    from pipeline.render.assemble import assemble_episode

    plans = ctx.plans(choices)
    synthesize_jobs(missing_jobs(plans, ctx.cache), ctx.cache.root, show_progress=False)
    return assemble_episode(ctx, plans, meta=manifest.get("episode_meta"), keep_master=True,
                            stems=stems)


def remix(episode_dir: str | Path) -> dict:
    """Re-mix the episode from cached takes with the current choices."""
    with episode_lock(episode_dir):
        ctx, manifest = episode_context(episode_dir)
        sweep_leftovers(ctx)
        return _remix(ctx, load_choices(ctx.episode_dir), manifest)


def list_takes(episode_dir: str | Path, line_id: str) -> list[TakeInfo]:
    ctx, manifest = episode_context(episode_dir)
    _check_line(ctx, manifest, line_id)
    choices = load_choices(ctx.episode_dir)
    choice = choices.get(line_id, LineChoice())
    current = _plan_for(ctx, choices, line_id)
    infos = []
    for number in sorted({1, *choice.takes, current.take}):
        trial = dict(choices)
        trial[line_id] = replace(choice, take=number)
        plan = _plan_for(ctx, trial, line_id)
        meta = ctx.cache.meta(plan.key)
        infos.append(TakeInfo(number, plan.key, meta is not None,
                              float(meta["duration"]) if meta else None, number == current.take,
                              plan.recording["file"] if plan.recording else None))
    return infos
