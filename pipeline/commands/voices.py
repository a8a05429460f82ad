"""``castwright voices``: list the catalog, preview a voice, download a Piper voice."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import Column, JsonOption, print_rows, say, user_errors
from pipeline.errors import VoiceError

VoicesDir = Annotated[Path | None, typer.Option(
    "--voices-dir", help="Your voices folder (default: ./voices), layered over the built-in one.")]

voices_app = typer.Typer(help="List, preview and download voices.", no_args_is_help=False)

VOICE_COLUMNS = [Column("name"), Column("engine_shown", "engine"),
                 Column("gender", show=lambda v: v or "-"), Column("age", show=lambda v: v or "-"),
                 Column("role", show=lambda v: v or "-"),
                 Column("available_shown", "available", wrap=True),
                 Column("description", wrap=True)]


def voice_rows(voices_dir: Path | None) -> list[dict]:
    from pipeline.catalog import load_catalog
    from pipeline.engines import available

    rows = []
    for name, spec in sorted(load_catalog(voices_dir).items()):
        ok, why = available(spec)
        designed = not spec.design.is_identity()
        rows.append({
            "name": name, "engine": spec.engine, "designed": designed,
            "engine_shown": spec.engine + (" (designed)" if designed else ""),
            "gender": spec.gender, "age": spec.age, "role": spec.role,
            "available": ok, "unavailable_because": why or None,
            "available_shown": "yes" if ok else f"no: {why}",
            "description": spec.description,
        })
    return rows


@voices_app.callback(invoke_without_command=True)
@user_errors
def list_voices(
    ctx: typer.Context,
    voices_dir: VoicesDir = None,
    as_json: JsonOption = False,
) -> None:
    """List every voice: engine, who it sounds like, and whether it can be used here.

    In a pipe: one tab-separated row per voice (name, engine, gender, age, role, available,
    description)."""
    if ctx.invoked_subcommand is not None:
        return
    rows = voice_rows(voices_dir)
    shown = ("engine_shown", "available_shown")
    print_rows(rows, VOICE_COLUMNS, title="Voices", as_json=as_json,
               document={"voices": [{k: v for k, v in r.items() if k not in shown}
                                    for r in rows]})


@voices_app.command("preview")
@user_errors
def preview(
    voice: Annotated[str, typer.Argument(
        metavar="VOICE", help="Voice name from the catalog, or a Piper .onnx path.")],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What to say.")],
    output: Annotated[Path | None, typer.Option("--out", "-o", help="WAV file to write.")] = None,
    output_alias: Annotated[Path | None, typer.Option("--output", hidden=True)] = None,
    play: Annotated[bool, typer.Option("--play", help="Play it (with or without -o).")] = False,
    take: Annotated[int, typer.Option(min=1, help="Take number (2+ = another reading).")] = 1,
    pace: Annotated[float, typer.Option(min=0.5, max=2.0, help="> 1 speaks faster.")] = 1.0,
    pitch: Annotated[float, typer.Option(help="Extra pitch shift in semitones.")] = 0.0,
    voices_dir: VoicesDir = None,
) -> None:
    """Render TEXT in VOICE (design applied) to a WAV file, or play it (--play)."""
    output = output or output_alias
    if output is None and not play:
        raise VoiceError("give -o FILE.wav to write the preview, or --play to hear it")
    player = None
    if play:
        from pipeline.playback import find_player

        player = find_player()  # no player: say so before synthesizing
    import soundfile as sf

    from pipeline.atomic import atomic_path
    from pipeline.catalog import get_voice, load_catalog
    from pipeline.engines import synthesize
    from pipeline.engines.base import Delivery

    spec = get_voice(load_catalog(voices_dir), voice)
    result = synthesize(spec, text, Delivery(pace=pace, pitch_semitones=pitch), take=take)
    if output is not None:
        with atomic_path(output) as tmp:
            sf.write(tmp, result.samples, result.sample_rate, format="WAV", subtype="PCM_16")
        say(f"wrote {output} ({result.duration:.2f} s, {spec.name})")
    if player is not None:
        from pipeline.playback import play_file, temp_wav

        with temp_wav(result.samples, result.sample_rate) as clip:
            play_file(clip, player)


@voices_app.command("download")
@user_errors
def download(
    name: Annotated[str, typer.Argument(help="Piper voice name, e.g. en_US-lessac-medium.")],
    voices_dir: Annotated[Path, typer.Option(
        "--voices-dir", help="Where to save it.")] = Path("voices"),
) -> None:
    """Fetch a Piper voice by name (needs network); it then appears in `castwright voices`."""
    from pipeline.engines.piper_engine import download as piper_download

    try:
        model, _config = piper_download(name, voices_dir)
    except ImportError:
        raise VoiceError("downloading needs piper-tts (pip install piper-tts)") from None
    say(f"downloaded {model}; use it as voice '{model.stem}'")


def register(app: typer.Typer) -> None:
    """Add ``castwright voices`` (list), ``voices preview`` and ``voices download``."""
    app.add_typer(voices_app, name="voices")
