"""HTML stories: an archive's work download (see ``ao3``) or any HTML page with the story in it,
its headings as chapters (see ``structure``). A page without story text (a login page, an index
of links, an error page) is refused rather than read as a one-line episode."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Tag

from pipeline.errors import ScriptError
from pipeline.readers import ao3
from pipeline.readers.html_blocks import html_blocks, parse_html
from pipeline.readers.model import BookMeta, BookText, ChapterText
from pipeline.readers.structure import TextBlock, split_chapters

MIN_STORY_WORDS = 40  # words in real paragraphs (of 8+ words) before a page counts as a story
PROSE_PARAGRAPH_WORDS = 8


def read_html(path: Path, data: bytes) -> BookText:
    soup = parse_html(data)
    where = str(path)
    if ao3.is_ao3(soup):
        meta = ao3.work_meta(soup)
        chapters = ao3.work_chapters(soup, where)
    else:
        meta = page_meta(soup)
        root = story_root(soup)
        blocks = [TextBlock(b.kind, b.text, b.level) for b in html_blocks(root) if b.text]
        split = split_chapters(blocks, where)
        meta.title = meta.title or split.title
        chapters = split.chapters
    check_story(soup, chapters, where)
    return BookText(meta=meta, chapters=chapters)


def page_meta(soup: BeautifulSoup) -> BookMeta:
    def named(name: str) -> str:
        tag = soup.find("meta", attrs={"name": name}) or \
            soup.find("meta", attrs={"property": f"og:{name}"})
        return " ".join(str(tag.get("content") or "").split()) if isinstance(tag, Tag) else ""

    html = soup.find("html")
    title = named("title") or (" ".join(soup.title.get_text().split()) if soup.title else "")
    return BookMeta(title=title, author=named("author"), description=named("description"),
                    language=str(html.get("lang") or "") if isinstance(html, Tag) else "")


def story_root(soup: BeautifulSoup) -> Tag:
    """The one ``<article>`` or ``<main>`` when the page has it (skips site headers and
    footers), else the body."""
    for name in ("article", "main"):
        found = soup.find_all(name)
        if len(found) == 1:
            return found[0]
    return soup.body or soup


def check_story(soup: BeautifulSoup, chapters: list[ChapterText], where: str) -> None:
    prose = sum(len(p.split()) for c in chapters for p in c.paragraphs
                if len(p.split()) >= PROSE_PARAGRAPH_WORDS and not p.startswith("# "))
    body = soup.body or soup
    links = sum(len(a.get_text().split()) for a in body.find_all("a"))
    if links > prose - links:
        raise ScriptError("this HTML page is mostly links (an index or navigation page), not a "
                          "story; save the page that holds the story's text", where)
    if prose < MIN_STORY_WORDS:
        raise ScriptError(f"no story in this HTML page (only {prose} words of prose); "
                          "save the page that holds the story's text", where)
