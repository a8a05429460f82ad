"""Types and ranges of a cast table (a cast file, or a show file's ``[cast]``), checked before
casting reads it: every problem is one ``CastError`` at the file and line of its key.

A value outside its range is refused, never used as is: ``pitch_semitones = 1000`` would take a
render minutes of CPU per line, ``volume_db = 400`` would drown every other voice.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pipeline.errors import CastError, MixError
from pipeline.tomlfile import KeyLines

# key -> (low, high): what the engines and the mixer can do with a delivery.
DELIVERY_RANGES: dict[str, tuple[float, float]] = {
    "pace": (0.5, 2.0),
    "expressiveness": (0.0, 2.0),
    "volume_db": (-30.0, 12.0),
    "pitch_semitones": (-24.0, 24.0),
}
GENDERS = ("male", "female")
BOOL_KEYS = ("narrate_summary", "pov_narration")
TABLE_KEYS = ("narrator_delivery", "characters", "mix")


class _Checker:
    def __init__(self, path: Path | None, text: str, prefix: str):
        self.path, self.lines, self.prefix = path, KeyLines(text), prefix

    def table(self, *parts: str) -> str:
        return ".".join(p for p in (self.prefix, *parts) if p)

    def fail(self, problem: str, key: str | None, *table: str) -> CastError:
        return CastError(problem, self.path, self.lines.line(key, self.table(*table)))

    def name(self, key: str, *table: str) -> str:
        return self.table(*table, key)


def check_cast_table(data: Any, path: Path | None = None, text: str = "",
                     prefix: str = "") -> None:
    """Raise ``CastError(file, line)`` for the first value of the wrong type or range."""
    c = _Checker(path, text, prefix)
    if not isinstance(data, dict):
        raise c.fail(f"'{prefix or 'cast'}' must be a table", prefix or None)
    narrator = data.get("narrator")
    if narrator is not None and (not isinstance(narrator, str) or not narrator.strip()):
        raise c.fail(f"'{c.name('narrator')}' must be a voice name (text), not {narrator!r}",
                     "narrator")
    for key in BOOL_KEYS:
        if key in data and not isinstance(data[key], bool):
            raise c.fail(f"'{c.name(key)}' must be true or false, not {data[key]!r}", key)
    for key in TABLE_KEYS:
        if key in data and not isinstance(data[key], dict):
            raise c.fail(f"'{c.name(key)}' must be a table ([{c.name(key)}]), not "
                         f"{data[key]!r}", key)
    check_delivery(c, data.get("narrator_delivery", {}), "narrator_delivery")
    for name, entry in data.get("characters", {}).items():
        _check_character(c, name, entry)
    _check_mix(c, data.get("mix", {}))


def _check_character(c: _Checker, name: str, entry: Any) -> None:
    where = ("characters", name)
    if isinstance(entry, str):
        if not entry.strip():
            raise c.fail(f"character '{name}': the voice name is empty", name, "characters")
        return
    if not isinstance(entry, dict):
        raise c.fail(f"character '{name}' must be a voice name or a table "
                     f"([{c.table(*where)}]), not {entry!r}", name, "characters")
    voice = entry.get("voice")
    if voice is not None and (not isinstance(voice, str) or not voice.strip()):
        raise c.fail(f"character '{name}': 'voice' must be a voice name (text), not {voice!r}",
                     "voice", *where)
    gender = entry.get("gender")
    if gender is not None and (not isinstance(gender, str) or gender.lower() not in GENDERS):
        raise c.fail(f"character '{name}': 'gender' must be one of {', '.join(GENDERS)}, "
                     f"not {gender!r}", "gender", *where)
    check_delivery(c, entry, *where)


def check_delivery(c: _Checker, table: dict, *where: str) -> None:
    for key, (low, high) in DELIVERY_RANGES.items():
        if key not in table:
            continue
        value = table[key]
        who = c.table(*where)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise c.fail(f"{who}: '{key}' must be a number, not {value!r}", key, *where)
        if not math.isfinite(value) or not low <= value <= high:
            raise c.fail(f"{who}: {key} = {value!r} is outside {low:g}..{high:g}", key, *where)


def _check_mix(c: _Checker, table: dict) -> None:
    from pipeline.mix.settings import MixSettings  # settings only: no mixer import

    def line_of(key: str) -> int | None:
        return c.lines.line(key, c.table("mix"))

    try:
        MixSettings.from_table(table, c.path, line_of)
    except MixError as err:
        raise CastError(err.problem, err.file, err.line) from None
