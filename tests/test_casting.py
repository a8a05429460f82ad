"""Casting: cast file, automatic distinct voices, gender hints, determinism, bad cast files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.casting import NARRATOR, base_speaker, cast_script, delivery_for, load_cast_file
from pipeline.catalog import load_catalog
from pipeline.errors import CastError
from pipeline.parsing import parse_script

PLAY = """Title: Casting Test

# The kitchen
[AMBIENCE: room]
MARTHA: Is the kettle on?
JONAH: (whispering) It has been on for an hour.
MARTHA: Then where is the tea?
OLD TOM: Don't ask me. I only live here.
"""


@pytest.fixture
def play(tmp_path: Path) -> Path:
    path = tmp_path / "kitchen.txt"
    path.write_text(PLAY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_automatic_cast_is_distinct_and_deterministic(play, catalog):
    script = parse_script(play)
    first = cast_script(script, catalog, load_cast_file(None))
    second = cast_script(parse_script(play), catalog, load_cast_file(None))
    voices = {name: v.name for name, v in first.voices.items()}
    assert voices == {name: v.name for name, v in second.voices.items()}
    assert len(set(voices.values())) == len(voices), voices  # everyone sounds different
    assert set(first.automatic) == set(script.speakers())


def test_every_line_is_cast(play, catalog):
    script = parse_script(play)
    cast = cast_script(script, catalog, load_cast_file(None))
    assert set(cast.lines) == {c.line_id for c in script.lines()}
    speakers = {line.speaker for line in cast.lines.values()}
    assert NARRATOR not in speakers or any(not c.speaker for c in script.lines())


def test_cast_file_names_voices_and_delivery(play, tmp_path, catalog):
    some_voice = next(v for v in catalog.values() if v.role != "narrator").name
    cast_path = tmp_path / "cast.toml"
    cast_path.write_text(f'[characters.Martha]\nvoice = "{some_voice}"\npace = 1.1\n')
    script = parse_script(play)
    cast = cast_script(script, catalog, load_cast_file(cast_path))
    assert cast.voices["Martha"].name == some_voice
    assert "Martha" not in cast.automatic
    martha_lines = [c for c in cast.lines.values() if c.speaker == "Martha"]
    assert martha_lines and all(c.delivery.pace == pytest.approx(1.1) for c in martha_lines)


def test_parenthetical_changes_delivery(play, catalog):
    cast = cast_script(parse_script(play), catalog, load_cast_file(None))
    jonah = next(c for c in cast.lines.values() if c.speaker == "Jonah")
    assert jonah.delivery.volume_db < 0  # whispering is quieter
    assert delivery_for(None, jonah.delivery) == jonah.delivery


def test_seed_genders_cast_matching_voices(seed_path, catalog):
    script = parse_script(seed_path)
    cast = cast_script(script, catalog, load_cast_file(None))
    assert script.gender_hints.get("Spike") == "male"
    assert script.gender_hints.get("Buffy") == "female"
    assert cast.voices["Spike"].gender in (None, "male")
    assert cast.voices["Buffy"].gender in (None, "female")


@pytest.mark.parametrize(("content", "needle"), [
    ('narrator = "joe"\n[characters\nbroken', "TOML syntax error"),
    ('narrator = "no-such-voice"\n', "unknown voice 'no-such-voice'"),
    ('[characters.Martha]\nvoice = "nobody-at-all"\n', "unknown voice 'nobody-at-all'"),
    ('[characters."../etc"]\nvoice = "joe"\n', "path characters"),
    ('colour = "blue"\n', "unknown key 'colour'"),
    ('[characters.Martha]\npace = "fast"\n', "must be a number"),
])
def test_bad_cast_files(play, tmp_path, catalog, content, needle):
    cast_path = tmp_path / "bad.cast.toml"
    cast_path.write_text(content, encoding="utf-8")
    with pytest.raises(CastError) as err:
        cast_script(parse_script(play), catalog, load_cast_file(cast_path))
    message = str(err.value)
    assert needle in message
    assert str(cast_path) in message
    assert "\n" not in message


def test_more_characters_than_voices_still_sound_different(tmp_path, catalog):
    names = [f"PERSON{chr(65 + i)}" for i in range(len(catalog) + 4)]
    path = tmp_path / "crowd.txt"
    path.write_text("\n".join(f"{n}: Hello there, I am here." for n in names), encoding="utf-8")
    cast = cast_script(parse_script(path), catalog, load_cast_file(None))
    chosen = [v for name, v in cast.voices.items() if name != NARRATOR]
    assert len({v.name for v in chosen}) == len(chosen)
    # really different: another base speaker, or another design of one
    assert len({(base_speaker(v), v.design) for v in chosen}) == len(chosen)


def test_main_characters_get_different_base_speakers_first(tmp_path, catalog):
    """The characters with most lines get distinct speakers (engines, styles) before anyone
    gets a designed variant of a speaker already in the cast."""
    lines = {"ANNA": 6, "BILL": 5, "CARA": 4, "DAN": 2, "EVE": 1}
    text = "\n".join(f"{name}: Line {i} of mine." for name, n in lines.items() for i in range(n))
    path = tmp_path / "many.txt"
    path.write_text(text, encoding="utf-8")
    cast = cast_script(parse_script(path), catalog, load_cast_file(None))
    bases = {v.engine + str(v.speaker) for v in catalog.values()}
    taken = {base_speaker(cast.narrator)}
    expected_distinct = min(len(bases) - 1, len(lines))
    for name in list(lines)[:expected_distinct]:
        voice = cast.voices[name.capitalize()]
        assert base_speaker(voice) not in taken, (name, voice.name)
        taken.add(base_speaker(voice))
    assert list(cast.voices) == ["Narrator", "Anna", "Bill", "Cara", "Dan", "Eve"]
