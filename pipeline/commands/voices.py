"""``castwright voices``: list the catalog, preview a voice, download a Piper voice."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeline.commands.common import console, user_errors
from pipeline.errors import VoiceError

VoicesDir = Annotated[Path | None, typer.Option(
    "--voices-dir", help="Folder with catalog .toml files and Piper voices (default: ./voices).")]

voices_app = typer.Typer(help="List, preview and download voices.", no_args_is_help=False)


@voices_app.callback(invoke_without_command=True)
@user_errors
def list_voices(
    ctx: typer.Context,
    voices_dir: VoicesDir = None,
) -> None:
    """List every voice: engine, who it sounds like, and whether it can be used here."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.catalog import load_catalog
    from pipeline.engines import available

    table = Table(title="Voices")
    for column in ("name", "engine", "gender", "age", "role", "available", "description"):
        table.add_column(column, overflow="fold")
    for name, spec in sorted(load_catalog(voices_dir).items()):
        ok, why = available(spec)
        engine = spec.engine + (" (designed)" if not spec.design.is_identity() else "")
        table.add_row(name, engine, spec.gender or "-", spec.age or "-", spec.role or "-",
                      "yes" if ok else f"no: {why}", spec.description)
    console.print(table)


@voices_app.command("preview")
@user_errors
def preview(
    voice: Annotated[str, typer.Argument(
        help="Voice name from the catalog, or a Piper .onnx path.")],
    text: Annotated[str, typer.Argument(help="What to say.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="WAV file to write.")],
    take: Annotated[int, typer.Option(min=1, help="Take number (2+ = another reading).")] = 1,
    pace: Annotated[float, typer.Option(min=0.5, max=2.0, help="> 1 speaks faster.")] = 1.0,
    pitch: Annotated[float, typer.Option(help="Extra pitch shift in semitones.")] = 0.0,
    voices_dir: VoicesDir = None,
) -> None:
    """Render TEXT in VOICE (design applied) to a WAV file."""
    import soundfile as sf

    from pipeline.atomic import atomic_path
    from pipeline.catalog import get_voice, load_catalog
    from pipeline.engines import synthesize
    from pipeline.engines.base import Delivery

    spec = get_voice(load_catalog(voices_dir), voice)
    result = synthesize(spec, text, Delivery(pace=pace, pitch_semitones=pitch), take=take)
    with atomic_path(output) as tmp:
        sf.write(tmp, result.samples, result.sample_rate, format="WAV", subtype="PCM_16")
    console.print(f"wrote {output} ({result.duration:.2f} s, {spec.name})")


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
    console.print(f"downloaded {model}; use it as voice '{model.stem}'")


def register(app: typer.Typer) -> None:
    """Add ``castwright voices`` (list), ``voices preview`` and ``voices download``."""
    app.add_typer(voices_app, name="voices")
