"""Casting: who speaks each line, with which voice and delivery.

The cast file (``voices/cast.toml`` by default, or ``<script>.cast.toml`` beside a script) names the
narrator and character voices; characters it does not name are cast automatically and
deterministically with distinct voices, matching gender hints from the text.

Narration is read by the narrator, except in duet narration (``pov_narration``, on by default):
a point-of-view section is read in its character's voice and a first-person story in its narrator
character's voice; the summary stays with the narrator.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.castcheck import check_cast_table
from pipeline.catalog import get_voice
from pipeline.delivery import attribution_manner, delivery_for
from pipeline.engines.base import Delivery, VoiceSpec
from pipeline.errors import CastError, VoiceError
from pipeline.model import CueKind, Script, Section
from pipeline.resources import PACKAGED_VOICES
from pipeline.tomlfile import read_toml

NARRATOR = "Narrator"
UNSAFE_NAME = re.compile(r"[/\\\x00]|\.\.")
DELIVERY_KEYS = {"pace", "expressiveness", "volume_db", "pitch_semitones"}
CHARACTER_KEYS = DELIVERY_KEYS | {"voice", "gender"}
TOP_KEYS = {"narrator", "narrate_summary", "pov_narration", "characters", "mix",
            "narrator_delivery"}

@dataclass
class CastFile:
    """What a cast file says. Everything optional: an empty cast file is valid."""

    path: Path | None = None
    narrator: str | None = None
    narrate_summary: bool = True
    pov_narration: bool = True  # point-of-view sections read in their character's voice
    narrator_delivery: Delivery = field(default_factory=Delivery)
    characters: dict[str, str] = field(default_factory=dict)  # name -> voice
    genders: dict[str, str] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    mix: dict = field(default_factory=dict)
    text: str = ""  # raw text, to point errors at a line
    given: set[str] = field(default_factory=set)  # top-level keys the file set (for layering)

    def line_of(self, needle: str) -> int | None:
        for number, line in enumerate(self.text.splitlines(), start=1):
            if needle in line:
                return number
        return None


@dataclass
class LineCasting:
    line_id: str
    section_id: str
    speaker: str  # display name: a character or "Narrator"
    voice: VoiceSpec
    delivery: Delivery


@dataclass
class Cast:
    narrator: VoiceSpec
    voices: dict[str, VoiceSpec]  # speaker -> voice (includes "Narrator")
    automatic: list[str]  # speakers cast automatically
    lines: dict[str, LineCasting]
    settings: CastFile
    warnings: list[str] = field(default_factory=list)  # e.g. characters sharing a voice

    def to_toml_dict(self) -> dict:
        """The cast as a cast file would say it, to write with ``castwright cast --write``."""
        chars = {name: {"voice": v.name} for name, v in self.voices.items() if name != NARRATOR}
        return {
            "narrator": self.narrator.name,
            "narrate_summary": self.settings.narrate_summary,
            "pov_narration": self.settings.pov_narration,
            "characters": chars,
        }


def _delivery_from(table: dict, where: str, cast: CastFile) -> Delivery:
    """Types and ranges were checked with the whole table (``castcheck``)."""
    return Delivery(**{k: float(table[k]) for k in DELIVERY_KEYS if k in table})


def load_cast_file(path: Path | None) -> CastFile:
    if path is None:
        return CastFile()
    data, text = read_toml(path, CastError, "cast file")
    return parse_cast(data, path, text)


def parse_cast(data: dict, path: Path | None = None, text: str = "", where: str = ""
               ) -> CastFile:
    """A cast file's table (or a show file's ``[cast]``, with ``where="cast."``) as a CastFile."""
    check_cast_table(data, path, text, where.rstrip("."))  # types and ranges, at their lines
    cast = CastFile(path=path, text=text)
    unknown = set(data) - TOP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise CastError(f"unknown key '{where}{key}'", path, cast.line_of(key))
    cast.given = set(data)
    cast.narrator = data.get("narrator")
    cast.narrate_summary = bool(data.get("narrate_summary", True))
    cast.pov_narration = bool(data.get("pov_narration", True))
    cast.narrator_delivery = _delivery_from(data.get("narrator_delivery", {}), "narrator", cast)
    cast.mix = data.get("mix", {})
    for name, table in data.get("characters", {}).items():
        check_speaker_name(name, path, cast.line_of(name))
        if isinstance(table, str):
            table = {"voice": table}
        unknown = set(table) - CHARACTER_KEYS
        if unknown:
            key = sorted(unknown)[0]
            raise CastError(f"character '{name}': unknown key '{key}'", path, cast.line_of(key))
        if "voice" in table:
            cast.characters[name] = table["voice"]
        if "gender" in table:
            cast.genders[name] = table["gender"].lower()
        cast.deliveries[name] = _delivery_from(table, f"character '{name}'", cast)
    return cast


def layer_casts(base: CastFile, over: CastFile) -> CastFile:
    """``over`` (an episode's cast file) on top of ``base`` (the show's cast): what ``over`` says
    wins, key by key and character by character; the rest comes from ``base``."""
    merged = CastFile(path=over.path or base.path, text=over.text or base.text)
    for key in ("narrator", "narrate_summary", "pov_narration", "narrator_delivery"):
        source = over if key in over.given else base
        setattr(merged, key, getattr(source, key))
    merged.characters = {**base.characters, **over.characters}
    merged.genders = {**base.genders, **over.genders}
    merged.deliveries = {**base.deliveries, **over.deliveries}
    merged.mix = {**base.mix, **over.mix}
    merged.given = base.given | over.given
    return merged


def find_cast_file(script_path: Path, voices_dir: Path) -> Path | None:
    """``<script>.cast.toml`` beside the script wins over ``voices/cast.toml``, and that over
    the default cast the package ships."""
    beside = script_path.with_name(script_path.name.split(".")[0] + ".cast.toml")
    for candidate in (beside, voices_dir / "cast.toml", PACKAGED_VOICES / "cast.toml"):
        if candidate.exists():
            return candidate
    return None


def is_folder_cast(path: Path | None, voices_dir: Path) -> bool:
    """True for a catalog folder's ``cast.toml`` (the user's or the packaged default): the
    generic cast a show's ``[cast]`` overrides, unlike a cast file made for one script."""
    if path is None:
        return False
    return path.resolve() in {(voices_dir / "cast.toml").resolve(),
                              (PACKAGED_VOICES / "cast.toml").resolve()}


