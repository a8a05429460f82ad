"""Markup in a writer's text that a listener should never hear, reduced to what a reader sees.

Stories pasted from forums, fan-fiction archives, chat and Markdown carry formatting a
screen shows and a voice must not read: BBCode (``[b]x[/b]``, ``[url=...]link[/url]``),
HTML tags (``<i>``, ``<br/>``), Markdown links and images, emoji shortcodes (``:fire:``),
emoji and emoticons. ``strip_markup`` keeps the words a reader sees and drops the rest:

- A closing tag (``[/anything]``, ``</anything>``) is always markup, even a stray one.
- An opening tag is markup when it is a known BBCode/HTML name or carries an attribute
  (``[color=red]``, ``<span class="x">``); other words in brackets (``[sighs]``, ``<y>``)
  stay words. Block tags (``<br>``, ``<p>``, ``[quote]``) leave a pause, inline ones nothing.
- Image tags drop with their address; a link keeps its text (``[text](url)`` -> "text").
- ``:shortcode:`` emoji, emoji characters and emoticons (``:)``, ``;-)``, ``<3``) are dropped:
  a narrator does not read pictures aloud.
- A bare web address is read by its host ("https://www.example.com/x" -> "example dot com"),
  an e-mail address as "name at host dot com".

``reader_text`` is the same text for the eye (captions, transcripts, chapter titles, markers):
the same markup goes, addresses stay as written, emphasis (``*x*``, ``__x__``, ``~~x~~``) shows
as the plain words and the author's notes (``[[...]]``) are left out, as speech leaves them.
"""

from __future__ import annotations

import html
import re

_INLINE = ("b|i|u|s|em|strong|small|big|sup|sub|del|ins|mark|strike|tt|code|q|cite|abbr|span"
           "|font|a|color|colour|size|spoiler|highlight|left|right|justify|noparse|url|email")
_BLOCK = ("br|p|div|hr|li|ul|ol|h[1-6]|blockquote|pre|center|quote|list|table|tr|td|th"
          "|indent|section|article|header|footer|\\*")

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\s]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:https?://|www\.|/|#|mailto:)[^)\s]*\)")
_IMAGE = re.compile(r"\[img(?:=[^\]]*)?\].*?\[/img\]|<img\b[^<>]*>", re.IGNORECASE | re.DOTALL)
_ATTRIBUTES = r"""(?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>"']+))*"""


def _tags(names: str) -> re.Pattern[str]:
    """``[name]``, ``[/name]``, ``[name=value]`` and ``<name>``, ``</name>``, ``<name a="b"/>``."""
    return re.compile(rf"\[/?(?:{names})(?:=[^\[\]\n]*)?\]"
                      rf"|</?(?:{names}){_ATTRIBUTES}\s*/?>", re.IGNORECASE)


_BLOCK_TAG = _tags(_BLOCK)
_INLINE_TAG = _tags(_INLINE)
_CLOSING_TAG = re.compile(r"\[/[A-Za-z][\w-]*\s*\]|</[A-Za-z][\w-]*\s*>")
_ATTRIBUTE_TAG = re.compile(r"\[[A-Za-z][\w-]*=[^\[\]\n]*\]"
                            r"|<[A-Za-z][\w-]*\s+[\w-]+\s*=\s*[^<>\n]*>")

_URL = re.compile(r"\b(?:https?://|www\.)(?:www\.)?([\w-]+(?:\.[\w-]+)+)[^\s\[\]<>()\"']*",
                  re.IGNORECASE)
_EMAIL = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
_TRAILING_URL_PUNCT = re.compile(r"[.,;:!?]+$")

# ":fire:", ":thumbs_up:", ":+1:" -- at least one letter, so times ("10:30:45") never match.
_SHORTCODE = re.compile(r"(?<![A-Za-z]):(?:[A-Za-z][\w+-]*|[+-]1):(?!\w)")
_EMOTICON = re.compile(r"(?:(?<=\s)|^)(?:[:;=][-'^]?[()\[\]DPpOo3/\\|*]+|<3+|[xX]D+|\^_*\^)"
                       r"(?=\s|$|[.,!?])")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF"
                    "\uFE0E\uFE0F\u200D\u20E3\U000E0020-\U000E007F]")


def _url(match: re.Match[str]) -> str:
    host = match.group(1)
    trailing = _TRAILING_URL_PUNCT.search(match.group())
    return " " + host.replace(".", " dot ") + " " + (trailing.group() if trailing else "")


def _email(match: re.Match[str]) -> str:
    name = match.group(1).replace(".", " dot ")
    return f"{name} at {match.group(2).replace('.', ' dot ')}"


def strip_markup(text: str, *, speak_addresses: bool = True, block: str = ", ") -> str:
    """The words a reader sees in ``text``, without tags, shortcodes, emoji or addresses
    (read aloud unless ``speak_addresses`` is off); a block tag leaves ``block``."""
    text = _COMMENT.sub(" ", text)
    text = _MD_IMAGE.sub(" ", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _IMAGE.sub(" ", text)
    text = _BLOCK_TAG.sub(block, text)
    text = _INLINE_TAG.sub("", text)
    text = _CLOSING_TAG.sub("", text)
    text = _ATTRIBUTE_TAG.sub("", text)
    if speak_addresses:
        text = _EMAIL.sub(_email, text)
        text = _URL.sub(_url, text)
    text = _SHORTCODE.sub(" ", text)
    text = _EMOTICON.sub(" ", text)
    return _EMOJI.sub(" ", text)


NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)  # the author's notes: never read, never shown
# **strong**, *em*, __strong__, _em_, ~~struck~~: not inside a word (snake_case, 2*3*4).
_EMPHASIS = re.compile(r"(?<![\w*_~])(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1(?![\w*_~])")
_SPACE_LEFT = re.compile(r"\s+(?=[,.;:!?])")


def reader_text(text: str) -> str:
    """``text`` as a reader of the captions should see it (see the module doc)."""
    if not _READER_HINT.search(text):
        return " ".join(text.split())  # most lines: nothing to do
    shown = html.unescape(NOTE.sub(" ", text))
    shown = strip_markup(shown, speak_addresses=False, block=" ")
    shown = _EMPHASIS.sub(r"\2", shown)
    shown = " ".join(shown.split())
    if shown != " ".join(text.split()):  # what markup left behind: "Run :fire: !" -> "Run!"
        shown = _SPACE_LEFT.sub("", shown)
    return shown


# A quick test that ``strip_markup`` has nothing to do (most lines of a novel).
MARKUP_HINT = re.compile(r"[\[<@]|:[\w+-]|://|www\.|[\U0001F000-\U0001FAFF\u2300-\u27BF]")
_READER_HINT = re.compile(MARKUP_HINT.pattern + r"|[&*_~]")
