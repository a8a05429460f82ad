"""Mix settings: every knob of layout, ducking, mastering and export; set from a ``[mix]`` table.

Levels are in dB relative to the speech level (the mixer normalizes every take to one speech
level first). Beds are set by how far they sit under the dialogue while someone speaks
(``speech_to_bed_db``, in LU: K-weighted, as the mix analysis measures it) and how much they
rise between lines (``duck_depth_db``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipeline.errors import MixError

MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
AUDIO_FORMATS = ("mp3", "wav", "m4a", "opus")
LIMITER_GROUP = 16  # samples per limiter gain step; the timeline snaps edits onto it
MAX_PAUSE = 3600.0  # a pause longer than an hour is a typo, not a dramatic beat
# K-weighted loudness of active speech in the pre-master (every take is normalized to -20 dBFS
# active RMS; Piper's voices then measure -21.0 +- 0.3 LUFS) and of a bed at 0 dB gain (see
# beds.BED_REF_LUFS). Levels set in LU against speech use these.
SPEECH_REF_LUFS = -21.0
BED_REF_LUFS = -20.0
MUSIC_FILE_KEYS = ("music_theme", "music_intro", "music_outro", "music_stinger")


@dataclass
class MixSettings:
    # Layout: silence between things, in seconds. The first four are what a listener hears
    # between two lines (see mix/pacing.py: each varies a little line to line).
    sentence_pause: float = 0.5  # the same voice going on within a paragraph
    paragraph_pause: float = 1.0  # a new paragraph (narration, or narration <-> dialogue)
    speaker_change_pause: float = 0.35  # a reply: one character, then another
    interruption_overlap: float = 0.15  # a line ending in a dash is cut off this much early
    section_pause: float = 2.5  # between sections (scenes); beds crossfade inside it
    default_pause: float = 1.0  # a PAUSE / beat cue without seconds
    # Music. The automatic intro and outro play only when the script has no opening or
    # closing music of its own.
    intro_music: bool = True  # a short theme before the first line
    outro_music: bool = True  # and a closing one after the last
    music_level_db: float = -6.0
    sfx_level_db: float = -6.0
    # The show's own music files (absolute paths, or relative to the file that names them):
    # the theme plays for [MUSIC: theme] and, unless intro/outro are given, as the automatic
    # intro and outro; the stinger plays for [MUSIC: sting].
    music_theme: str = ""
    music_intro: str = ""
    music_outro: str = ""
    music_stinger: str = ""
    # Ambience beds.
    auto_beds: bool = True  # suggest a bed from a section's words when it has no ambience cue
    speech_to_bed_db: float = 18.0  # LU the beds sit under the dialogue while someone speaks
    bed_level_db: float | None = None  # older spelling: beds between lines against speech
    crossfade: float = 2.0  # seconds beds take to crossfade at a scene change
    # Ducking: beds and music go down under every line, back up between lines.
    duck_attack_ms: float = 40.0
    duck_release_ms: float = 400.0
    duck_depth_db: float = -6.0  # beds (effects dip half as much)
    music_duck_db: float = -12.0  # music under speech
    # Master.
    channels: int = 2  # 2: stereo (beds wide, narrator centred); 1: mono
    # Characters stand apart in the stereo field, as on a radio-drama stage: each gets a place
    # left or right of the centre, alternating sides in order of first line; this is the
    # farthest any goes (0: everyone centred, 1: hard left/right). Narration stays centred.
    voice_spread: float = 0.35
    target_lufs: float = -16.0  # podcast norm for stereo; use -19 for mono
    true_peak_dbtp: float = -1.0
    loudness_tolerance: float = 0.3  # LU; mastering iterates gain + limiter until inside
    # Export.
    mp3_bitrate: int = 128  # kbit/s, constant bitrate
    formats: list[str] = field(default_factory=lambda: ["mp3", "wav"])  # + "m4a", "opus"
    seed: int = 0  # varies beds, sound effects and music; same seed -> same episode
    # A short notice the narrator reads at the start (the show file's AI-voice disclosure);
    # "" for none.
    ai_notice: str = ""

    @classmethod
    def from_table(cls, table: dict[str, Any] | None, file: str | Path | None = None,
                   line_of: Callable[[str], int | None] | None = None) -> MixSettings:
        """Settings from a TOML ``[mix]`` table; unknown keys and bad values raise ``MixError``
        (at ``file`` and, given ``line_of(key)``, the key's line).

        Keys are the field names (``duck-depth-db`` works too). A mono mix without an explicit
        ``target_lufs`` gets -19 LUFS, the mono equivalent of -16 stereo.
        """
        if table is not None and not isinstance(table, dict):
            raise MixError(f"[mix] must be a table of settings, not {table!r}", file,
                           line_of("mix") if line_of else None)
        table = dict(table or {})
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for raw_key, value in table.items():
            key = str(raw_key).replace("-", "_")
            line = line_of(str(raw_key)) if line_of else None
            if key not in known:
                raise MixError(f"unknown [mix] setting '{raw_key}' (known: {', '.join(known)})",
                               file, line)
            try:
                values[key] = _check(key, value, file)
            except MixError as err:
                raise MixError(err.problem, file, line) from None
        for key in MUSIC_FILE_KEYS:
            if values.get(key) and file is not None:
                values[key] = str((Path(file).parent / values[key]).resolve())
        if values.get("channels") == 1 and "target_lufs" not in values:
            values["target_lufs"] = -19.0
        return cls(**values)

    def to_table(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def bed_gain_db(self) -> float:
        """Beds' gain between lines (before ducking), against a bed at ``BED_REF_LUFS``."""
        if self.bed_level_db is not None:
            return self.bed_level_db
        return SPEECH_REF_LUFS - BED_REF_LUFS - self.speech_to_bed_db - self.duck_depth_db

    def music_files(self) -> dict[str, tuple[str, str]]:
        """Role (theme, intro, outro, sting) -> (the show's file for it, the setting naming
        it), for the roles a file is given for; intro and outro fall back on the theme."""
        def key(name: str, fallback: str) -> str:
            return name if getattr(self, name) else fallback

        named = {"theme": "music_theme", "intro": key("music_intro", "music_theme"),
                 "outro": key("music_outro", "music_theme"), "sting": "music_stinger"}
        return {role: (getattr(self, k), k) for role, k in named.items() if getattr(self, k)}


# key -> (kind, low, high); numbers must be finite and inside [low, high].
_RULES: dict[str, tuple[str, float, float]] = {
    "sentence_pause": ("float", 0.0, MAX_PAUSE),
    "paragraph_pause": ("float", 0.0, MAX_PAUSE),
    "speaker_change_pause": ("float", 0.0, MAX_PAUSE),
    "interruption_overlap": ("float", 0.0, 2.0),
    "section_pause": ("float", 0.0, MAX_PAUSE),
    "default_pause": ("float", 0.0, MAX_PAUSE),
    "intro_music": ("bool", 0, 0),
    "outro_music": ("bool", 0, 0),
    "music_level_db": ("float", -60.0, 12.0),
    "sfx_level_db": ("float", -60.0, 12.0),
    "auto_beds": ("bool", 0, 0),
    "speech_to_bed_db": ("float", 0.0, 60.0),
    "bed_level_db": ("float", -60.0, 0.0),
    "crossfade": ("float", 0.0, 30.0),
    "duck_attack_ms": ("float", 1.0, 2000.0),
    "duck_release_ms": ("float", 1.0, 10000.0),
    "duck_depth_db": ("float", -60.0, 0.0),
    "music_duck_db": ("float", -60.0, 0.0),
    "music_theme": ("path", 0, 0),
    "music_intro": ("path", 0, 0),
    "music_outro": ("path", 0, 0),
    "music_stinger": ("path", 0, 0),
    "channels": ("int", 1, 2),
    "voice_spread": ("float", 0.0, 1.0),
    "target_lufs": ("float", -40.0, -5.0),
    "true_peak_dbtp": ("float", -20.0, 0.0),
    "loudness_tolerance": ("float", 0.05, 3.0),
    "mp3_bitrate": ("int", 32, 320),
    "formats": ("formats", 0, 0),
    "seed": ("int", 0, 2**32 - 1),
    "ai_notice": ("text", 0, 300),
}


def _check(key: str, value: Any, file: str | Path | None) -> Any:
    kind, low, high = _RULES[key]

    def bad(why: str) -> MixError:
        return MixError(f"[mix] {key} = {value!r}: {why}", file)

    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("must be true or false")
        return value
    if kind == "text":
        if not isinstance(value, str) or len(value) > high:
            raise bad(f"must be a string of at most {high:g} characters")
        return " ".join(value.split())
    if kind == "path":
        if not isinstance(value, str):
            raise bad("must be a file path (a string)")
        return value.strip()
    if kind == "formats":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise bad("must be a list of format names")
        unknown = [v for v in value if v.lower() not in AUDIO_FORMATS]
        if unknown:
            raise bad(f"unknown format {unknown[0]!r} (known: {', '.join(AUDIO_FORMATS)})")
        return [v.lower() for v in value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad("must be a number")
    if kind == "int" and value != int(value):
        raise bad("must be a whole number")
    if not math.isfinite(value) or not low <= value <= high:
        raise bad(f"must be between {low:g} and {high:g}")
    if key == "mp3_bitrate" and int(value) not in MP3_BITRATES:
        raise bad(f"must be one of {', '.join(map(str, MP3_BITRATES))}")
    return int(value) if kind == "int" else float(value)
