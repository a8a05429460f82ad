"""Markdown stories (markdown-it-py): headings as chapters and sections (see ``structure``),
``*emphasis*`` and ``_emphasis_`` as emphasis, ``---``/``* * *`` as scene breaks. YAML front
matter (``title``, ``author``, ``summary``/``description``, ``language``, ``tags``) and prose
header lines at the top (``Title:``, ``Summary:``) give the metadata. Every paragraph keeps its
source line, so warnings point at the Markdown file's own lines."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.errors import ScriptError
from pipeline.parsing.common import HEADER_KEYS
from pipeline.readers.html_blocks import emphasize, is_scene_break
from pipeline.readers.model import BookMeta, BookText
from pipeline.readers.structure import TextBlock, split_chapters

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z/'\u2019 ]{0,24}?)\s*:\s*\S")


def read_markdown(path: Path, text: str) -> BookText:
    meta, text = front_matter(text, str(path))
    tokens = MarkdownIt("commonmark").disable("html_inline").parse(text)
    blocks = markdown_blocks(tokens)
    header, blocks = leading_header(blocks)
    split = split_chapters(blocks, str(path))
    meta.title = meta.title or split.title
    return BookText(meta=meta, chapters=split.chapters, header=header)


def front_matter(text: str, where: str) -> tuple[BookMeta, str]:
    """YAML front matter -> metadata; the text keeps its line count (blank lines instead)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return BookMeta(), text
    import yaml

    try:
        data = yaml.safe_load(match.group("body")) or {}
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", 0) + 2
        raise ScriptError(f"front matter is not valid YAML: {getattr(err, 'problem', err)}",
                          where, line) from None
    if not isinstance(data, dict):
        return BookMeta(), text
    blank = "\n" * match.group(0).count("\n")

    def field(*names: str) -> str:
        for name in names:
            value = data.get(name)
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            if value not in (None, ""):
                return " ".join(str(value).split())
        return ""

    tags = data.get("tags") or data.get("keywords") or []
    meta = BookMeta(title=field("title"), author=field("author", "authors", "by"),
                    description=field("summary", "description", "synopsis"),
                    language=field("language", "lang"), date=field("date"),
                    tags=[str(t) for t in tags] if isinstance(tags, list) else
                    [t.strip() for t in str(tags).split(",") if t.strip()])
    return meta, blank + text[match.end():]


def markdown_blocks(tokens: list[Token]) -> list[TextBlock]:
    blocks: list[TextBlock] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = token.map[0] + 1 if token.map else None
        if token.type == "heading_open":
            text = plain(tokens[i + 1])
            blocks.append(TextBlock("heading", text, int(token.tag[1]), line))
            i += 3
            continue
        if token.type == "hr":
            blocks.append(TextBlock("break", line=line))
        elif token.type == "inline" and tokens[i - 1].type == "paragraph_open":
            opener = tokens[i - 1]
            text = inline(token)
            where = opener.map[0] + 1 if opener.map else None
            if is_scene_break(text):
                blocks.append(TextBlock("break", line=where))
            elif text.strip():
                blocks.append(TextBlock("para", text, line=where))
        i += 1
    return blocks


def plain(token: Token) -> str:
    return " ".join("".join(c.content for c in token.children or []
                            if c.type in ("text", "code_inline")).split())


def inline(token: Token) -> str:
    """Inline children back to prose: emphasis as ``*x*``/``**x**``, breaks as newlines."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # (mark, index in out where it opened)
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type in ("em_open", "strong_open"):
            stack.append(("*" if child.type == "em_open" else "**", len(out)))
        elif child.type in ("em_close", "strong_close") and stack:
            mark, start = stack.pop()
            inner = "".join(out[start:])
            del out[start:]
            out.append(emphasize(inner, mark) if not stack else inner)
        elif child.type == "image":
            continue
    return "\n".join(line.strip() for line in "".join(out).split("\n"))


def leading_header(blocks: list[TextBlock]) -> tuple[list[str], list[TextBlock]]:
    """``Title:``/``Summary:`` paragraphs before the first heading: the prose parser's header."""
    header: list[str] = []
    for index, block in enumerate(blocks):
        first = block.text.split("\n")[0]
        match = _HEADER_LINE.match(first) if block.kind == "para" else None
        if not match or match.group("key").strip().lower() not in HEADER_KEYS:
            return header, blocks[index:]
        header.extend(block.text.split("\n"))
    return header, []
