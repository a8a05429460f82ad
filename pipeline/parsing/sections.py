"""Which paragraphs of a story open sections, and what the section is.

- Chapter and part headings (``headings.chapter_heading``) open chapter and part sections.
- ``# Heading`` opens a section (a chapter or part when its text is one).
- ``Name:`` at the start of a paragraph opens a point-of-view section: ``Mara: The Last Ferry``
  is Mara's section titled "The Last Ferry"; ``Spike: When she was gone He wrote, ...`` runs a
  subtitle into its first sentence. In a book with chapter headings a point of view opens only
  right after a heading or a scene break (``London:`` on a title page is not a character), and
  in a hard-wrapped file only on a line of its own (``Name:`` or ``Name: Title``). A ``Name:``
  with only a few words before the next chapter heading is a title page, not a section.
- A fan-fiction point-of-view line, ``Buffy's POV``, ``~Spike POV~``, ``POV: Mara``, opens one too.
- ``Name: "..."`` is a speech label, not a section.

Headings are read aloud: every heading becomes a narration cue (delivery ``"heading"``) at the
start of its section, so no word of the story is lost and a listener hears where chapters begin.
A numeral alone ("IV.") is read as "Chapter IV.".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import Cue, CueKind, Section, SectionKind
from pipeline.parsing.common import Block, canonical_name, check_name, new_section, spoken_cues
from pipeline.parsing.headings import (
    Heading,
    chapter_heading,
    clean_title,
    name_opener,
    pov_line,
    title_like,
    undecorated,
)
from pipeline.parsing.paragraphs import Item

HEADING_DELIVERY = "heading"
# "Spike: When she was gone He wrote, ...": a subtitle run into the first sentence, told apart by
# a capitalised pronoun or article right after a lowercase word.
_SUBTITLE = re.compile(r"(?P<sub>[^.!?,;:\"\u201c\u201d()\[\]]{3,60}?[a-z])\s+"
                       r"(?=(?:He|She|They|It|We|His|Her|Their|The)\s)")


@dataclass
class Opening:
    """What a paragraph's ``Name:`` opener means."""

    section: Section | None = None  # the point-of-view section it opens
    cues: list[Cue] = field(default_factory=list)  # its heading, read aloud
    lines: list[tuple[int, str]] = field(default_factory=list)  # the text left to read
    start: int = 0  # where the text starts in Block.of_lines(lines).text
    label: str | None = None  # Name: "..." -- the speaker of the quote that follows


def heading_cues(lines: list[tuple[int, str]], first: str | None = None) -> list[Cue]:
    """One narration cue per heading line (``first`` replaces the first line's words)."""
    cues: list[Cue] = []
    for index, (number, raw) in enumerate(lines):
        text = first if index == 0 and first is not None else raw
        cues.extend(spoken_cues(Block.of_lines([(number, text)]), 0, len(" ".join(text.split())),
                                CueKind.NARRATION, delivery=HEADING_DELIVERY,
                                paragraph_end=False))
    if cues:
        cues[-1].paragraph_end = True
    return cues


def chapter_section(item: Item) -> tuple[Section, list[Cue]]:
    """The chapter or part section a heading item opens, and its heading cues."""
    heading = item.heading
    assert heading is not None
    section = _section_of(heading, item.line)
    first = item.lines[0][1].strip()
    bare = chapter_heading(first, bare=False) is None  # "IV." is read "Chapter IV."
    return section, heading_cues(item.lines, f"Chapter {first}" if bare else None)


def markdown_section(item: Item) -> tuple[Section, list[Cue]]:
    """``# Chapter 3: The Ferry`` is a chapter; ``# The lamp room`` a plain section."""
    heading = chapter_heading(item.text, bare=False)
    if heading is not None:
        section = _section_of(heading, item.line)
    else:
        section = new_section(item.text, item.line)
    return section, heading_cues([(item.line, item.text)])


def _section_of(heading: Heading, line: int) -> Section:
    section = new_section(heading.heading, line)
    section.kind, section.number, section.title = heading.kind, heading.number, heading.title
    return section


_OPENS_SECTIONS = ("chapter", "heading", "break")
_CHAPTERED = 2  # chapter headings that make a story a book of chapters
_POV_CHAPTERS = 3  # in a book, points of view open at least one in this many chapters
_TITLE_PAGE_WORDS = 30  # a "Name:" with fewer words before the next chapter: a title page


def _is_chapter(item: Item) -> bool:
    return item.kind == "chapter" and item.heading is not None \
        and item.heading.kind == SectionKind.CHAPTER


def _words_before_a_chapter(items: list[Item], index: int) -> int | float:
    """Words from ``items[index]`` to the next chapter or part heading (infinite if none)."""
    words = 0
    for item in items[index:]:
        if item.kind == "chapter":
            return words
        words += sum(len(line.split()) for _, line in item.lines)
        if words >= _TITLE_PAGE_WORDS:
            break
    return float("inf")


