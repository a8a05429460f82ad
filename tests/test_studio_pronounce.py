"""Add a pronunciation from the studio's line panel, in a real headless Chromium: try it (heard
in context, nothing written), keep it (written into the show file's [pronounce], whatever the
show file is called; the episode's lines with the word, and only they, read again and re-mixed),
and bad input refused with a clear error in the page and nothing written."""

from __future__ import annotations

import tomllib

import pytest
from studio_support import (
    episode_url,
    manifest,
    render_episode,
    row_takes,
    start_studio,
    takes,
    wait_idle,
    wait_remixed,
)

from pipeline.lexicon import Entry, LexiconError
from pipeline.lexicon_edit import add_entry, add_show_entry

pytestmark = pytest.mark.xdist_group("studio-pronounce")

SCRIPT = """Title: The Ferry

NARRATOR: The ferry from Oyelaran came in at dusk.
ANNA: Is the boat back?
BILL: The Oyelaran boat is back, and the harbour is quiet.
ANNA: Then we go home.
"""
SHOW = """# The ferry plays: not called show.toml on purpose
title = "Ferry Tales"

[pronounce]
quay = "key"  # said as the locals say it
"""
WORD_LINES = ["s01-l001", "s01-l003"]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio-pronounce")
    show = folder / "ferry-show.toml"
    show.write_text(SHOW, encoding="utf-8")
    episode = render_episode(folder, SCRIPT, show_file=show)
    running = start_studio(episode, folder)
    running.show = show
    yield running
    running.stop()


def keys(studio) -> dict[str, str]:
    return {line["line_id"]: line["cache_key"] for line in manifest(studio)["lines"]}


def open_line(page, studio, line_id: str):
    page.goto(episode_url(studio))
    page.click(f"#line-{line_id} .text")
    panel = page.locator(f'#inspector .panel[data-line="{line_id}"]')
    panel.wait_for()
    return panel


def page_error(page) -> str:
    card = page.locator(".job[data-state=failed] .job-msg").last
    card.wait_for()
    return card.inner_text()


def test_bad_pronunciations_are_refused_in_the_page(studio, page):
    shown, before = studio.show.read_bytes(), keys(studio)
    panel = open_line(page, studio, "s01-l001")
    form = panel.locator("form.pronounce")
    form.locator("button.keep-pronounce").click()  # no word at all
    assert "'word' must be non-empty text" in page_error(page)

    page.evaluate("document.querySelectorAll('.job').forEach(c => c.remove())")
    form.locator("input[name=word]").fill("Oyelaran")
    form.locator("select[name=kind]").select_option("ipa")
    form.locator("input[name=value]").fill("oʊ§ɛlɑɹən")  # § is no phoneme
    form.locator("button.keep-pronounce").click()
    error = page_error(page)
    assert "'Oyelaran': /oʊ§ɛlɑɹən/ has §, not a phoneme voice joe (piper) knows" in error

    page.evaluate("document.querySelectorAll('.job').forEach(c => c.remove())")
    form.locator("input[name=word]").fill("Zanzibar")
    form.locator("select[name=kind]").select_option("say")
    form.locator("input[name=value]").fill("zan zi bar")
    form.locator("button.try-pronounce").click()
    assert "'Zanzibar' is not a word of s01-l001" in page_error(page)
    assert studio.show.read_bytes() == shown and keys(studio) == before


