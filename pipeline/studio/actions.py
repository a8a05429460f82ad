"""The studio's work, as jobs: each is the library call the CLI makes, plus progress and a cut.

A line change (new take, keep a take, text, voice, delivery, reset) is ``regen_line`` without
its re-mix, then a cut of the mix around the line (heard at once), then one coalesced re-mix of
the whole episode (``remix``), exactly what ``castwright regen`` does in one go.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CastError, PublishError, RenderError
from pipeline.locks import episode_lock
from pipeline.render.choices import LineChoice, load_choices, save_choices
from pipeline.render.regen import episode_context, regen_line, remix
from pipeline.render.synth import missing_jobs, synthesize_jobs
from pipeline.studio.jobs import LONG, REMIX, Job, JobContext
from pipeline.studio.prepare import keep_takes_ready
from pipeline.studio.preview import Cut, context_cut
from pipeline.studio.state import NotFound, StudioState
from pipeline.studio.views import episode_version

REALTIME_GUESS = 0.15  # synthesis seconds per second of audio, for the cast plan's estimate


def cut_event(state: StudioState, slug: str, line_id: str, cut: Cut, label: str) -> dict:
    cut_id = state.cuts.put(cut)
    return {"episode": slug, "line_id": line_id, "url": f"/cuts/{cut_id}.wav", "label": label,
            "take": cut.take, "voice": cut.voice, "line_start": round(cut.line_start, 3),
            "line_end": round(cut.line_end, 3), "start": round(cut.start, 6),
            "duration": round(cut.duration, 3)}


def schedule_remix(state: StudioState, slug: str) -> Job:
    def work(ctx: JobContext) -> dict:
        ctx.progress(0.1, "re-mixing and encoding the episode")
        manifest = remix(state.episode_dir(slug))
        version = episode_version(manifest)
        ctx.emit("episode", {"episode": slug, "version": version})
        return {"version": version, "duration": manifest.get("duration")}

    job = state.runner.submit("remix", "re-mix the episode", work, episode=slug,
                              priority=REMIX, coalesce=True)
    keep_takes_ready(state, slug)  # the changed lines' next takes, once the re-mix is done
    return job


@dataclass
class LineChange:
    """One edit of a line, as ``regen_line`` takes it."""

    take: int | None = None
    text: str | None = None
    voice: str | None = None
    pace: float | None = None
    expressiveness: float | None = None
    reset: bool = False
    clear_delivery: bool = False  # back to the cast's pace and expressiveness

    def title(self, line_id: str) -> str:
        if self.reset:
            return f"{line_id}: back to the script"
        if self.take is not None:
            return f"{line_id}: keep take {self.take}"
        if self.text is not None:
            return f"{line_id}: new text"
        if self.voice is not None:
            return f"{line_id}: voice {self.voice}"
        if self.pace is not None or self.expressiveness is not None or self.clear_delivery:
            return f"{line_id}: delivery"
        return f"{line_id}: new take"


def change_line(state: StudioState, slug: str, line_id: str, change: LineChange) -> Job:
    def work(ctx: JobContext) -> dict:
        episode = state.episode_dir(slug)
        ctx.progress(0.05, "switching take" if change.take is not None else "synthesizing")
        if change.clear_delivery:
            _clear_delivery(episode, line_id)
        result = regen_line(episode, line_id, take=change.take, text=change.text,
                            voice=change.voice, remix=False, reset=change.reset,
                            pace=change.pace, expressiveness=change.expressiveness)
        ctx.progress(0.7, "mixing in context")
        cut = context_cut(episode, line_id)
        heard = cut_event(state, slug, line_id, cut, f"Take {cut.take} in context ({cut.voice})")
        ctx.emit("heard", heard)
        schedule_remix(state, slug)
        return {**heard, "synthesized": result.synthesized}

    # A new take of the line whose next take is being made ahead waits for it, not redoes it.
    plain_retake = change == LineChange()
    return state.runner.submit("line", change.title(line_id), work, episode=slug,
                               line_id=line_id,
                               preempt=not (plain_retake and state.making.get(slug) == line_id))


def _clear_delivery(episode: Path, line_id: str) -> None:
    with episode_lock(episode):  # read-modify-write: a CLI regen may be at it too
        choices = load_choices(episode)
        if line_id in choices:
            choices[line_id].pace = choices[line_id].expressiveness = None
            save_choices(episode, choices)


def _character_lines(episode: Path, character: str) -> list[str]:
    ctx, _ = episode_context(episode)
    ids = [line_id for line_id, casting in ctx.cast.lines.items() if casting.speaker == character]
    if character not in ctx.cast.voices:
        raise NotFound(f"no character '{character}' in this episode")
    voiced = {p.line_id for p in ctx.plans(load_choices(episode))}
    return [line_id for line_id in ids if line_id in voiced]


def check_voice(episode: Path, voice: str) -> str:
    """A catalog voice by name (the studio takes no model paths from a page)."""
    ctx, _ = episode_context(episode)
    if voice not in ctx.catalog:
        raise CastError(f"unknown voice '{voice}' (known: {', '.join(sorted(ctx.catalog))})")
    return voice


def recast_choices(episode: Path, character: str, voice: str) -> dict[str, LineChoice]:
    """The choices with every line of ``character`` in ``voice``: a fresh first reading each
    (text and delivery overrides kept); the cast's own voice needs no override."""
    ctx, _ = episode_context(episode)
    cast_voice = ctx.cast.voices[character].name
    choices = load_choices(episode)
    for line_id in _character_lines(episode, character):
        choice = choices.get(line_id, LineChoice())
        choice.voice = None if voice == cast_voice else voice
        choice.take, choice.takes = None, []
        choices[line_id] = choice
    return choices


