"""Delivery from the text: manner words, prose attributions, capitals, punctuation, emphasis,
and that each reaches the engines (a different reading, not just a different number)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.casting import cast_script, load_cast_file
from pipeline.catalog import load_catalog
from pipeline.delivery import (
    EMPHATIC,
    EXCLAMATION,
    QUESTION,
    emphasized_words,
    from_text,
    shouted,
)
from pipeline.engines import synthesize
from pipeline.engines.base import Delivery, VoiceSpec
from pipeline.parsing import parse_script

JOE = VoiceSpec(name="joe", engine="piper", model="builtin:joe")
KENJI = VoiceSpec(name="kenji", engine="kokoro", speaker="jm_kumo")

PROSE = """Title: Whispers

Chapter One

Mara and Elias waited in the dark.

"Stay here," Mara whispered. "They're close."

"I WILL NOT HIDE!" Elias said.

"Then go," Mara said.
"""


def test_prose_attributions_set_the_manner(tmp_path: Path):
    path = tmp_path / "whispers.txt"
    path.write_text(PROSE, encoding="utf-8")
    script = parse_script(path)
    cast = cast_script(script, load_catalog(), load_cast_file(None))
    dialogue = [c for c in script.lines() if c.kind.value == "dialogue"]
    first = cast.lines[dialogue[0].line_id].delivery
    assert first.volume_db < 0 and first.pace < 1  # "she whispered"
    assert cast.lines[dialogue[1].line_id].delivery == first  # the same quote, same paragraph
    last = cast.lines[dialogue[-1].line_id].delivery
    assert last.volume_db == 0 and last.pace == 1  # "Mara said": nothing special


def test_capitals_punctuation_and_emphasis():
    assert shouted("I WILL NOT HIDE!") and not shouted("I will NOT hide.")
    assert not shouted("OK.")  # one word in capitals is not shouting
    assert emphasized_words("I *did* tell you, _twice_, **right here**.") == (
        "did", "twice", "right", "here")
    assert emphasized_words("2 * 3 * 4 and snake_case_names") == ()
    base = Delivery()
    shout = from_text("I WILL NOT HIDE!", base)
    assert shout.volume_db > 4 and shout.pace > 1.1
    assert from_text("Is it lit?", base).expressiveness == QUESTION.expressiveness
    assert from_text("It's lit!", base) == Delivery(
        pace=EXCLAMATION.pace, expressiveness=EXCLAMATION.expressiveness,
        volume_db=EXCLAMATION.volume_db)
    assert from_text("I *did* tell you.", base) == EMPHATIC
    assert from_text("Plain words.", base) == base


@pytest.mark.parametrize("voice", [JOE, KENJI], ids=["piper", "kokoro"])
def test_delivery_from_the_text_reaches_the_engine(voice):
    text = "I did tell you about the boat."
    plain = synthesize(voice, text)
    emphatic = synthesize(voice, text, from_text("I *did* tell you about the boat.", Delivery()))
    assert emphatic.duration > plain.duration  # slower
    shouted_take = synthesize(voice, text, from_text("I DID TELL YOU ABOUT THE BOAT!",
                                                     Delivery()))
    assert shouted_take.duration < plain.duration * 0.97  # quicker
    whisper = from_text(text, Delivery(pace=0.92, expressiveness=0.7, volume_db=-6.0))
    hushed = synthesize(voice, text, whisper)  # calmer reading; quieter in the mix (volume_db)
    assert len(hushed.samples) != len(plain.samples) or not np.allclose(hushed.samples,
                                                                        plain.samples)
