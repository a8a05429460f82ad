"""Reading our TOML files (cast files, the voice catalog, the show file) the same way: a UTF-8 BOM
is fine, a size cap, syntax errors at their line, and ``KeyLines`` to point any later problem at
the line of its key (tomllib gives values without positions).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pipeline.errors import CastwrightError

MAX_TOML_BYTES = 4 << 20  # a cast or show file is a few KB; anything this big is not one
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def read_toml(path: Path, error: type[CastwrightError], what: str = "file"
              ) -> tuple[dict[str, Any], str]:
    """The parsed table and the text; every problem is ``error(problem, path, line)``."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TOML_BYTES + 1)
    except OSError as err:
        raise error(f"cannot read {what}: {err.strerror or err}", path) from None
    if len(data) > MAX_TOML_BYTES:
        raise error(f"{what} is larger than {MAX_TOML_BYTES >> 20} MB: not a {what}", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise error(f"{what} is not UTF-8 text", path,
                    data.count(b"\n", 0, err.start) + 1) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as err:
        raise error(f"TOML syntax error: {syntax_problem(err)}", path,
                    syntax_line(err, text)) from None


def syntax_problem(err: tomllib.TOMLDecodeError) -> str:
    message = str(err)
    return _AT_LINE.sub("", message).replace("(at end of document)", "at the end").strip()


def syntax_line(err: tomllib.TOMLDecodeError, text: str) -> int | None:
    """tomllib (3.11) puts the position in the message only."""
    m = _AT_LINE.search(str(err))
    if m:
        return int(m.group(1))
    if "end of document" in str(err):
        return max(1, len(text.rstrip("\n").splitlines()))
    return None


class KeyLines:
    """Line numbers of keys and table headers: tomllib reports values without positions."""

    _HEADER = re.compile(r"^(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^("[^"]*"|'[^']*'|[A-Za-z0-9_.\-]+)\s*=""")

    def __init__(self, text: str):
        # (line, table, array index or None, key or None for the header itself)
        self.entries: list[tuple[int, str, int | None, str | None]] = []
        table, index, counts = "", None, {}
        open_quote: str | None = None
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if open_quote:  # inside a multi-line string: nothing here is a key
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            if m := self._HEADER.match(line):
                name = m.group(2).replace('"', "").replace("'", "")
                if m.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                else:
                    index = None
                table = name
                self.entries.append((n, table, index, None))
            elif m := self._KEY.match(line):
                self.entries.append((n, table, index, m.group(1).strip("\"'")))
                rest = line[m.end():]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        open_quote = quote

    def line(self, key: str | None = None, table: str = "", index: int | None = None) -> int | None:
        header = None
        for n, t, i, k in self.entries:
            if k is not None and t == "" and table and k == f"{table}.{key}":
                return n  # dotted key at the root: owner.email = "..."
            if t == table and i == index:
                if k == key:
                    return n
                if k is None and header is None:
                    header = n
        if header is None and table:  # e.g. episodes = [{...}] written inline
            return self.line(table)
        return header


