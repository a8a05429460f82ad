"""The show file: loading, defaults, discovery, and one clear error (file + line) per mistake."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image
from test_publish_fakes import SHOW_TOML, make_show, write_cover

from pipeline.errors import CastwrightError, PublishError
from pipeline.files import slugify
from pipeline.publish.artwork import ArtworkProblem, check_artwork, draw_cover, make_cover
from pipeline.publish.show import load_show, podcast_guid

REPO = Path(__file__).resolve().parents[1]


def test_load_show_reads_every_field(tmp_path: Path) -> None:
    show = load_show(make_show(tmp_path, title="Night Stories"))
    assert (show.title, show.author, show.language) == ("Night Stories", "Ada Writer", "en")
    assert (show.owner_name, show.owner_email) == ("Ada Writer", "ada@example.com")
    assert (show.category, show.subcategory, show.type) == ("Fiction", "Drama", "episodic")
    assert show.explicit is False and show.locked is True
    assert show.base_url == "https://example.com/show/"
    assert show.feed_url == "https://example.com/show/feed.xml"
    assert show.artwork == (tmp_path / "cover.png").resolve()
    one, two = show.episodes
    assert (one.slug, one.number, one.season, one.title) == ("one", 1, 1, None)
    assert one.date == datetime(2025, 1, 6, tzinfo=UTC)
    assert two.date == datetime(2025, 1, 13, 18, 30, tzinfo=UTC)
    assert two.title == "Two: the return" and two.episode_type == "full"
    assert one.script == (tmp_path / "scripts" / "one.txt").resolve()
    assert show.mix == {} and show.cast == {}


def test_mix_music_and_cast_tables(tmp_path: Path) -> None:
    (tmp_path / "music").mkdir()
    sf.write(tmp_path / "music" / "theme.wav", np.zeros(4410, np.float32), 44100)
    sf.write(tmp_path / "sting.wav", np.zeros(4410, np.float32), 44100)
    text = SHOW_TOML.format(title='"T"') + (
        '\n[mix]\nspeech_to_bed_db = 20\nmusic_stinger = "sting.wav"\n'
        '\n[music]\ntheme = "music/theme.wav"\n'
        '\n[cast]\nnarrator = "harold"\n')
    show = load_show(make_show(tmp_path, text))
    assert show.mix == {"speech_to_bed_db": 20,
                        "music_stinger": str((tmp_path / "sting.wav").resolve()),
                        "music_theme": str((tmp_path / "music" / "theme.wav").resolve())}
    assert show.cast == {"narrator": "harold"}


@pytest.mark.parametrize("extra, line, problem", [
    ("[mix]\nspeech_to_bed = 20\n", 2, r"unknown \[mix\] setting 'speech_to_bed'"),
    ("[mix]\nauto_beds = true\nduck_depth_db = 4\n", 3, "duck_depth_db = 4: must be between"),
    ('[music]\ntheme = "nope.mp3"\n', 2, "music.theme '.*nope.mp3' not found"),
    ('[music]\nopening = "x.mp3"\n', 2, "unknown field 'opening' in music"),
    ('[mix]\nmusic_outro = "gone.wav"\n', 2, "mix\\] music_outro '.*gone.wav' not found"),
])
def test_bad_mix_and_music_name_their_line(tmp_path: Path, extra: str, line: int,
                                           problem: str) -> None:
    base = SHOW_TOML.format(title='"T"')
    path = make_show(tmp_path, base + "\n" + extra)
    with pytest.raises(PublishError, match=problem) as err:
        load_show(path)
    assert err.value.line == base.count("\n") + 1 + line


def test_base_url_gets_a_trailing_slash_and_guid_override_is_normalised(tmp_path: Path) -> None:
    text = SHOW_TOML.format(title='"T"').replace(
        'base_url = "https://example.com/show/"',
        'base_url = "http://example.com/show"\nguid = "917393E3-1B1E-5CEF-ACE4-EDAA54E1F810"')
    show = load_show(make_show(tmp_path, text))
    assert show.base_url == "http://example.com/show/"
    assert show.guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_episodes_are_discovered_from_scripts_when_none_are_listed(tmp_path: Path) -> None:
    text = SHOW_TOML.format(title='"T"').split("[[episodes]]")[0]
    path = make_show(tmp_path, text)
    (tmp_path / "scripts" / "a-prologue.fountain").write_text("Title: Prologue\n")
    (tmp_path / "scripts" / "notes.json").write_text("{}")  # not a script
    show = load_show(path)
    assert [(e.slug, e.number, e.date) for e in show.episodes] == [
        ("a-prologue", 1, None), ("one", 2, None), ("two", 3, None)]


def test_podcast_guid_matches_the_spec_examples() -> None:
    # Examples from the podcast namespace's guid.md.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == \
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_slugify() -> None:
    assert slugify("The Lighthouse Keeper!") == "the-lighthouse-keeper"
    assert slugify("Café  Noir -- Part 2") == "cafe-noir-part-2"


# -- errors: (replace this, with that) -> message fragment, line ------------------------------

BASE = SHOW_TOML.format(title='"Night Stories"')


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if fragment in ln)


@pytest.mark.parametrize(("old", "new", "message", "line_fragment"), [
    ('title = "Night Stories"\n', "", "missing required field 'title'", None),
    ('author = "Ada Writer"', 'author = ""', "'author' must not be empty", "author ="),
    ('language = "en"', 'language = "English please"', "not a language code", "language ="),
    ('base_url = "https://example.com/show/"', 'base_url = "ftp://example.com/show/"',
     "must be an http:// or https:// URL", "base_url ="),
    ('base_url = "https://example.com/show/"', 'base_url = "example.com/show"',
     "must be an http:// or https:// URL", "base_url ="),
    ('category = "Fiction"', 'category = "fiction"', "did you mean 'Fiction'", "category ="),
    ('category = "Fiction"', 'category = "Cooking"', "not an Apple Podcasts category",
     "category ="),
    ('subcategory = "Drama"', 'subcategory = "Stand-Up"', "subcategory 'Stand-Up' is not in",
     "subcategory ="),
    ("explicit = false", 'explicit = "no"', "'explicit' must be true or false", "explicit ="),
    ('type = "episodic"', 'type = "daily"', "type must be 'episodic' or 'serial'", "type ="),
    ('email = "ada@example.com"', 'email = "ada at example"', "is not an e-mail address",
     "email ="),
    ('email = "ada@example.com"\n', "", "missing required field 'owner.email'", "[owner]"),
    ('locked = true', 'locked = true\ntittle = "typo"', "unknown field 'tittle'", "tittle ="),
    ('script = "scripts/two.txt"', 'script = "scripts/missing.txt"',
     "script not found: scripts/missing.txt", "scripts/missing.txt"),
    ("number = 2", "number = 1", "episode number 1 in season 1 is used twice",
     None),
    ("number = 2", "number = 0", "episodes[1].number must be a whole number from 1 to 99999", None),
    ("date = 2025-01-13T18:30:00Z", 'date = "next tuesday"', "is not an ISO date",
     "next tuesday"),
    ('title = "Two: the return"', 'title = "Two"\nepisode_type = "special"',
     "episode_type must be one of full, trailer, bonus", "special"),
    ('script = "scripts/two.txt"', 'script = "scripts/two.txt"\nslug = "Two Again"',
     "slug 'Two Again' may only use", "Two Again"),
    ('script = "scripts/two.txt"', 'script = "scripts/one.txt"', "slug 'one' is used twice",
     None),
    ("locked = true", 'locked = true\nguid = "not-a-uuid"', "guid 'not-a-uuid' is not a UUID",
     "guid ="),
])
def test_bad_show_files_name_the_file_line_and_problem(tmp_path: Path, old: str, new: str,
                                                        message: str,
                                                        line_fragment: str | None) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = make_show(tmp_path, text)
    with pytest.raises(PublishError) as info:
        load_show(path)
    err = info.value
    assert message in err.problem
    assert err.file == str(path)
    if line_fragment is not None:
        assert err.line == _line_of(text, line_fragment), str(err)
    assert str(err).startswith(f"{path}:")


def test_duplicate_number_points_at_the_second_entry(tmp_path: Path) -> None:
    text = BASE.replace("number = 2", "number = 1")
    with pytest.raises(PublishError) as info:
        load_show(make_show(tmp_path, text))
    numbers = [i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("number = 1")]
    assert info.value.line == numbers[1]
    assert f"also at line {numbers[0]}" in info.value.problem


def test_same_number_in_different_seasons_is_fine(tmp_path: Path) -> None:
    text = BASE.replace("number = 2\nseason = 1", "number = 1\nseason = 2")
    assert [e.season for e in load_show(make_show(tmp_path, text)).episodes] == [1, 2]


def test_toml_syntax_errors_carry_the_line(tmp_path: Path) -> None:
    text = BASE.replace('language = "en"', 'language = "en')
    with pytest.raises(PublishError) as info:
        load_show(make_show(tmp_path, text))
    assert "TOML syntax error" in info.value.problem
    assert info.value.line == _line_of(text, 'language = "en')


def test_missing_show_file(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="show file not found"):
        load_show(tmp_path / "show.toml")


def test_multiline_strings_do_not_confuse_line_numbers(tmp_path: Path) -> None:
    text = BASE.replace('description = "Stories for the dark evenings."',
                        'description = """\nStories.\ncategory = "not a key"\n"""')
    text = text.replace('category = "Fiction"', 'category = "Nope"')
    with pytest.raises(PublishError) as info:
        load_show(make_show(tmp_path, text))
    assert info.value.line == _line_of(text, 'category = "Nope"')


# -- artwork ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("side", "mode", "fmt", "problem"), [
    (1400, "RGB", "GIF", "must be JPEG or PNG, not GIF"),
    (1000, "RGB", "PNG", "must be 1400-3000 px a side, not 1000x1000 px"),
    (3001, "RGB", "PNG", "must be 1400-3000 px a side, not 3001x3001 px"),
    (1400, "CMYK", "JPEG", "must use the RGB colour space, not CMYK"),
    (1400, "L", "PNG", "must use the RGB colour space, not L"),
])
def test_bad_artwork(tmp_path: Path, side: int, mode: str, fmt: str, problem: str) -> None:
    path = write_cover(tmp_path / "art.img", side, mode, fmt)
    with pytest.raises(ArtworkProblem, match=problem):
        check_artwork(path)


def test_artwork_must_be_square_and_an_image(tmp_path: Path) -> None:
    Image.new("RGB", (1400, 1500)).save(tmp_path / "tall.png")
    with pytest.raises(ArtworkProblem, match="must be square, not 1400x1500 px"):
        check_artwork(tmp_path / "tall.png")
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(ArtworkProblem, match="not a readable image"):
        check_artwork(tmp_path / "text.png")


def test_bad_artwork_in_show_file_names_the_line(tmp_path: Path) -> None:
    path = make_show(tmp_path)
    Image.new("RGB", (600, 600)).save(tmp_path / "cover.png")
    with pytest.raises(PublishError) as info:
        load_show(path)
    assert "artwork 'cover.png': must be 1400-3000 px a side" in info.value.problem
    assert info.value.line == _line_of(BASE, "artwork =")


def test_default_cover_is_deterministic_and_valid(tmp_path: Path) -> None:
    a = make_cover("Night Stories", tmp_path / "a.png", "Ada Writer")
    b = make_cover("Night Stories", tmp_path / "b.png", "Ada Writer")
    assert a.read_bytes() == b.read_bytes()
    assert check_artwork(a) == (1400, ".png")
    assert draw_cover("Another title").tobytes() != Image.open(a).tobytes()


def test_example_show_cover_is_valid() -> None:
    assert check_artwork(REPO / "artwork" / "cover.png") == (1400, ".png")


def test_example_show_file_loads() -> None:
    if not (REPO / "scripts" / "the-lighthouse-keeper.txt").exists():
        pytest.skip("scripts/the-lighthouse-keeper.txt is not written yet")
    show = load_show(REPO / "show.toml")
    assert show.title == "Castwright Theatre"
    assert [e.slug for e in show.episodes] == ["the-lighthouse-keeper"]


def test_show_cast_is_checked_like_a_cast_file(tmp_path: Path) -> None:
    good = BASE + '\n[cast]\nnarrator = "harold"\n\n[cast.characters.Mara]\nvoice = "clara"\n'
    show = load_show(make_show(tmp_path, good))
    assert show.cast == {"narrator": "harold", "characters": {"Mara": {"voice": "clara"}}}
    bad = BASE + '\n[cast]\nnarator = "harold"\n'
    with pytest.raises(CastwrightError) as info:
        load_show(make_show(tmp_path, bad))
    assert "unknown key 'cast.narator'" in str(info.value)
    assert info.value.line == _line_of(bad, "narator =")
    pace = BASE + '\n[cast.characters.Mara]\nvoice = "clara"\npace = "fast"\n'
    with pytest.raises(CastwrightError, match="'pace' must be a number"):
        load_show(make_show(tmp_path, pace))
