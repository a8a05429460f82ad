"""Prose stories: narration, quoted dialogue, and point-of-view sections.

    Summary: Two people wait for each other.        <- summary section s00, narrated
    Spike: When she was gone he wrote...            <- section "Spike", point of view Spike
    "You came back," Buffy said.                    <- dialogue (Buffy), then narration

- Header paragraphs at the top (``Title:``, ``Author:``, ``Summary:``, ``Disclaimer:`` ...) are
  metadata; ``Summary:`` is also narrated as the summary section (by the main narrator, its
  label read as a heading). Labels may be bold (``**Summary:**``, ``<b>Summary:</b>``); a
  ``Summary:`` alone on its line takes the paragraph after it; a short title line above the
  header block is the story's title, read first.
- Paragraphs, headings and breaks are read by ``paragraphs`` (hard-wrapped files included);
  ``sections`` decides which open sections: chapter and part headings, ``# Heading``, and
  ``Name:`` / ``Name: Title`` point-of-view openers (``Name: "..."`` is a speech label
  instead). Headings are read aloud. ``***`` is a scene break (a pause).
- A parenthesis starting a sentence is an author's aside: its own narration cue with delivery
  "aside". One that never closes ends at the end of its paragraph, never later.
- Quotes (straight or curly) are dialogue, attributed by ``attribution``; a short quote inside a
  sentence ("the "Big Bad" never fails") stays narration. A quote that never closes runs to the
  end of its paragraph (the next paragraph's opening quote continues the same speech).
- A story that speaks in single quotes ('Like this,' she said), with hardly any double quotes,
  gets the same treatment for its single quotes; apostrophes (don't, 'tis, James' boat) are told
  apart by what stands on either side.
- Narration is cut at sentence ends into cues of at most ~400 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import CharacterInfo, Cue, CueKind, Script, Section, SectionKind
from pipeline.parsing import attribution as attr
from pipeline.parsing.common import (
    HEADER_KEYS,
    SUMMARY_KEYS,
    Block,
    finish,
    new_section,
    plain_label,
    spoken_cues,
    strip_notes,
)
from pipeline.parsing.headings import title_like
from pipeline.parsing.paragraphs import Item, layout_of, read_items
from pipeline.parsing.review import Review
from pipeline.parsing.sections import (
    SectionReader,
    chapter_section,
    heading_cues,
    markdown_section,
)

QUOTES = "\"\u201c\u201d\u201e\u00ab\u00bb"
_HEADER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z/'\u2019 ]{0,24}?)\s*:\s*(?P<value>.*)$")
_SENTENCE_DONE = re.compile(r"[.!?\u2026][\"'\u201d\u2019)]*$")
_ENDS_SPEECH = re.compile(r"[,.!?;:\u2026\u2014\u2013\-][\"'\u2019]?\s*$")
_LEAD_PUNCT = re.compile(r"[\s,;:\u2014\u2013\-]+")
SCENE_BREAK_SECONDS = 1.5


@dataclass
class _SpokenQuote(attr.Quote):
    """A quote and the dialogue cues cut from it."""

    cues: list[Cue] = field(default_factory=list)


# --- building sections -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Marks:
    """The marks that open and close speech. Double quotes (and guillemets) always; single
    quotes too in a story that speaks in them (British style, ``_speaks_in_single_quotes``),
    told apart from apostrophes (don't, 'tis, James') by what stands on either side."""

    single: bool = False

    def opens(self, text: str, i: int) -> bool:
        ch = text[i]
        if ch in QUOTES:
            return True
        if not self.single or ch not in _SINGLE_OPEN:
            return False
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        return (before.isspace() or before in _BEFORE_OPEN) and not after.isspace()

    def close(self, text: str, i: int) -> int:
        """Index of the mark closing the quote opened at ``i``, or -1 (runs to the end)."""
        n = len(text)
        if text[i] in QUOTES:
            return next((j for j in range(i + 1, n) if text[j] in QUOTES), -1)
        ends = [j for j in range(i + 1, n) if text[j] in _SINGLE_CLOSE
                and not text[j - 1].isspace() and (j + 1 == n or not text[j + 1].isalnum())]
        # "James' boat", "rock 'n' roll": a word's apostrophe running on into lowercase is not
        # the end of the speech when a later mark can be (speech mostly ends on ,.!?).
        plain = [j for j in ends if not _RUNS_ON.match(text, j - 1)]
        return (plain or ends or [-1])[0]


_SINGLE_OPEN = "'\u2018"
_SINGLE_CLOSE = "'\u2019"
_BEFORE_OPEN = "([\u2014\u2013-\"\u201c"
_RUNS_ON = re.compile(r"\w['\u2019] [a-z]")
# An opening single quote: at a line start or after a space or dash, before a capital letter.
_SINGLE_OPENER = re.compile(r"(?:^|[\s(\u2014\u2013])['\u2018](?=[A-Z])", re.MULTILINE)


def _speaks_in_single_quotes(text: str) -> bool:
    """British-style dialogue: many 'Capitalised openings, hardly any double quotes."""
    singles = len(_SINGLE_OPENER.findall(text))
    doubles = sum(text.count(mark) for mark in QUOTES)
    return singles >= 2 and doubles * 4 <= singles


@dataclass
class _ProseParser:
    where: str
    script: Script
    section: Section | None = None
    paragraphs: list[attr.Paragraph] = field(default_factory=list)
    section_start: bool = True
    header_open: bool = True
    header_key: str | None = None
    summary_lines: list[tuple[int, str]] = field(default_factory=list)
    summary_heading: tuple[int, str] | None = None
    summary_pending: bool = False  # "Summary:" alone: the next paragraph is the summary
    title_line: tuple[int, str] | None = None  # a bare title above the header lines
    marks: _Marks = field(default_factory=_Marks)
    sections: SectionReader = field(default_factory=lambda: SectionReader(""))
    quote_open: bool = False  # the last paragraph ended inside a quotation

    def current(self, line: int) -> Section:
        if self.section is None:
            self.start_section(new_section("", line))
        assert self.section is not None
        return self.section

    def start_section(self, section: Section) -> None:
        self.section = section
        self.section_start = True
        self.script.sections.append(section)

    def add(self, item: Item) -> None:
        if item.kind == "para" and self.header_open and self.header(item):
            return
        if item.kind == "para" and self.summary_pending:
            self.summary_pending = False
            self.summary_lines.extend(item.lines)
            return
        self.header_open = False
        if item.kind != "para":
            self.quote_open = False
        if item.kind == "sound" and item.cue is not None:
            self.current(item.line).cues.append(item.cue)
        elif item.kind == "break":
            self.current(item.line).cues.append(
                Cue(CueKind.PAUSE, text="scene break", seconds=SCENE_BREAK_SECONDS,
                    source_line=item.line))
        elif item.kind in ("heading", "chapter"):
            section, cues = markdown_section(item) if item.kind == "heading" \
                else chapter_section(item)
            self.start_section(section)
            section.cues.extend(cues)
        else:
            self.paragraph(item)
        self.sections.seen(item)

    def header(self, item: Item) -> bool:
        """Header paragraphs (``Title:``, ``Summary:`` ...) before the story; True if consumed."""
        if not is_header(item):
            return False
        self.summary_pending = False
        for number, raw in item.lines:
            match = _HEADER.match(plain_label(raw.strip()))
            if match and match.group("key").strip().lower() in HEADER_KEYS:
                self.header_key = match.group("key").strip().lower()
                value = match.group("value").strip()
                if self.header_key in SUMMARY_KEYS:
                    if not self.summary_lines:  # "Summary:" is read before the summary
                        self.summary_heading = (number, match.group("key").strip() + ":")
                    self.summary_lines.append((number, value))
                else:
                    self.script.metadata[self.header_key] = value
            elif self.header_key in SUMMARY_KEYS:
                self.summary_lines.append((number, raw))
            elif self.header_key:
                old = self.script.metadata.get(self.header_key, "")
                self.script.metadata[self.header_key] = f"{old} {raw.strip()}".strip()
        self.summary_pending = self.header_key in SUMMARY_KEYS and not any(
            text.strip() for _, text in self.summary_lines)
        return True

    def paragraph(self, item: Item) -> None:
        opening = self.sections.opening(item, self.marks.opens)
        if opening.section is not None:
            self.start_section(opening.section)
            opening.section.cues.extend(opening.cues)
        if not opening.lines:
            return
        block = Block.of_lines(opening.lines)
        if not block.text[opening.start:].strip():
            return
        section = self.current(block.line_at(0))
        # A new chapter keeps the conversation's context (who "he" is); a new point of view or
        # scene heading starts afresh.
        para = attr.Paragraph(pov=section.pov,
                              section_start=self.section_start
                              and section.kind != SectionKind.CHAPTER)
        runs_on = _runs_on(block.text, opening.start, self.marks, item.indented) \
            if self.quote_open and not self.section_start else None
        self.section_start = False
        cues = _paragraph_cues(block, opening.start, para, opening.label, self.marks, runs_on)
        spoken = [c for c in cues if c.is_spoken]
        if spoken:
            spoken[-1].paragraph_end = True
        section.cues.extend(cues)
        self.paragraphs.append(para)
        last = para.items[-1] if para.items else None
        self.quote_open = isinstance(last, attr.Quote) and not last.closed

    def summary(self) -> None:
        title = heading_cues([self.title_line]) if self.title_line else []
        if not any(text.strip() for _, text in self.summary_lines):
            if title:  # a title, no summary: read the title first all the same
                section = new_section("", title[0].source_line)
                section.cues = title
                self.script.sections.insert(0, section)
            return
        block = Block.of_lines(self.summary_lines)
        self.script.summary = block.text.strip()
        section = Section(id="s00", heading="Summary", is_summary=True,
                          source_line=self.summary_lines[0][0])
        section.cues = title + (heading_cues([self.summary_heading])
                                if self.summary_heading else [])
        section.cues += _paragraph_cues(block, 0, None, None)
        spoken = [c for c in section.cues if c.is_spoken]
        if spoken:
            spoken[-1].paragraph_end = True
        self.script.sections.insert(0, section)


# --- one paragraph -----------------------------------------------------------------------------

@dataclass
class _Segment:
    kind: str  # "narration" | "aside" | "quote"
    start: int
    end: int
    inner: tuple[int, int] = (0, 0)
    closed: bool = True


def _segments(text: str, start: int, marks: _Marks | None,
              runs_on: int | None = None) -> list[_Segment]:
    """Split a paragraph into narration, asides (a parenthesis starting a sentence, to its
    ``)`` or the paragraph's end) and quotes (to the closing mark or the paragraph's end);
    ``marks`` None: no quotes (the summary). ``runs_on``: the paragraph opens inside a quotation
    from the paragraph before, closed at that index (-1: not closed here)."""
    out: list[_Segment] = []
    i = seg_start = start
    n = len(text)
    if runs_on is not None:
        end = runs_on + 1 if runs_on >= 0 else n
        out.append(_Segment("quote", start, end, (start, runs_on if runs_on >= 0 else n),
                            runs_on >= 0))
        i = seg_start = end
    while i < n:
        ch = text[i]
        if marks is not None and marks.opens(text, i):
            close = marks.close(text, i)
            end = close + 1 if close >= 0 else n
            inner = (i + 1, close if close >= 0 else n)
            if _is_inline_quote(text, i, text[inner[0]:inner[1]], close >= 0):
                i = end
                continue
            if seg_start < i:
                out.append(_Segment("narration", seg_start, i))
            out.append(_Segment("quote", i, end, inner, close >= 0))
            i = seg_start = end
        elif ch == "(" and _starts_sentence(text[max(start, i - 20):i], i - 20 <= start):
            close = text.find(")", i + 1)
            end = close + 1 if close >= 0 else n
            if seg_start < i:
                out.append(_Segment("narration", seg_start, i))
            out.append(_Segment("aside", i, end))
            i = seg_start = end
        else:
            i += 1
    if seg_start < n:
        out.append(_Segment("narration", seg_start, n))
    return out


def _runs_on(text: str, start: int, marks: _Marks, indented: bool) -> int | None:
    """A paragraph that continues a quotation left open by the paragraph before it without
    opening a mark of its own: an indented block (verse, a letter) up to its closing mark or its
    end, or plain text whose first mark closes (``That's all I know," she said.``). The index of
    the closing mark, -1 if the whole paragraph is quoted, None if it is no continuation."""
    if start >= len(text) or marks.opens(text, start) and not _closes(text, start):
        return None
    marks_at = (j for j in range(start, len(text)) if text[j] in QUOTES
                or marks.single and text[j] in _SINGLE_CLOSE and not _apostrophe(text, j))
    first = next(marks_at, None)
    if first is None:
        return -1 if indented else None
    return first if _closes(text, first) else None


def _apostrophe(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _closes(text: str, i: int) -> bool:
    """The mark at ``i`` ends a quotation: a closing curly mark, or a straight one right after
    a word or punctuation and before a space, punctuation or the end."""
    ch = text[i]
    if ch in "\u201d\u00bb\u2019":
        return True
    if ch not in "\"'" or i == 0 or text[i - 1].isspace():
        return False
    return i + 1 == len(text) or not text[i + 1].isalnum()


def _starts_sentence(before: str, at_start: bool) -> bool:
    """``before`` is the text just before a "(" (a short tail of it, for speed)."""
    before = before.rstrip()
    return (at_start and not before) or bool(_SENTENCE_DONE.search(before))


def _is_inline_quote(text: str, index: int, inner: str, closed: bool) -> bool:
    """A scare quote or title inside a sentence, or an empty pair: not speech."""
    if not inner.strip() or not any(c.isalnum() for c in inner):
        return True
    back = index - 1
    while back >= 0 and text[back].isspace():
        back -= 1
    previous = text[back] if back >= 0 else ""
    return closed and previous.isalnum() and not _ENDS_SPEECH.search(inner)


def _narration_start(text: str, start: int, end: int) -> int:
    """Skip the ", " left between a quote and "Buffy said"."""
    lead = _LEAD_PUNCT.match(text, start, end)
    return lead.end() if lead else start


def _paragraph_cues(block: Block, start: int, para: attr.Paragraph | None,
                    label: str | None, marks: _Marks | None = None,
                    runs_on: int | None = None) -> list[Cue]:
    """Cues of one paragraph; with ``para`` (not the summary) quotes become dialogue."""
    text = block.text
    segments = _segments(text, start, (marks or _Marks()) if para is not None else None, runs_on)
    cues: list[Cue] = []
    first_quote = True
    for index, seg in enumerate(segments):
        if seg.kind == "narration":
            begin = _narration_start(text, seg.start, seg.end)
            cues.extend(spoken_cues(block, begin, seg.end, CueKind.NARRATION, paragraph_end=False))
            if para is not None:
                para.items.append(text[begin:seg.end])
        elif seg.kind == "aside":
            cues.extend(spoken_cues(block, seg.start, seg.end, CueKind.NARRATION,
                                    delivery="aside", paragraph_end=False))
            if para is not None:
                para.items.append(text[seg.start:seg.end])
        elif para is not None:
            quote_cues = spoken_cues(block, seg.inner[0], seg.inner[1], CueKind.DIALOGUE,
                                     paragraph_end=False)
            cues.extend(quote_cues)
            para.items.append(_quote(block, segments, index, quote_cues,
                                     label if first_quote else None))
            first_quote = False
    return cues


def _quote(block: Block, segments: list[_Segment], index: int, cues: list[Cue],
           label: str | None) -> _SpokenQuote:
    seg = segments[index]
    inner = block.text[seg.inner[0]:seg.inner[1]].strip()
    return _SpokenQuote(text=inner, line=block.line_at(seg.start), closed=seg.closed,
                        label=label, cues=cues)


# --- who speaks --------------------------------------------------------------------------------

def _attribute(script: Script, paragraphs: list[attr.Paragraph], where: str,
               review: Review | None = None) -> None:
    """Speakers for every quote (see ``attribution``); quotes nobody can say stay narration."""
    for para in paragraphs:
        for quote in para.quotes:
            assert isinstance(quote, _SpokenQuote)
            quote.parts = [c.text for c in quote.cues] if len(quote.cues) > 1 else []
    story = attr.attribute(paragraphs, review)
    for quote in story.quotes:
        assert isinstance(quote, _SpokenQuote)
        if quote.speaker is not None:
            for cue in quote.cues:
                cue.kind, cue.speaker = CueKind.DIALOGUE, quote.speaker.name
                cue.rule, cue.confidence = quote.rule, quote.confidence
            continue
        for cue in quote.cues:
            cue.kind, cue.speaker = CueKind.NARRATION, None
        if quote.rule == "review":  # the producer gave it to the narrator
            for cue in quote.cues:
                cue.rule, cue.confidence = quote.rule, quote.confidence
            continue
        shown = quote.text if len(quote.text) <= 50 else quote.text[:47] + "..."
        script.warnings.append(f"{where}:{quote.line}: cannot tell who says \"{shown}\"; "
                               "the narrator reads it")
    people = [p for p in story.characters.people if p.lines]
    povs = {p.pov for p in paragraphs if p.pov}
    people += [p for p in story.characters.people if p.name in povs and not p.lines]
    script.characters = [_info(p) for p in sorted(people, key=lambda p: -p.lines)]
    script.gender_hints.update({p.name: p.gender for p in people if p.gender})
    if review is not None:
        for fix in review.unused():
            shown = fix.quote if len(fix.quote) <= 50 else fix.quote[:47] + "..."
            script.warnings.append(f"{review.path}:{fix.line}: no quotation reads \"{shown}\""
                                   + (f" (occurrence {fix.occurrence})" if fix.occurrence else "")
                                   + "; fix not used")
    narrator = story.characters.narrator
    if story.first_person and narrator is not None and narrator.lines:
        script.narrator_character = narrator.name  # "...," I said: the narrator's own voice


def _info(person: attr.Character) -> CharacterInfo:
    aliases = [a for a, _ in sorted(person.aliases.items(), key=lambda kv: -kv[1])
               if a != person.name]
    return CharacterInfo(person.name, aliases, person.gender, person.evidence.explain(),
                         person.narrator, person.described)


def is_header(item: Item) -> bool:
    """A paragraph of header lines: its first line is ``Key: value`` with a known key."""
    first = _HEADER.match(plain_label(item.lines[0][1].strip()))
    return bool(first) and first.group("key").strip().lower() in HEADER_KEYS


def _title_above_header(items: list[Item]) -> bool:
    """"The Last Ferry", then "Summary: ..." (a fan-fiction page copied as text): a one-line
    title paragraph right above the header lines."""
    return (len(items) >= 2 and items[0].kind == "para" and len(items[0].lines) == 1
            and items[1].kind == "para" and title_like(items[0].lines[0][1])
            and is_header(items[1]))


def parse_prose(text: str, where: str, review: Review | None = None) -> Script:
    script = Script(title="", source_path=where, format="prose")
    lines = strip_notes(text).split("\n")
    items = read_items(lines, where, script.warnings)
    reader = SectionReader.of(items, where, wrapped=layout_of(lines).wrap is not None,
                              not_names=frozenset(attr.NOT_NAMES))
    parser = _ProseParser(where, script, marks=_Marks(_speaks_in_single_quotes(text)),
                          sections=reader)
    if _title_above_header(items):
        parser.title_line = items[0].lines[0]
        items = items[1:]
    for item in items:
        parser.add(item)
    parser.summary()
    _attribute(script, parser.paragraphs, where, review)
    bare_title = parser.title_line[1].strip() if parser.title_line else ""
    script.title = script.metadata.get("title", "") or bare_title
    first = next((i for i, line in enumerate(lines, start=1) if line.strip()), 1)
    return finish(script, first)