def cast_plan(state: StudioState, slug: str, character: str, voice: str) -> dict:
    """What changing ``character`` to ``voice`` would do: the lines it re-synthesizes (not in
    the take cache yet) and the ones it takes from the cache."""
    episode = state.episode_dir(slug)
    voice = check_voice(episode, voice)
    ctx, manifest = episode_context(episode)
    choices = recast_choices(episode, character, voice)
    current = {line["line_id"]: line for line in manifest["lines"]}
    ids = set(_character_lines(episode, character))
    plans = [p for p in ctx.plans(choices) if p.line_id in ids]
    synth = [p for p in plans if not ctx.cache.has(p.key)]
    words = sum(len(p.spoken_text.split()) for p in synth)
    seconds = words / 2.6  # ~156 words a minute
    return {
        "character": character, "voice": voice, "cast_voice": ctx.cast.voices[character].name,
        "lines": [{"line_id": p.line_id, "text": p.text, "from": current.get(p.line_id, {})
                   .get("voice"), "synthesize": not ctx.cache.has(p.key)} for p in plans],
        "synthesize": len(synth), "cached": len(plans) - len(synth),
        "estimate_seconds": round(seconds * REALTIME_GUESS + (1.5 if plans else 0.0), 1),
    }


def synthesize_reporting(ctx: JobContext, todo: list, cache_root: Path, start: float,
                         span: float, verb: str) -> None:
    """Synthesize ``todo`` in the studio's one worker, each take moving the job's progress
    from ``start`` over ``span``."""
    done = 0

    def one_done(_key: str, _seconds: float) -> None:
        nonlocal done
        done += 1
        ctx.progress(start + span * done / max(len(todo), 1),
                     f"{verb} {done} of {len(todo)} lines")

    synthesize_jobs(todo, cache_root, workers=1, show_progress=False, on_done=one_done)


def change_cast(state: StudioState, slug: str, character: str, voice: str) -> Job:
    def work(ctx: JobContext) -> dict:
        episode = state.episode_dir(slug)
        name = check_voice(episode, voice)
        with episode_lock(episode):
            choices = recast_choices(episode, character, name)
            save_choices(episode, choices)
        epctx, _ = episode_context(episode)
        todo = missing_jobs(epctx.plans(choices), epctx.cache)
        ctx.progress(0.05, f"synthesizing {len(todo)} lines in {name}")
        synthesize_reporting(ctx, todo, epctx.cache.root, 0.05, 0.85, "synthesized")
        schedule_remix(state, slug)
        return {"character": character, "voice": name, "synthesized": len(todo)}

    return state.runner.submit("cast", f"{character}: voice {voice}", work, episode=slug)


def audition(state: StudioState, slug: str, character: str, voice: str,
             line_id: str | None = None) -> Job:
    """The character's line (its first, unless ``line_id``) in ``voice``, cut in context."""
    def work(ctx: JobContext) -> dict:
        episode = state.episode_dir(slug)
        name = check_voice(episode, voice)
        lines = _character_lines(episode, character)
        if not lines:
            raise RenderError(f"'{character}' speaks no line in this episode")
        target = line_id if line_id in lines else lines[0]
        trial = recast_choices(episode, character, name)[target]
        ctx.progress(0.1, f"synthesizing {target} in {name}")
        cut = context_cut(episode, target, trial, synthesize=True)
        heard = cut_event(state, slug, target, cut, f"Audition: {character} in {name}")
        ctx.emit("heard", heard)
        return heard

    return state.runner.submit("audition", f"audition {voice} for {character}", work,
                               episode=slug)


def publish_show(state: StudioState) -> Job:
    def work(ctx: JobContext) -> dict:
        from pipeline.publish.publish import publish

        if state.show is None or not state.show.is_file():
            raise PublishError("no show file: start the studio with --show show.toml "
                               "(see docs/show-file.md)")
        started = time.perf_counter()
        ctx.progress(0.05, "publishing")
        result = publish(state.show, state.out_dir, render=True,
                         log=lambda message: ctx.progress(0.5, message))
        for slug in result.changed + result.rendered:
            if (state.out_dir / slug).is_dir():
                try:
                    from pipeline.render.manifest import load_manifest

                    version = episode_version(load_manifest(state.out_dir / slug))
                except RenderError:
                    continue
                ctx.emit("episode", {"episode": slug, "version": version})
        return {"feed": "/feed/", "episodes": len(result.episodes),
                "changed": result.changed, "rendered": result.rendered,
                "seconds": round(time.perf_counter() - started, 2)}

    return state.runner.submit("publish", "publish the show", work, priority=LONG)
