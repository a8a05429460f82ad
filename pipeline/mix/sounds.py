"""What the words of a sound cue mean: bed names, sound-effect and music names, file paths.

Cue text is free prose ("a knock at the door", "rain on the tin roof", "tense music"), so names
are found by keywords. Synthesis lives in ``beds.py``, ``sfx.py`` and ``music.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

AUDIO_EXTENSIONS = frozenset({
    ".wav", ".mp3", ".ogg", ".oga", ".flac", ".m4a", ".aac", ".opus", ".aif", ".aiff", ".aifc",
    ".wma", ".webm", ".mp4", ".caf", ".w64",
})
OFF_WORDS = frozenset({"off", "stop", "stops", "none", "silence", "out", "end", "ends", "fade",
                       "fades", "cut"})

BED_NAMES = ("rain", "wind", "night", "fire", "room", "city", "sea")

# Words in an AMBIENCE cue -> beds. "storm" layers two beds.
_BED_WORDS: dict[str, tuple[str, ...]] = {}
for _bed, _words in {
    "rain": "rain rainy raining rainfall drizzle downpour showers raindrops",
    "wind": "wind winds windy gale gales breeze blustery gusts gusty howling",
    "night": "night nights nighttime crickets insects cicadas evening countryside",
    "fire": "fire fires fireplace hearth campfire bonfire crackling embers fireside",
    "room": "room roomtone indoors interior inside quiet hum",
    "city": "city street streets traffic town urban downtown cars",
    "sea": "sea seaside ocean waves surf shore beach harbor harbour lighthouse coast",
}.items():
    for _w in _words.split():
        _BED_WORDS[_w] = (_bed,)
_BED_WORDS["storm"] = _BED_WORDS["stormy"] = ("rain", "wind")

# Words of a section that suggest a bed when it has no ambience cue (in priority order for ties).
_SUGGEST_WORDS = {
    "sea": "sea seas waves wave lighthouse shore ocean beach surf harbor harbour tide gulls "
           "seagulls coast",
    "rain": "rain rains rained raining rainy drizzle downpour raindrops puddles",
    "wind": "wind winds windy storm storms stormy gale gust gusts blizzard",
    "fire": "fire fires fireplace hearth lighter flame flames campfire embers bonfire",
    "night": "night nights nighttime tonight moon moonlight moonlit porch dark darkness midnight "
             "stars starlight crickets",
    "city": "city street streets traffic cars downtown sidewalk taxi subway",
    "room": "indoors room kitchen office bedroom hallway corridor apartment",
}
_SUGGEST = {bed: frozenset(text.split()) for bed, text in _SUGGEST_WORDS.items()}


@dataclass(frozen=True)
class SoundSpec:
    """A built-in sound effect or music cue."""

    name: str
    kind: str  # "sfx" | "music"
    duration: float  # default length, seconds
    hold: float  # how long the next line waits after the sound starts
    words: frozenset[str]


def _specs(kind: str, rows: list[tuple[str, float, float, str]]) -> dict[str, SoundSpec]:
    return {name: SoundSpec(name, kind, dur, hold, frozenset(words.split()))
            for name, dur, hold, words in rows}


# Checked in order: "door slams" is a slam, "knock at the door" a knock, "door" alone a creak.
SFX = _specs("sfx", [
    ("knock", 1.2, 1.1, "knock knocks knocking knocked rap raps"),
    ("slam", 1.3, 1.0, "slam slams slammed shut shuts closes closed"),
    ("creak", 1.8, 1.5, "creak creaks creaking creaky squeak squeaks opens open door doors gate"),
    ("footsteps", 3.0, 3.0, "footsteps footstep steps walks walking paces pacing approach "
                            "approaching"),
    ("thunder", 7.0, 2.5, "thunder thunderclap thunders lightning rumble rumbles"),
    ("bell", 6.0, 2.5, "bell bells chime chimes toll tolls tolling doorbell"),
    ("phone", 4.0, 3.5, "phone telephone ring rings ringing"),
    ("clock", 4.0, 4.0, "clock tick ticks ticking tock"),
    ("gunshot", 2.5, 1.2, "gunshot gunshots gun shot shots gunfire bang bangs pistol rifle "
                          "explosion"),
    ("glass", 2.0, 1.5, "glass shatter shatters shattering smash smashes breaks window"),
    ("lighter", 1.3, 1.1, "lighter zippo flick flicks match matches"),
    ("gust", 3.5, 2.0, "gust gusts wind whoosh swoosh"),
    ("click", 0.3, 0.3, "click clicks switch latch lock unlock"),
])

MUSIC = _specs("music", [
    ("theme", 10.0, 6.5, "theme intro opening main title titles"),
    ("outro", 12.0, 12.0, "outro ending closing credits finale end"),
    ("tension", 8.0, 3.0, "tension tense suspense suspenseful ominous dread menacing eerie dark"),
    ("sad", 8.0, 3.0, "sad melancholy somber sombre mournful gentle soft tender wistful"),
    ("sting", 3.5, 2.7, "sting stab hit dramatic shock reveal"),
    ("transition", 5.0, 4.5, "transition bridge interlude segue"),
])
DEFAULT_MUSIC = "transition"  # an unknown music description still gets a neutral cue


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def clean(text: str) -> str:
    return text.strip().strip("\"'").strip()


def looks_like_file(text: str) -> bool:
    text = clean(text)
    return Path(text).suffix.lower() in AUDIO_EXTENSIONS or "/" in text or "\\" in text


def resolve_file(text: str, base_dir: Path) -> Path:
    path = Path(clean(text)).expanduser()
    return path if path.is_absolute() else (base_dir / path)


def is_off(text: str) -> bool:
    ws = words(text)
    return bool(ws) and all(w in OFF_WORDS or w in {"the", "all", "ambience", "music", "bed",
                                                     "beds", "sound", "sounds"} for w in ws)


def beds_for_cue(text: str) -> list[str] | None:
    """Beds named by an AMBIENCE cue ("rain", "rain, night", "storm"); None if a part is unknown."""
    names: list[str] = []
    for part in re.split(r",|\+|&|;|\band\b|\bwith\b", text.lower()):
        if not part.strip():
            continue
        found = next((_BED_WORDS[w] for w in words(part) if w in _BED_WORDS), None)
        if found is None:
            return None
        names.extend(n for n in found if n not in names)
    return names or None


def suggest_bed(text: str, heading: str = "") -> str | None:
    """The bed a section's words suggest (night, rain, sea, ...), or None."""
    counts = dict.fromkeys(_SUGGEST, 0)
    for w in words(text) + words(heading):
        for bed, keys in _SUGGEST.items():
            if w in keys:
                counts[bed] += 1
    if re.match(r"\s*(int|i/e)[.\s]", heading.lower()):
        counts["room"] += 2  # screenplay interior scene
    best = max(counts, key=lambda b: counts[b])  # dict order breaks ties
    return best if counts[best] > 0 else None


def resolve_sound(text: str, table: dict[str, SoundSpec]) -> SoundSpec | None:
    ws = set(words(text))
    if not ws:
        return None
    return next((spec for spec in table.values() if spec.name in ws or spec.words & ws), None)
