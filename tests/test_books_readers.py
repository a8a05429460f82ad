"""Readers: small books of our own in EPUB 3, EPUB 2, archive-style HTML, generic HTML, Markdown
and DOCX become the same chapters, titles, metadata and lines as the equivalent plain text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from book_support import (
    FERRY,
    SampleBook,
    SampleChapter,
    write_ao3_html,
    write_docx,
    write_epub2,
    write_epub3,
    write_html,
    write_markdown,
    write_txt,
)

from pipeline.books.book import chapter_script, load_book
from pipeline.errors import ScriptError
from pipeline.model import CueKind
from pipeline.parsing import parse_script
from pipeline.textprep import speech_text

WRITERS = {
    "epub3": (write_epub3, "ferry.epub"),
    "epub2": (write_epub2, "ferry2.epub"),
    "ao3": (write_ao3_html, "ferry-work.html"),
    "html": (write_html, "ferry.html"),
    "markdown": (write_markdown, "ferry.md"),
    "docx": (write_docx, "ferry.docx"),
}


def spoken(cues) -> list[str]:
    """Texts of the cues, headings ("Summary:") left out."""
    return [c.text for c in cues if c.delivery != "heading"]


def body_lines(book, number: int) -> list[tuple[str, str | None, str]]:
    """(kind, speaker, text) of a chapter's lines, its intro left out."""
    script = chapter_script(book, number)
    return [(c.kind.value, c.speaker, c.text) for s in script.sections if not s.is_summary
            for c in s.lines]


@pytest.fixture(scope="module")
def txt_book(tmp_path_factory):
    return load_book(write_txt(tmp_path_factory.mktemp("txt") / "ferry.txt", FERRY))


@pytest.mark.parametrize("kind", list(WRITERS))
def test_every_format_reads_as_the_equivalent_text(kind, tmp_path, txt_book):
    writer, name = WRITERS[kind]
    book = load_book(writer(tmp_path / name, FERRY))
    assert [c.title for c in book.chapters] == [c.title for c in FERRY.chapters]
    assert [c.title for c in txt_book.chapters] == [c.title for c in FERRY.chapters]
    assert book.meta.title == FERRY.title
    assert book.meta.author == FERRY.author
    assert book.meta.description == FERRY.summary
    for number in (1, 2, 3):
        assert body_lines(book, number) == body_lines(txt_book, number), (kind, number)
    # The work's summary is the first episode's intro, read by the narrator.
    intro = chapter_script(book, 1).sections[0]
    assert intro.is_summary and FERRY.summary in spoken(intro.lines)
    assert not any(s.is_summary for s in chapter_script(book, 3).sections)


def test_dialogue_is_attributed_and_emphasis_kept(tmp_path):
    book = load_book(write_epub3(tmp_path / "f.epub", FERRY))
    lines = chapter_script(book, 1).lines()
    speakers = {c.text: c.speaker for c in lines}
    assert speakers["Is this the last boat?"] == "Mara"
    assert speakers["Get in before the tide turns."] == "Elias"
    very = next(c for c in lines if "very" in c.text)
    assert "*very*" in very.text and "*" not in speech_text(very.text)
    # The scene break is a pause between the two halves of the chapter.
    cues = chapter_script(book, 1).sections[-1].cues
    assert any(c.kind is CueKind.PAUSE for c in cues)
    assert chapter_script(book, 1).lines()[-1].text.startswith("The ferry pushed off")


def test_epub_metadata_cover_and_front_matter(tmp_path):
    path = write_epub3(tmp_path / "f.epub", FERRY)
    book = load_book(path)
    assert book.meta.language == "en"
    assert book.meta.cover is not None and book.meta.cover.data[:4] == b"\x89PNG"
    assert "Copyright" in book.skipped and "About the Author" in book.skipped
    all_text = " ".join(c.text for c in book.script.lines())
    assert "All rights reserved" not in all_text and "never been on a ferry" not in all_text
    everything = load_book_with_matter(path)
    assert any("never been on a ferry" in c.text for c in everything.script.lines())


