"""The review file: a producer's fixes to who says what, kept beside the story.

    story.txt  ->  story.review.toml

    # Who says what. Each fix names a quotation by its words, so edits elsewhere in the
    # story keep it; speaker = "Narrator" has the narrator read the quotation.
    [[fix]]
    quote = "Thank you, Thomas."
    speaker = "Mara"

    [[fix]]
    quote = "Yes."
    occurrence = 2        # only the second "Yes." of the story
    speaker = "Thomas"

``castwright review SCRIPT LINE SPEAKER`` writes fixes; ``parse``, ``render`` and ``regen``
read them. A fix takes the place of the attribution sieve for its quotation, and the
conversation around it follows (turn-taking starts from the fixed speaker).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from pipeline.atomic import write_text
from pipeline.errors import ScriptError
from pipeline.parsing.common import check_name

SUFFIX = ".review.toml"
NARRATOR = "narrator"
_KEYS = {"quote", "speaker", "occurrence"}
_CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
HEADER = ("# Who says what: fixes to the speakers castwright chose (castwright review).\n"
          "# Each fix names a quotation by its words, so edits elsewhere in the story keep it.\n"
          "# speaker = \"Narrator\" has the narrator read it; occurrence = N fixes only the\n"
          "# Nth quotation with these words.\n\n")


def words_of(text: str) -> str:
    """A quotation's words as fixes compare them: spaces and curly marks don't matter."""
    return " ".join(text.translate(_CURLY).split())


@dataclass(frozen=True)
class Fix:
    quote: str  # the words, as ``words_of`` gives them
    speaker: str
    occurrence: int | None = None
    line: int = 0  # where the fix starts in the review file

    @property
    def to_narrator(self) -> bool:
        return self.speaker.lower() == NARRATOR


@dataclass
class Review:
    path: Path
    fixes: list[Fix] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # indexes of fixes that matched a quotation

    def fix_for(self, keys: dict[str, int]) -> Fix | None:
        """The fix for a quotation read as ``keys``: its words and those of the cues it was cut
        into (``words_of``), each with how many quotations so far read so."""
        for index, fix in enumerate(self.fixes):
            if fix.quote in keys and fix.occurrence in (None, keys[fix.quote]):
                self.used.add(index)
                return fix
        return None

    def unused(self) -> list[Fix]:
        return [f for i, f in enumerate(self.fixes) if i not in self.used]


def review_path(script_path: str | Path) -> Path:
    path = Path(script_path)
    return path.with_name(path.stem + SUFFIX)


def load_review(script_path: str | Path) -> Review | None:
    """The review file beside ``script_path``, or None when there is none."""
    path = review_path(script_path)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ScriptError("review file is not UTF-8 text", path, 1) from None
    except tomllib.TOMLDecodeError as err:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(err))) else 1
        raise ScriptError(f"review file: {str(err).split(' (at')[0]}", path, line) from None
    except OSError as err:
        raise ScriptError(f"cannot read the review file: {err.strerror or err}", path, 1) from None
    return Review(path, _fixes(data, text, path))


def _fixes(data: dict, text: str, path: Path) -> list[Fix]:
    unknown = set(data) - {"fix"}
    if unknown:
        raise ScriptError(f"review file: unknown key '{sorted(unknown)[0]}' (only fix tables)",
                          path, 1)
    tables = data.get("fix", [])
    if not isinstance(tables, list):
        raise ScriptError("review file: 'fix' must be a list of fix tables", path, 1)
    starts = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"^\s*\[\[\s*fix\s*\]\]",
                                                                     text, re.MULTILINE)]
    fixes = []
    for i, table in enumerate(tables):
        line = starts[i] if i < len(starts) else 1
        fixes.append(_fix(table, path, line))
    return fixes


def _fix(table: object, path: Path, line: int) -> Fix:
    if not isinstance(table, dict):
        raise ScriptError("review file: each fix must be a table", path, line)
    unknown = set(table) - _KEYS
    if unknown:
        raise ScriptError(f"review file: unknown key '{sorted(unknown)[0]}' in a fix "
                          "(use quote, speaker, occurrence)", path, line)
    quote, speaker = table.get("quote"), table.get("speaker")
    if not isinstance(quote, str) or not quote.strip():
        raise ScriptError("review file: a fix needs quote = \"the quotation's words\"", path, line)
    if not isinstance(speaker, str) or not speaker.strip():
        raise ScriptError("review file: a fix needs speaker = \"Name\" (or \"Narrator\")", path,
                          line)
    check_name(speaker.strip(), str(path), line)
    occurrence = table.get("occurrence")
    if occurrence is not None and (isinstance(occurrence, bool) or not isinstance(occurrence, int)
                                   or occurrence < 1):
        raise ScriptError("review file: occurrence must be a whole number from 1", path, line)
    return Fix(words_of(quote), " ".join(speaker.split()), occurrence, line)


def add_fix(script_path: str | Path, quote: str, speaker: str,
            occurrence: int | None = None) -> Path:
    """Record a fix (replacing any earlier one for the same quotation) and write the review
    file atomically. Returns its path."""
    review = load_review(script_path) or Review(review_path(script_path))
    new = Fix(words_of(quote), " ".join(speaker.split()), occurrence)
    kept = [f for f in review.fixes if (f.quote, f.occurrence) != (new.quote, new.occurrence)]
    write_text(review.path, HEADER + "\n".join(_fix_table(f) for f in kept + [new]))
    return review.path


def _fix_table(fix: Fix) -> str:
    values = {"quote": fix.quote, "speaker": fix.speaker}
    if fix.occurrence:
        values["occurrence"] = fix.occurrence
    return "[[fix]]\n" + tomli_w.dumps(values)
