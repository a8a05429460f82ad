"""Server-sent events: job progress, "heard" cuts and re-mixed episodes pushed to every page.

One stream per open page (``GET /events``). On connect it first replays the jobs still queued or
running, so a page opened (or reloaded) mid-job shows their progress; a comment every 15 s keeps
idle connections open through proxies and lets the server notice a closed tab.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from pipeline.studio.pages import state_of

KEEP_ALIVE = 15.0


def sse(kind: str, data: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def events(request: Request) -> Response:
    state = state_of(request)
    queue = state.hub.subscribe()

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 1000\n\n"
            for job in list(state.runner.jobs.values()):
                if job.state in ("queued", "running"):
                    yield sse("job", job.to_dict())
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield sse(event["event"], event["data"])
        finally:
            state.hub.unsubscribe(queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


def routes() -> list[Route]:
    return [Route("/events", events)]
