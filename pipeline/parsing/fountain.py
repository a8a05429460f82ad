"""A small Fountain (https://fountain.io/syntax) reader, for audio.

What becomes what:
- title page (``Key: value`` lines at the top, indented continuation lines) -> ``metadata``;
  ``Title`` (emphasis stripped, lines joined with " — ") -> ``title``; ``Summary``/``Synopsis``
  key -> the summary section.
- scene headings (INT./EXT./EST./INT./EXT/INT/EXT/I/E, any case, or forced ``.HEADING``) ->
  sections; scene numbers ``#12#`` are dropped from the heading.
- character cue (an all-caps line, or forced ``@name``, followed by dialogue) -> dialogue cues.
  Extensions ``(V.O.)``, ``(O.S.)``, ``(CONT'D)``, ``(cont.)`` and the dual-dialogue caret
  ``^`` are stripped from the name; dual dialogue is read in order. A lowercase one-to-three
  word line followed by capitalised dialogue is taken as a cue too, with a warning (strict
  Fountain would call it action).
- parentheticals -> the delivery of the dialogue after them; ``(beat)``/``(pause)`` -> a pause.
- action -> narration (forced ``!`` removed).
- centered text ``> ... <`` -> narration: title cards ("FIVE YEARS LATER") are worth hearing;
  an end mark ("THE END", "FIN", "END OF EPISODE") is not read.
- a scene heading's readable title (``INT. GULL ROCK LIGHTHOUSE, LAMP ROOM - NIGHT`` -> "Gull
  Rock Lighthouse, Lamp Room — Night") -> ``Section.title``: the chapter a listener sees.
- transitions (``CUT TO:``, ``> TEXT``, FADE IN/OUT), sections ``#``, synopses ``=``, page
  breaks ``===``, notes ``[[...]]`` and boneyard ``/* ... */`` -> nothing.
- Castwright extension: a line that is only ``[SFX: ...]`` / ``[AMBIENCE: ...]`` /
  ``[MUSIC: ...]`` / ``[PAUSE 1.5s]`` (or the same inside a note, ``[[SFX: door]]``, which
  other Fountain apps show as a note) -> that sound cue.
Emphasis markup (``*``, ``_``) stays in the author's text; textprep removes it for the engine.
Whitespace-only lines count as blank (the spec's "two spaces" dialogue line is not kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import Cue, CueKind, Script, Section
from pipeline.parsing.common import (
    SUMMARY_KEYS,
    Block,
    canonical_name,
    check_name,
    finish,
    new_section,
    sound_cue,
    spoken_cues,
    strip_notes,
)
from pipeline.parsing.speech import PAUSE_WORDS, speech_cues

SCENE_HEADING = re.compile(r"^(?:INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)(?:\.|\s)", re.IGNORECASE)
_FORCED_HEADING = re.compile(r"^\.(?=[^.\s])")
_SCENE_NUMBER = re.compile(r"\s*#[\w.\-]+#\s*$")
_TRANSITION = re.compile(r"^[^a-z]*\bTO:$")
_OTHER_TRANSITIONS = frozenset({"FADE IN:", "FADE OUT.", "FADE TO BLACK.", "FADE OUT:"})
_EXTENSION = re.compile(r"\s*\([^()]*\)\s*")
_LOWERCASE_CUE = re.compile(r"^[a-z][a-z'\-]*(?: [a-z][a-z'\-]*){0,2}$")
_TITLE_KEY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]{0,30}):(?P<value>.*)$")
_BOLD_ITALIC = re.compile(r"[*_]+")
_BONEYARD = re.compile(r"/\*.*?\*/", re.DOTALL)
_NOTE_CUE = re.compile(r"^([ \t]*)\[\[\s*((?:sfx|sound|fx|ambience|ambient|atmos|bed|music"
                       r"|audio|pause|beat|silence)\b[^\[\]\n]*)\]\]([ \t]*)$",
                       re.IGNORECASE | re.MULTILINE)


_END_MARK = re.compile(r"^[*_\s]*(?:the\s+end|end|fin|finis|end\s+of\s+(?:the\s+)?(?:episode|act|"
                       r"scene|show|play|script|part|chapter|book|story)(?:\s+\S+)?)[*_\s.!]*$",
                       re.IGNORECASE)
_SCENE_PREFIX = re.compile(r"^(?:INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)\.?\s+", re.IGNORECASE)
_TIME_SPLIT = re.compile(r"\s+[-\u2013\u2014]+\s+")
_UNSAID_TIMES = frozenset({"CONTINUOUS", "SAME", "SAME TIME", "CONT'D", "CONT."})
_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "into", "of", "on",
                          "or", "the", "to", "with"})


def scene_title(heading: str) -> str:
    """A scene heading as a listener's chapter list shows it: the place, then the time of day,
    in title case ("INT. GULL ROCK LIGHTHOUSE, LAMP ROOM - NIGHT" -> "Gull Rock Lighthouse,
    Lamp Room — Night"); "CONTINUOUS" and "SAME" are dropped."""
    text = _SCENE_NUMBER.sub("", heading.strip())
    text = text[1:] if _FORCED_HEADING.match(text) else _SCENE_PREFIX.sub("", text)
    parts = [p.strip(" .") for p in _TIME_SPLIT.split(text) if p.strip(" .")]
    parts = [p for p in parts if p.upper() not in _UNSAID_TIMES]
    if not parts:
        return ""
    return " — ".join(_title_case(p) for p in parts)


def _title_case(text: str) -> str:
    if not (text.isupper() or text.islower()):
        return text  # mixed case: the writer's own
    words = canonical_name(text).split(" ")
    return " ".join(w.lower() if i and w.lower() in _SMALL_WORDS else w
                    for i, w in enumerate(words))


def is_scene_heading(line: str) -> bool:
    return bool(SCENE_HEADING.match(line) or _FORCED_HEADING.match(line))


def character_cue(line: str) -> tuple[str, str | None] | None:
    """(name, extension) if ``line`` is a character cue line (all caps or ``@forced``)."""
    stripped = line.strip()
    if stripped.startswith("@"):
        name = _EXTENSION.sub(" ", stripped[1:].rstrip("^")).strip()
        return (name, _extension(stripped)) if name else None
    if not stripped or stripped[0] in "!.>=#~[(" or is_scene_heading(stripped):
        return None
    body = stripped.rstrip("^").strip()
    name = _EXTENSION.sub(" ", body).strip()
    if not name or len(name) > 50 or name.endswith(":") or name in _OTHER_TRANSITIONS:
        return None
    if not any(c.isalpha() for c in name) or name != name.upper():
        return None
    return name, _extension(body)


def _extension(line: str) -> str | None:
    match = _EXTENSION.search(line)
    return match.group().strip()[1:-1] if match else None


def is_transition(line: str) -> bool:
    stripped = line.strip()
    if stripped.startswith(">") and not stripped.endswith("<"):
        return True
    return bool(_TRANSITION.match(stripped)) or stripped in _OTHER_TRANSITIONS


def _clean_markup(text: str) -> str:
    return " ".join(_BOLD_ITALIC.sub("", text).split())


@dataclass
class _FountainParser:
    where: str
    script: Script
    section: Section | None = None
    named_cues: int = 0
    lowercase_cues: list[tuple[int, str]] = field(default_factory=list)

    def current(self, line: int) -> Section:
        if self.section is None:
            self.section = new_section("", line)
            self.script.sections.append(self.section)
        return self.section

    def block(self, lines: list[tuple[int, str]]) -> None:
        """One blank-line-separated block of the body."""
        while lines:
            number, first = lines[0]
            stripped = first.strip()
            if is_scene_heading(stripped):
                heading = _SCENE_NUMBER.sub("", stripped.removeprefix(".") if
                                            _FORCED_HEADING.match(stripped) else stripped)
                self.section = new_section(heading.strip(), number)
                self.section.title = scene_title(heading)
                self.script.sections.append(self.section)
                lines = lines[1:]
            elif is_transition(stripped):
                lines = lines[1:]
            elif len(lines) > 1 and (cue := self._cue(number, stripped, lines[1][1])):
                self.dialogue(cue[0], lines[1:], number)
                return
            else:
                self.action(lines)
                return

    def _cue(self, number: int, line: str, next_line: str) -> tuple[str, str | None] | None:
        if cue := character_cue(line):
            self.named_cues += 1
            return cue
        if _LOWERCASE_CUE.match(line) and next_line.strip()[:1].isupper():
            self.lowercase_cues.append((number, line))
            return line, None
        return None

    def dialogue(self, raw_name: str, lines: list[tuple[int, str]], cue_line: int) -> None:
        check_name(raw_name, self.where, cue_line)
        name = canonical_name(raw_name)
        section = self.current(cue_line)
        delivery: str | None = None
        buffer: list[tuple[int, str]] = []
        cues: list[Cue] = []

        def flush() -> None:
            if buffer:
                cues.extend(speech_cues(Block.of_lines(buffer), CueKind.DIALOGUE, name, delivery))
                buffer.clear()

        for number, line in lines:
            stripped = line.strip()
            if stripped.startswith("(") and stripped.endswith(")"):
                flush()
                words = " ".join(stripped[1:-1].split())
                if words.lower() in PAUSE_WORDS:
                    cues.append(Cue(CueKind.PAUSE, text=words, seconds=PAUSE_WORDS[words.lower()],
                                    source_line=number))
                    delivery = None
                else:
                    delivery = words or None
            elif cue := sound_cue(stripped, number, self.where, self.script.warnings):
                flush()
                cues.append(cue)
            else:
                buffer.append((number, stripped.removeprefix("~")))
        flush()
        spoken = [c for c in cues if c.is_spoken]
        for cue in spoken:  # one speech is one paragraph, however many parentheticals
            cue.paragraph_end = cue is spoken[-1]
        section.cues.extend(cues)

    def action(self, lines: list[tuple[int, str]]) -> None:
        paragraph: list[tuple[int, str]] = []

        def flush() -> None:
            if paragraph:
                block = Block.of_lines(paragraph)
                self.current(paragraph[0][0]).cues.extend(
                    spoken_cues(block, 0, len(block.text), CueKind.NARRATION))
                paragraph.clear()

        for number, line in lines:
            stripped = line.strip()
            if cue := sound_cue(stripped, number, self.where, self.script.warnings):
                flush()
                self.current(number).cues.append(cue)
            elif stripped.startswith(">") and stripped.endswith("<"):
                if _END_MARK.match(stripped[1:-1].strip()):
                    flush()  # "> THE END <" closes the script; nobody reads it out
                else:
                    paragraph.append((number, stripped[1:-1].strip()))  # centered text
            elif is_transition(stripped) or stripped.startswith(("#", "=")):
                flush()  # transition, section, synopsis, page break: not heard
            else:
                paragraph.append((number, stripped.removeprefix("!")))
        flush()


def _title_page(lines: list[str], script: Script) -> tuple[int, list[tuple[int, str]]]:
    """Read the title page; return the index of the first body line and the summary lines."""
    if not lines or not _TITLE_KEY.match(lines[0]) or character_cue(lines[0]):
        return 0, []
    values: dict[str, list[tuple[int, str]]] = {}
    key = None
    index = 0
    for index, line in enumerate(lines):
        if not line.strip():
            break
        match = _TITLE_KEY.match(line)
        if match and not line[:1].isspace():
            key = match.group("key").strip().lower()
            values.setdefault(key, [])
            if match.group("value").strip():
                values[key].append((index + 1, match.group("value").strip()))
        elif key is not None:
            values[key].append((index + 1, line.strip()))
        else:
            return 0, []
    else:
        index = len(lines)
    summary: list[tuple[int, str]] = []
    for key, parts in values.items():
        if key in SUMMARY_KEYS:
            summary = parts
            continue
        texts = [_clean_markup(text) for _, text in parts]
        separator = " — " if key == "title" else "\n"
        script.metadata[key] = separator.join(t for t in texts if t)
    title = script.metadata.get("title", "")
    script.title = canonical_title(title)
    return index, summary


def canonical_title(title: str) -> str:
    """All-caps titles read better in a feed as title case: "BRICK & STEEL" -> "Brick & Steel"."""
    return canonical_name(title) if title.isupper() else title


def parse_fountain(text: str, where: str) -> Script:
    script = Script(title="", source_path=where, format="fountain")
    text = _BONEYARD.sub(lambda m: "\n" * m.group().count("\n"), text)
    if "/*" in text:
        line = text.count("\n", 0, text.index("/*")) + 1
        script.warnings.append(f"{where}:{line}: boneyard '/*' is never closed; kept as text")
    text = strip_notes(_NOTE_CUE.sub(r"\1[\2]\3", text))
    lines = text.split("\n")
    body_start, summary_lines = _title_page(lines, script)
    parser = _FountainParser(where, script)
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines[body_start:], start=body_start + 1):
        if line.strip():
            block.append((number, line))
        elif block:
            parser.block(block)
            block = []
    if block:
        parser.block(block)
    for number, name in parser.lowercase_cues:
        script.warnings.append(f"{where}:{number}: {name!r} is read as a character cue; in "
                               f"Fountain write it in capitals ({name.upper()}) or as @{name}")
    if summary_lines:
        summary_block = Block.of_lines(summary_lines)
        script.summary = summary_block.text
        summary = Section(id="s00", heading="Summary", is_summary=True,
                          source_line=summary_lines[0][0])
        summary.cues = spoken_cues(summary_block, 0, len(summary_block.text), CueKind.NARRATION)
        script.sections.insert(0, summary)
    first = next((i for i, line in enumerate(lines, start=1) if line.strip()), 1)
    return finish(script, first)
