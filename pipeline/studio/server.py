"""``castwright studio``: open an episode (rendering a script first), then serve the studio.

One long-lived process: the mixer, matplotlib and the episode's voice models are loaded once,
at start (the "warm-up" job), so a retake costs its synthesis and a cut of the mix, not the
seconds of start-up and imports a ``castwright regen`` pays each time.
"""

from __future__ import annotations

import socket
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CastwrightError, RenderError
from pipeline.render.manifest import MANIFEST_FILE, load_manifest
from pipeline.studio.jobs import JobContext
from pipeline.studio.prepare import keep_takes_ready
from pipeline.studio.security import Guard, is_loopback, new_token
from pipeline.studio.state import StudioState

WARM_TEXT = "Ready."


@dataclass
class Opened:
    out_dir: Path
    slug: str | None


def open_target(target: Path | None, out: Path, render: Callable[[Path, Path], Path]) -> Opened:
    """An episode folder, a slug under ``out``, or a script (rendered into ``out`` first)."""
    if target is None:
        return Opened(out, None)
    for folder in (target, out / str(target)):
        if (folder / MANIFEST_FILE).is_file():
            return Opened(folder.resolve().parent, folder.resolve().name)
    if target.is_file():
        episode = render(target, out)
        return Opened(episode.resolve().parent, episode.resolve().name)
    raise RenderError(f"'{target}' is neither a rendered episode (a folder with "
                      f"{MANIFEST_FILE}, or a name under {out}/) nor a script file")


def warm_imports() -> None:
    """Load the mixer and matplotlib now, and draw plots in this process from now on (a
    threaded server must not fork helpers)."""
    import pipeline.mix.window  # noqa: F401 - the mixer: scipy and friends
    import pipeline.render.assemble  # noqa: F401
    from pipeline.mix import plot

    plot.no_helper()
    plot._import_matplotlib()


def warm_voices(state: StudioState, slug: str) -> None:
    """Queue the loading of every voice the episode uses and one cut of the mix, then the
    making of every line's next take (so any line's *New take* is heard at once)."""
    def work(ctx: JobContext) -> dict:
        from pipeline.engines import synthesize
        from pipeline.render.regen import episode_context
        from pipeline.studio.preview import context_cut

        episode = state.episode_dir(slug)
        epctx, manifest = episode_context(episode)
        voices = {line.voice.name: line.voice for line in epctx.cast.lines.values()}
        for n, (name, spec) in enumerate(sorted(voices.items())):
            ctx.progress(0.9 * n / max(len(voices), 1), f"loading voice {name}")
            try:
                synthesize(spec, WARM_TEXT)
            except CastwrightError:
                continue  # an unusable voice fails later, where it is used, with its error
        if manifest["lines"]:
            context_cut(episode, manifest["lines"][0]["line_id"])
        return {"voices": sorted(voices)}

    state.runner.submit("warmup", "warming up the voices", work, episode=slug)
    keep_takes_ready(state, slug)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as err:
        raise CastwrightError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


def serve(out_dir: Path, slug: str | None, host: str, port: int, show: Path | None,
          say: Callable[[str], None], open_browser: bool = False) -> None:
    """Run the studio until Ctrl-C."""
    import uvicorn

    from pipeline.studio.app import create_app

    if slug is not None:
        load_manifest(out_dir / slug)  # a damaged manifest is an error now, not a blank page
    sock = bind(host, port)
    warm_imports()
    guard = Guard(token=new_token(), host=host, port=sock.getsockname()[1])
    state = StudioState(out_dir=out_dir, guard=guard, show=show, episode=slug)
    if slug is not None:
        warm_voices(state, slug)
    app = create_app(state)
    url = guard.url("/")
    say(f"studio: {url}  (Ctrl-C to stop)")
    if not is_loopback(host):
        say(f"warning: listening on {host}: anyone who can reach it and has the link can "
            "edit these episodes")
    if open_browser:
        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=1)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        state.close()
        sock.close()