def check_speaker_name(name: str, file: Path | str | None, line: int | None) -> None:
    if not name.strip() or UNSAFE_NAME.search(name):
        raise CastError(f"speaker name {name!r} has path characters or is empty", file, line)


def _stable_rank(name: str, voice: str) -> str:
    return hashlib.sha256(f"{name}\x00{voice}".encode()).hexdigest()


# When a script has more characters than the catalog has voices, reuse a voice with a small,
# audible design offset (semitones, formant ratio) rather than cast two people identically.
VARIANT_STEPS = [(2.0, 1.04), (-2.0, 0.96), (3.5, 1.07), (-3.5, 0.93), (5.0, 1.1), (-5.0, 0.9)]


def _variants(base: VoiceSpec) -> list[VoiceSpec]:
    """``base`` and its shifted variants (``base~2`` ...), in order."""
    out = [base]
    for n, (semitones, formant) in enumerate(VARIANT_STEPS, start=2):
        design = replace(base.design, pitch_semitones=base.design.pitch_semitones + semitones,
                         formant_ratio=round(base.design.formant_ratio * formant, 4))
        out.append(replace(base, name=f"{base.name}~{n}", design=design,
                           description=f"{base.name}, shifted for another character"))
    return out


def _variant(base: VoiceSpec, used: Counter[str]) -> VoiceSpec:
    """The first unused variant of ``base``; when all are taken, the least used of them."""
    options = _variants(base)
    fresh = [v for v in options[1:] if v.name not in used]
    return fresh[0] if fresh else min(options, key=lambda v: used[v.name])


