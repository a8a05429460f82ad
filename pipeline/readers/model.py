"""What a reader makes of a book file: metadata and chapters of prose text.

Chapter text is written the way the prose parser reads plain text, so every format goes through
the same attribution: paragraphs separated by blank lines, ``* * *`` for a scene break,
``# Heading`` for a section inside a chapter, emphasis (italics) as ``*words*`` (kept in the
author's text and transcripts; the engine's text loses the marks, see ``textprep``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCENE_BREAK = "* * *"


@dataclass
class Cover:
    data: bytes
    media_type: str  # "image/jpeg" | "image/png" | ...

    @property
    def suffix(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
                "image/webp": ".webp", "image/svg+xml": ".svg"}.get(self.media_type, ".img")


@dataclass
class BookMeta:
    title: str = ""
    author: str = ""
    language: str = ""
    description: str = ""  # the work's summary: read as the intro of the first episode
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the author's notes before the work
    end_notes: list[str] = field(default_factory=list)  # ... and after it
    publisher: str = ""
    date: str = ""
    identifier: str = ""
    cover: Cover | None = None

    def as_metadata(self) -> dict[str, str]:
        """The plain string fields, as ``Script.metadata`` keeps them."""
        fields = {"title": self.title, "author": self.author, "language": self.language,
                  "description": self.description, "publisher": self.publisher,
                  "date": self.date, "identifier": self.identifier,
                  "tags": ", ".join(self.tags)}
        return {k: v for k, v in fields.items() if v}


@dataclass
class ChapterText:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    summary: str = ""  # the chapter's own summary (fan-fiction archives): its episode's intro
    notes: list[str] = field(default_factory=list)  # author's notes: not read unless asked
    end_notes: list[str] = field(default_factory=list)  # notes after the chapter's text
    source: str = ""  # where in the file: "OEBPS/ch03.xhtml", "chapter 3"
    # For line-based files (Markdown): the source line of each paragraph, so warnings point there.
    lines: list[int] | None = None
    heading_line: int | None = None

    @property
    def has_text(self) -> bool:
        return any(p.strip() and p.strip() != SCENE_BREAK and not p.startswith("# ")
                   for p in self.paragraphs)


@dataclass
class BookText:
    meta: BookMeta
    chapters: list[ChapterText]
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # front/back matter left out, by title
    # Header lines for the prose parser (``Title: …``, ``Summary: …``) found at the top of a
    # text-like file: it reads them as it would at the top of a .txt.
    header: list[str] = field(default_factory=list)
