"""An episode's show notes: Markdown beside the script (``x.notes.md``), HTML in the feed and page.

Rendered with markdown-it-py (CommonMark plus tables and strikethrough) with raw HTML switched
off, so whatever the notes contain, ``<script>`` or an ``onerror=`` attribute arrives as text:
the notes cannot run code in a podcast app or on the show page. Links keep markdown-it's own
check, which refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` URLs (data images
aside), and carry ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt

from pipeline.errors import PublishError

MAX_BYTES = 200_000  # show notes, not a novel


@cache
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    def safe_link(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", safe_link)
    return md


def render_markdown(text: str) -> str:
    """Markdown to safe HTML (see the module doc)."""
    return _renderer().render(text).strip()


def read_notes(path: Path) -> str:
    """The notes file as HTML; a ``PublishError`` naming it if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PublishError(f"cannot read show notes: {err.strerror or err}", path) from None
    if len(data) > MAX_BYTES:
        raise PublishError(f"show notes are over {MAX_BYTES // 1000} kB", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PublishError("show notes must be UTF-8 text", path) from None
    return render_markdown(text)
