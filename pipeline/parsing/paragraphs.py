"""Reading prose into paragraphs, headings, breaks and sound cues, the way the file is laid out.

Blank lines separate blocks. Inside a block, a line starts a new paragraph only where a
paragraph can end:

- In a hard-wrapped file (Project Gutenberg and the like, lines cut near one width) a line that
  is full -- the next line's first word would not have fitted on it -- always runs on into the
  next line. So a wrapped line that happens to start ``Mr. Chitling: ...`` or `` returned
  Marilla`` never opens a section or a paragraph.
- A file with long lines keeps one paragraph per line.
- Otherwise a deeper-indented line, or a ``Name:`` line after a sentence end, starts a new one.

A block indented deeper than the file's usual text (verse, a letter) is marked ``indented`` so a
quotation open before it keeps it; its lines that are not wrapped are paragraphs of their own (a
verse line, a letter's greeting and signature), so a reader pauses after each.

Chapter and part headings (see ``headings``) at the start of a block become ``chapter`` items,
titled by the line (or one-line paragraph) under them when they have no title of their own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.model import Cue
from pipeline.parsing.common import sound_cue
from pipeline.parsing.headings import (
    Heading,
    chapter_heading,
    name_opener,
    subtitle_line,
    with_title,
)

SCENE_BREAK = re.compile(r"^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:~\s*){3,}|(?:_\s*){3,}|(?:#\s*){1,3}"
                         r"|(?:o\s*){3})$")
MD_HEADING = re.compile(r"^#{1,6}\s+(?P<text>\S.*)$")
LONG_LINE = 100  # average line length above which each line is its own paragraph
_MIN_WRAP, _MAX_WRAP = 45, 100  # columns: text is not wrapped narrower or wider than this
_MIN_WRAPPED_LINES = 3
_WRAPPED_SHARE = 0.9  # of the lines that run on in a block, this many are full
_SENTENCE_DONE = re.compile(r"[.!?:\u2026][\"'\u201d\u2019)\]_*]*$")
_INDENT_STEP = 2  # columns deeper than the file's text that make a block "indented"


@dataclass
class Item:
    kind: str  # "para" | "sound" | "break" | "heading" (Markdown) | "chapter"
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    cue: Cue | None = None
    text: str = ""
    indented: bool = False  # set off from the text around it: verse, a letter
    heading: Heading | None = None  # chapter items: what the heading says


@dataclass(frozen=True)
class Layout:
    """How the file is laid out: the width it was hard-wrapped at (None: not wrapped) and the
    indentation of its ordinary text."""

    wrap: int | None = None
    indent: int = 0

    def full(self, line: str, following: str) -> bool:
        """``line`` was cut by wrapping: the next line's first word would not have fitted."""
        if self.wrap is None:
            return False
        first_word = following.split()[0] if following.split() else ""
        return _width(line.rstrip()) + 1 + len(first_word) > self.wrap


def _width(line: str) -> int:
    return len(line.expandtabs(8))


def _indent(line: str) -> int:
    return _width(line) - _width(line.lstrip())


