"""Builders for small books of our own in every format the readers take: EPUB 3 (ebooklib),
EPUB 2 (a hand-made OPF + NCX), an archive-style HTML work download, generic HTML, Markdown,
DOCX (python-docx) and the equivalent plain text. Paragraphs use ``*word*`` for italics."""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

_EMPHASIS = re.compile(r"\*([^*]+)\*")


@dataclass
class SampleChapter:
    title: str
    paragraphs: list[str]  # "* * *" is a scene break
    summary: str = ""
    notes: str = ""
    end_notes: str = ""


@dataclass
class SampleBook:
    title: str
    author: str
    summary: str
    chapters: list[SampleChapter]
    language: str = "en"
    notes: str = ""
    tags: list[str] = field(default_factory=list)


FERRY = SampleBook(
    title="The Night Ferry",
    author="Ann Writer",
    summary="Two strangers cross a dark river, and only one of them knows why.",
    notes="Thanks to my beta reader. This note must never be read aloud.",
    tags=["Original Work", "Slow Burn"],
    chapters=[
        SampleChapter("Chapter 1: The Landing", [
            "Mara waited at the landing. The water was *very* dark.",
            "\u201cIs this the last boat?\u201d Mara asked.",
            "\u201cIt is,\u201d said Elias. \u201cGet in before the tide turns.\u201d",
            "* * *",
            "The ferry pushed off from the bank and the lamps of the town fell behind them.",
        ], summary="Mara meets the ferryman.",
            notes="A note on the first chapter, not for reading.",
            end_notes="See you next week!"),
        SampleChapter("Chapter 2: The Crossing", [
            "Halfway across, the engine coughed and died.",
            "\u201cWhat now?\u201d Mara said.",
            "\u201cNow we row,\u201d said Elias, and he handed her an oar.",
        ], summary="The engine fails."),
        SampleChapter("Chapter 3: The Far Shore", [
            "They reached the far shore at dawn, wet and laughing.",
            "\u201cSame time tomorrow?\u201d Elias asked.",
            "\u201cNot a *chance*,\u201d said Mara.",
        ]),
    ],
)


def to_html(paragraph: str) -> str:
    return _EMPHASIS.sub(r"<em>\1</em>", html.escape(paragraph, quote=False))


def chapter_body(chapter: SampleChapter) -> str:
    return "\n".join("<hr/>" if p == "* * *" else f"<p>{to_html(p)}</p>"
                     for p in chapter.paragraphs)


def cover_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1400, 1400), (30, 60, 120)).save(out, format="PNG")
    return out.getvalue()


def write_txt(path: Path, book: SampleBook) -> Path:
    parts = [f"Title: {book.title}\nAuthor: {book.author}\nSummary: {book.summary}"]
    for chapter in book.chapters:
        parts.append(chapter.title)
        parts.extend(chapter.paragraphs)
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def write_markdown(path: Path, book: SampleBook) -> Path:
    parts = [f"---\ntitle: {book.title}\nauthor: {book.author}\nsummary: {book.summary}\n---",
             f"# {book.title}"]
    for chapter in book.chapters:
        parts.append(f"## {chapter.title}")
        parts.extend("---" if p == "* * *" else p.replace("*", "_") for p in chapter.paragraphs)
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def write_html(path: Path, book: SampleBook) -> Path:
    chapters = "\n".join(f"<h2>{html.escape(c.title)}</h2>\n{chapter_body(c)}"
                         for c in book.chapters)
    path.write_text(f"""<!DOCTYPE html><html lang="{book.language}"><head><meta charset="utf-8">
<title>{html.escape(book.title)}</title><meta name="author" content="{html.escape(book.author)}">
<meta name="description" content="{html.escape(book.summary)}"></head>
<body><nav><a href="/">Home</a></nav><h1>{html.escape(book.title)}</h1>
{chapters}</body></html>""", encoding="utf-8")
    return path


