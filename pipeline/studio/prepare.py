"""Every line's next take, made in the background before anyone asks for it.

A take is the same samples whenever it is made (take N is seeded by N), so *New take* on any
line finds its take in the take cache and the producer hears it after a cut of the mix (a
tenth of a second), not after a synthesis (seconds for a Kokoro line). The studio keeps that
true: on open, after every change and whenever a line is opened, one background job makes the
missing next takes, the line opened last first, then the lines after it in script order.

It is the lowest-priority work and gives way at once: a producer's request stops the take
being made (``pipeline.engines.interrupt``; nothing half-made is cached) and the job queues
itself again behind that request; only a new take of the very line being made lets it finish
(that take is what the request needs). Nothing but the take cache is written.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline.engines.interrupt import Interrupted
from pipeline.render.choices import MAX_TAKE, LineChoice, load_choices
from pipeline.render.plan import LinePlan
from pipeline.render.regen import episode_context, next_take
from pipeline.render.synth import SynthJob, run_job
from pipeline.studio.jobs import LONG, Job, JobContext
from pipeline.studio.state import StudioState

KIND = "prepare"


def missing_next_takes(episode: Path, first: str | None = None
                       ) -> tuple[list[LinePlan], Path]:
    """The plans of every voiced line's next take that is not in the take cache yet, ``first``
    and the lines after it, then the lines before it (script order); and the cache's root."""
    epctx, manifest = episode_context(episode)
    choices = load_choices(episode)
    trial: dict[str, LineChoice] = dict(choices)
    for line in manifest["lines"]:
        line_id = line["line_id"]
        choice = choices.get(line_id, LineChoice())
        take = next_take(manifest, choice, line_id)
        if take <= MAX_TAKE:
            trial[line_id] = replace(choice, take=take)
    current = {p.line_id: p.key for p in epctx.plans(choices)}
    plans = [p for p in epctx.plans(trial)
             if p.recording is None and p.key != current.get(p.line_id)
             and not epctx.cache.has(p.key)]
    ids = [p.line_id for p in plans]
    if first in ids:
        at = ids.index(first)
        plans = plans[at:] + plans[:at]
    return plans, epctx.cache.root


def keep_takes_ready(state: StudioState, slug: str, opened: str | None = None) -> Job:
    """Queue (once) the background making of the episode's missing next takes; ``opened`` is
    the line the producer opened last, made first."""
    if opened is not None:
        state.wanted[slug] = opened

    def work(ctx: JobContext) -> dict:
        episode = state.episode_dir(slug)
        made: list[str] = []
        while not ctx.preempted():
            todo, cache_root = missing_next_takes(episode, state.wanted.get(slug))
            if not todo:
                return {"made": made, "left": 0}
            plan = todo[0]
            ctx.progress(len(made) / (len(made) + len(todo)),
                         f"preparing take {plan.take} of {plan.line_id}")
            state.making[slug] = plan.line_id
            try:
                with ctx.interruptible():
                    run_job(SynthJob.from_plan(plan), str(cache_root))
            except Interrupted:
                break
            finally:
                state.making.pop(slug, None)
            made.append(plan.line_id)
        keep_takes_ready(state, slug)  # again, behind the request that stopped it
        return {"made": made, "preempted": True}

    return state.runner.submit(KIND, "prepare the next takes", work, episode=slug,
                               priority=LONG, coalesce=True, preemptible=True)