def load_book_with_matter(path: Path):
    return load_book(path, include_matter=True)


def test_epub2_ncx_anchors_split_files_and_cover(tmp_path):
    book = load_book(write_epub2(tmp_path / "f2.epub", FERRY))
    # Two chapters in one file (NCX anchors), one chapter over two files.
    assert [c.source for c in book.chapters] == ["text/part1.html", "text/part1.html",
                                                  "text/part2.html"]
    last = spoken(c for s in chapter_script(book, 3).sections for c in s.lines)
    assert last[0].startswith("They reached the far shore") and last[-1] == "said Mara."
    assert book.meta.cover is not None and book.meta.cover.media_type == "image/png"
    assert "text/cover.html" in book.skipped


def test_archive_work_summary_notes_and_tags(tmp_path):
    book = load_book(write_ao3_html(tmp_path / "work.html", FERRY))
    assert book.meta.tags == ["General Audiences", "Original Work", "Slow Burn"]
    assert book.meta.language == "English" and book.meta.date == "2024-05-01"
    assert book.meta.notes == [FERRY.notes]
    assert book.meta.end_notes == ["Thank you for reading!"]
    first, second = book.chapter(1), book.chapter(2)
    assert first.summary == "Mara meets the ferryman." and second.summary == "The engine fails."
    assert first.notes == ["A note on the first chapter, not for reading.", "See you next week!"]
    said = " ".join(c.text for n in (1, 2, 3) for c in chapter_script(book, n).lines())
    for note in ("beta reader", "not for reading", "next week", "Thank you for reading"):
        assert note not in said
    # Each chapter's own summary is its episode's intro (after the work's, in chapter 1).
    intro1 = chapter_script(book, 1).sections[0].lines
    assert spoken(intro1) == [FERRY.summary, "Mara meets the ferryman."]
    assert [c.text for c in intro1 if c.delivery == "heading"] == ["Summary:"]
    assert spoken(chapter_script(book, 2).sections[0].lines) == ["The engine fails."]


def test_notes_are_read_when_asked(tmp_path):
    book = load_book(write_ao3_html(tmp_path / "work.html", FERRY), read_notes=True)
    spoken = [c.text for c in chapter_script(book, 1).lines()]
    assert any("beta reader" in t for t in spoken)
    assert any("not for reading" in t for t in spoken)
    assert spoken.index(next(t for t in spoken if "beta reader" in t)) < \
        spoken.index(next(t for t in spoken if t.startswith("Mara waited")))
    assert any("next week" in t for t in spoken[-3:])  # end notes after the chapter


def test_markdown_keeps_source_lines_and_levels(tmp_path):
    path = write_markdown(tmp_path / "f.md", FERRY)
    book = load_book(path)
    source = path.read_text(encoding="utf-8").split("\n")
    for number in (1, 2, 3):
        for cue in chapter_script(book, number).lines():
            if cue.kind is CueKind.NARRATION and cue.delivery != "heading" \
                    and not cue.text.startswith(FERRY.summary):
                words = cue.text.replace("*", "").split()[:3]
                assert " ".join(words) in source[cue.source_line - 1].replace("_", ""), cue


def test_generic_html_single_story_is_one_chapter(tmp_path):
    one = SampleBook("A Short One", "B. Author", "", [SampleChapter("", FERRY.chapters[0].paragraphs
                                                                 * 3)])
    book = load_book(write_html(tmp_path / "short.html", one))
    assert len(book.chapters) == 1 and not book.is_season
    assert book.chapters[0].title == "A Short One"


def test_plays_in_markdown_stay_one_episode(tmp_path):
    path = tmp_path / "play.md"
    path.write_text("# Scene one\n\nANNA: Good morning, Bill.\n\nBILL: Morning.\n\n"
                    "# Scene two\n\nANNA: Your fence is on my side.\n\nBILL: It is not.\n",
                    encoding="utf-8")
    book = load_book(path)
    assert book.script.format == "play" and not book.is_season
    assert [s.heading for s in parse_script(path).sections] == ["Scene one", "Scene two"]


