"""HTML (and EPUB's XHTML) -> blocks of prose: paragraphs, headings and scene breaks.

Shared by the EPUB and HTML readers. Inline emphasis (``<em>``, ``<i>``, ``<cite>``) becomes
``*words*``, strong (``<strong>``, ``<b>``) ``**words**``; the marks are placed inside any quote
marks and trailing punctuation (``"*Go away*," she said``) so the prose parser still sees the
quote. ``<br>`` keeps its line break; ``<hr>`` and asterisms (``* * *``, ``~oOo~``) are scene
breaks; scripts, styles and navigation are dropped.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning

from pipeline.readers.model import SCENE_BREAK

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset({
    "p", "div", "blockquote", "li", "ul", "ol", "dl", "dd", "dt", "pre", "section", "article",
    "header", "footer", "aside", "figure", "figcaption", "main", "body", "table", "tr", "td",
    "th", "tbody", "thead", "center", "address", "details", "summary", "hgroup", "form",
})
_SKIP = frozenset({"script", "style", "nav", "head", "title", "noscript", "template", "svg",
                   "math", "iframe", "object", "button", "select", "textarea", "input", "img",
                   "audio", "video", "canvas", "map"})
_EMPHASIS = frozenset({"em", "i", "cite", "dfn", "var"})
_STRONG = frozenset({"strong", "b"})
_LEAD = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([\u2014\u2013-"
_TRAIL = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb)].,;:!?\u2026\u2014\u2013-"
_BREAK_CHARS = set("*~#-_=\u2022\u00b7\u25c6\u25c7\u2756\u273b\u2731\u2042\u00a7+oOxX0")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


@dataclass
class HtmlBlock:
    kind: str  # "para" | "heading" | "break"
    text: str = ""
    level: int = 0  # headings: 1..6
    anchors: tuple[str, ...] = ()  # ids inside the block (EPUB TOC links point at them)


def parse_html(data: bytes | str) -> BeautifulSoup:
    """Lenient HTML parsing (lxml): real files (and EPUB's XHTML) are often not well-formed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(data, "lxml")


def is_scene_break(text: str) -> bool:
    """``* * *``, ``***``, ``~~~``, ``#``, ``oOo``, ``xXx``, ``-----``: a line of ornaments."""
    squeezed = "".join(text.split())
    if not squeezed or len(squeezed) > 30 or not set(squeezed) <= _BREAK_CHARS:
        return False
    letters = [c for c in squeezed if c.isalnum()]
    if letters and len(letters) == len(squeezed) and len(set(c.lower() for c in letters)) < 2:
        return False  # "ooo", "xxx" on their own: words, not ornaments
    return squeezed == "#" or len(squeezed) >= 3


def emphasize(inner: str, mark: str = "*") -> str:
    """``*"Go away,"*`` -> ``"*Go away*,"``: marks hug the words, inside quotes and punctuation."""
    core = inner.strip()
    if not core:
        return inner
    lead_len = len(core) - len(core.lstrip(_LEAD))
    trail_len = len(core) - len(core.rstrip(_TRAIL))
    if lead_len + trail_len >= len(core):
        return inner  # only punctuation: nothing to stress
    lead, body = core[:lead_len], core[lead_len:len(core) - trail_len]
    trail = core[len(core) - trail_len:]
    left = inner[:len(inner) - len(inner.lstrip())]
    right = inner[len(inner.rstrip()):]
    body = body.replace("\n", " ")
    return f"{left}{lead}{mark}{body}{mark}{trail}{right}"


def inline_text(node: Tag | NavigableString, marks: bool = True, _inside: bool = False) -> str:
    """The text of an inline run; ``marks`` False for headings and titles."""
    if isinstance(node, Comment):
        return ""
    if isinstance(node, NavigableString):
        return str(node)
    if node.name in _SKIP:
        return ""
    if node.name == "br":
        return "\n"
    emphasis = marks and not _inside and node.name in (_EMPHASIS | _STRONG)
    inner = "".join(inline_text(child, marks, _inside or emphasis) for child in node.children)
    if emphasis:
        return emphasize(inner, "**" if node.name in _STRONG else "*")
    return inner


def clean(text: str) -> str:
    """Collapse runs of spaces, keep ``<br>`` line breaks, drop blank lines."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\u00ad", "").split("\n")]
    return "\n".join(line for line in lines if line)


def html_blocks(root: Tag) -> list[HtmlBlock]:
    """Paragraphs, headings and scene breaks of ``root``, in document order."""
    return list(_walk(root))


def _anchors(node: Tag) -> tuple[str, ...]:
    ids = [node.get("id")] if node.get("id") else []
    ids += [t.get("id") for t in node.find_all(id=True)]
    ids += [t.get("name") for t in node.find_all("a", attrs={"name": True})]
    return tuple(str(i) for i in ids if i)


def _walk(root: Tag) -> Iterator[HtmlBlock]:
    run: list[Tag | NavigableString] = []
    run_anchors: list[str] = []

    def flush() -> Iterator[HtmlBlock]:
        if run:
            text = clean("".join(inline_text(n) for n in run))
            if text:
                kind = "break" if is_scene_break(text) else "para"
                yield HtmlBlock(kind, SCENE_BREAK if kind == "break" else text,
                                anchors=tuple(run_anchors))
            elif run_anchors:  # an empty anchor (<a id="ch3"/>) still marks a place
                yield HtmlBlock("para", "", anchors=tuple(run_anchors))
            run.clear()
            run_anchors.clear()

    for child in root.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            run.append(child)
            continue
        if not isinstance(child, Tag) or child.name in _SKIP:
            if isinstance(child, Tag) and child.name == "img" and child.get("id"):
                run_anchors.append(str(child["id"]))
            continue
        if child.name == "hr":
            yield from flush()
            yield HtmlBlock("break", SCENE_BREAK, anchors=_anchors(child))
        elif child.name in HEADINGS:
            yield from flush()
            text = clean(inline_text(child, marks=False)).replace("\n", " ")
            if text:
                yield HtmlBlock("heading", text, HEADINGS[child.name], _anchors(child))
            elif _anchors(child):
                yield HtmlBlock("para", "", anchors=_anchors(child))
        elif child.name in _BLOCKS:
            yield from flush()
            if child.get("id"):
                yield HtmlBlock("para", "", anchors=(str(child["id"]),))
            yield from _walk(child)
        else:
            run.append(child)
            run_anchors.extend(_anchors(child))
    yield from flush()
