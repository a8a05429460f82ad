"""Keeping a pronunciation: one entry written into a show file's ``[pronounce]`` table or a
project's ``voices/lexicon.toml`` (``castwright say --add``, the studio's *Keep*).

Both are edited with tomlkit, so the producer's comments and layout stay as they were; the new
text is checked (TOML, every entry) before it atomically replaces the old file.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from pipeline.atomic import write_text
from pipeline.lexicon import LEXICON_FILE, Entry, LexiconError, parse_table

_HEADER = ("Pronunciations: word = \"respelling\", \"/IPA/\" or { say = ..., ipa = ... }.\n"
           "See voices/README.md (\"Pronunciation lexicon\").")


def project_lexicon(voices_dir: Path) -> Path:
    """The lexicon file of ``voices_dir``; never the voices folder Castwright ships (an
    installed package is no place for a project's names)."""
    from pipeline.resources import PACKAGED_VOICES

    if Path(voices_dir).resolve() == PACKAGED_VOICES.resolve():
        raise LexiconError("these episodes use the voices Castwright ships: make a voices/ "
                           "folder in the project (castwright render reads it) or publish from "
                           "a show file to keep pronunciations in")
    return Path(voices_dir) / LEXICON_FILE


def add_entry(path: Path, entry: Entry) -> None:
    """Put ``entry`` into the lexicon file ``path`` (top-level ``word = ...``, or its
    ``[pronounce]`` table when it has one): the word's key replaced, or added."""
    doc = _read(path)
    if not path.is_file():
        doc.add(tomlkit.comment(_HEADER.replace("\n", "\n# ")))
    table = doc["pronounce"] if isinstance(doc.get("pronounce"), dict) else doc
    _put(table, entry)
    text = tomlkit.dumps(doc)
    _check(text, path, lambda data: data.get("pronounce", data)
           if set(data) <= {"pronounce"} else data)
    write_text(path, text)


def add_show_entry(path: Path, entry: Entry) -> None:
    """Put ``entry`` into the ``[pronounce]`` table of the show file ``path`` (made if the
    show has none); the rest of the file is left as it is."""
    if not path.is_file():
        raise LexiconError("the show file is gone", path)
    doc = _read(path)
    if "pronounce" not in doc:
        doc.add("pronounce", tomlkit.table())
    if not isinstance(doc["pronounce"], dict):
        raise LexiconError("[pronounce] must be a table of word = pronunciation", path)
    _put(doc["pronounce"], entry)
    text = tomlkit.dumps(doc)
    _check(text, path, lambda data: data["pronounce"], where="pronounce: ")
    write_text(path, text)


def _read(path: Path) -> tomlkit.TOMLDocument:
    if not path.is_file():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise LexiconError(f"cannot read it: {err}", path) from None
    except TOMLKitError as err:
        raise LexiconError(f"TOML syntax error: {str(err).split(' at line')[0]}", path,
                           getattr(err, "line", None)) from None


def _put(table, entry: Entry) -> None:
    """The word's key (any case) replaced by ``entry``, or added at the end of ``table``."""
    for key in [k for k in table if str(k).lower() == entry.word.lower()]:
        del table[key]
    value = tomlkit.inline_table()
    for name in ("say", "ipa"):
        if getattr(entry, name):
            value[name] = getattr(entry, name)
    table[entry.word] = value


def _check(text: str, path: Path, table_of, where: str = "") -> None:
    """The new text parses and every entry in it is valid, or nothing is written."""
    import tomllib

    data = tomllib.loads(text)
    parse_table(table_of(data), path, text, where)