def test_plain_text_without_chapters_is_one_episode(seed_path):
    book = load_book(seed_path)
    assert not book.is_season
    assert chapter_script(book, 1) is book.script


def test_docx_italic_styles_and_headings(tmp_path):
    import docx

    path = tmp_path / "styled.docx"
    document = docx.Document()
    document.add_heading("Part One", level=1)
    document.add_heading("The Letter", level=2)
    para = document.add_paragraph("She read it twice. ")
    para.add_run("Come home").italic = True
    para.add_run(", it said, and nothing else at all, not even a name at the bottom.")
    document.add_paragraph("* * *")
    document.add_paragraph("In the morning she packed a bag and walked to the station alone.")
    document.add_heading("The Station", level=2)
    document.add_paragraph("The train was late, as trains always were in that town.")
    document.save(str(path))
    book = load_book(path)
    assert [c.title for c in book.chapters] == ["The Letter", "The Station"]
    lines = [c for c in chapter_script(book, 1).lines() if c.delivery != "heading"]
    assert "*Come home*" in lines[0].text
    assert any(c.kind is CueKind.PAUSE for s in chapter_script(book, 1).sections for c in s.cues)


# --- bad input: one line, naming the file ---------------------------------------------------


def _error(path) -> str:
    with pytest.raises(ScriptError) as caught:
        load_book(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_drm_protected_epub_is_refused(tmp_path):
    path = write_epub3(tmp_path / "locked.epub", FERRY)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("META-INF/encryption.xml", """<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
  xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
 <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
  <enc:CipherData><enc:CipherReference URI="EPUB/chapter1.xhtml"/></enc:CipherData>
 </enc:EncryptedData></encryption>""")
    assert "DRM-protected" in _error(path)


def test_font_obfuscation_is_not_drm(tmp_path):
    path = write_epub3(tmp_path / "fonts.epub", FERRY)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("META-INF/encryption.xml", """<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
  xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
 <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
  <enc:CipherData><enc:CipherReference URI="EPUB/fonts/serif.otf"/></enc:CipherData>
 </enc:EncryptedData></encryption>""")
    assert len(load_book(path).chapters) == 3


@pytest.mark.parametrize("damage", ["not a zip", "no container", "bad opf", "missing chapter",
                                    "adobe rights"])
def test_malformed_epubs(tmp_path, damage):
    good = write_epub3(tmp_path / "good.epub", FERRY)
    path = tmp_path / "bad.epub"
    if damage == "not a zip":
        path.write_bytes(b"this is not an epub at all")
    else:
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if damage == "no container" and info.filename == "META-INF/container.xml":
                    continue
                if damage == "missing chapter" and info.filename.endswith("chapter2.xhtml"):
                    continue
                if damage == "bad opf" and info.filename.endswith(".opf"):
                    data = data[: len(data) // 2]
                dst.writestr(info, data)
            if damage == "adobe rights":
                dst.writestr("META-INF/rights.xml", "<rights/>")
    message = _error(path)
    assert ("EPUB" in message) or ("DRM" in message)


def test_html_that_is_not_a_story(tmp_path):
    login = tmp_path / "login.html"
    login.write_text("<html><head><title>Log in</title></head><body><form><p>User name</p>"
                     "<input name=u><p>Password</p><input type=password></form></body></html>",
                     encoding="utf-8")
    assert "no story" in _error(login)
    index = tmp_path / "index.html"
    links = "".join(f'<li><a href="/works/{n}">The story of the long night number {n}</a></li>'
                    for n in range(40))
    index.write_text(f"<html><body><p>Here are all the stories in this collection, sorted by "
                     f"date, newest first, as the archive shows them.</p><ul>{links}</ul>"
                     "</body></html>", encoding="utf-8")
    assert "mostly links" in _error(index)


def test_docx_without_text(tmp_path):
    import docx

    path = tmp_path / "empty.docx"
    document = docx.Document()
    document.add_heading("Chapter 1", level=1)
    document.save(str(path))
    assert "no text" in _error(path)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a docx")
    assert "Word document" in _error(broken)