def test_try_then_keep_a_pronunciation(studio, page):
    shown, before, taken = studio.show.read_bytes(), keys(studio), takes(studio)
    panel = open_line(page, studio, "s01-l001")
    form = panel.locator("form.pronounce")
    assert "[pronounce] of ferry-show.toml" in form.inner_text()
    form.locator("input[name=word]").fill("Oyelaran")
    form.locator("input[name=value]").fill("oh-YEL-a-ran")

    form.locator("button.try-pronounce").click()  # heard in context, nothing written
    page.wait_for_function("() => document.querySelector('#cue-audio').src.includes('/cuts/')")
    page.wait_for_function("() => document.querySelector('#cue-audio').readyState >= 2")
    assert "Trying Oyelaran as “oh-YEL-a-ran”" in page.inner_text("#now")
    assert "Unaided, the voices read it /" in form.locator(".espeak").inner_text()
    wait_idle(studio)
    assert studio.show.read_bytes() == shown and keys(studio) == before

    version = page.evaluate("document.body.dataset.version")
    audio = page.get_attribute("#episode-audio", "src")
    form.locator("button.keep-pronounce").click()
    wait_remixed(page, version)
    wait_idle(studio)

    text = studio.show.read_text(encoding="utf-8")
    assert tomllib.loads(text)["pronounce"] == {"quay": "key",
                                                "Oyelaran": {"say": "oh-YEL-a-ran"}}
    assert text.startswith("# The ferry plays") and "# said as the locals say it" in text
    after = keys(studio)
    assert sorted(k for k in after if after[k] != before[k]) == WORD_LINES
    assert takes(studio) == taken == row_takes(page)  # same take numbers, new readings
    assert page.get_attribute("#episode-audio", "src") != audio
    used = manifest(studio)["pronounce"]
    assert any(entry[0] == "oyelaran" for entry in used), used
    page.wait_for_selector('#inspector .panel[data-line="s01-l001"] .lexicon li')
    assert "Oyelaran “oh-YEL-a-ran”" in panel.locator(".lexicon").inner_text()


def test_said_another_way_replaces_the_entry(studio, page):
    before = keys(studio)
    panel = open_line(page, studio, "s01-l003")
    form = panel.locator("form.pronounce")
    form.locator("input[name=word]").fill("oyelaran")  # any case: the same word
    form.locator("select[name=kind]").select_option("ipa")
    form.locator("input[name=value]").fill("/oʊjˈɛlɚɹæn/")
    version = page.evaluate("document.body.dataset.version")
    form.locator("button.keep-pronounce").click()
    wait_remixed(page, version)
    wait_idle(studio)
    table = tomllib.loads(studio.show.read_text(encoding="utf-8"))["pronounce"]
    assert table == {"quay": "key", "oyelaran": {"ipa": "oʊjˈɛlɚɹæn"}}
    after = keys(studio)
    assert sorted(k for k in after if after[k] != before[k]) == WORD_LINES


def test_a_show_file_gets_a_pronounce_table_and_stays_valid(tmp_path):
    show = tmp_path / "radio.toml"
    show.write_text('title = "Radio"  # the name\n', encoding="utf-8")
    add_show_entry(show, Entry("Siobhan", ipa="ʃɪvˈɔːn"))
    text = show.read_text(encoding="utf-8")
    assert "# the name" in text
    assert tomllib.loads(text) == {"title": "Radio", "pronounce": {"Siobhan": {"ipa": "ʃɪvˈɔːn"}}}
    show.write_text('title = "Radio"\npronounce = "no"\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="must be a table"):
        add_show_entry(show, Entry("Siobhan", say="shiv awn"))
    assert show.read_text(encoding="utf-8") == 'title = "Radio"\npronounce = "no"\n'


def test_a_lexicon_file_is_made_or_edited_in_place(tmp_path):
    lexicon = tmp_path / "lexicon.toml"
    add_entry(lexicon, Entry("Kittiwake", say="kitty wake"))
    add_entry(lexicon, Entry("kittiwake", say="kitti wake"))
    add_entry(lexicon, Entry("Siobhan", ipa="ʃɪvˈɔːn"))
    data = tomllib.loads(lexicon.read_text(encoding="utf-8"))
    assert data == {"kittiwake": {"say": "kitti wake"}, "Siobhan": {"ipa": "ʃɪvˈɔːn"}}
    assert lexicon.read_text(encoding="utf-8").startswith("# Pronunciations:")
