"""The studio's job runner: one job at a time, edits before re-mixes, one re-mix for many
edits, failures reported (not raised), progress pushed as events."""

from __future__ import annotations

import asyncio
import threading

from pipeline.errors import RenderError
from pipeline.studio.jobs import EDIT, LONG, REMIX, EventHub, JobRunner


def test_edits_run_before_a_queued_remix_and_share_it():
    hub = EventHub()
    runner = JobRunner(hub)
    gate = threading.Event()
    order: list[str] = []

    def blocker(ctx):
        gate.wait(10)
        order.append("first edit")

    def edit(name):
        def work(ctx):
            ctx.progress(0.5, f"{name} halfway")
            order.append(name)
            return {"name": name}
        return work

    def remix(ctx):
        order.append("remix")

    try:
        runner.submit("line", "edit 1", blocker, episode="ep", priority=EDIT)
        first = runner.submit("remix", "remix", remix, episode="ep", priority=REMIX,
                              coalesce=True)
        runner.submit("line", "edit 2", edit("second edit"), episode="ep")
        again = runner.submit("remix", "remix", remix, episode="ep", priority=REMIX,
                              coalesce=True)
        other = runner.submit("remix", "remix", remix, episode="other", priority=REMIX,
                              coalesce=True)
        third = runner.submit("line", "edit 3", edit("third edit"), episode="ep")
        assert again is first and other is not first
        assert {j.id for j in runner.busy("ep")} == {first.id, third.id} | {
            j.id for j in runner.jobs.values() if j.title in ("edit 1", "edit 2")}
        gate.set()
        assert runner.wait(other.id).state == "done"
        assert runner.wait(first.id).state == "done"
        assert order == ["first edit", "second edit", "third edit", "remix", "remix"]
        assert runner.jobs[third.id].result == {"name": "third edit"}
        assert "third edit halfway" in runner.jobs[third.id].timings
        assert not runner.busy("ep")
    finally:
        gate.set()
        runner.stop()


def test_a_failing_job_reports_its_error_and_the_runner_goes_on():
    runner = JobRunner(EventHub())

    def bad(ctx):
        raise RenderError("line 's09-l001' is not voiced", "out/ep/manifest.json")

    def bug(ctx):
        raise ZeroDivisionError("oops")

    try:
        failed = runner.wait(runner.submit("line", "bad", bad).id)
        assert failed.state == "failed"
        assert failed.error == "out/ep/manifest.json: line 's09-l001' is not voiced"
        broken = runner.wait(runner.submit("line", "bug", bug).id)
        assert broken.state == "failed" and "internal error" in broken.error
        fine = runner.wait(runner.submit("line", "fine", lambda ctx: {"ok": 1}).id)
        assert fine.state == "done" and fine.result == {"ok": 1}
    finally:
        runner.stop()


def test_events_reach_every_subscriber_in_order():
    hub = EventHub()
    runner = JobRunner(hub)

    async def listen() -> list[list[str]]:
        queues = [hub.subscribe(), hub.subscribe()]
        job = runner.submit("line", "work", lambda ctx: ctx.emit("heard", {"url": "/x"}))
        seen: list[list[str]] = [[], []]
        for n, queue in enumerate(queues):
            while True:
                event = await asyncio.wait_for(queue.get(), 10)
                seen[n].append(event["event"] + ":" + event["data"].get("state", ""))
                if event["event"] == "job" and event["data"]["state"] == "done":
                    break
            assert event["data"]["id"] == job.id
            hub.unsubscribe(queue)
        return seen

    try:
        seen = asyncio.run(listen())
        assert seen[0] == seen[1] == ["job:queued", "job:running", "heard:", "job:done"]
    finally:
        runner.stop()


def test_background_synthesis_stops_for_a_request_and_caches_nothing(tmp_path):
    """A preemptible job's Kokoro run stops part-way when an edit is queued; the edit runs
    before it would have finished, and no half-made take reaches the cache."""
    from pipeline.catalog import load_catalog
    from pipeline.engines.base import Delivery
    from pipeline.engines.interrupt import Interrupted
    from pipeline.render.cache import TakeCache
    from pipeline.render.synth import SynthJob, run_job

    voice = load_catalog()["kenji"]
    text = "The lamps along the harbour wall were lit one by one as the tide came in. " * 12
    job = SynthJob("long-take", voice, text, Delivery(), 1, {"line_id": "s01-l001"})
    runner = JobRunner(EventHub())
    started, seen = threading.Event(), {}

    def background(ctx):
        started.set()
        try:
            with ctx.interruptible():
                run_job(job, str(tmp_path))
            seen["background"] = "finished"
        except Interrupted:
            seen["background"] = "stopped"

    def edit(ctx):
        seen["edit saw"] = seen.get("background", "nothing yet")

    try:
        quiet = runner.submit("prepare", "ahead", background, priority=LONG, preemptible=True)
        started.wait(60)
        runner.submit("publish", "same priority", lambda ctx: None, priority=LONG)
        assert not quiet._scope.stopped.is_set()  # an equal priority does not pre-empt
        runner.submit("line", "the take it is making", lambda ctx: None, preempt=False)
        assert not quiet._scope.stopped.is_set()  # a request that waits for that take
        urgent = runner.submit("line", "retake", edit, priority=EDIT)
        assert runner.wait(urgent.id).state == "done"
        assert runner.wait(quiet.id).state == "done"
        assert seen == {"background": "stopped", "edit saw": "stopped"}
        assert not TakeCache(tmp_path).has("long-take") and not list(tmp_path.rglob("*.*"))
    finally:
        runner.stop()