def _auto_voice(name: str, gender: str | None, pool: list[VoiceSpec], used: Counter[str],
                used_bases: set[tuple] | None = None) -> VoiceSpec:
    """Pick a distinct catalog voice: same gender if known, plain (no telephone/radio colour)
    adult voices first, unused first, a speaker nobody in the cast has yet before a designed
    variant of one; stable per name so re-casting never shuffles voices.
    When every fitting voice is taken, a shifted variant of one of them; when those run out
    too, the least used voice (``used`` counts every character, so they spread evenly)."""
    def ok_gender(v: VoiceSpec) -> bool:
        return gender is None or v.gender in (None, gender)

    def plain(v: VoiceSpec) -> bool:
        return v.design.color is None

    if not pool:
        raise CastError("the voice catalog is empty: no voice to cast")
    fresh = [v for v in pool if v.name not in used]
    for candidates in (
        [v for v in fresh if ok_gender(v) and plain(v) and v.age in (None, "adult")],
        [v for v in fresh if ok_gender(v) and plain(v)],
    ):
        if candidates:
            return min(candidates, key=lambda v: (base_speaker(v) in (used_bases or set()),
                                                  _stable_rank(name, v.name)))
    bases = [v for v in pool if ok_gender(v) and plain(v)] or pool

    def uses(v: VoiceSpec) -> int:
        return sum(n for u, n in used.items() if u == v.name or u.startswith(v.name + "~"))

    return _variant(min(bases, key=lambda v: (uses(v), _stable_rank(name, v.name))), used)


def base_speaker(voice: VoiceSpec) -> tuple:
    """Who a voice really is, designs aside: engine, model, voices file and speaker (a Kokoro
    style or blend). Designed variants of one base speaker still sound related."""
    return (voice.engine, voice.model, voice.config, str(voice.speaker))


def by_prominence(script: Script, speakers: list[str]) -> list[str]:
    """Speakers with the most lines first (ties in order of appearance): the main characters
    get the most distinct voices."""
    counts = Counter(c.speaker for c in script.lines() if c.kind is CueKind.DIALOGUE)
    order = {name: i for i, name in enumerate(speakers)}
    return sorted(speakers, key=lambda n: (-counts.get(n, 0), order[n]))


def castable(voices: list[VoiceSpec]) -> list[VoiceSpec]:
    """The voices that can speak on this machine (the catalog lists every engine's voices; a
    user without Kokoro, say, still gets Piper ones). All of them if none can."""
    return [v for v in voices if _can_speak(v)] or voices


@functools.cache
def _can_speak(voice: VoiceSpec) -> bool:
    from pipeline.engines import available

    return available(voice)[0]


def _resolve(catalog: dict[str, VoiceSpec], name: str, cast: CastFile) -> VoiceSpec:
    try:
        return get_voice(catalog, name)
    except VoiceError as err:
        raise CastError(err.problem, cast.path, cast.line_of(name)) from None


def choose_narrator(catalog: dict[str, VoiceSpec], cast: CastFile) -> VoiceSpec:
    if cast.narrator:
        return _resolve(catalog, cast.narrator, cast)
    narrators = castable([v for v in catalog.values() if v.role == "narrator"])
    if narrators:
        return narrators[0]
    if not catalog:
        raise CastError("the voice catalog is empty: no voice to cast")
    return castable(list(catalog.values()))[0]


def by_alias(cast: CastFile, script: Script) -> CastFile:
    """A cast file may name a prose character by any of their names ("Lizzy" for Elizabeth):
    its entries under an alias move to the name the script's lines use (the name itself wins
    when both are given)."""
    speakers = set(script.speakers())
    canonical = {alias: person.name for person in script.characters for alias in person.aliases
                 if alias not in speakers}
    renamed = {name: canonical[name] for name in (*cast.characters, *cast.genders,
                                                  *cast.deliveries) if name in canonical}
    if not renamed:
        return cast
    out = replace(cast)
    for table in ("characters", "genders", "deliveries"):
        given = getattr(cast, table)
        moved = {renamed.get(name, name): value for name, value in given.items()
                 if name in renamed}
        setattr(out, table, {**moved, **{n: v for n, v in given.items() if n not in renamed}})
    return out


