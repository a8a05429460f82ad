"""A book: a file read as chapters, parsed once as one script, cut into one script per chapter.

Every format reaches the same prose parser. A reader's chapters are written out as one text
(``compose``): the work's summary as the parser's ``Summary:`` header, each chapter under a
``# Title`` line, paragraphs separated by blank lines. The whole book is parsed at once, so
attribution sees every chapter (who is who, genders, aliases) exactly as it would in one
``.txt``; each chapter's script is then the cues whose source lines fall in its range.
A plain-text book is parsed as it is; its chapter headings (``CHAPTER IV``, ``Chapter 3: The
Ferry``, ``Part Two``) cut it into chapters.

Plays and screenplays are never cut: their headings are scenes of one episode.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.errors import ScriptError
from pipeline.model import Script, Section, SectionKind, assign_line_ids
from pipeline.parsing.common import title_from_path
from pipeline.readers import BookMeta, BookText, read_book, reader_for

# A chapter heading line in plain text: "CHAPTER IV.", "Chapter 3: The Ferry", "Part Two",
# "BOOK I", "Prologue", "Epilogue", "IV." on its own.
_WARNING_AT = re.compile(r"^(?P<where>.*?):(?P<line>\d+): (?P<problem>.*)$", re.DOTALL)


@dataclass
class Chapter:
    number: int  # 1-based, as the season numbers its episodes
    title: str
    first_line: int  # the chapter's lines in the composed (or plain) text: [first, end)
    end_line: int
    summary: str = ""
    notes: list[str] = field(default_factory=list)  # the author's, before and after the text
    source: str = ""


@dataclass
class Book:
    path: Path
    meta: BookMeta
    script: Script  # the whole book as one script (what `parse` and `cast` show)
    chapters: list[Chapter]
    line_based: bool  # warnings' line numbers are the file's own (plain text, Markdown)
    skipped: list[str] = field(default_factory=list)

    @property
    def is_season(self) -> bool:
        return len(self.chapters) >= 2

    def chapter(self, number: int) -> Chapter:
        if not 1 <= number <= len(self.chapters):
            raise ScriptError(f"no chapter {number}: the book has chapters 1-"
                              f"{len(self.chapters)}", self.path)
        return self.chapters[number - 1]


def load_book(path: str | Path, include_matter: bool = False,
              read_notes: bool = False) -> Book:
    """Read, compose and parse ``path`` (any script or book file) into a ``Book``."""
    path = Path(path)
    if reader_for(path) is None:
        return _plain_book(path)
    book_text = read_book(path, include_matter)
    if not any(c.has_text for c in book_text.chapters):
        raise ScriptError("no story text found in this book", path)
    text, ranges = compose(book_text, read_notes)
    from pipeline.parsing import parse_text
    from pipeline.parsing.review import load_review

    script = parse_text(text, str(path), review=load_review(path))  # the book's speaker fixes
    script.warnings[:0] = book_text.warnings
    meta = book_text.meta
    _fill_meta(meta, script, path)
    line_based = reader_for(path) == "markdown"
    pairs = zip(book_text.chapters, ranges, strict=True)
    chapters = [Chapter(number=i, title=c.title, first_line=first, end_line=end,
                        summary=c.summary, notes=[*c.notes, *c.end_notes], source=c.source)
                for i, (c, (first, end)) in enumerate(pairs, 1)]
    if script.format != "prose":  # a play's headings are scenes: one episode
        chapters = [_whole(script, meta.title)]
    book = Book(path, meta, script, chapters, line_based, list(book_text.skipped))
    book.chapters = _spoken_chapters(book)
    return book


def _plain_book(path: Path) -> Book:
    from pipeline.parsing import parse_script

    script = parse_script(path)
    meta = BookMeta()
    _fill_meta(meta, script, path)
    chapters = text_chapters(script) if script.format == "prose" else []
    book = Book(path, meta, script, chapters or [_whole(script, meta.title)], line_based=True)
    book.chapters = _spoken_chapters(book)
    return book


def _whole(script: Script, title: str) -> Chapter:
    return Chapter(number=1, title=title or script.title, first_line=0, end_line=1 << 40)


def _fill_meta(meta: BookMeta, script: Script, path: Path) -> None:
    """Header lines the parser found (``Title:``, ``Author:``) fill what the reader did not."""
    meta.title = meta.title or script.metadata.get("title", "") or title_from_path(str(path)) \
        or script.title
    meta.author = meta.author or script.metadata.get("author", "")
    meta.language = meta.language or script.metadata.get("language", "")
    meta.description = meta.description or script.summary
    script.title = meta.title
    script.metadata.update({k: v for k, v in meta.as_metadata().items()
                            if k not in script.metadata})


def text_chapters(script: Script) -> list[Chapter]:
    """Chapters of a plain-text book: the parser's chapter sections (``CHAPTER IV``,
    ``Chapter 3: The Ferry``, ``Prologue``); a part heading ("Part Two") right before a chapter
    opens that chapter's episode."""
    starts: list[tuple[int, str]] = []
    part_line: int | None = None
    for section in script.sections:
        if section.is_summary:
            continue
        if section.kind is SectionKind.PART:
            part_line = section.source_line
            if any(c.is_spoken and c.delivery != "heading" for c in section.cues):
                part_line = None  # a part with its own text before its first chapter
            continue
        if section.kind is SectionKind.CHAPTER and section.source_line:
            starts.append((part_line or section.source_line, section.heading))
        part_line = None
    if len(starts) < 2:
        return []
    chapters = []
    for i, (line, heading) in enumerate(starts):
        first = 1 if i == 0 else line  # text before the first heading opens chapter 1
        end = starts[i + 1][0] if i + 1 < len(starts) else 1 << 40
        chapters.append(Chapter(number=i + 1, title=heading, first_line=first, end_line=end))
    return chapters


