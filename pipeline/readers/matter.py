"""Front and back matter: the parts of a book an audiobook leaves out by default.

A part is matter when its EPUB semantics say so (``epub:type`` on the document, EPUB 3
landmarks, EPUB 2 guide types), or its title or file name names it (copyright, contents, about
the author, also by, index, Project Gutenberg's licence), or its text is a copyright notice.
Kept: dedication, epigraph, foreword, preface, introduction, prologue, epilogue, afterword.
"""

from __future__ import annotations

import re

MATTER_TYPES = frozenset({
    "cover", "titlepage", "title-page", "halftitlepage", "copyright-page", "copyright", "toc",
    "landmarks", "loi", "lot", "lov", "loa", "index", "colophon", "imprint", "imprimatur",
    "acknowledgments", "acknowledgements", "contributors", "other-credits", "errata",
    "revision-history", "seriespage", "page-list", "bibliography", "glossary", "credits",
})
_MATTER_TITLE = re.compile(
    r"^\s*(?:cover|title\s*page|half\s*title|copyright(?:\s+page)?|(?:table\s+of\s+)?contents"
    r"|about\s+the\s+(?:author|authors|publisher|book|type)|also\s+by\b.*|by\s+the\s+same\s+author"
    r"|other\s+(?:books|titles|works)\s+by\b.*|more\s+(?:books\s+)?(?:by|from)\b.*"
    r"|acknowledge?ments?|index|colophon|imprint|credits|praise\s+for\b.*"
    r"|(?:sign\s+up\s+for\s+)?(?:our\s+)?newsletter|list\s+of\s+illustrations|copyright\s+notice"
    r"|legal\s+notice|.*project\s+gutenberg.*|landmarks|bibliography|glossary"
    r"|a\s+note\s+on\s+the\s+(?:type|author|text)|reading\s+group\s+guide)\s*[.:]?\s*$",
    re.IGNORECASE)
_MATTER_FILE = re.compile(
    r"(?:^|[/_\-.])(?:cover|titlepage|title_page|title-page|halftitle|copyright|toc|contents"
    r"|nav|colophon|imprint|about[_\-]?the[_\-]?author|abouttheauthor|also[_\-]?by|alsoby"
    r"|acknowledg\w*|index|landmarks|pg-header|pg-footer|newsletter|wrap\d*)"
    r"(?:[_\-.]|\d|$)", re.IGNORECASE)
_COPYRIGHT_TEXT = re.compile(r"(?:\u00a9|\(c\)|copyright)\s*\d{4}|all rights reserved|\bISBN\b",
                             re.IGNORECASE)


def matter_reason(title: str, file_name: str = "", types: set[str] | None = None,
                  text: str = "") -> str | None:
    """Why this part is front/back matter (``"epub:type copyright-page"``), or None."""
    semantic = {t.lower() for t in (types or set())} & MATTER_TYPES
    if semantic:
        return f"marked {sorted(semantic)[0]}"
    if title and _MATTER_TITLE.match(title):
        return f"titled {title!r}"
    stem = file_name.rsplit("/", 1)[-1]
    if stem and _MATTER_FILE.search(stem) and len(text.split()) < 600:
        return f"file {stem}"
    words = len(text.split())
    if words and words < 400 and len(_COPYRIGHT_TEXT.findall(text)) >= 2:
        return "a copyright notice"
    return None