def _quote(label: str, text: str) -> str:
    return f'<p>{label}</p>\n<blockquote class="userstuff"><p>{html.escape(text)}</p></blockquote>'


def write_ao3_html(path: Path, book: SampleBook) -> Path:
    """The layout of an Archive of Our Own "Download → HTML" file."""
    tags = "".join(f'<a href="http://archiveofourown.org/tags/{t}">{html.escape(t)}</a>, '
                   for t in book.tags).rstrip(", ")
    chapters = []
    for chapter in book.chapters:
        meta = [f'<h2 class="heading">{html.escape(chapter.title)}</h2>']
        if chapter.summary:
            meta.append(_quote("Summary", chapter.summary))
        if chapter.notes:
            meta.append(_quote("Notes", chapter.notes))
        chapters.append(f'<div class="meta group">{"".join(meta)}</div>\n'
                        f'<div class="userstuff">{chapter_body(chapter)}</div>')
        if chapter.end_notes:
            end = _quote("Chapter End Notes", chapter.end_notes)
            chapters.append(f'<div class="meta group">{end}</div>')
    path.write_text(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"/>
<title>{html.escape(book.title)} - {html.escape(book.author)} - Original Work</title></head>
<body>
<div id="preface">
  <p class="message"><b>{html.escape(book.title)}</b><br/>Posted originally on the
  <a href="http://archiveofourown.org/">Archive of Our Own</a> at
  <a href="http://archiveofourown.org/works/1">http://archiveofourown.org/works/1</a>.</p>
  <div class="meta">
    <dl class="tags">
      <dt>Rating:</dt><dd><a href="x">General Audiences</a></dd>
      <dt>Additional Tags:</dt><dd>{tags}</dd>
      <dt>Language:</dt><dd>English</dd>
      <dt>Stats:</dt><dd>Published: 2024-05-01 Words: 300 Chapters: 3/3</dd>
    </dl>
    <h1>{html.escape(book.title)}</h1>
    <div class="byline">by <a rel="author" href="x">{html.escape(book.author)}</a></div>
    {_quote("Summary", book.summary)}
    {_quote("Notes", book.notes) if book.notes else ""}
  </div>
</div>
<div id="chapters" class="userstuff">
{"".join(chapters)}
</div>
<div id="afterword"><div id="endnotes">{_quote("End Notes", "Thank you for reading!")}</div>
<p class="message">Please drop by the archive and comment to let the creator know if you
enjoyed their work!</p></div>
</body></html>""", encoding="utf-8")
    return path


def write_epub3(path: Path, book: SampleBook, front_matter: bool = True) -> Path:
    from ebooklib import epub

    ebook = epub.EpubBook()
    ebook.set_identifier("urn:uuid:castwright-test")
    ebook.set_title(book.title)
    ebook.set_language(book.language)
    ebook.add_author(book.author)
    ebook.add_metadata("DC", "description", f"<p>{html.escape(book.summary)}</p>")
    ebook.set_cover("cover.png", cover_png(), create_page=False)
    items = []
    if front_matter:
        copyright_page = epub.EpubHtml(title="Copyright", file_name="copyright.xhtml")
        copyright_page.content = ("<html><body><p>Copyright \u00a9 2024 Ann Writer. All rights "
                                  "reserved.</p><p>ISBN 978-0-00-000000-0</p></body></html>")
        items.append(copyright_page)
    for number, chapter in enumerate(book.chapters, 1):
        page = epub.EpubHtml(title=chapter.title, file_name=f"chapter{number}.xhtml",
                             lang=book.language)
        page.content = (f"<html><body><h1>{html.escape(chapter.title)}</h1>"
                        f"{chapter_body(chapter)}</body></html>")
        items.append(page)
    if front_matter:
        about = epub.EpubHtml(title="About the Author", file_name="about.xhtml")
        about.content = ("<html><body><h1>About the Author</h1><p>Ann Writer lives by a river "
                         "and has never been on a ferry at night.</p></body></html>")
        items.append(about)
    for item in items:
        ebook.add_item(item)
    ebook.toc = items
    ebook.add_item(epub.EpubNcx())
    ebook.add_item(epub.EpubNav())
    ebook.spine = ["nav", *items]
    epub.write_epub(str(path), ebook)
    return path


def write_epub2(path: Path, book: SampleBook) -> Path:
    """An EPUB 2 package by hand: OPF 2.0 with a guide, an NCX table of contents, two chapters
    in one file (the NCX points at anchors) and one chapter split over two files."""
    docs = {}
    first_two = "".join(f'<h2 id="c{n}">{html.escape(c.title)}</h2>{chapter_body(c)}'
                        for n, c in enumerate(book.chapters[:2], 1))
    docs["text/part1.html"] = first_two
    last = book.chapters[2]
    half = len(last.paragraphs) // 2
    docs["text/part2.html"] = (f"<h2>{html.escape(last.title)}</h2>"
                               + chapter_body(SampleChapter("", last.paragraphs[:half])))
    docs["text/part2b.html"] = chapter_body(SampleChapter("", last.paragraphs[half:]))
    docs["text/cover.html"] = '<div><img src="../images/cover.png" alt="cover"/></div>'
    manifest = "".join(f'<item id="d{i}" href="{name}" media-type="application/xhtml+xml"/>'
                       for i, name in enumerate(docs))
    spine_ids = [f"d{list(docs).index(n)}" for n in
                 ("text/cover.html", "text/part1.html", "text/part2.html", "text/part2b.html")]
    spine = "".join(f'<itemref idref="{i}"/>' for i in spine_ids)
    points = [("c1", "text/part1.html#c1", book.chapters[0].title),
              ("c2", "text/part1.html#c2", book.chapters[1].title),
              ("c3", "text/part2.html", book.chapters[2].title)]
    nav = "".join(f'<navPoint id="{i}" playOrder="{n}"><navLabel><text>{html.escape(t)}</text>'
                  f'</navLabel><content src="{src}"/></navPoint>'
                  for n, (i, src, t) in enumerate(points, 1))
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
<dc:title>{html.escape(book.title)}</dc:title>
<dc:creator opf:role="aut">{html.escape(book.author)}</dc:creator>
<dc:language>{book.language}</dc:language><dc:identifier id="id">test-epub2</dc:identifier>
<dc:description>{html.escape(book.summary)}</dc:description>
<dc:subject>Fiction</dc:subject>
<meta name="cover" content="coverimg"/>
</metadata>
<manifest>{manifest}
<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
<item id="coverimg" href="images/cover.png" media-type="image/png"/>
</manifest>
<spine toc="ncx">{spine}</spine>
<guide><reference type="cover" title="Cover" href="text/cover.html"/></guide>
</package>"""
    ncx = f"""<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head/>
<docTitle><text>{html.escape(book.title)}</text></docTitle><navMap>{nav}</navMap></ncx>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles></container>""")
        archive.writestr("OEBPS/content.opf", opf)
        archive.writestr("OEBPS/toc.ncx", ncx)
        archive.writestr("OEBPS/images/cover.png", cover_png())
        for name, body in docs.items():
            archive.writestr(f"OEBPS/{name}", "<?xml version='1.0' encoding='utf-8'?>\n"
                             '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title>'
                             f"</head><body>{body}</body></html>")
    return path


def write_docx(path: Path, book: SampleBook) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = book.title
    document.core_properties.author = book.author
    document.core_properties.comments = book.summary
    document.add_paragraph(book.title, style="Title")
    for chapter in book.chapters:
        document.add_heading(chapter.title, level=1)
        for paragraph in chapter.paragraphs:
            para = document.add_paragraph()
            for index, piece in enumerate(_EMPHASIS.split(paragraph)):
                if piece:
                    para.add_run(piece).italic = index % 2 == 1 or None
    document.save(str(path))
    return path
