"""Cuts of the mix around one line: a retake heard in context at once, takes compared in context.

A cut is the episode re-mixed between a second before the line and a second after it, with the
current choices or with one line changed on trial (another take, another voice), mastered with
the episode's fixed master, so it sounds exactly as the full re-mix will there
(``pipeline.mix.window``). It costs a few hundredths of a second, not a whole re-mix and encode.
"""

from __future__ import annotations

import io
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import soundfile as sf

from pipeline.errors import RenderError
from pipeline.lexicon import Entry, Lexicon
from pipeline.render.choices import LineChoice, load_choices
from pipeline.render.regen import episode_context
from pipeline.render.synth import SynthJob, run_job

BEFORE, AFTER = 1.0, 1.0  # seconds of context around the line


@dataclass
class Cut:
    wav: bytes  # 16-bit PCM WAV
    start: float  # where the cut starts in the episode (seconds)
    line_start: float  # where the line starts in the cut
    line_end: float
    take: int
    cache_key: str
    voice: str
    duration: float  # the line's


def context_cut(episode_dir: Path, line_id: str, trial: LineChoice | None = None,
                synthesize: bool = False, pronounce: tuple[Entry, ...] = ()) -> Cut:
    """The mix around ``line_id`` with the current choices, or with ``trial`` as that line's
    choice, and ``pronounce`` entries over the episode's lexicon (a pronunciation on trial).
    ``synthesize`` makes the trial take if it is not in the cache yet."""
    from pipeline.mix import MixSettings, build_timeline
    from pipeline.mix.window import mix_window
    from pipeline.render.assemble import previous_master, rendered_lines, take_loader

    ctx, manifest = episode_context(episode_dir)
    choices = load_choices(ctx.episode_dir)
    if trial is not None:
        choices = {**choices, line_id: trial}
    plans = ctx.plans(choices)
    if pronounce:  # on trial for this line only: its neighbours keep their cached takes
        ctx.lexicon = Lexicon({e.word.lower(): e for e in pronounce}).over(ctx.lexicon)
        tried = {p.line_id: p for p in ctx.plans(choices)}
        plans = [tried[p.line_id] if p.line_id == line_id else p for p in plans]
    plan = next((p for p in plans if p.line_id == line_id), None)
    if plan is None:
        raise RenderError(f"unknown line id '{line_id}' in episode '{ctx.slug}'")
    if not ctx.cache.has(plan.key):
        if not synthesize:
            raise RenderError(f"{line_id}: take {plan.take} is not in the take cache")
        run_job(SynthJob.from_plan(plan), str(ctx.cache.root))
    fixed = previous_master(manifest)
    if fixed is None:
        raise RenderError("the episode has no master to match yet: render it first",
                          ctx.episode_dir)
    settings = MixSettings.from_table(ctx.mix)
    timeline = build_timeline(ctx.script, rendered_lines(ctx, plans), settings)
    placed = next(p for p in timeline.speech() if p.line_id == line_id)
    start = max(0.0, placed.start - BEFORE)
    audio = mix_window(timeline, take_loader(ctx, timeline.sample_rate), settings, start,
                       placed.end + AFTER, fixed, ctx.sounds_dir)
    buffer = io.BytesIO()
    sf.write(buffer, audio, timeline.sample_rate, format="WAV", subtype="PCM_16")
    return Cut(buffer.getvalue(), start, placed.start - start, placed.end - start, plan.take,
               plan.key, plan.voice.name, placed.duration)


def trial_choice(episode_dir: Path, line_id: str, **changes: object) -> LineChoice:
    """The line's current choice with ``changes`` (take, voice, ...) applied."""
    current = load_choices(episode_dir).get(line_id, LineChoice())
    return replace(current, **changes)


class CutStore:
    """Recent cuts in memory, by id, for the pages to fetch (a few MB at most)."""

    def __init__(self, keep: int = 12):
        self.keep = keep
        self._cuts: OrderedDict[str, Cut] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, cut: Cut) -> str:
        cut_id = uuid.uuid4().hex
        with self._lock:
            self._cuts[cut_id] = cut
            while len(self._cuts) > self.keep:
                self._cuts.popitem(last=False)
        return cut_id

    def get(self, cut_id: str) -> Cut | None:
        with self._lock:
            return self._cuts.get(cut_id)
