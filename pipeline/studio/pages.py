"""The studio's HTML pages (server-rendered with Jinja2) and the fragments the script reloads."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from pipeline.casting import NARRATOR
from pipeline.render.regen import episode_context, list_takes
from pipeline.studio.state import LINE_ID, NotFound, StudioState
from pipeline.studio.views import cast_view, episode_view, list_episodes

TEMPLATES = Path(__file__).parent / "templates"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(max(0.0, float(seconds)), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["clock"] = clock
    return env


def state_of(request: Request) -> StudioState:
    return request.app.state.studio


def render(request: Request, template: str, status: int = 200, **context: object) -> Response:
    state = state_of(request)
    env: Environment = request.app.state.templates
    html = env.get_template(template).render(
        token=state.guard.token, show=state.show, has_feed=(state.out_dir / "feed"
                                                              / "index.html").is_file(),
        **context)
    return HTMLResponse(html, status_code=status)


def line_id_of(request: Request) -> str:
    line_id = request.path_params["line_id"]
    if not LINE_ID.match(line_id):
        raise NotFound(f"unknown line id '{line_id}'")
    return line_id


async def home(request: Request) -> Response:
    state = state_of(request)
    if state.episode:
        return RedirectResponse(f"/episodes/{state.episode}", status_code=303)
    return render(request, "index.html", episodes=list_episodes(state.out_dir),
                  out_dir=state.out_dir)


def episodes(request: Request) -> Response:
    state = state_of(request)
    return render(request, "index.html", episodes=list_episodes(state.out_dir),
                  out_dir=state.out_dir)


def episode_page(request: Request) -> Response:
    state = state_of(request)
    slug = request.path_params["slug"]
    view = episode_view(state.episode_dir(slug))
    ctx, _ = episode_context(state.episode_dir(slug))
    return render(request, "episode.html", view=view, voices=sorted(ctx.catalog),
                  busy=[job.to_dict() for job in state.runner.busy(slug)], tab="lines")


def lines_fragment(request: Request) -> Response:
    """The running order alone, reloaded by the page after every re-mix."""
    state = state_of(request)
    view = episode_view(state.episode_dir(request.path_params["slug"]))
    return render(request, "_lines.html", view=view)


def deck_fragment(request: Request) -> Response:
    """Facts, the timeline strip and the picture, reloaded with the lines."""
    state = state_of(request)
    view = episode_view(state.episode_dir(request.path_params["slug"]))
    return render(request, "_deck.html", view=view)


def inspector_fragment(request: Request) -> Response:
    """One line's panel: its takes (A/B), text, voice, delivery, pronunciations."""
    state = state_of(request)
    slug, line_id = request.path_params["slug"], line_id_of(request)
    folder = state.episode_dir(slug)
    view = episode_view(folder)
    row = view.line(line_id)
    if row is None:
        raise NotFound(f"unknown line id '{line_id}' in episode '{slug}'")
    ctx, _ = episode_context(folder)
    casting = ctx.cast.lines.get(line_id)
    cue = ctx.script.line(line_id)
    script_text = cue.text if cue is not None else row.text
    return render(request, "_inspector.html", view=view, row=row,
                  takes=list_takes(folder, line_id), voices=sorted(ctx.catalog),
                  cast_voice=ctx.cast.voices.get(row.speaker).name
                  if row.speaker in ctx.cast.voices else row.voice,
                  delivery=casting.delivery if casting else None, script_text=script_text,
                  lexicon=ctx.lexicon.matching(row.spoken_text),
                  words=line_words(row.spoken_text), **_pronounce_target(ctx))


def _pronounce_target(ctx) -> dict[str, str | None]:
    """Where a kept pronunciation would go, or why it cannot be kept."""
    from pipeline.lexicon import LexiconError
    from pipeline.studio.pronounce import target_of

    try:
        return {"pronounce_target": target_of(ctx).describe(), "pronounce_problem": None}
    except LexiconError as err:
        return {"pronounce_target": None, "pronounce_problem": err.problem}


def line_words(text: str) -> list[str]:
    """The line's words, once each, names (capitalised) first: what a pronunciation is for."""
    words = list(dict.fromkeys(re.findall(r"[^\W\d_][\w'’-]*", text)))
    return sorted(words, key=lambda w: not w[0].isupper())


def cast_page(request: Request) -> Response:
    state = state_of(request)
    slug = request.path_params["slug"]
    folder = state.episode_dir(slug)
    view = episode_view(folder)
    ctx, _ = episode_context(folder)
    people = cast_view(view, {name: v.name for name, v in ctx.cast.voices.items()},
                       ctx.cast.automatic)
    catalog = [{"name": name, "engine": spec.engine, "gender": spec.gender or "",
                "age": spec.age or "", "description": spec.description}
               for name, spec in sorted(ctx.catalog.items())]
    return render(request, "cast.html", view=view, people=people, catalog=catalog,
                  narrator=NARRATOR, busy=[job.to_dict() for job in state.runner.busy(slug)],
                  tab="cast")


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/episodes", episodes),
        Route("/episodes/{slug}", episode_page),
        Route("/episodes/{slug}/cast", cast_page),
        Route("/episodes/{slug}/fragments/lines", lines_fragment),
        Route("/episodes/{slug}/fragments/deck", deck_fragment),
        Route("/episodes/{slug}/fragments/lines/{line_id}", inspector_fragment),
    ]
