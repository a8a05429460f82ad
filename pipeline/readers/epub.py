"""EPUB 2 and 3 (ebooklib): the spine in reading order, chapter titles from the table of contents
(EPUB 3 nav or EPUB 2 NCX), metadata (Dublin Core title, creator, language, description,
subjects, publisher, date) and the cover image. Front/back matter is left out (see ``matter``).

A table-of-contents entry that points into the middle of a document (``ch.xhtml#part2``) starts
a chapter there; spine documents the contents do not list (a chapter split over two files)
continue the chapter before them. A part with no text of its own ("Part Two") opens the next
chapter. DRM-protected books (encrypted content documents, Adobe ``rights.xml``, Apple
``sinf.xml``) are refused: their text cannot be read.
"""

from __future__ import annotations

import posixpath
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urldefrag

from bs4 import Tag
from lxml import etree

from pipeline.errors import ScriptError
from pipeline.readers import ao3
from pipeline.readers.html_blocks import HtmlBlock, clean, html_blocks, parse_html
from pipeline.readers.matter import matter_reason
from pipeline.readers.model import SCENE_BREAK, BookMeta, BookText, ChapterText, Cover

# Font obfuscation is not DRM: the text stays readable.
FONT_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding",
                              "http://ns.adobe.com/pdf/enc#RC"})
_ENC = "{http://www.w3.org/2001/04/xmlenc#}"
_DOCUMENT_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml",
                             "text/x-oeb1-document"})


@dataclass
class TocEntry:
    file: str  # zip path relative to the OPF folder
    anchor: str  # fragment, "" for the document start
    title: str


def read_epub(path: Path, include_matter: bool = False) -> BookText:
    check_drm(path)
    book = _load(path)
    meta = book_meta(book)
    toc = flatten_toc(book.toc)
    landmarks = landmark_types(book)
    chapters: list[ChapterText] = []
    skipped: list[str] = []
    for item, linear in spine_documents(book):
        if not linear and not include_matter:
            continue
        soup = parse_html(item.get_content())
        body = soup.body or soup
        if soup.find(id="preface") is not None and "Posted originally" in body.get_text():
            _merge_meta(meta, ao3.work_meta(soup))  # the archive's preface page
            skipped.append(meta.title or item.file_name)
            continue
        entries = [e for e in toc if e.file == item.file_name]
        types = semantic_types(body) | landmarks.get(item.file_name, set())
        for chapter in _chapters(item.file_name, body, entries, chapters, not toc):
            reason = None if include_matter else matter_reason(
                chapter.title, item.file_name, types, " ".join(chapter.paragraphs))
            if reason:
                skipped.append(chapter.title or item.file_name)
                continue
            if not any(c is chapter for c in chapters):
                chapters.append(chapter)
    chapters = merge_empty(chapters)
    for number, chapter in enumerate(chapters, 1):
        chapter.title = chapter.title or f"Chapter {number}"
    return BookText(meta=meta, chapters=chapters, skipped=skipped)


def check_drm(path: Path) -> None:
    where = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "META-INF/container.xml" not in names:
                raise ScriptError("not an EPUB: META-INF/container.xml is missing", where)
            if "META-INF/rights.xml" in names or "META-INF/sinf.xml" in names:
                raise ScriptError("this EPUB is DRM-protected (its text is encrypted); only "
                                  "DRM-free books can be read", where)
            if "META-INF/encryption.xml" in names:
                encrypted = encrypted_documents(archive.read("META-INF/encryption.xml"))
                if encrypted:
                    raise ScriptError("this EPUB is DRM-protected (its text is encrypted: "
                                      f"{encrypted[0]}); only DRM-free books can be read", where)
    except zipfile.BadZipFile:
        raise ScriptError("not an EPUB (not a ZIP archive, or a damaged one)", where) from None
    except OSError as err:
        raise ScriptError(f"cannot read the EPUB: {err.strerror or err}", where) from None