def layout_of(lines: list[str]) -> Layout:
    """Hard-wrapped text: nearly every line that runs on within a block is full at the median
    width of such lines (a wrapper's lines vary a little: measure low, so they all count)."""
    running: list[tuple[str, str]] = []
    indents: Counter[int] = Counter()
    for line, following in zip(lines, lines[1:] + [""], strict=True):
        if not line.strip():
            continue
        indents[_indent(line)] += 1
        if following.strip():
            running.append((line, following))
    indent = indents.most_common(1)[0][0] if indents else 0
    if len(running) < _MIN_WRAPPED_LINES:
        return Layout(None, indent)
    widths = sorted(_width(line.rstrip()) for line, _ in running)
    layout = Layout(widths[len(widths) // 2], indent)
    if not _MIN_WRAP <= (layout.wrap or 0) <= _MAX_WRAP:
        return Layout(None, indent)
    full = sum(1 for line, following in running if layout.full(line, following))
    return layout if full >= _WRAPPED_SHARE * len(running) else Layout(None, indent)


def read_items(lines: list[str], where: str, warnings: list[str]) -> list[Item]:
    layout = layout_of(lines)
    items: list[Item] = []
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            block.append((number, raw))
        elif block:
            items.extend(_block_items(block, layout, where, warnings))
            block = []
    if block:
        items.extend(_block_items(block, layout, where, warnings))
    return _title_chapters(items)


def _block_items(block: list[tuple[int, str]], layout: Layout, where: str,
                 warnings: list[str]) -> list[Item]:
    """Cue lines, breaks and headings stand alone; the rest are paragraphs."""
    items: list[Item] = []
    lines = [line for _, line in block]
    one_per_line = sum(len(t) for t in lines) / len(lines) > LONG_LINE
    base = min(_indent(line) for line in lines)
    indented = base >= layout.indent + _INDENT_STEP
    para: list[tuple[int, str]] = []

    def flush() -> None:
        if para:
            items.append(Item("para", para[0][0], list(para), indented=indented))
            para.clear()

    for index, (number, raw) in enumerate(block):
        line = raw.strip()
        previous = block[index - 1][1] if index else ""
        if cue := sound_cue(line, number, where, warnings):
            flush()
            items.append(Item("sound", number, cue=cue))
        elif SCENE_BREAK.match(line):
            flush()
            items.append(Item("break", number))
        elif heading := MD_HEADING.match(line):
            flush()
            items.append(Item("heading", number, text=heading.group("text").strip()))
        elif (chapter := chapter_heading(line, bare=not para)) and _alone(block, index, layout) \
                and (not para or _paragraph_may_end(previous, raw, layout)):
            flush()
            items.append(Item("chapter", number, [(number, raw)], heading=chapter))
        elif items and items[-1].kind == "chapter" and not para and not items[-1].heading.title \
                and len(items[-1].lines) == 1 and subtitle_line(line):
            chapter = items[-1]  # "CHAPTER I" / "THE ONE THING NEEDFUL"
            chapter.lines.append((number, raw))
            chapter.heading = with_title(chapter.heading, line)
        else:
            if para and _starts_paragraph(previous, raw, base, one_per_line or indented, layout):
                flush()
            para.append((number, raw))
    flush()
    return items


def _alone(block: list[tuple[int, str]], index: int, layout: Layout) -> bool:
    """A heading is a line of its own: the line after it does not continue it."""
    if index + 1 >= len(block):
        return True
    line = block[index][1]
    return not layout.full(line, block[index + 1][1])


def _paragraph_may_end(previous: str, line: str, layout: Layout) -> bool:
    return not layout.full(previous, line) and bool(_SENTENCE_DONE.search(previous.rstrip()))


def _starts_paragraph(previous: str, raw: str, base: int, one_per_line: bool,
                      layout: Layout) -> bool:
    if layout.full(previous, raw):
        return False  # a wrapped line runs on, whatever it starts with
    if one_per_line:
        return True
    if _indent(raw) > base:
        return True
    return layout.wrap is None and bool(name_opener(raw.strip()))


def _title_chapters(items: list[Item]) -> list[Item]:
    """A bare heading ("I", "CHAPTER IV") followed by a one-line title paragraph ("THE
    HAMILTONS") takes it as its title."""
    out: list[Item] = []
    for item in items:
        previous = out[-1] if out else None
        if previous is not None and previous.kind == "chapter" and previous.heading is not None \
                and not previous.heading.title and len(previous.lines) == 1 \
                and item.kind == "para" and len(item.lines) == 1 \
                and subtitle_line(item.lines[0][1]):
            previous.lines.extend(item.lines)
            previous.heading = with_title(previous.heading, item.lines[0][1])
            continue
        out.append(item)
    return out
