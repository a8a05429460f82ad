"""The timeline: where every take, sound effect, music cue and ambience bed sits in the episode.

``build_timeline`` walks the script's sections and cues in order and lays them out with natural
pauses. The result is plain data (``to_dict``/``from_dict``) kept in the manifest, so a re-mix
after a single-line change reuses the layout. Levels here are per-item trims; the category
levels (``bed_level_db``, ``music_level_db``, ...) are applied at mix time from ``MixSettings``.

Music rule: the automatic intro (before the first line) and outro (after the last) play only
when the script has none of its own - no music cue before its first or after its last line, and
no cue naming the theme or the outro. The show's own music files (``MixSettings.music_*``) stand
in for the built-in theme, outro and sting, in cues and in the automatic intro and outro.

Scene rule: each section is a scene. Its beds come from an AMBIENCE cue at its top, else (with
``auto_beds``) from its words, else none. A bed that continues into the next scene keeps playing;
others crossfade at the section change. Within a section an AMBIENCE cue replaces the current
beds ("rain, night" layers two; "off" stops them).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from pipeline.errors import MixError
from pipeline.mix import pacing, sounds
from pipeline.mix.decode import probe_duration
from pipeline.mix.settings import LIMITER_GROUP as GROUP
from pipeline.mix.settings import MAX_PAUSE, MixSettings
from pipeline.model import Cue, CueKind, Script, Section
from pipeline.textmarkup import reader_text

__all__ = ["NOTICE_ID", "SAMPLE_RATE", "BedSpan", "Chapter", "MixSettings", "Placement",
           "RenderedLine", "Timeline", "build_timeline"]

SAMPLE_RATE = 44100
BED_LEAD_IN = 1.5  # ambience establishes this long before the first line of the episode
AFTER_SOUND_GAP = 0.25  # silence after a sound's hold before the next line
FILE_SFX_HOLD = 3.0  # a long sound-effect file keeps playing under the next line
FILE_MUSIC_HOLD = 4.0
END_TAIL = 0.5
# The show's music files: role -> (longest it plays, seconds the next line waits; None: to its
# end). A theme track is cut to a short signature with a fade; a produced intro, outro or
# stinger plays whole.
SHOW_MUSIC = {"intro": (60.0, None), "theme": (12.0, 8.0), "outro": (120.0, None),
              "sting": (10.0, None)}
SHOW_MUSIC_FADE = 3.0


@dataclass
class RenderedLine:
    """One synthesized line, handed over by the renderer."""

    line_id: str
    section_id: str
    speaker: str
    voice: str
    text: str  # the author's words, for transcripts
    take: int
    cache_key: str
    duration: float  # seconds
    gain_db: float = 0.0
    words: list[list] | None = None  # [[word, start, end], ...] in the take, if the engine said


@dataclass
class Placement:
    kind: str  # "speech" | "sfx" | "music" | "audio" (a recording the script places)
    start: float  # seconds
    duration: float
    gain_db: float = 0.0  # trim on top of the category level
    source: str = ""  # speech: take cache key; sfx/music: built-in name or absolute file path
    line_id: str | None = None
    speaker: str | None = None
    text: str = ""
    section_id: str = ""
    from_file: bool = False
    fade_out: float = 0.0  # music stopped early, or an interrupted line, fades out over this
    seed: int = 0
    source_line: int = 0  # the cue's line in the script, for error messages
    pan: float = 0.0  # speech: -1 left .. 0 centre .. 1 right
    words: list[list] | None = None  # speech: [[word, start, end], ...] from the take's start

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass
class BedSpan:
    source: str  # built-in bed name or absolute file path
    start: float
    end: float
    gain_db: float = 0.0
    fade_in: float = 0.0
    fade_out: float = 0.0
    from_file: bool = False
    seed: int = 0
    source_line: int = 0
    section_id: str = ""


@dataclass
class Chapter:
    section_id: str
    title: str
    start: float
    end: float


@dataclass
class Timeline:
    sample_rate: int = SAMPLE_RATE
    duration: float = 0.0
    placements: list[Placement] = field(default_factory=list)
    beds: list[BedSpan] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    script_path: str = ""  # named in error messages

    def speech(self) -> list[Placement]:
        return [p for p in self.placements if p.kind == "speech"]

    def foreground(self) -> list[Placement]:
        """Speech and the recordings the script places: what the beds duck under."""
        return [p for p in self.placements if p.kind in ("speech", "audio")]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timeline:
        def build(kind: type, item: dict[str, Any]) -> Any:
            names = {f.name for f in fields(kind)}
            return kind(**{k: v for k, v in item.items() if k in names})

        try:
            return cls(
                sample_rate=int(data.get("sample_rate", SAMPLE_RATE)),
                duration=float(data["duration"]),
                placements=[build(Placement, p) for p in data.get("placements", [])],
                beds=[build(BedSpan, b) for b in data.get("beds", [])],
                chapters=[build(Chapter, c) for c in data.get("chapters", [])],
                script_path=str(data.get("script_path", "")))
        except (KeyError, TypeError, ValueError) as err:
            raise MixError(f"stored timeline is malformed: {err}") from None


NOTICE_ID = "notice"  # the spoken AI-voice notice's line id (not a line of the script)
NOTICE_START = 0.5  # seconds into an episode without an automatic intro
NOTICE_OVER_INTRO = 1.0  # seconds into the automatic intro, over the music


def build_timeline(script: Script, rendered: dict[str, RenderedLine],
                   settings: MixSettings, notice: RenderedLine | None = None) -> Timeline:
    """Lay out every rendered line, sound, music cue and bed of ``script`` in time; a
    ``notice`` (the show's spoken AI-voice disclosure) opens the episode, over the intro."""
    return _Layout(script, rendered, settings, notice).run()


@dataclass
class _OpenBed:
    source: str
    from_file: bool
    start: float
    fade_in: float
    seed: int
    source_line: int
    section_id: str


_PAN_STEPS = (1.0, 0.5, 0.75, 0.25)  # places by pairs of characters, as fractions of the spread


class _Layout:
    def __init__(self, script: Script, rendered: dict[str, RenderedLine], settings: MixSettings,
                 notice: RenderedLine | None = None):
        self.script, self.rendered, self.s, self.notice = script, rendered, settings, notice
        self.file = script.source_path or None
        self.base_dir = Path(script.source_path).parent if script.source_path else Path.cwd()
        self.t = 0.0  # end of the last foreground item's hold
        self.gap = 0.0  # silence owed before the next foreground item
        self.prev_turn: pacing.Turn | None = None  # the last line placed
        self.prev_line: Placement | None = None  # ... if nothing was placed after it
        self.explicit = False  # a PAUSE cue or a scene change since the last line
        self.placements: list[Placement] = []
        self.spans: list[BedSpan] = []
        self.open: dict[tuple[str, bool], _OpenBed] = {}
        self.sections_placed = 0
        self.section_id = ""
        self.firsts: list[tuple[Section, float]] = []  # section, first placement start
        self._durations: dict[str, float] = {}
        self.pans: dict[str, float] = {}  # character -> place in the stereo field

    # -- driver --------------------------------------------------------------------------
    def run(self) -> Timeline:
        if not any(c.line_id in self.rendered for s in self.script.sections for c in s.lines):
            raise MixError("nothing to mix: no rendered lines", self.file)
        own_intro, own_outro = self._own_music()
        self.auto_intro = self.s.intro_music and not own_intro
        self.auto_outro = self.s.outro_music and not own_outro
        if self.auto_intro:
            hold = self._show_music("intro", 0.0, None)
            if hold is None:
                spec = sounds.MUSIC["theme"]
                self._place("music", spec.name, 0.0, spec.duration, None)
                hold = spec.hold
            self.t = hold
        if self.notice is not None:
            self._place_notice(self.notice)
        for section in self.script.sections:
            self._section(section)
        return self._finish()

    def _place_notice(self, line: RenderedLine) -> None:
        """The narrator's AI-voice notice: over the automatic intro, else first of all."""
        start = NOTICE_OVER_INTRO if self.auto_intro else NOTICE_START
        self.placements.append(Placement(
            kind="speech", start=_ms(start), duration=float(line.duration),
            gain_db=float(line.gain_db), source=line.cache_key, line_id=NOTICE_ID,
            speaker=line.speaker, text=line.text, words=line.words))
        end = start + line.duration
        if end + self.s.sentence_pause > self.t:
            self.t, self.gap = end, self.s.paragraph_pause
        self.prev_turn = pacing.Turn(NOTICE_ID, line.speaker, CueKind.NARRATION, line.text, True)
        self.prev_line = None

    def _own_music(self) -> tuple[bool, bool]:
        """Whether the script opens and closes with music of its own: a music cue before its
        first (story) line or after its last, or one naming the theme or the outro."""
        cues = [(c, s.is_summary) for s in self.script.sections for c in s.cues]
        spoken = [i for i, (c, _) in enumerate(cues) if c.is_spoken]
        story = [i for i in spoken if not cues[i][1]]
        if not spoken:
            return False, False
        first, last = (story or spoken)[0], spoken[-1]
        intro = outro = False
        files = {role: path for role, (path, _) in self.s.music_files().items()}
        for i, (cue, _) in enumerate(cues):
            if cue.kind is not CueKind.MUSIC or sounds.is_off(cue.text):
                continue
            name = self._music_role(cue.text, files)
            intro |= i < first or name in ("theme", "intro")
            outro |= i > last or name == "outro"
        return intro, outro

    def _music_role(self, text: str, files: dict[str, str]) -> str | None:
        if sounds.looks_like_file(text):
            path = str(sounds.resolve_file(text, self.base_dir))
            return next((role for role, f in files.items() if f == path), None)
        spec = sounds.resolve_sound(text, sounds.MUSIC)
        return spec.name if spec else None

    def _show_music(self, role: str, start: float, cue: Cue | None) -> float | None:
        """Place the show's file for ``role`` (intro, theme, outro, sting) at ``start``; the
        seconds the next line waits, or None when the show has no file for it."""
        files = self.s.music_files()
        if role not in files:
            return None
        name, setting = files[role]
        rule = "theme" if setting == "music_theme" else role  # the theme standing in
        longest, hold = SHOW_MUSIC[rule]
        path = Path(name)
        length = self._file_duration(path, f"show {role} music", cue, setting=setting)
        duration = min(length, longest, cue.seconds if cue and cue.seconds else longest)
        self._place("music", str(path), start, duration, cue, from_file=True)
        if duration < length:
            self.placements[-1].fade_out = min(SHOW_MUSIC_FADE, duration / 2)
        return duration if hold is None else min(hold, duration)

    def _section(self, section: Section) -> None:
        placeable = [c for c in section.cues if self._placeable(c)]
        if not placeable:
            return  # e.g. a summary nobody narrates: no chapter, beds carry on
        self.section_id = section.id
        first_content = self.sections_placed == 0
        if not first_content:
            self.gap = max(self.gap, self.s.section_pause)
            self.explicit = True
        index_first = section.cues.index(placeable[0])
        top = [c for c in section.cues[:index_first] if c.kind is CueKind.AMBIENCE]
        beds: list[tuple[str, bool, int]] = []
        if top:
            for cue in top:
                beds = self._ambience_beds(cue)
        elif (self.s.auto_beds and not section.is_summary
              and not any(c.kind is CueKind.AMBIENCE for c in section.cues)):
            text = " ".join(c.text for c in section.cues if c.is_spoken)
            name = sounds.suggest_bed(text, section.heading)
            beds = [(name, False, section.source_line)] if name else []
        if first_content:
            if beds and not self.auto_intro:
                self.gap = max(self.gap, BED_LEAD_IN)
            self._set_beds(beds, max(0.0, self.t + self.gap - BED_LEAD_IN), BED_LEAD_IN)
        else:
            xf = self.s.crossfade
            self._set_beds(beds, max(0.0, self.t + self.gap / 2 - xf / 2), xf)
        self.sections_placed += 1
        placed_before = len(self.placements)
        for cue in section.cues[index_first:]:
            self._cue(cue)
        first = next((p for p in self.placements[placed_before:]), None)
        if first is not None:
            self.firsts.append((section, first.start))

    def _placeable(self, cue: Cue) -> bool:
        if cue.is_spoken:
            return cue.line_id in self.rendered
        if cue.kind is CueKind.AUDIO:
            return True
        if cue.kind in (CueKind.SFX, CueKind.MUSIC):
            return not sounds.is_off(cue.text)
        return False

    def _cue(self, cue: Cue) -> None:
        if cue.is_spoken:
            self._speech(cue)
        elif cue.kind is CueKind.PAUSE:
            seconds = self.s.default_pause if cue.seconds is None else cue.seconds
            seconds = self._seconds(seconds, "pause", cue)
            # A written pause replaces the pause the conversation would leave; beats add up.
            self.gap = (self.gap + seconds) if self.explicit else seconds
            self.explicit = True
        elif cue.kind is CueKind.AMBIENCE:
            xf = self.s.crossfade
            self._set_beds(self._ambience_beds(cue), max(0.0, self.t + self.gap / 2 - xf / 2), xf)
        elif cue.kind is CueKind.AUDIO:
            self._recording(cue)
        elif cue.kind is CueKind.SFX:
            self._sound(cue, sounds.SFX, "sfx")
        elif cue.kind is CueKind.MUSIC:
            if sounds.is_off(cue.text):
                self._stop_music(self.t + self.gap / 2)
            else:
                self._sound(cue, sounds.MUSIC, "music")

    # -- foreground ----------------------------------------------------------------------
    def _speech(self, cue: Cue) -> None:
        line = self.rendered.get(cue.line_id or "")
        if line is None:
            return
        duration = line.duration
        if not (isinstance(duration, int | float) and math.isfinite(duration)
                and 0 < duration <= MAX_PAUSE):
            raise MixError(f"line {line.line_id}: take duration {duration!r} s is not a "
                           f"positive number under an hour", self.file, cue.source_line)
        turn = pacing.Turn(line.line_id, line.speaker, cue.kind, cue.text, cue.paragraph_end)
        start = self._line_start(turn)
        self.placements.append(Placement(
            kind="speech", start=_ms(start), duration=float(duration),
            gain_db=float(line.gain_db), source=line.cache_key, line_id=line.line_id,
            speaker=line.speaker, text=line.text, section_id=self.section_id,
            source_line=cue.source_line, pan=self._pan(cue, line.speaker),
            words=line.words))
        self.t = start + duration
        # Before a sound or the end: the pause this line would leave before more of the same.
        after = self.s.paragraph_pause if cue.paragraph_end else self.s.sentence_pause
        self.gap = max(after - pacing.TAIL_S, 0.0)
        self.prev_turn, self.prev_line, self.explicit = turn, self.placements[-1], False

    def _line_start(self, turn: pacing.Turn) -> float:
        """Where a line starts: after the conversational pause from the previous line (heard
        silence, less the takes' own edges), or cutting into it when it was interrupted."""
        if self.prev_turn is None:
            return self.t + self.gap
        heard = pacing.pause_between(self.prev_turn, turn, self.s)
        if self.prev_line is None:  # a sound or music came between: no take tail before us
            return self.t + max(self.gap, heard - pacing.LEAD_S)
        if self.explicit:
            return self.t + max(self.gap, heard - pacing.EDGE_S)
        if heard >= 0:
            return self.t + max(heard - pacing.EDGE_S, 0.0)
        return self._interrupt(self.prev_line, -heard)

    def _interrupt(self, cut: Placement, overlap: float) -> float:
        """Start ``overlap`` s before the cut line's speech ends; it fades out under us."""
        spoken_end = cut.end - pacing.TAIL_S
        start = max(spoken_end - overlap, cut.start + cut.duration / 2)
        cut.duration = _ms(start + pacing.CUT_FADE_S) - cut.start
        cut.fade_out = pacing.CUT_FADE_S
        return start

    def _recording(self, cue: Cue) -> None:
        """``[AUDIO: file | Name: what it says]``: a recorded line or sound, played whole in
        the foreground (the next line waits for it), at the voices' level."""
        name, _, caption = cue.text.partition("|")
        if cue.seconds is not None:
            self._seconds(cue.seconds, "audio duration", cue)
        path = sounds.resolve_file(name, self.base_dir)
        length = self._file_duration(path, "audio", cue)
        duration = min(length, cue.seconds) if cue.seconds else length
        speaker, text = _captioned(caption)
        # A captioned recording is a turn of the conversation (paced like a line, after a
        # sound); an uncaptioned one is a sound in the foreground.
        turn = pacing.Turn(f"audio@{cue.source_line}", speaker, CueKind.DIALOGUE, text,
                           True) if speaker else None
        if turn is not None:
            self.prev_line = None  # a recording brings its own room tone: no take tail
            start = self._line_start(turn)
        else:
            start = self.t + self.gap
        self.placements.append(Placement(
            kind="audio", start=_ms(start), duration=float(duration), source=str(path),
            text=text, speaker=speaker, section_id=self.section_id, from_file=True,
            source_line=cue.source_line))
        self.t = start + duration
        self.gap = self.s.sentence_pause
        self.prev_line = None
        if turn is not None:
            self.prev_turn, self.explicit = turn, False

    def _pan(self, cue: Cue, speaker: str) -> float:
        """Narration in the centre; characters alternate left and right, in order of their
        first line: the first two at the full spread, then halfway, three quarters, a quarter."""
        if cue.kind is not CueKind.DIALOGUE or self.s.channels == 1:
            return 0.0
        if speaker not in self.pans:
            slot = len(self.pans)
            side = -1.0 if slot % 2 == 0 else 1.0
            self.pans[speaker] = side * _PAN_STEPS[(slot // 2) % len(_PAN_STEPS)]
        return round(self.pans[speaker] * self.s.voice_spread, 4)

    def _sound(self, cue: Cue, table: dict[str, sounds.SoundSpec], kind: str) -> None:
        what = "sound effect" if kind == "sfx" else "music"
        if cue.seconds is not None:
            self._seconds(cue.seconds, f"{what} duration", cue)
            if cue.seconds <= 0:
                raise MixError(f"{what} duration must be positive, got {cue.seconds} s",
                               self.file, cue.source_line)
        if sounds.looks_like_file(cue.text):
            path = sounds.resolve_file(cue.text, self.base_dir)
            length = self._file_duration(path, what, cue)
            duration = min(length, cue.seconds) if cue.seconds else length
            hold = min(duration, FILE_SFX_HOLD if kind == "sfx" else FILE_MUSIC_HOLD)
            source, from_file = str(path), True
        else:
            spec = sounds.resolve_sound(cue.text, table)
            if spec is None and kind == "music":
                spec = table[sounds.DEFAULT_MUSIC]
            if spec is None:
                known = ", ".join(table)
                raise MixError(f"unknown sound effect '{sounds.clean(cue.text)}' (built-in: "
                               f"{known}; or give an audio file path)", self.file,
                               cue.source_line)
            start = self.t + self.gap
            if kind == "music" and (held := self._show_music(spec.name, start, cue)) is not None:
                self.t = start + held
                self.gap = AFTER_SOUND_GAP
                self.prev_line = None  # the music came between: no take tail before the next
                return
            duration = cue.seconds or spec.duration
            hold = min(spec.hold, duration)
            source, from_file = spec.name, False
        start = self.t + self.gap
        self._place(kind, source, start, duration, cue, from_file=from_file)
        self.t = start + hold
        self.gap = AFTER_SOUND_GAP
        self.prev_line = None

    def _place(self, kind: str, source: str, start: float, duration: float, cue: Cue | None,
               from_file: bool = False) -> None:
        seed = _seed(self.s.seed, kind, source, len(self.placements))
        self.placements.append(Placement(
            kind=kind, start=_ms(start), duration=float(duration), source=source,
            text=cue.text if cue else source, section_id=self.section_id, from_file=from_file,
            seed=seed, source_line=cue.source_line if cue else 0))

    def _stop_music(self, at: float) -> None:
        fade = 1.5
        for p in self.placements:
            if p.kind == "music" and p.start < at < p.end:
                p.duration = max(0.05, at + fade - p.start)
                p.fade_out = min(fade, p.duration)

    # -- beds ----------------------------------------------------------------------------
    def _ambience_beds(self, cue: Cue) -> list[tuple[str, bool, int]]:
        if sounds.is_off(cue.text):
            return []
        if sounds.looks_like_file(cue.text):
            path = sounds.resolve_file(cue.text, self.base_dir)
            self._file_duration(path, "ambience", cue)
            return [(str(path), True, cue.source_line)]
        names = sounds.beds_for_cue(cue.text)
        if names is None:
            raise MixError(f"unknown ambience bed '{sounds.clean(cue.text)}' (built-in: "
                           f"{', '.join(sounds.BED_NAMES)}; or give an audio file path)",
                           self.file, cue.source_line)
        return [(name, False, cue.source_line) for name in names]

    def _set_beds(self, beds: list[tuple[str, bool, int]], at: float, fade: float) -> None:
        """From ``at``, the beds sounding are ``beds``: others fade out, new ones fade in."""
        wanted = {(src, from_file): line for src, from_file, line in beds}
        for key in [k for k in self.open if k not in wanted]:
            self._close(key, at + fade, fade)
        for (src, from_file), line in wanted.items():
            if (src, from_file) not in self.open:
                self.open[(src, from_file)] = _OpenBed(
                    src, from_file, _ms(at), fade, _seed(self.s.seed, "bed", src, len(self.spans)
                                                        + len(self.open)), line, self.section_id)

    def _close(self, key: tuple[str, bool], end: float, fade: float) -> None:
        bed = self.open.pop(key)
        end = _ms(end)
        if end - bed.start < 0.05:
            return  # replaced before it was heard
        length = end - bed.start
        fade_in = min(bed.fade_in, length / 2)
        self.spans.append(BedSpan(
            source=bed.source, start=bed.start, end=end, gain_db=0.0, fade_in=fade_in,
            fade_out=min(fade, length - fade_in), from_file=bed.from_file, seed=bed.seed,
            source_line=bed.source_line, section_id=bed.section_id))

    # -- end -----------------------------------------------------------------------------
    def _finish(self) -> Timeline:
        if self.auto_outro:
            start = self.t + max(self.gap, 1.0)
            if self._show_music("outro", start, None) is None:
                spec = sounds.MUSIC["outro"]
                self._place("music", spec.name, start, spec.duration, None)
            beds_end = start + 1.0
        else:
            beds_end = self.t + 1.5
        for key in list(self.open):
            self._close(key, beds_end + 3.0, 3.0)
        ends = [p.end for p in self.placements] + [b.end for b in self.spans]
        duration = _ms(max(ends) + END_TAIL)
        chapters = []
        for i, (section, start) in enumerate(self.firsts):
            start = 0.0 if i == 0 else start
            end = self.firsts[i + 1][1] if i + 1 < len(self.firsts) else duration
            # A screenplay's scene heading is a slugline; its readable title is the chapter.
            readable = section.title if self.script.format == "fountain" else ""
            title = reader_text(readable or section.heading) or f"Part {i + 1}"
            chapters.append(Chapter(section.id, title, _ms(start), _ms(end)))
        self.spans.sort(key=lambda b: b.start)
        return Timeline(sample_rate=SAMPLE_RATE, duration=duration, placements=self.placements,
                        beds=self.spans, chapters=chapters, script_path=self.script.source_path)

    # -- checks --------------------------------------------------------------------------
    def _seconds(self, value: Any, what: str, cue: Cue) -> float:
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or not 0 <= value <= MAX_PAUSE):
            raise MixError(f"{what} of {value!r} s: must be between 0 and {MAX_PAUSE:g} seconds",
                           self.file, cue.source_line)
        return float(value)

    def _file_duration(self, path: Path, what: str, cue: Cue | None,
                       setting: str | None = None) -> float:
        key = str(path)
        if key not in self._durations:
            what = f"{what} file" if setting is None else f"{what} ([mix] {setting})"
            self._durations[key] = probe_duration(path, what, self.file,
                                                  cue.source_line if cue else None)
        return self._durations[key]


def _captioned(caption: str) -> tuple[str | None, str]:
    """``Finn: Do you read me?`` -> ("Finn", "Do you read me?"); no name -> (None, text)."""
    caption = " ".join(caption.split())
    head, sep, rest = caption.partition(":")
    if sep and rest.strip() and 0 < len(head) <= 40 and not any(c in head for c in ".!?\""):
        return head.strip(), rest.strip()
    return None, caption


def _ms(t: float) -> float:
    """Snap a time onto the limiter's gain grid (``GROUP`` samples). When a regenerated line
    changes length, everything after it then moves by whole groups, so the limiter treats those
    lines exactly as before and they stay sample-identical."""
    steps = math.ceil(round(float(t) * SAMPLE_RATE / GROUP, 6))
    return steps * GROUP / SAMPLE_RATE


def _seed(base: int, *parts: object) -> int:
    # crc32, not hash(): Python's str hash changes per process and seeds must not.
    return zlib.crc32("/".join(map(str, (base, *parts))).encode())