def encrypted_documents(data: bytes) -> list[str]:
    """Files encrypted with anything but font obfuscation."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return ["META-INF/encryption.xml is unreadable"]
    found = []
    for node in root.iter(f"{_ENC}EncryptedData"):
        method = node.find(f"{_ENC}EncryptionMethod")
        algorithm = method.get("Algorithm", "") if method is not None else ""
        if algorithm in FONT_OBFUSCATION:
            continue
        ref = node.find(f".//{_ENC}CipherReference")
        found.append(ref.get("URI", "?") if ref is not None else "?")
    return found


def _load(path: Path):
    from ebooklib import epub

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return epub.read_epub(str(path), {"ignore_ncx": True})
    except epub.EpubException as err:
        raise ScriptError(f"not a readable EPUB: {err.msg}", str(path)) from None
    except KeyError as err:
        raise ScriptError(f"damaged EPUB: a file it lists is missing ({err.args[0]})",
                          str(path)) from None
    except etree.XMLSyntaxError as err:
        raise ScriptError(f"damaged EPUB: broken XML ({err.msg})", str(path)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as err:
        raise ScriptError(f"damaged EPUB archive: {err}", str(path)) from None
    except (AttributeError, IndexError, TypeError, ValueError) as err:
        # ebooklib trusts the package file's shape: a missing <spine>, <metadata> or nav list.
        raise ScriptError(f"damaged EPUB: its package file is malformed ({err})",
                          str(path)) from None


def _first(book, name: str) -> str:
    values = book.get_metadata("DC", name)
    return clean(str(values[0][0] or "")).replace("\n", " ") if values else ""


def book_meta(book) -> BookMeta:
    description = _first(book, "description")
    if "<" in description:
        description = "\n\n".join(b.text for b in html_blocks(parse_html(description).body
                                                                 or parse_html(description))
                                  if b.kind == "para" and b.text)
    creators = [clean(str(v or "")) for v, attrs in book.get_metadata("DC", "creator")
                if (attrs or {}).get("{http://www.idpf.org/2007/opf}role", "aut") == "aut"]
    return BookMeta(
        title=_first(book, "title"), author=", ".join(c for c in creators if c),
        language=_first(book, "language"), description=description,
        tags=[clean(str(v or "")) for v, _ in book.get_metadata("DC", "subject") if v],
        publisher=_first(book, "publisher"), date=_first(book, "date"),
        identifier=_first(book, "identifier"), cover=find_cover(book))


def find_cover(book) -> Cover | None:
    from ebooklib import ITEM_COVER, ITEM_IMAGE

    images = list(book.get_items_of_type(ITEM_COVER)) + list(book.get_items_of_type(ITEM_IMAGE))
    chosen = next((i for i in images if i.get_type() == ITEM_COVER), None)
    if chosen is None:
        cover_ids = [attrs.get("content") for _, attrs in book.get_metadata("OPF", "cover")
                     if attrs]
        chosen = next((i for i in images if i.get_id() in cover_ids), None)
    if chosen is None:
        chosen = next((i for i in images if "cover" in (i.get_id() or "").lower()
                       or "cover" in posixpath.basename(i.file_name).lower()), None)
    if chosen is None or not chosen.get_content():
        return None
    media_type = getattr(chosen, "media_type", "") or "image/jpeg"
    return Cover(data=chosen.get_content(), media_type=media_type)


def flatten_toc(toc) -> list[TocEntry]:
    from ebooklib.epub import Link, Section

    out: list[TocEntry] = []

    def visit(node) -> None:
        if isinstance(node, tuple | list) and len(node) == 2 and isinstance(node[0], Section):
            visit(node[0])
            for child in node[1]:
                visit(child)
        elif isinstance(node, list | tuple):
            for child in node:
                visit(child)
        elif isinstance(node, Link | Section) and getattr(node, "href", None):
            file, anchor = urldefrag(unquote(node.href))
            title = " ".join(str(node.title or "").split())
            out.append(TocEntry(posixpath.normpath(file), anchor, title))

    visit(toc or [])
    return out


def landmark_types(book) -> dict[str, set[str]]:
    """EPUB 2 guide references and EPUB 3 nav landmarks: file -> semantic types."""
    types: dict[str, set[str]] = {}
    for ref in getattr(book, "guide", None) or []:
        if ref.get("href") and ref.get("type"):
            file = posixpath.normpath(urldefrag(unquote(ref["href"]))[0])
            types.setdefault(file, set()).add(ref["type"].lower())
    from ebooklib import epub

    for nav in (i for i in book.get_items() if isinstance(i, epub.EpubNav)):
        soup = parse_html(nav.get_content())
        base = posixpath.dirname(nav.file_name)
        for section in soup.find_all("nav"):
            if "landmarks" not in str(section.get("epub:type", "")):
                continue
            for link in section.find_all("a", href=True):
                file = posixpath.normpath(posixpath.join(base, urldefrag(unquote(link["href"]))[0]))
                for kind in str(link.get("epub:type", "")).split():
                    types.setdefault(file, set()).add(kind.split(":")[-1].lower())
    return types


def spine_documents(book):
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or getattr(item, "media_type", "") not in _DOCUMENT_TYPES:
            continue
        yield item, str(linear).lower() != "no"


def semantic_types(body: Tag) -> set[str]:
    """``epub:type`` values on the body and its top-level sections."""
    found = set(str(body.get("epub:type", "")).split())
    for section in body.find_all(["section", "div"], recursive=False):
        found |= set(str(section.get("epub:type", "")).split())
    return {t.split(":")[-1].lower() for t in found}


def _chapters(file_name: str, body: Tag, entries: list[TocEntry],
              chapters: list[ChapterText], no_toc: bool) -> list[ChapterText]:
    root = body.find(id="chapters") or body
    if ao3.has_chapter_meta(root):  # an archive's chapter page: summary and notes kept apart
        made = ao3.chapters_in(root, file_name)
        if len(made) == 1 and entries:
            made[0].title = entries[0].title or made[0].title
        return made
    return document_chapters(file_name, body, entries, chapters, no_toc)


def document_chapters(file_name: str, body: Tag, entries: list[TocEntry],
                      chapters: list[ChapterText], no_toc: bool) -> list[ChapterText]:
    """The chapters this document starts (or continues) and their text."""
    starts = {e.anchor: e for e in entries}
    if no_toc or "" in starts or not chapters:
        entry = starts.get("")
        current = ChapterText(title=entry.title if entry else "", source=file_name)
    else:
        current = chapters[-1]  # not in the contents: the chapter before it goes on here
    made = [current]
    leading = True  # the headings at a chapter's top are its title, not a section
    for block in html_blocks(body):
        opened = next((starts[a] for a in block.anchors if a and a in starts), None)
        if opened is not None and not (current.source == file_name and not current.paragraphs
                                       and current.title in ("", opened.title)):
            current = ChapterText(title=opened.title, source=file_name)
            made.append(current)
            leading = True
        elif opened is not None and not current.title:
            current.title = opened.title
        leading = _add_block(current, block, leading)
    return made


def _add_block(chapter: ChapterText, block: HtmlBlock, leading: bool) -> bool:
    if block.kind == "heading":
        if leading:
            if not chapter.title:
                chapter.title = block.text
            elif block.text not in chapter.title and not chapter.paragraphs:
                pass  # a subtitle under the chapter's number: part of its title display
            return True
        chapter.paragraphs.append(f"# {block.text}")
        return False
    if block.kind == "break":
        if chapter.paragraphs and chapter.paragraphs[-1] != SCENE_BREAK:
            chapter.paragraphs.append(SCENE_BREAK)
        return leading
    if block.text:
        chapter.paragraphs.append(block.text)
        return False
    return leading


def merge_empty(chapters: list[ChapterText]) -> list[ChapterText]:
    """A part with no text ("Part Two" on a page of its own) opens the next chapter."""
    out: list[ChapterText] = []
    carry: list[str] = []
    for chapter in chapters:
        while chapter.paragraphs and chapter.paragraphs[-1] == SCENE_BREAK:
            chapter.paragraphs.pop()
        if not chapter.has_text:
            carry.append(f"# {chapter.title}" if chapter.title else "")
            continue
        chapter.paragraphs[:0] = [c for c in carry if c]
        carry = []
        out.append(chapter)
    return out


def _merge_meta(meta: BookMeta, found: BookMeta) -> None:
    for name in ("title", "author", "language", "description", "date"):
        if not getattr(meta, name) and getattr(found, name):
            setattr(meta, name, getattr(found, name))
    meta.notes += found.notes
    meta.tags += [t for t in found.tags if t not in meta.tags]
