"""Server-sent events: job progress, "heard" cuts and re-mixed episodes pushed to every page.

One stream per open page (``GET /events``). On connect it first replays the jobs still queued or
running, so a page opened (or reloaded) mid-job shows their progress; a comment every 15 s keeps
idle connections open through proxies and lets the server notice a closed tab.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from pipeline.errors import CastwrightError
from pipeline.render.manifest import MANIFEST_FILE, load_manifest
from pipeline.studio.pages import state_of
from pipeline.studio.prepare import keep_takes_ready
from pipeline.studio.views import episode_version

KEEP_ALIVE = 15.0
WATCH = 2.0  # seconds between looks at the page's episode (changed by the CLI, say)


def sse(kind: str, data: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class ManifestWatch:
    """Notices when an episode's manifest is rewritten by someone else (``castwright regen``
    in a terminal, another studio): the page then reloads its rows and player too."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.stamp = self._stamp()

    def _stamp(self) -> int | None:
        try:
            return (self.folder / MANIFEST_FILE).stat().st_mtime_ns if self.folder else None
        except OSError:
            return None

    def changed(self) -> dict | None:
        stamp = self._stamp()
        if stamp is None or stamp == self.stamp:
            return None
        self.stamp = stamp
        try:
            manifest = load_manifest(self.folder)
        except CastwrightError:
            return None
        return {"episode": self.folder.name, "version": episode_version(manifest)}


async def events(request: Request) -> Response:
    """``GET /events[?episode=SLUG]``: every job's progress; with ``episode``, also that
    episode's re-mixes made outside this studio."""
    state = state_of(request)
    slug = request.query_params.get("episode")
    watch = ManifestWatch(state.episode_dir(slug) if slug else None)
    queue = state.hub.subscribe()

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 1000\n\n"
            for job in list(state.runner.jobs.values()):
                if job.state in ("queued", "running"):
                    yield sse("job", job.to_dict())
            idle = 0.0
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=WATCH)
                except TimeoutError:
                    idle += WATCH
                    changed = watch.changed()
                    if changed:  # a re-mix from outside: its changed lines need next takes
                        keep_takes_ready(state, slug)
                        yield sse("episode", changed)
                    elif idle >= KEEP_ALIVE:
                        idle = 0.0
                        yield ": keep-alive\n\n"
                    continue
                if event["event"] == "episode" and event["data"].get("episode") == slug:
                    watch.stamp = watch._stamp()  # our own re-mix: already announced
                yield sse(event["event"], event["data"])
        finally:
            state.hub.unsubscribe(queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


def routes() -> list[Route]:
    return [Route("/events", events)]
