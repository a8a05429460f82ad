"""Types of the JSON state files we keep (``choices.json``, ``manifest.json``), checked on load.

A hand-edited or damaged file gives one line naming the file and the key, never a traceback
somewhere later: ``output/x/choices.json: choices file is damaged: 's01-l003.take' must be a
whole number from 1 to 9999, not 'two'``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]


def whole(low: int, high: int) -> tuple[Check, str]:
    return (lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high,
            f"a whole number from {low} to {high}")


def number(low: float = -math.inf, high: float = math.inf) -> tuple[Check, str]:
    def ok(v: Any) -> bool:
        return (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                and low <= v <= high)

    span = "" if math.isinf(low) and math.isinf(high) else f" from {low:g} to {high:g}"
    return ok, f"a number{span}"


TEXT: tuple[Check, str] = (lambda v: isinstance(v, str), "text")
TABLE: tuple[Check, str] = (lambda v: isinstance(v, dict), "an object")


def optional(rule: tuple[Check, str]) -> tuple[Check, str]:
    check, kind = rule
    return (lambda v: v is None or check(v)), f"{kind} or null"


def list_of(rule: tuple[Check, str]) -> tuple[Check, str]:
    check, kind = rule
    return (lambda v: isinstance(v, list) and all(check(x) for x in v)), f"a list of ({kind})"


def problem(obj: Any, rules: dict[str, tuple[Check, str]], where: str = "",
            required: tuple[str, ...] = (), closed: bool = False) -> str | None:
    """The first key of ``obj`` that breaks its rule, as a phrase; None when all is well."""
    if not isinstance(obj, dict):
        return f"'{where or 'the file'}' must be an object, not {_short(obj)}"
    prefix = f"{where}." if where else ""
    for key in required:
        if key not in obj:
            return f"'{prefix}{key}' is missing"
    if closed:
        for key in obj:
            if key not in rules:
                return f"'{prefix}{key}' is not a known key"
    for key, (check, kind) in rules.items():
        if key in obj and not check(obj[key]):
            return f"'{prefix}{key}' must be {kind}, not {_short(obj[key])}"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