def cast_script(script: Script, catalog: dict[str, VoiceSpec], cast: CastFile) -> Cast:
    cast = by_alias(cast, script)
    narrator = choose_narrator(catalog, cast)
    voices: dict[str, VoiceSpec] = {NARRATOR: narrator}
    used = Counter({narrator.name: 1})  # characters per voice
    speakers = script.speakers()
    for name, voice_name in cast.characters.items():
        voice = _resolve(catalog, voice_name, cast)  # a wrong voice is an error even if unused
        if name in speakers:
            voices[name] = voice
            used[voice.name] += 1
    if not cast.pov_narration and script.narrator_character \
            and script.narrator_character not in voices:
        voices[script.narrator_character] = narrator  # one narrator: "I said" in the same voice
    pool = [v for v in catalog.values() if v.role != "narrator" and v.name != narrator.name]
    pool = pool or [v for v in catalog.values() if v.name != narrator.name] or [narrator]
    pool = castable(pool)
    used_bases = {base_speaker(v) for v in voices.values()}
    automatic = []
    for speaker in by_prominence(script, speakers):
        if speaker in voices:
            continue
        check_speaker_name(speaker, script.source_path, None)
        gender = cast.genders.get(speaker) or script.gender_hints.get(speaker)
        voices[speaker] = _auto_voice(speaker, gender, pool, used, used_bases)
        used[voices[speaker].name] += 1
        used_bases.add(base_speaker(voices[speaker]))
        automatic.append(speaker)
    # Listed in order of appearance, whatever order they were cast in.
    automatic.sort(key=speakers.index)
    order = {name: i for i, name in enumerate([NARRATOR, *speakers])}
    voices = dict(sorted(voices.items(), key=lambda kv: order.get(kv[0], len(order))))
    lines = {}
    for section in script.sections:
        for cue in section.lines:
            if cue.kind is CueKind.DIALOGUE and cue.speaker:
                speaker = cue.speaker
            else:
                speaker = section_narrator(section, script, cast)
            base = cast.narrator_delivery if speaker == NARRATOR else cast.deliveries.get(
                speaker, Delivery())
            assert cue.line_id is not None
            manner = cue.delivery or attribution_manner(cue, section)
            lines[cue.line_id] = LineCasting(
                line_id=cue.line_id, section_id=section.id, speaker=speaker,
                voice=voices[speaker], delivery=delivery_for(manner, base))
    return Cast(narrator=narrator, voices=voices, automatic=automatic, lines=lines, settings=cast,
                warnings=_shared_voices(voices, automatic))


def _shared_voices(voices: dict[str, VoiceSpec], automatic: list[str]) -> list[str]:
    """A warning when automatic casting ran out of distinct voices."""
    players: dict[str, list[str]] = {}
    for speaker in automatic:
        players.setdefault(voices[speaker].name, []).append(speaker)
    shared = {voice: names for voice, names in players.items() if len(names) > 1}
    if not shared:
        return []
    voice, names = max(shared.items(), key=lambda item: len(item[1]))
    return [f"{len(automatic)} characters were cast automatically with {len(players)} voices: "
            f"{sum(len(n) for n in shared.values())} share a voice (at most {len(names)} on "
            f"'{voice}': {', '.join(names[:3])}{', ...' if len(names) > 3 else ''}); name the "
            "main characters' voices in the cast file"]


def section_narrator(section: Section, script: Script, cast: CastFile) -> str:
    """Who reads a section's narration: duet narration, as audiobooks do it, reads a
    point-of-view section in its character's voice and a first-person story in its narrator
    character's; the summary, and everything with ``pov_narration = false``, the narrator."""
    if section.is_summary or not cast.pov_narration:
        return NARRATOR
    return section.pov or script.narrator_character or NARRATOR


def narration_by_section(script: Script, cast: Cast) -> list[tuple[Section, str, int]]:
    """(section, who narrates it, how many narration lines) for ``castwright cast``."""
    rows = []
    for section in script.sections:
        count = sum(1 for cue in section.lines if cue.kind is not CueKind.DIALOGUE
                    or not cue.speaker)
        if count:
            rows.append((section, section_narrator(section, script, cast.settings), count))
    return rows


def override_voice(line: LineCasting, voice: VoiceSpec) -> LineCasting:
    return replace(line, voice=voice)


def recast(cast: Cast, voices: dict[str, VoiceSpec]) -> Cast:
    """``cast`` with the voices a wider cast chose (a whole book's, so a character keeps one
    voice in every chapter); speakers ``voices`` does not know keep their own."""
    chosen = {name: voices.get(name, voice) for name, voice in cast.voices.items()}
    lines = {line_id: replace(line, voice=chosen[line.speaker])
             for line_id, line in cast.lines.items()}
    return replace(cast, narrator=chosen[NARRATOR], voices=chosen, lines=lines)
