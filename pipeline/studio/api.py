"""The studio's JSON API: requests that change an episode queue a job (202 + the job), and the
page follows it on the event stream. Input is checked here first, so a bad request gets a clear
error at once (400/404) instead of a failed job."""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipeline.errors import CastwrightError
from pipeline.render.manifest import load_manifest, manifest_line
from pipeline.render.regen import DELIVERY_RANGES
from pipeline.studio import actions, checks, prepare, pronounce
from pipeline.studio.actions import LineChange
from pipeline.studio.pages import line_id_of, state_of
from pipeline.studio.state import NotFound

MAX_TEXT = 5000


class BadRequest(CastwrightError):
    """The request itself is wrong (HTTP 400)."""


async def body_of(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise BadRequest("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    return data


def accepted(job) -> Response:
    return JSONResponse({"job": job.to_dict()}, status_code=202)


def _known_line(request: Request) -> tuple[str, str]:
    state = state_of(request)
    slug, line_id = request.path_params["slug"], line_id_of(request)
    try:
        manifest_line(load_manifest(state.episode_dir(slug)), line_id)
    except NotFound:
        raise
    except CastwrightError as err:
        raise NotFound(err.problem) from None
    return slug, line_id


def _number(data: dict, name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRequest(f"'{name}' must be a number")
    low, high = DELIVERY_RANGES[name]
    if not low <= value <= high:
        raise BadRequest(f"{name} {value:g} is outside {low:g}..{high:g}")
    return float(value)


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"'{name}' must be non-empty text")
    if len(value) > MAX_TEXT:
        raise BadRequest(f"'{name}' is longer than {MAX_TEXT} characters")
    return value.strip()


async def line_action(request: Request) -> Response:
    """POST /api/episodes/{slug}/lines/{line_id}/{action}: retake, keep, text, voice,
    delivery, reset, pronounce, check (QA again), prepare (the line was opened: its next take
    is made first, in the background)."""
    slug, line_id = _known_line(request)
    action = request.path_params["action"]
    data = await body_of(request)
    if action == "retake":
        change = LineChange()
    elif action == "keep":
        take = data.get("take")
        if isinstance(take, bool) or not isinstance(take, int) or take < 1:
            raise BadRequest("'take' must be a take number (1 or more)")
        change = LineChange(take=take)
    elif action == "text":
        change = LineChange(text=_text(data, "text"))
    elif action == "voice":
        voice = _text(data, "voice")
        actions.check_voice(state_of(request).episode_dir(slug), voice)
        change = LineChange(voice=voice)
    elif action == "delivery":
        change = LineChange(pace=_number(data, "pace"),
                            expressiveness=_number(data, "expressiveness"),
                            clear_delivery=bool(data.get("clear")))
        if change.pace is None and change.expressiveness is None and not change.clear_delivery:
            raise BadRequest("give 'pace', 'expressiveness' or 'clear'")
    elif action == "reset":
        change = LineChange(reset=True)
    elif action == "pronounce":
        return accepted(_pronounce(request, slug, line_id, data))
    elif action == "prepare":
        return accepted(prepare.keep_takes_ready(state_of(request), slug, line_id))
    elif action == "check":
        return accepted(checks.check_qa(state_of(request), slug, line_id))
    else:
        raise NotFound(f"no line action '{action}'")
    return accepted(actions.change_line(state_of(request), slug, line_id, change))


def _pronounce(request: Request, slug: str, line_id: str, data: dict):
    """``{word, say | ipa, keep}``: hear the line with a word said so, or keep it."""
    word = _text(data, "word")
    kind = [k for k in ("say", "ipa") if data.get(k) is not None]
    if len(kind) != 1:
        raise BadRequest("give 'say' (a respelling) or 'ipa' (phonemes), one of them")
    spoken = _text(data, kind[0])
    keep = data.get("keep", False)
    if not isinstance(keep, bool):
        raise BadRequest("'keep' must be true or false")
    state = state_of(request)
    entry = pronounce.checked_entry(state.episode_dir(slug), line_id, word,
                                    spoken if kind[0] == "say" else None,
                                    spoken if kind[0] == "ipa" else None)
    act = pronounce.keep_pronunciation if keep else pronounce.try_pronunciation
    return act(state, slug, line_id, entry)


def _character(request: Request) -> tuple[str, str]:
    state = state_of(request)
    slug, name = request.path_params["slug"], request.path_params["name"]
    cast = load_manifest(state.episode_dir(slug)).get("cast") or {}
    if name not in cast:
        raise NotFound(f"no character '{name}' in episode '{slug}'")
    return slug, name


def cast_plan(request: Request) -> Response:
    slug, name = _character(request)
    voice = request.query_params.get("voice", "")
    if not voice:
        raise BadRequest("say which voice: ?voice=NAME")
    return JSONResponse(actions.cast_plan(state_of(request), slug, name, voice))


async def cast_change(request: Request) -> Response:
    slug, name = _character(request)
    data = await body_of(request)
    voice = _text(data, "voice")
    actions.cast_plan(state_of(request), slug, name, voice)  # a wrong voice fails here, now
    return accepted(actions.change_cast(state_of(request), slug, name, voice))


async def cast_audition(request: Request) -> Response:
    slug, name = _character(request)
    data = await body_of(request)
    voice = _text(data, "voice")
    line_id = data.get("line_id") if isinstance(data.get("line_id"), str) else None
    actions.cast_plan(state_of(request), slug, name, voice)
    return accepted(actions.audition(state_of(request), slug, name, voice, line_id))


async def publish(request: Request) -> Response:
    await body_of(request)
    state = state_of(request)
    if state.show is None:
        raise BadRequest("no show file: start the studio with --show show.toml to publish")
    return accepted(actions.publish_show(state))


async def episode_check(request: Request) -> Response:
    """POST /api/episodes/{slug}/check: QA the episode (unchanged takes are not heard again)."""
    await body_of(request)
    state = state_of(request)
    slug = request.path_params["slug"]
    state.episode_dir(slug)
    return accepted(checks.check_qa(state, slug))


def episode_busy(request: Request) -> Response:
    """The episode's jobs still queued or running."""
    state = state_of(request)
    slug = request.path_params["slug"]
    state.episode_dir(slug)
    return JSONResponse({"jobs": [job.to_dict() for job in state.runner.busy(slug)]})


def job_status(request: Request) -> Response:
    job = state_of(request).runner.jobs.get(request.path_params["job"])
    if job is None:
        raise NotFound(f"no job '{request.path_params['job']}'")
    return JSONResponse(job.to_dict())


def routes() -> list[Route]:
    return [
        Route("/api/episodes/{slug}/lines/{line_id}/{action}", line_action, methods=["POST"]),
        Route("/api/episodes/{slug}/cast/{name}/plan", cast_plan),
        Route("/api/episodes/{slug}/cast/{name}/audition", cast_audition, methods=["POST"]),
        Route("/api/episodes/{slug}/cast/{name}", cast_change, methods=["POST"]),
        Route("/api/episodes/{slug}/check", episode_check, methods=["POST"]),
        Route("/api/publish", publish, methods=["POST"]),
        Route("/api/episodes/{slug}/busy", episode_busy),
        Route("/api/jobs/{job}", job_status),
    ]
