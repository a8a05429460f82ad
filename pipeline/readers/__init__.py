"""Readers: book files (EPUB, HTML, Markdown, DOCX) -> ``BookText`` (metadata + chapters of prose).

``read_book(path)`` picks the reader by file name; every problem is a one-line ``ScriptError``.
Plain text needs no reader: the prose parser finds its chapter headings (see ``pipeline.books``).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import ScriptError
from pipeline.readers.model import SCENE_BREAK, BookMeta, BookText, ChapterText, Cover

READER_SUFFIXES = {".epub": "epub", ".html": "html", ".htm": "html", ".xhtml": "html",
                   ".md": "markdown", ".markdown": "markdown", ".docx": "docx"}


def reader_for(path: str | Path) -> str | None:
    """"epub", "html", "markdown", "docx", or None (plain text, Fountain: the parsers' own)."""
    return READER_SUFFIXES.get(Path(path).suffix.lower())


def read_book(path: str | Path, include_matter: bool = False) -> BookText:
    path = Path(path)
    kind = reader_for(path)
    if kind is None:
        raise ScriptError(f"no book reader for '{path.suffix}' files", path)
    if kind == "epub":
        from pipeline.readers.epub import read_epub

        _check_file(path)
        return read_epub(path, include_matter)
    if kind == "docx":
        from pipeline.readers.docx import read_docx

        _check_file(path)
        return read_docx(path)
    if kind == "html":
        from pipeline.readers.html import read_html

        return read_html(path, _read_bytes(path))
    from pipeline.parsing.reading import read_script_file
    from pipeline.readers.markdown import read_markdown

    text, warnings = read_script_file(path)
    book = read_markdown(path, text)
    book.warnings[:0] = warnings
    return book


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ScriptError("file not found", path)
    if path.is_dir():
        raise ScriptError("this is a folder, not a book file", path)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ScriptError("file not found", path) from None
    except IsADirectoryError:
        raise ScriptError("this is a folder, not a book file", path) from None
    except OSError as err:
        raise ScriptError(f"cannot read the file: {err.strerror or err}", path) from None


__all__ = ["SCENE_BREAK", "BookMeta", "BookText", "ChapterText", "Cover", "read_book",
           "reader_for", "READER_SUFFIXES"]
