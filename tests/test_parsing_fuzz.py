"""Whatever the text, every parser returns a Script or raises ScriptError, nothing else."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import ScriptError
from pipeline.model import Script
from pipeline.parsing import parse_text
from pipeline.textprep import is_speakable

FORMATS = st.sampled_from([None, "prose", "play", "fountain"])
# Pieces of every syntax the parsers know, so the fuzzer reaches past the "empty" checks.
PIECES = st.sampled_from([
    "\n", "\n\n", " ", "\t", "abc", "Spike", "MARA", "BRICK ^", "@tegme", ": ", '"', "\u201c",
    "\u201d", "(", ")", "[", "]", "[[", "]]", "/*", "*/", "*", "_", ">", "<", "#", "=", "~", "!",
    ".", "...", "INT. HOUSE - DAY", "EXT.", "CUT TO:", "[SFX: door]", "[AMBIENCE: off]",
    "[PAUSE 99999s]", "[MUSIC:]", "Title: ", "Summary: ", "said Buffy", " she said", "I said",
    "(beat)", "(whispering)", "/", "\\", "..", "122", "147th", "$5", "\u2014", "\u00e9", "\r\n",
])
STRUCTURED = st.lists(PIECES, max_size=40).map("".join)


def check(text: str, fmt: str | None) -> None:
    try:
        script = parse_text(text, "fuzz.txt", fmt)
    except ScriptError as err:
        assert str(err).startswith("fuzz.txt")
        return
    assert isinstance(script, Script)
    lines = script.lines()
    assert lines and all(is_speakable(c.text) for c in lines)
    ids = [c.line_id for c in lines]
    assert len(set(ids)) == len(ids) and all(re.match(r"^s\d\d-l\d\d\d$", i) for i in ids)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(), FORMATS)
def test_arbitrary_text(text: str, fmt: str | None) -> None:
    check(text, fmt)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STRUCTURED, FORMATS)
def test_script_shaped_text(text: str, fmt: str | None) -> None:
    check(text, fmt)