@dataclass
class SectionReader:
    """Decides, paragraph by paragraph, where point-of-view sections open."""

    where: str
    wrapped: bool = False  # the file is hard-wrapped
    not_names: frozenset[str] = frozenset()
    chaptered: bool = False  # the story has chapter headings of its own
    pov_in_chapters: bool = True  # a book whose chapters open with points of view
    after_heading: bool = False  # the last item was a heading or a break
    title_pages: set[int] = field(default_factory=set)  # ids of "London:" paragraphs

    @classmethod
    def of(cls, items: list[Item], where: str, wrapped: bool,
           not_names: frozenset[str] = frozenset()) -> SectionReader:
        """Weigh the whole story: a book of chapters opens points of view only after headings,
        and only if it does so regularly (a ``London:`` on two title pages is no narrator)."""
        reader = cls(where, wrapped, not_names)
        headings = sum(1 for item in items if item.kind in ("chapter", "heading"))
        reader.chaptered = sum(1 for item in items if _is_chapter(item)) >= _CHAPTERED
        if reader.chaptered:
            povs = sum(1 for before, item in zip(items, items[1:], strict=False)
                       if before.kind in ("chapter", "heading") and item.kind == "para"
                       and reader.pov_heading(item))
            reader.pov_in_chapters = povs * _POV_CHAPTERS >= headings
        # A "Name:" with a few words before the next heading is a title page ("London: /
        # Printed for T. Egerton" before "VOL. II."), unless it opens a chapter of its own.
        reader.title_pages = {
            id(item) for index, item in enumerate(items)
            if item.kind == "para" and reader.pov_heading(item)
            and not (index and _is_chapter(items[index - 1]))
            and _words_before_a_chapter(items, index) < _TITLE_PAGE_WORDS}
        return reader

    def seen(self, item: Item) -> None:
        self.after_heading = item.kind in _OPENS_SECTIONS

    def pov_heading(self, item: Item) -> bool:
        """The paragraph starts with a ``Name:``, ``Name: Title`` or ``Name's POV`` line of its
        own."""
        first_line = item.lines[0][1].strip()
        if pov_line(first_line, self.not_names):
            return True
        match = name_opener(first_line, self.not_names)
        rest = first_line[match.end():].strip() if match else ""
        return match is not None and (not rest or title_like(rest))

    def _pov_allowed(self) -> bool:
        return not self.chaptered or (self.after_heading and self.pov_in_chapters)

    def opening(self, item: Item, opens_quote) -> Opening:
        """``opens_quote(text, i)``: does a quotation open at ``text[i]``."""
        lines = item.lines
        first_line = lines[0][1].strip()
        plain = Opening(lines=lines)
        if id(item) in self.title_pages:
            return plain  # "London: / Printed for T. Egerton ..." just before "VOL. II."
        if (pov := pov_line(first_line, self.not_names)) and self._pov_allowed():
            check_name(pov, self.where, lines[0][0])
            name = canonical_name(pov)
            section = new_section(undecorated(first_line), lines[0][0], pov=name)
            section.kind = SectionKind.POV
            return Opening(section, heading_cues([(lines[0][0], undecorated(first_line))]),
                           lines[1:])
        match = name_opener(first_line, self.not_names)
        if not match:
            return plain
        check_name(match.group("name"), self.where, lines[0][0])
        name = canonical_name(match.group("name"))
        block = Block.of_lines(lines)
        text_start = _opener_end(block.text, name_opener(block.text, self.not_names))
        if text_start < len(block.text) and opens_quote(block.text, text_start):
            return Opening(lines=lines, start=text_start, label=name)
        if not self._pov_allowed():
            return plain
        rest = first_line[match.end():].strip()
        if self.wrapped and rest and not title_like(rest):
            return plain  # a hard-wrapped line running on: "Facts: nothing else will ever..."
        section = new_section(name, lines[0][0], pov=name)
        section.kind = SectionKind.POV
        if not rest or title_like(rest):
            if rest:
                section.title = clean_title(rest)
                section.heading = f"{name}: {section.title}"
            return Opening(section, heading_cues(lines[:1]), lines[1:])
        if sub := _SUBTITLE.match(block.text, text_start):
            section.title = sub.group("sub").strip()
            section.heading = f"{name}: {section.title}"
            cues = spoken_cues(block, 0, sub.end("sub"), CueKind.NARRATION,
                               delivery=HEADING_DELIVERY)
            return Opening(section, cues, lines, sub.end())
        cues = spoken_cues(block, 0, text_start, CueKind.NARRATION, delivery=HEADING_DELIVERY)
        return Opening(section, cues, lines, text_start)


def _opener_end(text: str, match: re.Match[str] | None) -> int:
    return match.end() if match else 0
