"""A producer's per-line choices (pinned take, text or voice override), kept in ``choices.json``.

They live beside the episode, apart from the manifest, so a full re-render keeps them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.atomic import write_text
from pipeline.errors import RenderError
from pipeline.jsoncheck import TEXT, list_of, number, optional, problem, whole

CHOICES_FILE = "choices.json"


@dataclass
class LineChoice:
    take: int | None = None  # pinned take number; None = the default (take 1 or latest regen)
    text: str | None = None  # text override for this line only
    voice: str | None = None  # voice override for this line only
    pace: float | None = None  # delivery override: > 1 speaks faster (0.5 .. 2.0)
    expressiveness: float | None = None  # delivery override: the engine's variation (0 .. 2)
    script_text: str | None = None  # the script's text when the pin was made
    takes: list[int] = field(default_factory=list)  # take numbers made so far
    # Takes that are the producer's own recordings: take number (a string, for JSON) ->
    # {"file": the recording, "sha256": its content, "key": its take-cache key}.
    recordings: dict[str, dict] = field(default_factory=dict)

    def recording(self, take: int | None) -> dict | None:
        return self.recordings.get(str(take)) if take else None

    def is_empty(self) -> bool:
        return self == LineChoice()


MAX_TAKE = 9999


def _recordings(value: object) -> bool:
    """take number (text) -> {"file", "sha256", "key"}, all text."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and k.isdigit() and isinstance(v, dict)
        and all(isinstance(v.get(f), str) for f in ("file", "sha256", "key"))
        for k, v in value.items())


CHOICE_RULES = {
    "take": optional(whole(1, MAX_TAKE)), "text": optional(TEXT), "voice": optional(TEXT),
    "pace": optional(number(0.5, 2.0)), "expressiveness": optional(number(0.0, 2.0)),
    "script_text": optional(TEXT), "takes": list_of(whole(1, MAX_TAKE)),
    "recordings": (_recordings, 'take numbers mapped to {"file", "sha256", "key"} texts'),
}


def load_choices(episode_dir: Path) -> dict[str, LineChoice]:
    path = episode_dir / CHOICES_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise RenderError(f"choices file is damaged: {err}", path) from None
    wrong = problem(data, {}) if not isinstance(data, dict) else next(
        (p for line_id, value in data.items()
         if (p := problem(value, CHOICE_RULES, line_id, closed=True))), None)
    if wrong:
        raise RenderError(f"choices file is damaged: {wrong} (fix it, or delete it to drop "
                          "every line's choices)", path)
    return {line_id: LineChoice(**value) for line_id, value in data.items()}


def save_choices(episode_dir: Path, choices: dict[str, LineChoice]) -> None:
    data = {k: asdict(v) for k, v in sorted(choices.items()) if not v.is_empty()}
    write_text(episode_dir / CHOICES_FILE, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
