"""``castwright play EPISODE [LINE]``: listen to an episode, a line as mixed, or one take."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import note, user_errors
from pipeline.commands.render import EpisodeArgument, OutOption
from pipeline.errors import RenderError


def _episode_audio(episode_dir: Path, manifest: dict) -> Path:
    files = manifest.get("files") or {}
    for kind in ("wav", "mp3"):
        if kind in files and (episode_dir / files[kind]).is_file():
            return episode_dir / files[kind]
    raise RenderError("the episode has no audio file: render it again", episode_dir)


def _take_audio(episode_dir: Path, line_id: str, take: int) -> Path:
    from pipeline.render.regen import episode_context, list_takes

    infos = {info.take: info for info in list_takes(episode_dir, line_id)}
    info = infos.get(take)
    if info is None or not info.cached:
        known = ", ".join(str(n) for n, i in infos.items() if i.cached) or "none"
        raise RenderError(f"take {take} of {line_id} is not in the cache (cached: {known}; "
                          f"castwright regen EPISODE {line_id} --take {take} makes it)")
    return episode_context(episode_dir)[0].cache.wav_path(info.cache_key)


@user_errors
def play_command(
    episode: EpisodeArgument,
    line_id: Annotated[str | None, typer.Argument(
        metavar="LINE",
        help="A line id: play only that line, as mixed in the episode.")] = None,
    take: Annotated[int | None, typer.Option(
        "--take", min=1, help="Play this take of LINE from the take cache instead (to "
        "compare takes before choosing one with regen --take).")] = None,
    context: Annotated[float, typer.Option(
        "--context", min=0.0, max=60.0, help="Seconds of the mix before and after LINE.")
    ] = 0.5,
    out: OutOption = Path("output"),
) -> None:
    """Play an episode, or one line of it, through ffplay, mpv or the system's player
    (CASTWRIGHT_PLAYER names another)."""
    from pipeline.playback import find_player, play_file, read_span, temp_wav
    from pipeline.render.manifest import load_manifest, manifest_line, resolve_episode

    player = find_player()  # before any work: no player, no point
    episode_dir = resolve_episode(episode, out)
    manifest = load_manifest(episode_dir)
    if line_id is None:
        if take is not None:
            raise RenderError("--take needs a LINE")
        audio = _episode_audio(episode_dir, manifest)
        note(f"playing {audio} with {player.name}; Ctrl-C stops")
        play_file(audio, player)
        return
    line = manifest_line(manifest, line_id)
    if take is not None:
        source = _take_audio(episode_dir, line_id, take)
        samples, sr = read_span(source, 0.0, float("inf"))
        what = f"{line_id} take {take}"
    else:
        if line.get("start") is None or line.get("end") is None:
            raise RenderError(f"line {line_id} has no place in the mix", episode_dir)
        samples, sr = read_span(_episode_audio(episode_dir, manifest),
                                line["start"] - context, line["end"] + context)
        what = f"{line_id} as mixed"
    with temp_wav(samples, sr) as clip:
        note(f"playing {what} ({len(samples) / sr:.1f} s) with {player.name}")
        play_file(clip, player)


def register(app: typer.Typer) -> None:
    """Add ``castwright play``."""
    app.command("play")(play_command)