def compose(book: BookText, read_notes: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """The book as one prose text, and each chapter's [first, end) line range in it."""
    lines: list[str] = []
    header = list(book.header)
    has_summary = any(re.match(r"^\s*(summary|synopsis|description)\s*:", h, re.IGNORECASE)
                      for h in header)
    if book.meta.description and not has_summary:
        header.append("Summary: " + " ".join(book.meta.description.split()))
    if header:
        lines += header + [""]
    ranges: list[tuple[int, int]] = []
    for index, chapter in enumerate(book.chapters):
        first = len(lines) + 1
        if chapter.heading_line and chapter.heading_line > first:
            lines += [""] * (chapter.heading_line - first)
            first = len(lines) + 1
        paragraphs = list(chapter.paragraphs)
        lines_of = list(chapter.lines) if chapter.lines else None
        while paragraphs and paragraphs[0].startswith("# "):  # a part heading: read first
            lines += [paragraphs.pop(0), ""]
            if lines_of:
                lines_of.pop(0)
        if chapter.title:
            lines += [f"# {chapter.title}", ""]
        last = index == len(book.chapters) - 1
        before = (book.meta.notes if index == 0 else []) + chapter.notes
        after = chapter.end_notes + (book.meta.end_notes if last else [])
        if read_notes and before:
            lines += [*_note_lines(before), "# " + (chapter.title or "Chapter"), ""]
        for number, paragraph in enumerate(paragraphs):
            target = lines_of[number] if lines_of else None
            if target and target > len(lines) + 1:
                lines += [""] * (target - len(lines) - 1)
            lines += paragraph.split("\n") + [""]
        if read_notes and after:
            lines += _note_lines(after)
        ranges.append((first, len(lines) + 1))
    return "\n".join(lines), _closed(ranges)


def _note_lines(notes: list[str]) -> list[str]:
    out = ["# Author's note", ""]
    for note in notes:
        out += note.split("\n") + [""]
    return out


def _closed(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each range ends where the next begins; the last runs to the end."""
    return [(first, ranges[i + 1][0] if i + 1 < len(ranges) else 1 << 40)
            for i, (first, _) in enumerate(ranges)]


def _spoken_chapters(book: Book) -> list[Chapter]:
    """Drop chapters with nothing to say (their sounds join the next) and number the rest."""
    firsts = [c.first_line for c in book.chapters]
    spoken = set()
    for section in book.script.sections:
        if section.is_summary:
            continue
        for cue in section.lines:
            spoken.add(max(0, bisect_right(firsts, cue.source_line or section.source_line) - 1))
    kept = []
    for index, chapter in enumerate(book.chapters):
        if index in spoken:
            kept.append(chapter)
        elif kept:
            kept[-1].end_line = chapter.end_line
        elif index + 1 < len(book.chapters):
            book.chapters[index + 1].first_line = chapter.first_line
    for number, chapter in enumerate(kept, 1):
        chapter.number = number
    if not kept:
        raise ScriptError("no speakable lines in any chapter", book.path)
    return kept


def chapter_script(book: Book, number: int) -> Script:
    """Chapter ``number`` as an episode's script: its sections' cues, its own line ids, the
    book's summary as the first chapter's intro and a chapter summary as its chapter's."""
    chapter = book.chapter(number)
    if len(book.chapters) == 1 and chapter.end_line == 1 << 40 and chapter.first_line == 0:
        return book.script
    sections: list[Section] = []
    for section in book.script.sections:
        if section.is_summary:
            continue
        cues = [replace(c) for c in section.cues
                if chapter.first_line <= (c.source_line or section.source_line) < chapter.end_line]
        if cues:
            sections.append(replace(section, id="", cues=cues,
                                    source_line=max(section.source_line, chapter.first_line)))
    intro = _intro(book, chapter)
    if intro is not None:
        sections.insert(0, intro)
    script = Script(title=chapter.title, source_path=str(book.path), format=book.script.format,
                    summary=intro_text(book, chapter), metadata=dict(book.script.metadata),
                    sections=sections, warnings=_chapter_warnings(book, chapter),
                    gender_hints=dict(book.script.gender_hints))
    for section in sections:
        section.heading = section.heading if section.heading != book.script.title \
            else chapter.title
    return assign_line_ids(script)


def intro_text(book: Book, chapter: Chapter) -> str:
    parts = [book.script.summary] if chapter.number == 1 and book.script.summary else []
    if chapter.summary:
        parts.append(" ".join(chapter.summary.split()))
    return "\n\n".join(parts)


def _intro(book: Book, chapter: Chapter) -> Section | None:
    """The work's summary section for chapter 1, plus the chapter's own summary read the same
    way (the parser reads it as it reads a ``Summary:`` header)."""
    cues = []
    if chapter.number == 1:
        for section in book.script.sections:
            if section.is_summary:
                cues += [replace(c) for c in section.cues]
    if chapter.summary.strip():
        from pipeline.parsing import parse_text

        parsed = parse_text("Summary: " + " ".join(chapter.summary.split()) + "\n",
                            str(book.path), "prose")
        cues += [replace(c, source_line=chapter.first_line) for s in parsed.sections
                 if s.is_summary for c in s.cues
                 if not (cues and c.delivery == "heading")]  # one "Summary" heading
    if not cues:
        return None
    return Section(id="s00", heading="Summary", cues=cues, is_summary=True,
                   source_line=chapter.first_line)


def _chapter_warnings(book: Book, chapter: Chapter) -> list[str]:
    out = []
    for warning in book.script.warnings:
        match = _WARNING_AT.match(warning)
        if not match or match.group("where") != str(book.path):
            if chapter.number == 1:
                out.append(warning)
            continue
        line = int(match.group("line"))
        if not chapter.first_line <= line < chapter.end_line:
            continue
        if book.line_based:
            out.append(warning)
        else:
            out.append(f"{book.path} (chapter {chapter.number}, {chapter.title!r}): "
                       f"{match.group('problem')}")
    return out
