"""Pronunciation lexicon: how to say the words engines get wrong (invented names, loanwords).

Entries come from the project's ``voices/lexicon.toml`` and a show's ``[pronounce]`` table
(which wins, word by word)::

    Oyelaran = "oh-yeh-LAH-ran"                        # a respelling: read as written
    Siobhan = "/ʃɪvˈɔːn/"                              # phonemes (IPA) between slashes
    Kittiwake = { say = "kitty wake", ipa = "kˈɪtiwˌeɪk" }  # both: IPA where an engine takes it

Words match whole and case-insensitively; a possessive follows its word ("Oyelaran's").
Piper and Kokoro take phonemes, so an ``ipa`` entry wins with them; other engines read the
respelling (``say``), or the word as written when an entry has none.

A line's take cache key holds only the entries that match it, so changing an entry re-reads
exactly the lines that contain the word.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import CastwrightError

LEXICON_FILE = "lexicon.toml"
_WORD_CHARS = re.compile(r"^[\w][\w'’.\- ]*$")
# espeak writes these as IPA; people type the ASCII look-alikes
_IPA_FIXES = str.maketrans({"g": "ɡ", "r": "ɹ", ":": "ː", "'": "ˈ", ",": "ˌ"})


class LexiconError(CastwrightError):
    """A lexicon entry is wrong: bad word, bad value, unreadable file."""


@dataclass(frozen=True)
class Entry:
    word: str
    say: str | None = None  # respelling, read by any engine
    ipa: str | None = None  # IPA phonemes, for engines that take them (Piper, Kokoro)

    def key(self) -> list[str | None]:
        return [self.word.lower(), self.say, self.ipa]


@dataclass
class Lexicon:
    entries: dict[str, Entry] = field(default_factory=dict)  # lower-cased word -> entry

    def matching(self, text: str) -> tuple[Entry, ...]:
        """The entries whose word occurs in ``text``, in the lexicon's order."""
        return tuple(e for e in self.entries.values() if word_pattern(e.word).search(text))

    def over(self, base: Lexicon) -> Lexicon:
        """This lexicon layered over ``base``: our entries win."""
        return Lexicon({**base.entries, **self.entries})

    def __len__(self) -> int:
        return len(self.entries)


def word_pattern(word: str) -> re.Pattern[str]:
    """``word`` as a whole word (spaces match any run of spaces), case-insensitive."""
    body = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(rf"(?<![\w'’]){body}(?![\w])", re.IGNORECASE)


def normalise_ipa(ipa: str) -> str:
    """Slashes dropped; ASCII look-alikes (g, r, :, ', ,) made the IPA espeak writes."""
    return ipa.strip().strip("/[]").strip().translate(_IPA_FIXES)


def entry_from(word: Any, value: Any, where: str, path: Path | None = None,
               line: int | None = None) -> Entry:
    """One ``word = value`` pair, checked."""
    def fail(problem: str) -> LexiconError:
        return LexiconError(f"{where}{problem}", path, line)

    if not isinstance(word, str) or not _WORD_CHARS.match(word.strip()):
        raise fail(f"'{word}' is not a word or name to pronounce")
    word = " ".join(word.split())
    if isinstance(value, str):
        value = {"ipa": value} if value.strip().startswith("/") else {"say": value}
    if not isinstance(value, dict):
        raise fail(f"'{word}': give a respelling, \"/phonemes/\", or {{ say = ..., ipa = ... }}")
    unknown = set(value) - {"say", "ipa"}
    if unknown:
        raise fail(f"'{word}': unknown key '{sorted(unknown)[0]}' (known: say, ipa)")
    say, ipa = value.get("say"), value.get("ipa")
    for name, text in (("say", say), ("ipa", ipa)):
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise fail(f"'{word}': '{name}' must be non-empty text")
        if text is not None and ("[[" in text or "]]" in text):
            raise fail(f"'{word}': '{name}' cannot contain [[ or ]]")
    if say is None and ipa is None:
        raise fail(f"'{word}': give 'say' (a respelling) or 'ipa' (phonemes)")
    return Entry(word=word, say=" ".join(say.split()) if say else None,
                 ipa=normalise_ipa(ipa) if ipa else None)


def parse_table(table: Any, path: Path | None = None, text: str = "",
                where: str = "") -> Lexicon:
    """A ``word = value`` table (a lexicon file, or a show's ``[pronounce]``)."""
    if not isinstance(table, dict):
        raise LexiconError(f"{where or 'pronounce'} must be a table of word = pronunciation",
                           path)
    entries: dict[str, Entry] = {}
    for word, value in table.items():
        entry = entry_from(word, value, f"{where}" if where else "", path,
                           _line_of(text, str(word)))
        entries[entry.word.lower()] = entry
    return Lexicon(entries)


def _line_of(text: str, word: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip().lstrip('"')
        if stripped.startswith(word):
            return number
    return None


def load_file(path: Path) -> Lexicon:
    """``voices/lexicon.toml``: word = pronunciation at the top level (or under
    ``[pronounce]``, as in a show file)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as err:
        raise LexiconError(f"cannot read lexicon: {err.strerror}", path) from None
    except UnicodeDecodeError:
        raise LexiconError("lexicon is not UTF-8 text", path) from None
    except tomllib.TOMLDecodeError as err:
        msg = str(err).split(" (at line")[0]
        raise LexiconError(f"TOML syntax error: {msg}", path, getattr(err, "lineno", None)) \
            from None
    table = data.get("pronounce", data) if set(data) <= {"pronounce"} else data
    return parse_table(table, path, text)


SHOW_FILE = "show.toml"  # the show file a project's renders read when none is named


def show_pronounce(project_dir: Path, show_file: Path | None = None
                   ) -> tuple[dict, Path | None]:
    """The ``[pronounce]`` table of ``show_file`` (default: the project's ``show.toml``), if
    there is one, and the file it came from."""
    path = Path(show_file) if show_file is not None else project_dir / SHOW_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}, None  # no show, or one publish will report: nothing to pronounce from it
    table = data.get("pronounce", {})
    return (table, path) if isinstance(table, dict) else ({}, None)


def load_lexicon(voices_dir: Path, show_table: dict | None = None,
                 show_path: Path | None = None) -> Lexicon:
    """The project lexicon (``voices_dir/lexicon.toml``) with a show's ``[pronounce]`` over it.
    Without ``show_table``, it is read from ``show_path`` (default: the ``show.toml`` beside
    ``voices_dir``)."""
    path = voices_dir / LEXICON_FILE
    project = load_file(path) if path.is_file() else Lexicon()
    if show_table is None:
        show_table, show_path = show_pronounce(voices_dir.parent, show_path)
    text = show_path.read_text(encoding="utf-8") if show_path and show_path.is_file() else ""
    return parse_table(show_table, show_path, text, "pronounce: ").over(project)


def entries_key(entries: Iterable[Entry]) -> list[list[str | None]]:
    return [e.key() for e in entries]
