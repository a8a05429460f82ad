"""``castwright say WORD``: audition a pronunciation (the lexicon's, or one to try) in a voice."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.common import JsonOption, print_json, say, user_errors
from pipeline.errors import CastwrightError


@user_errors
def say_command(
    word: Annotated[str, typer.Argument(metavar="WORD", help="The word or name to hear.")],
    voice: Annotated[str | None, typer.Option(
        "--voice", help="Voice (default: the cast file's narrator, else the catalog's).")] = None,
    ipa: Annotated[str | None, typer.Option(
        "--ipa", help="Try these phonemes (IPA, as espeak writes them).")] = None,
    respell: Annotated[str | None, typer.Option(
        "--say", help="Try this respelling.")] = None,
    sentence: Annotated[str | None, typer.Option(
        "--in", help="Say it in this sentence ({} marks the word).")] = None,
    add: Annotated[bool, typer.Option(
        "--add", help="Write the --ipa/--say entry into voices/lexicon.toml.")] = False,
    output: Annotated[Path | None, typer.Option(
        "--out", "-o", help="WAV file to write (default: say-WORD.wav, unless --play).")] = None,
    output_alias: Annotated[Path | None, typer.Option("--output", hidden=True)] = None,
    play: Annotated[bool, typer.Option("--play", help="Play it (with or without -o).")] = False,
    voices_dir: Annotated[Path | None, typer.Option(
        "--voices-dir", help="Folder with the catalog, cast.toml and lexicon.toml.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Say WORD as the lexicon has it (or as --ipa/--say would): write a WAV and/or play it,
    and show the phonemes espeak gives it and what the engine reads."""
    import soundfile as sf

    from pipeline.atomic import atomic_path
    from pipeline.catalog import default_voices_dir, get_voice, load_catalog
    from pipeline.engines import get_engine, synthesize, takes_phonemes
    from pipeline.engines.pronounce import rewrite, word_ipa
    from pipeline.lexicon import entry_from, load_lexicon, word_pattern
    from pipeline.lexicon_edit import add_entry, project_lexicon

    player = None
    if play:
        from pipeline.playback import find_player

        player = find_player()  # no player: say so before synthesizing
    folder = voices_dir or default_voices_dir()
    catalog = load_catalog(folder)
    spec = get_voice(catalog, voice or _narrator(folder, catalog))
    if ipa is not None or respell is not None:
        value = {k: v for k, v in (("ipa", ipa), ("say", respell)) if v is not None}
        entry = entry_from(word, value, "", None)
    else:
        entry = load_lexicon(folder).entries.get(" ".join(word.split()).lower())
    if add and not (ipa or respell):
        raise CastwrightError("--add needs --ipa or --say: the pronunciation to keep")
    text = sentence.replace("{}", word) if sentence else word
    if sentence and not word_pattern(word).search(text):
        raise CastwrightError(f"--in sentence does not contain '{word}' (mark it with {{}})")
    entries = (entry,) if entry else ()
    result = synthesize(spec, text, pronounce=entries)
    target = output or output_alias or (None if play else Path(f"say-{_slug(word)}.wav"))
    if target is not None:
        with atomic_path(target) as tmp:
            sf.write(tmp, result.samples, result.sample_rate, format="WAV", subtype="PCM_16")
    spoken = rewrite(text, entries, takes_phonemes(get_engine(spec.engine))).text
    lexicon_file = project_lexicon(folder) if add else None
    if lexicon_file is not None:
        add_entry(lexicon_file, entry)
    report = {"word": word, "voice": spec.name, "engine": spec.engine,
              "espeak_ipa": word_ipa(word),
              "entry": {"say": entry.say, "ipa": entry.ipa} if entry else None,
              "entry_from": ("--ipa/--say" if (ipa or respell) else "lexicon") if entry else None,
              "engine_reads": spoken, "wav": str(target) if target else None,
              "duration": round(result.duration, 3),
              "added_to": str(lexicon_file) if add else None}
    if as_json:
        print_json(report)
    else:
        _tell(report, entry)
    if player is not None:
        from pipeline.playback import play_file, temp_wav

        with temp_wav(result.samples, result.sample_rate) as clip:
            play_file(clip, player)


def _tell(report: dict, entry) -> None:
    say(f"voice {report['voice']} ({report['engine']}); espeak reads '{report['word']}' as "
        f"/{report['espeak_ipa']}/")
    if entry:
        say(f"{'trying' if report['entry_from'] != 'lexicon' else 'lexicon'}: "
            f"{_describe(entry)} -> engine reads: {report['engine_reads']}")
    else:
        say("no lexicon entry: the engine reads it as written")
    if report["wav"]:
        say(f"wrote {report['wav']} ({report['duration']:.2f} s)")
    if report["added_to"]:
        say(f"added to {report['added_to']}: {_describe(entry)}")


def _narrator(folder: Path, catalog: dict) -> str:
    from pipeline.casting import choose_narrator, load_cast_file

    cast_path = folder / "cast.toml"
    cast = load_cast_file(cast_path if cast_path.is_file() else None)
    return choose_narrator(catalog, cast).name


def _slug(word: str) -> str:
    return re.sub(r"[^\w-]+", "-", word.strip().lower()).strip("-") or "word"


def _describe(entry) -> str:
    parts = []
    if entry.say:
        parts.append(f'say "{entry.say}"')
    if entry.ipa:
        parts.append(f"/{entry.ipa}/")
    return f"{entry.word}: " + ", ".join(parts)


def register(app: typer.Typer) -> None:
    """Add ``castwright say``."""
    app.command("say")(say_command)
