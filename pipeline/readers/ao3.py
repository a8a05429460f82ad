"""A fan-fiction archive's work download (Archive of Our Own's "Download → HTML", and the same
layout inside its EPUBs): a preface with the work's tags, title, byline, summary and notes, then
``#chapters`` with, per chapter, a ``meta group`` (title, chapter summary, notes), the chapter
text (``userstuff``) and an optional end-notes ``meta group``; the afterword holds end notes.

Summaries become intros; notes are kept (show notes) but not read unless asked.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from pipeline.readers.html_blocks import HtmlBlock, clean, html_blocks, inline_text
from pipeline.readers.model import SCENE_BREAK, BookMeta, ChapterText

_LABELS = {"summary": "summary", "chapter summary": "summary", "notes": "notes",
           "chapter notes": "notes", "chapter end notes": "end_notes", "end notes": "end_notes",
           "author's note": "notes", "author's notes": "notes"}
_TAG_FIELDS = ("fandom", "fandoms", "relationship", "relationships", "character", "characters",
               "additional tags", "category", "categories", "rating", "archive warning",
               "archive warnings")
_TITLE_SUFFIX = re.compile(r"\s*\[Archive of Our Own\]\s*$")


def is_ao3(soup: BeautifulSoup) -> bool:
    preface = soup.find(id="preface")
    return bool(preface and soup.find(id="chapters")) or \
        bool(soup.find(string=re.compile(r"Posted originally on the")))


def text_of(node: Tag | None) -> str:
    return clean(inline_text(node, marks=False)).replace("\n", " ") if node else ""


def paragraphs_of(node: Tag) -> list[str]:
    """A blockquote's paragraphs (summary, notes) as prose paragraphs."""
    out = []
    for block in html_blocks(node):
        if block.kind == "para" and block.text:
            out.append(block.text)
        elif block.kind == "break":
            out.append(SCENE_BREAK)
        elif block.kind == "heading":
            out.append(block.text)
    return out


def labelled_quotes(node: Tag) -> dict[str, list[str]]:
    """``<p>Summary</p><blockquote>…</blockquote>`` pairs inside ``node`` (not nested deeper
    than its own meta blocks): label -> paragraphs."""
    found: dict[str, list[str]] = {}
    for quote in node.find_all("blockquote"):
        label_node = quote.find_previous_sibling(["p", "h3", "h4", "div"])
        label = text_of(label_node).rstrip(":").strip().lower() if label_node else ""
        kind = _LABELS.get(label)
        if kind:
            found.setdefault(kind, []).extend(paragraphs_of(quote))
    return found


def work_meta(soup: BeautifulSoup) -> BookMeta:
    meta = BookMeta()
    preface = soup.find(id="preface") or soup
    heading = preface.find("h1")
    meta.title = text_of(heading)
    if not meta.title and soup.title:
        meta.title = _TITLE_SUFFIX.sub("", text_of(soup.title)).split(" - ")[0].strip()
    byline = preface.find(class_="byline")
    if byline:
        authors = [text_of(a) for a in byline.find_all("a", rel="author")] or \
            [re.sub(r"^by\s+", "", text_of(byline))]
        meta.author = ", ".join(a for a in authors if a)
    tags = preface.find("dl", class_="tags")
    if tags:
        for dt in tags.find_all("dt"):
            name = text_of(dt).rstrip(":").strip().lower()
            dd = dt.find_next_sibling("dd")
            if dd is None:
                continue
            if name == "language":
                meta.language = text_of(dd)
            elif name in _TAG_FIELDS:
                links = [text_of(a) for a in dd.find_all("a")] or [text_of(dd)]
                meta.tags.extend(t for t in links if t)
            elif name == "stats":
                published = re.search(r"Published:\s*(\S+)", text_of(dd))
                meta.date = published.group(1) if published else ""
    labelled = labelled_quotes(preface.find(class_="meta") or preface)
    meta.description = "\n\n".join(labelled.get("summary", []))
    meta.notes = labelled.get("notes", [])
    meta.end_notes = labelled.get("end_notes", [])
    afterword = soup.find(id="afterword")
    if afterword:
        meta.end_notes += labelled_quotes(afterword).get("end_notes", [])
    return meta


def work_chapters(soup: BeautifulSoup, source: str) -> list[ChapterText]:
    root = soup.find(id="chapters")
    return chapters_in(root, source) if root is not None else []


def has_chapter_meta(root: Tag) -> bool:
    """A chapter page of the archive's layout: a ``meta`` group beside the ``userstuff`` text."""
    return any("meta" in (c.get("class") or []) for c in root.find_all(recursive=False)) \
        and root.find(class_="userstuff") is not None


def chapters_in(root: Tag, source: str) -> list[ChapterText]:
    """Chapters of ``root``: each ``meta`` group with a heading opens one."""
    chapters: list[ChapterText] = []
    current: ChapterText | None = None
    for child in root.find_all(recursive=False):
        classes = set(child.get("class") or [])
        if "meta" in classes:
            heading = child.find(["h2", "h3"], class_="heading") or child.find(["h2", "h3"])
            labelled = labelled_quotes(child)
            if heading is not None or current is None:  # else: the chapter's end notes
                current = ChapterText(title=text_of(heading), source=source)
                chapters.append(current)
            current.summary = current.summary or "\n\n".join(labelled.get("summary", []))
            current.notes += labelled.get("notes", [])
            current.end_notes += labelled.get("end_notes", [])
        elif "userstuff" in classes or child.name in ("p", "div", "blockquote"):
            if current is None:
                current = ChapterText(title="", source=source)
                chapters.append(current)
            current.paragraphs += _prose(html_blocks(child))
    if not chapters:  # a one-chapter work: the text sits right inside #chapters
        chapters = [ChapterText(title="", source=source, paragraphs=_prose(html_blocks(root)))]
    return chapters


def _prose(blocks: list[HtmlBlock]) -> list[str]:
    out = []
    for block in blocks:
        if block.kind == "break":
            out.append(SCENE_BREAK)
        elif block.kind == "heading":
            out.append(f"# {block.text}")
        elif block.text:
            out.append(block.text)
    return out
