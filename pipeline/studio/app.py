"""The studio's ASGI application: routes, the guard, error pages, static files."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from pipeline.errors import CastwrightError
from pipeline.studio import api, events, media, pages
from pipeline.studio.security import GuardMiddleware
from pipeline.studio.state import NotFound, StudioState

STATIC = Path(__file__).parent / "static"


def wants_html(request: Request) -> bool:
    if request.url.path.startswith(("/api/", "/events", "/cuts/")) or "/files/" in \
            request.url.path or request.method != "GET":
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, problem: str) -> Response:
    if wants_html(request):
        return pages.render(request, "error.html", status=status, problem=problem,
                            code=status)
    return JSONResponse({"error": problem}, status_code=status)


async def user_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CastwrightError)
    return error_response(request, 404 if isinstance(exc, NotFound) else 400, str(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    problem = "no such page" if exc.status_code == 404 else str(exc.detail)
    return error_response(request, exc.status_code, problem)


async def os_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OSError)
    where = f"{exc.filename}: " if exc.filename else ""
    return error_response(request, 500, f"{where}{exc.strerror or exc}")


def create_app(state: StudioState) -> Starlette:
    app = Starlette(
        routes=[*pages.routes(), *api.routes(), *media.routes(), *events.routes(),
                Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=[Middleware(GuardMiddleware, guard=state.guard)],
        exception_handlers={CastwrightError: user_error, HTTPException: http_error,
                            OSError: os_error},
    )
    app.state.studio = state
    app.state.templates = pages.environment()
    return app
