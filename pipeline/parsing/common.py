"""Pieces every parser shares: sound cue lines, speaker names, sentence chunks, the final checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ScriptError
from pipeline.model import Cue, CueKind, Script, Section, assign_line_ids
from pipeline.textprep import is_speakable

MAX_CHUNK = 400  # characters per spoken cue: long paragraphs split at sentence ends

# Header lines ("Title: ...") that are metadata, not a speaker or a point of view.
HEADER_KEYS = frozenset({
    "title", "subtitle", "author", "authors", "by", "credit", "source", "draft date", "date",
    "contact", "copyright", "notes", "note", "summary", "synopsis", "description", "series",
    "episode", "season", "language", "rating", "disclaimer", "pairing", "pairings", "genre",
    "warning", "warnings", "spoilers", "category", "categories", "characters", "fandom", "tags",
    "words", "dedication", "feedback", "archive", "a/n", "author's note", "authors note",
    "format",
})
SUMMARY_KEYS = frozenset({"summary", "synopsis", "description"})

# A header label in bold or italics, as pasted from a web page or written in Markdown:
# "**Summary:** text", "**Summary**: text", "<b>Summary:</b> text", "[b]Summary:[/b] text".
_OPEN_WRAP = r"(?:\*\*|__|\*|_|<(?:b|strong|em|i)>|\[(?:b|i)\])"
_CLOSE_WRAP = r"(?:\*\*|__|\*|_|</(?:b|strong|em|i)>|\[/(?:b|i)\])"
_WRAPPED_LABEL = re.compile(rf"^\s*{_OPEN_WRAP}\s*(?P<key>[A-Za-z][A-Za-z/'\u2019 ]{{0,24}}?)\s*"
                            rf"(?::\s*{_CLOSE_WRAP}|{_CLOSE_WRAP}\s*:)", re.IGNORECASE)


def plain_label(line: str) -> str:
    """``**Summary:** text`` -> ``Summary: text``; any other line as it is."""
    match = _WRAPPED_LABEL.match(line)
    return f"{match.group('key')}:{line[match.end():]}" if match else line

SOUND_KINDS = {
    "sfx": CueKind.SFX, "sound": CueKind.SFX, "fx": CueKind.SFX,
    "ambience": CueKind.AMBIENCE, "ambient": CueKind.AMBIENCE, "atmos": CueKind.AMBIENCE,
    "bed": CueKind.AMBIENCE, "music": CueKind.MUSIC, "audio": CueKind.AUDIO,
}
_SOUND = re.compile(r"^\[\s*(sfx|sound|fx|ambience|ambient|atmos|bed|music|audio)\s*:"
                    r"\s*([^\[\]]*?)\s*\]$", re.IGNORECASE)
_PAUSE = re.compile(r"^\[\s*(?:pause|beat|silence)\s*:?\s*(?:(\d+(?:\.\d+)?)\s*"
                    r"(?:s|sec|secs|second|seconds)?)?\s*\]$", re.IGNORECASE)
_DURATION = re.compile(r"^(.*?)[\s,]+(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds)$")
_NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
_UNSAFE_NAME = re.compile(r"[/\\\x00]|\.\.")
_ROMAN = re.compile(r"^[IVXLC]{2,}$")
_ABBREVIATED = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Mx|Dr|St|Prof|Capt|Lt|Sgt|Col|Gen|Rev|Fr|Jr|Sr|vs|etc|Mt|Ave|No)"
    r"|\b[A-Z])\.$")
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*\s+")
_CLAUSE_END = re.compile(r"[,;:\u2013\u2014]\s+")


@dataclass
class Block:
    """A run of source text (a paragraph, a speech) that remembers which line each character
    came from, so every cue cut out of it can point at its own line."""

    text: str
    starts: list[tuple[int, int]]  # (offset in text, 1-based source line), ascending

    @classmethod
    def of_lines(cls, lines: list[tuple[int, str]]) -> Block:
        text, starts = "", []
        for number, line in lines:
            if text:
                text += " "
            starts.append((len(text), number))
            text += " ".join(line.split())  # runs of spaces (or a removed note) -> one space
        return cls(text, starts)

    def line_at(self, offset: int) -> int:
        line = self.starts[0][1] if self.starts else 0
        for start, number in self.starts:
            if start > offset:
                break
            line = number
        return line


def sound_cue(line: str, number: int, where: str, warnings: list[str]) -> Cue | None:
    """``[SFX: door]``, ``[AMBIENCE: rain]``, ``[AMBIENCE: off]``, ``[MUSIC: sting 3s]``,
    ``[AUDIO: takes/finn.wav]`` (a recording, optionally ``| Finn: what it says`` for the
    captions), ``[PAUSE 1.5s]`` / ``[PAUSE]`` on a line of its own; None for anything else."""
    stripped = line.strip()
    if match := _PAUSE.match(stripped):
        # A bare [PAUSE] leaves its length to the mix ([mix] default_pause).
        seconds = float(match.group(1)) if match.group(1) else None
        return Cue(CueKind.PAUSE, text="pause", seconds=seconds, source_line=number)
    if match := _SOUND.match(stripped):
        kind = SOUND_KINDS[match.group(1).lower()]
        argument, seconds = match.group(2).strip(), None
        if timed := _DURATION.match(argument):
            argument, seconds = timed.group(1).strip(), float(timed.group(2))
        if not argument:
            warnings.append(f"{where}:{number}: {match.group(1)} cue without a name; ignored")
            return None
        return Cue(kind, text=argument, seconds=seconds, source_line=number)
    return None


def canonical_name(raw: str) -> str:
    """One spelling per character: all-caps (screenplay) and all-lowercase names become title
    case ("BRICK" -> "Brick", "MR. STEEL" -> "Mr. Steel", "tegme" -> "Tegme"); mixed-case
    names are kept as written ("McKenzie")."""
    name = " ".join(raw.split()).strip(" :")
    if name.isupper() or name.islower():
        name = " ".join(_title_word(w) for w in name.split(" "))
    return name


def _title_word(word: str) -> str:
    if _ROMAN.match(word):
        return word  # "HENRY VIII"
    parts = word.split("-")
    out = []
    for part in parts:
        part = part.lower()
        part = part[:1].upper() + part[1:]
        # O'BRIEN -> O'Brien, but DON'T -> Don't
        if len(part) > 2 and part[1] in "'\u2019" and part[2:].isalpha():
            part = part[:2] + part[2].upper() + part[3:]
        out.append(part)
    return "-".join(out)


def check_name(name: str, where: str, line: int) -> None:
    """Speaker names become cast keys and file names later: refuse path characters now."""
    if _UNSAFE_NAME.search(name):
        raise ScriptError(f"speaker name {name!r} contains a path character (/, \\, .. or NUL)",
                          where, line)


def strip_notes(text: str) -> str:
    """Remove ``[[notes]]`` (they may span lines) but keep the line count, so line numbers hold."""
    return _NOTE.sub(lambda m: "\n" * m.group().count("\n"), text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) spans; a full stop after "Mr" or an initial is no sentence end."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        # Only the last few characters can hold an abbreviation: looking at the whole sentence
        # so far made "Mr. Mr. Mr. ..." quadratic.
        head = text[max(start, match.start() - 16):match.start() + 1].rstrip()
        if _ABBREVIATED.search(head.rstrip("\"'\u201d\u2019)]")) and text[match.start()] == ".":
            continue
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def chunk_spans(text: str, max_chars: int = MAX_CHUNK) -> list[tuple[int, int]]:
    """Pack whole sentences into chunks of at most ``max_chars``; split longer sentences at
    clause ends, then at spaces."""
    pieces: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        pieces.extend(_split_long(text, start, end, max_chars))
    chunks: list[tuple[int, int]] = []
    for start, end in pieces:
        if chunks and end - chunks[-1][0] <= max_chars:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return chunks


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    out = []
    while end - start > max_chars:
        window = text[start:start + max_chars]
        cut = max((m.end() for m in _CLAUSE_END.finditer(window)), default=0)
        if cut < max_chars // 4:
            cut = window.rfind(" ") + 1
        if cut <= 0:
            cut = max_chars
        out.append((start, start + cut))
        start += cut
    out.append((start, end))
    return out


def spoken_cues(block: Block, start: int, end: int, kind: CueKind, speaker: str | None = None,
                delivery: str | None = None, paragraph_end: bool = True) -> list[Cue]:
    """Cues for ``block.text[start:end]``, chunked at sentence ends; ``paragraph_end`` marks the
    last one."""
    cues = []
    for a, b in chunk_spans(block.text[start:end]):
        raw = block.text[start + a:start + b]
        text = raw.strip()
        if not text:
            continue
        offset = start + a + (len(raw) - len(raw.lstrip()))
        cues.append(Cue(kind, text=text, speaker=speaker, delivery=delivery,
                        source_line=block.line_at(offset)))
    if cues and paragraph_end:
        cues[-1].paragraph_end = True
    return cues


def title_from_path(path: str) -> str:
    """"the-lighthouse-keeper.txt" -> "The Lighthouse Keeper"; "" for machine-made names."""
    stem = Path(path).stem
    words = [w for w in re.split(r"[\s_\-.]+", stem) if w]
    if not words or sum(c.isdigit() for c in stem) * 3 > len(stem):
        return ""
    if any(re.fullmatch(r"[0-9a-f]{8,}", w) for w in words):
        return ""
    return " ".join(w[:1].upper() + w[1:] for w in words)


def finish(script: Script, first_line: int = 1) -> Script:
    """Shared end of every parser: drop unspeakable lines and empty sections, name untitled
    sections, check speaker names, refuse a script with nothing to say, number the lines."""
    where = script.source_path
    for section in script.sections:
        if section.pov:
            check_name(section.pov, where, section.source_line)
        for cue in section.cues:
            if cue.kind is CueKind.DIALOGUE and cue.speaker:
                check_name(cue.speaker, where, cue.source_line)
    for section in script.sections:
        kept = []
        for cue in section.cues:
            if cue.is_spoken and not is_speakable(cue.text):
                if cue.kind is CueKind.DIALOGUE:
                    script.warnings.append(f"{where}:{cue.source_line}: {cue.speaker}'s line "
                                           f"{cue.text!r} has nothing to say; skipped")
                continue
            kept.append(cue)
        _fix_paragraph_ends(section.cues, kept)
        section.cues = kept
    script.sections = _merge_silent_sections([s for s in script.sections if s.cues])
    if not any(section.lines for section in script.sections):
        raise ScriptError("no speakable lines: nothing here for a voice to read", where,
                          first_line)
    if not script.title:
        script.title = _fallback_title(script)
    for section in script.sections:
        if not section.heading:
            section.heading = script.title
    return assign_line_ids(script)


def _merge_silent_sections(sections: list[Section]) -> list[Section]:
    """A section with nothing spoken (an opening music cue before the first heading) is no
    chapter: its cues join the next section, or the previous one at the end."""
    out: list[Section] = []
    carry: list[Cue] = []
    for section in sections:
        if not section.lines and not section.is_summary:
            carry.extend(section.cues)
            continue
        section.cues[:0] = carry
        carry = []
        out.append(section)
    if carry and out:
        out[-1].cues.extend(carry)
    return out


def _fix_paragraph_ends(before: list[Cue], kept: list[Cue]) -> None:
    """A dropped cue that ended a paragraph hands the mark to the kept cue before it."""
    kept_ids = {id(c) for c in kept}
    last_kept: Cue | None = None
    for cue in before:
        if id(cue) in kept_ids:
            last_kept = cue
        elif cue.paragraph_end and last_kept is not None and last_kept.is_spoken:
            last_kept.paragraph_end = True


def _fallback_title(script: Script) -> str:
    if title := title_from_path(script.source_path):
        return title
    povs = [s.pov for s in script.sections if s.pov]
    if povs:
        unique = list(dict.fromkeys(povs))
        return " and ".join([", ".join(unique[:-1]), unique[-1]]) if len(unique) > 1 else unique[0]
    headings = [s.heading for s in script.sections if s.heading and not s.is_summary]
    return headings[0] if headings else "Untitled"


def new_section(heading: str, line: int, pov: str | None = None) -> Section:
    return Section(id="", heading=heading, pov=pov, source_line=line)
