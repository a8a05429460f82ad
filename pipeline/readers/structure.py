"""Headings as chapters: turn a flat run of blocks (from HTML, Markdown or DOCX) into chapters.

The chapter level is the highest heading level used more than once: a lone top heading above
it is the book's title (``# Book`` then ``## Chapter 1``, ``## Chapter 2``), deeper headings
are sections inside a chapter (written ``# Heading`` into the chapter text), and a heading
above the chapter level between chapters (``Part Two``) opens the next chapter's first section.
Text before the first chapter heading opens the first chapter; with fewer than two chapter
headings the whole file is one chapter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pipeline.readers.model import SCENE_BREAK, ChapterText


@dataclass
class TextBlock:
    kind: str  # "para" | "heading" | "break"
    text: str = ""
    level: int = 0
    line: int | None = None  # source line (line-based formats)


@dataclass
class Split:
    title: str  # the lone top heading, or ""
    chapters: list[ChapterText] = field(default_factory=list)


def chapter_level(blocks: list[TextBlock]) -> int | None:
    counts = Counter(b.level for b in blocks if b.kind == "heading")
    repeated = [level for level, n in counts.items() if n >= 2]
    return min(repeated) if repeated else None


def split_chapters(blocks: list[TextBlock], source: str = "") -> Split:
    level = chapter_level(blocks)
    split = Split(title="")
    first_heading = next((b for b in blocks if b.kind == "heading"), None)
    if first_heading is not None and (level is None or first_heading.level < level) \
            and sum(1 for b in blocks if b.kind == "heading"
                    and b.level <= first_heading.level) == 1:
        split.title = first_heading.text  # the document's own title: not a section
        blocks = [b for b in blocks if b is not first_heading]
    current: ChapterText | None = None
    pending: list[TextBlock] = []  # part headings waiting for their chapter

    def chapter(title: str, line: int | None) -> ChapterText:
        made = ChapterText(title=title, source=source, lines=[], heading_line=line)
        split.chapters.append(made)
        return made

    for block in blocks:
        if block.kind == "heading" and level is not None and block.level == level:
            current = chapter(block.text, block.line)
            for part in pending:
                _add(current, part)
            pending = []
        elif block.kind == "heading" and level is not None and block.level < level:
            pending.append(block)
        else:
            if current is None:
                current = chapter("", block.line)
            for part in pending:
                _add(current, part)
            pending = []
            _add(current, block)
    if current is None:
        current = chapter("", None)
    for part in pending:
        _add(current, part)
    if level is None and not split.chapters[0].title and split.title:
        split.chapters[0].title = split.title
    for made in split.chapters:
        if made.lines is not None and any(n is None for n in made.lines):
            made.lines = None
    return split


def _add(chapter: ChapterText, block: TextBlock) -> None:
    if block.kind == "heading":
        text = f"# {block.text}"
    elif block.kind == "break":
        text = SCENE_BREAK
    else:
        text = block.text
    if not text.strip():
        return
    chapter.paragraphs.append(text)
    if chapter.lines is not None:
        chapter.lines.append(block.line)  # type: ignore[arg-type]
