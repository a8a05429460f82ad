"""The next take of the line the producer has open, made while they listen to it.

Opening a line in the studio asks for its next take in the background (lowest priority, one
queued at a time, always for the line opened last). A take is the same samples whenever it is
made (take N is seeded by N), so *New take* then finds it in the take cache: the producer hears
it after a cut of the mix, not after a synthesis. Nothing but the take cache is written.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.render.choices import MAX_TAKE, LineChoice, load_choices
from pipeline.render.regen import episode_context, next_take
from pipeline.render.synth import SynthJob, run_job
from pipeline.studio.jobs import LONG, Job, JobContext
from pipeline.studio.state import StudioState


def prepare_next_take(state: StudioState, slug: str, line_id: str) -> Job:
    state.wanted[slug] = line_id

    def work(ctx: JobContext) -> dict:
        wanted = state.wanted.get(slug, line_id)
        episode = state.episode_dir(slug)
        epctx, manifest = episode_context(episode)
        choices = load_choices(episode)
        choice = choices.get(wanted, LineChoice())
        take = next_take(manifest, choice, wanted)
        if take > MAX_TAKE:
            return {"line_id": wanted, "take": None, "made": False}
        trial = {**choices, wanted: replace(choice, take=take)}
        plan = next((p for p in epctx.plans(trial) if p.line_id == wanted), None)
        made = plan is not None and plan.recording is None and not epctx.cache.has(plan.key)
        if made:
            ctx.progress(0.1, f"preparing take {take} of {wanted}")
            run_job(SynthJob.from_plan(plan), str(epctx.cache.root))
        return {"line_id": wanted, "take": take, "made": made}

    return state.runner.submit("prepare", "prepare the next take", work, episode=slug,
                               priority=LONG, coalesce=True)
