"""A show made of a book (``book = "novel.epub"`` in ``show.toml``): the book's title, author,
description, language and cover fill the show's fields the file leaves out, and its chapters
are the episodes, numbered in reading order, one season."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image, ImageFilter

from pipeline.books.book import Book
from pipeline.books.season import folder_name, parse_chapters, season_dir_for
from pipeline.readers import Cover

# Language names as archives spell them -> codes (RSS <language>).
LANGUAGES = {"english": "en", "french": "fr", "français": "fr", "german": "de",
             "deutsch": "de", "spanish": "es", "español": "es", "italian": "it",
             "italiano": "it", "portuguese": "pt", "português": "pt", "dutch": "nl",
             "nederlands": "nl", "russian": "ru", "русский": "ru", "japanese": "ja",
             "日本語": "ja", "chinese": "zh", "中文": "zh", "polish": "pl", "polski": "pl",
             "swedish": "sv", "svenska": "sv", "finnish": "fi", "suomi": "fi", "danish": "da",
             "norwegian": "no", "czech": "cs", "korean": "ko", "한국어": "ko"}
_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def language_code(value: str) -> str:
    """"en", "en-GB", "English" -> an RSS language code; "en" when it cannot tell."""
    value = value.strip()
    if _CODE.match(value):
        return value
    return LANGUAGES.get(value.lower(), "en")


def book_description(book: Book) -> str:
    if book.meta.description.strip():
        return " ".join(book.meta.description.split())
    by = f" by {book.meta.author}" if book.meta.author else ""
    return f"{book.meta.title}{by}, read as an audio drama in {len(book.chapters)} episodes."


def chapter_slugs(book: Book, out_name: str | None = None) -> list[tuple[int, str, str]]:
    """(number, slug, folder under the output) of every chapter."""
    season = season_dir_for(book.path, Path(".")).name if out_name is None else out_name
    count = len(book.chapters)
    return [(c.number, f"{season}-{folder_name(c.number, count)}",
             f"{season}/{folder_name(c.number, count)}") for c in book.chapters]


def chosen_chapters(book: Book, spec: str | None) -> list[int]:
    return parse_chapters(spec, len(book.chapters), book.path)


def square_cover(cover: Cover, side: int = 1400) -> Image.Image:
    """Podcast artwork must be square: the book's cover, whole, on a blurred, darkened copy of
    itself."""
    with Image.open(io.BytesIO(cover.data)) as opened:
        image = opened.convert("RGB")
    background = image.resize((side, side)).filter(ImageFilter.GaussianBlur(side // 30))
    background = Image.eval(background, lambda v: int(v * 0.55))
    scale = min(side / image.width, side / image.height)
    fitted = image.resize((max(1, round(image.width * scale)),
                           max(1, round(image.height * scale))), Image.LANCZOS)
    background.paste(fitted, ((side - fitted.width) // 2, (side - fitted.height) // 2))
    return background
