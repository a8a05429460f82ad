"""What the studio's pages show, as plain data read from an episode folder.

The manifest says what was mixed (speaker, voice, take, times of every line), ``choices.json``
what the producer changed, ``qa.json`` (when ``castwright qa`` ran) what was flagged, and the
episode context (script, cast, catalog) who could speak instead. Templates only lay this out.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.casting import NARRATOR
from pipeline.render.choices import LineChoice, load_choices
from pipeline.render.manifest import MANIFEST_FILE, load_manifest

QA_FILE = "qa.json"
PALETTE = 8  # speaker colours in the stylesheet (.spk0 .. .spk7)


@dataclass
class QaNote:
    state: str  # "ok" | "flagged" | "stale" (the take changed since QA heard it)
    flags: list[str] = field(default_factory=list)
    heard: str = ""
    wer: float | None = None


@dataclass
class LineRow:
    line_id: str
    section_id: str
    speaker: str
    voice: str
    take: int
    takes: list[int]
    start: float | None
    end: float | None
    text: str
    spoken_text: str
    cache_key: str
    colour: int
    edited: bool = False  # the text differs from the script's
    voice_override: bool = False
    pace: float | None = None
    expressiveness: float | None = None
    qa: QaNote | None = None

    @property
    def duration(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass
class Cue:
    """A sound in the running order: music, an effect, or where an ambience bed starts."""

    kind: str  # "music" | "sfx" | "bed"
    name: str
    start: float
    end: float


@dataclass
class SectionView:
    id: str
    heading: str
    pov: str | None
    start: float | None
    end: float | None
    items: list[LineRow | Cue] = field(default_factory=list)


@dataclass
class EpisodeView:
    slug: str
    title: str
    duration: float
    version: str  # changes with every mix: cache-busts the audio and picture URLs
    sections: list[SectionView]
    lines: list[LineRow]
    files: dict[str, str]
    loudness: dict
    warnings: list[str]
    qa_summary: dict | None
    speakers: dict[str, int]  # speaker -> colour index

    def line(self, line_id: str) -> LineRow | None:
        return next((row for row in self.lines if row.line_id == line_id), None)


def episode_version(manifest: dict) -> str:
    return str(manifest.get("mix_fingerprint") or manifest.get("duration", ""))[:12]


def speaker_colours(lines: list[dict]) -> dict[str, int]:
    """Narrator first, then characters in order of appearance."""
    order = [NARRATOR] + [line["speaker"] for line in lines]
    colours: dict[str, int] = {}
    for speaker in order:
        colours.setdefault(speaker, len(colours) % PALETTE)
    return colours


def load_qa(episode_dir: Path) -> dict | None:
    try:
        return json.loads((episode_dir / QA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def qa_notes(qa: dict | None) -> dict[str, tuple[str, dict]]:
    """line id -> (cache key QA heard, its metrics)."""
    if not qa:
        return {}
    return {m["line_id"]: (m.get("cache_key", ""), m) for m in qa.get("lines", [])
            if isinstance(m, dict) and "line_id" in m}


def qa_note(notes: dict[str, tuple[str, dict]], line: dict) -> QaNote | None:
    if line["line_id"] not in notes:
        return None
    key, m = notes[line["line_id"]]
    if key != line["cache_key"]:
        return QaNote("stale")
    flags = [str(f) for f in m.get("flags") or []]
    return QaNote("flagged" if flags else "ok", flags, str(m.get("heard") or ""),
                  m.get("wer"))


def line_row(line: dict, choice: LineChoice, colour: int, qa: QaNote | None) -> LineRow:
    return LineRow(
        line_id=line["line_id"], section_id=line["section_id"], speaker=line["speaker"],
        voice=line["voice"], take=int(line.get("take", 1)),
        takes=sorted({1, int(line.get("take", 1)), *choice.takes}),
        start=line.get("start"), end=line.get("end"), text=line["text"],
        spoken_text=line.get("spoken_text", line["text"]), cache_key=line["cache_key"],
        colour=colour, edited=choice.text is not None, voice_override=bool(choice.voice),
        pace=choice.pace, expressiveness=choice.expressiveness, qa=qa)


def sound_cues(manifest: dict) -> dict[str, list[Cue]]:
    """Music, effects and bed starts per section, from the stored timeline."""
    timeline = manifest.get("timeline") or {}
    cues: dict[str, list[Cue]] = {}
    for p in timeline.get("placements", []):
        if p.get("kind") in ("music", "sfx"):
            cues.setdefault(p.get("section_id") or "", []).append(Cue(
                p["kind"], Path(p.get("source", "")).name, p["start"],
                p["start"] + p["duration"]))
    for b in timeline.get("beds", []):
        cues.setdefault(b.get("section_id") or "", []).append(
            Cue("bed", Path(b.get("source", "")).name, b["start"], b["end"]))
    return cues


def episode_view(episode_dir: Path) -> EpisodeView:
    manifest = load_manifest(episode_dir)
    choices = load_choices(episode_dir)
    notes = qa_notes(qa := load_qa(episode_dir))
    colours = speaker_colours(manifest["lines"])
    rows = [line_row(line, choices.get(line["line_id"], LineChoice()), colours[line["speaker"]],
                     qa_note(notes, line)) for line in manifest["lines"]]
    cues = sound_cues(manifest)
    sections = []
    known = {s["id"] for s in manifest.get("sections", [])}
    for s in manifest.get("sections", []):
        items: list[LineRow | Cue] = [r for r in rows if r.section_id == s["id"]]
        items += cues.get(s["id"], [])
        if s is manifest["sections"][0]:  # cues outside any section (theme music) open it
            items += [c for sid, cs in cues.items() if sid not in known for c in cs]
        items.sort(key=lambda item: (item.start if item.start is not None else 1e12,
                                     isinstance(item, LineRow)))
        sections.append(SectionView(s["id"], s.get("heading") or s["id"], s.get("pov"),
                                    s.get("start"), s.get("end"), items))
    return EpisodeView(
        slug=manifest["slug"], title=manifest.get("title") or manifest["slug"],
        duration=float(manifest.get("duration") or 0.0), version=episode_version(manifest),
        sections=sections, lines=rows, files=dict(manifest.get("files") or {}),
        loudness=dict(manifest.get("loudness") or {}), warnings=list(manifest.get("warnings")
                                                                    or []),
        qa_summary=(qa or {}).get("summary"), speakers=colours)


@dataclass
class CharacterView:
    name: str
    cast_voice: str  # what the cast (file or automatic casting) gives the character
    how: str  # "narrator" | "cast file" | "automatic"
    colour: int
    lines: list[LineRow]
    voices_used: dict[str, int]  # voice -> lines (with the per-line choices)

    @property
    def voice(self) -> str:
        """The voice the character speaks in: the one most of its lines use."""
        if not self.voices_used:
            return self.cast_voice
        return max(self.voices_used.items(), key=lambda kv: (kv[1], kv[0] == self.cast_voice))[0]

    @property
    def others(self) -> dict[str, int]:
        """Voices some of its lines use besides ``voice``."""
        return {v: n for v, n in self.voices_used.items() if v != self.voice}


def cast_view(view: EpisodeView, cast_voices: dict[str, str], automatic: list[str]
              ) -> list[CharacterView]:
    """Every speaker in the episode with its cast voice and the voices its lines use."""
    people = []
    for name, voice in cast_voices.items():
        lines = [row for row in view.lines if row.speaker == name]
        if not lines and name != NARRATOR:
            continue
        how = "narrator" if name == NARRATOR else (
            "automatic" if name in automatic else "cast file")
        people.append(CharacterView(name, voice, how, view.speakers.get(name, 0), lines,
                                    dict(Counter(row.voice for row in lines))))
    return people


def list_episodes(out_dir: Path) -> list[dict]:
    """Rendered episodes under ``out_dir``: slug, title, duration, lines."""
    found = []
    for manifest_path in sorted(out_dir.glob(f"*/{MANIFEST_FILE}")):
        try:
            m = load_manifest(manifest_path.parent)
        except Exception:  # noqa: BLE001 - a damaged folder is listed as such
            found.append({"slug": manifest_path.parent.name, "title": "(damaged manifest)",
                          "duration": 0.0, "lines": 0})
            continue
        found.append({"slug": manifest_path.parent.name, "title": m.get("title", ""),
                      "duration": float(m.get("duration") or 0.0),
                      "lines": len(m.get("lines") or [])})
    return found
