"""Audio, pictures and the published feed: only files inside the output folder, by name.

Episode files are served by the names the manifest lists, takes by their cache key, the feed
from ``OUT/feed/``; every path is resolved (symlinks included) and must stay inside the folder
it comes from (``security.inside``). ``FileResponse`` answers HTTP range requests, so the
players seek without downloading the whole episode.
"""

from __future__ import annotations

import io
import re

import soundfile as sf
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from pipeline.render.cache import TakeCache
from pipeline.render.episode import CACHE_DIR
from pipeline.render.manifest import load_manifest
from pipeline.studio.pages import line_id_of, state_of
from pipeline.studio.preview import context_cut, trial_choice
from pipeline.studio.security import OutsideError, inside
from pipeline.studio.state import NotFound

CACHE_KEY = re.compile(r"^[0-9a-f]{32}$")
CUT_ID = re.compile(r"^[0-9a-f]{32}$")
MEDIA_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav", ".m4a": "audio/mp4",
               ".opus": "audio/ogg", ".png": "image/png", ".vtt": "text/vtt",
               ".srt": "text/plain", ".json": "application/json", ".xml": "application/xml",
               ".html": "text/html", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
NO_STORE = {"cache-control": "no-store"}


def _file(path, request: Request) -> Response:
    media = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    # Versioned URLs (?v=) may be cached; the rest is asked for again each time.
    cache = "private, max-age=31536000, immutable" if "v" in request.query_params else "no-cache"
    return FileResponse(path, media_type=media, headers={"cache-control": cache})


def episode_file(request: Request) -> Response:
    state = state_of(request)
    slug, name = request.path_params["slug"], request.path_params["name"]
    folder = state.episode_dir(slug)
    listed = set((load_manifest(folder).get("files") or {}).values()) | {"qa.html"}
    if name not in listed:
        raise NotFound(f"episode '{slug}' has no file '{name}'")
    try:
        return _file(inside(state.out_dir, slug, name), request)
    except OutsideError:
        raise NotFound(f"episode '{slug}' has no file '{name}'") from None


def take_audio(request: Request) -> Response:
    """One take alone, as 16-bit WAV (the cache keeps float WAVs, not every browser's taste)."""
    state = state_of(request)
    key = request.path_params["key"]
    state.episode_dir(request.path_params["slug"])
    if not CACHE_KEY.match(key):
        raise NotFound(f"no take '{key}'")
    cache = TakeCache(state.out_dir / CACHE_DIR)
    try:
        inside(state.out_dir, *CACHE_DIR.split("/"), key[:2], f"{key}.wav")
        take = cache.load(key)
    except (OutsideError, KeyError):
        raise NotFound(f"no take '{key}' in the take cache") from None
    buffer = io.BytesIO()
    sf.write(buffer, take.samples, take.sample_rate, format="WAV", subtype="PCM_16")
    return Response(buffer.getvalue(), media_type="audio/wav",
                    headers={"cache-control": "private, max-age=31536000, immutable"})


def line_context(request: Request) -> Response:
    """The mix around a line, cut on demand: its current take, or ``?take=N`` on trial."""
    state = state_of(request)
    slug, line_id = request.path_params["slug"], line_id_of(request)
    folder = state.episode_dir(slug)
    trial = None
    if "take" in request.query_params:
        try:
            take = int(request.query_params["take"])
        except ValueError:
            raise NotFound(f"no take '{request.query_params['take']}'") from None
        trial = trial_choice(folder, line_id, take=take)
    cut = context_cut(folder, line_id, trial)
    return Response(cut.wav, media_type="audio/wav",
                    headers={**NO_STORE, "x-line-start": f"{cut.line_start:.3f}"})


def cut_audio(request: Request) -> Response:
    state = state_of(request)
    cut_id = request.path_params["cut"]
    cut = state.cuts.get(cut_id) if CUT_ID.match(cut_id) else None
    if cut is None:
        raise NotFound("that cut is gone (the studio keeps the last few)")
    return Response(cut.wav, media_type="audio/wav",
                    headers={"cache-control": "private, max-age=3600"})


def feed_file(request: Request) -> Response:
    state = state_of(request)
    path = request.path_params.get("path") or "index.html"
    parts = [part for part in path.split("/") if part]
    try:
        return _file(inside(state.out_dir / "feed", *(parts or ["index.html"])), request)
    except OutsideError:
        raise NotFound(f"no published file '{path}' (publish first?)") from None


def routes() -> list[Route]:
    return [
        Route("/episodes/{slug}/files/{name}", episode_file),
        Route("/episodes/{slug}/takes/{key}.wav", take_audio),
        Route("/episodes/{slug}/lines/{line_id}/context.wav", line_context),
        Route("/cuts/{cut}.wav", cut_audio),
        Route("/feed/", feed_file),
        Route("/feed/{path:path}", feed_file),
    ]
