"""Publishing real renders: the spoken AI-voice notice in the intro (the narrator's voice, a
cached take), switched off in the show file, and content-hashed enclosures that change when a
regen changes the audio."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from pipeline.publish.publish import publish
from pipeline.publish.show import SPOKEN_NOTICE
from pipeline.render.cache import TakeCache
from pipeline.render.episode import CACHE_DIR
from pipeline.render.manifest import load_manifest
from pipeline.render.regen import regen_line

pytestmark = pytest.mark.xdist_group("render")

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SHOW = """title = "Harbour Tales"
author = "Test Author"
description = "Short plays by the sea."
language = "en"
category = "Fiction"
base_url = "https://example.com/harbour/"

[owner]
name = "Test Author"
email = "test@example.com"

[mix]
auto_beds = false

[[episodes]]
script = "harbour.txt"
number = 1
date = 2025-01-06
"""
SCRIPT = """Title: Harbour

# Quay
ANNA: The boat is late again.
TOM: It always is, in this weather.
"""


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    folder = tmp_path_factory.mktemp("harbour-show")
    (folder / "harbour.txt").write_text(SCRIPT, encoding="utf-8")
    (folder / "show.toml").write_text(SHOW, encoding="utf-8")
    publish(folder / "show.toml", folder / "output", now=NOW)
    return folder


def test_the_narrator_reads_the_ai_notice_in_the_intro(show: Path) -> None:
    episode = show / "output" / "harbour"
    m = load_manifest(episode)
    notice = m["notice"]
    assert notice["text"] == SPOKEN_NOTICE
    music = [p for p in m["timeline"]["placements"] if p["kind"] == "music"]
    assert music[0]["start"] == 0.0 and not music[0]["source_line"]  # the automatic intro
    assert music[0]["start"] < notice["start"] < notice["end"] < m["lines"][0]["start"]
    take = TakeCache(show / "output" / CACHE_DIR).meta(notice["cache_key"])
    assert take["voice"] == m["cast"]["Narrator"] and take["text"] == SPOKEN_NOTICE
    vtt = (episode / "transcript.vtt").read_text(encoding="utf-8")
    first = vtt.split("\n\n")[1]
    assert "<v Narrator>This story is performed" in first
    assert m["lines"][0]["line_id"] == "s01-l001"  # not a line of the script


def _own_show(show: Path, tmp_path: Path) -> Path:
    """The same show in a folder of its own, published (takes come from the first's cache)."""
    import shutil

    copy = tmp_path / "show"
    copy.mkdir()
    for name in ("harbour.txt", "show.toml"):
        shutil.copy(show / name, copy / name)
    shutil.copytree(show / "output" / ".cache", copy / "output" / ".cache")
    publish(copy / "show.toml", copy / "output", now=NOW)
    return copy


def test_switching_the_spoken_notice_off_rerenders_without_it(show: Path, tmp_path) -> None:
    copy = _own_show(show, tmp_path)
    text = (copy / "show.toml").read_text().replace("[mix]", "[disclosure]\nspoken = false\n\n"
                                                    "[mix]")
    (copy / "show.toml").write_text(text)
    result = publish(copy / "show.toml", copy / "output", now=NOW + timedelta(days=1))
    assert result.rendered == ["harbour"]
    m = load_manifest(copy / "output" / "harbour")
    assert m["notice"] is None
    assert "performed by synthetic" not in (copy / "output" / "harbour" /
                                            "transcript.vtt").read_text()
    # The description still says so: the metadata disclosure is not optional.
    feed = feedparser.parse((copy / "output" / "feed" / "feed.xml").read_bytes())
    assert "synthetic" in feed.entries[0].summary


def test_a_regen_gives_the_enclosure_a_new_url(show: Path, tmp_path) -> None:
    copy = _own_show(show, tmp_path)
    before = feedparser.parse((copy / "output" / "feed" / "feed.xml").read_bytes())
    old_url = before.entries[0].enclosures[0].href
    assert re.fullmatch(r"https://example\.com/harbour/harbour-[0-9a-f]{10}\.mp3", old_url)
    regen_line(copy / "output" / "harbour", "s01-l002")
    publish(copy / "show.toml", copy / "output", now=NOW + timedelta(days=1))
    after = feedparser.parse((copy / "output" / "feed" / "feed.xml").read_bytes())
    new_url = after.entries[0].enclosures[0].href
    assert new_url != old_url and after.entries[0].id == before.entries[0].id
    feed_dir = copy / "output" / "feed"
    assert (feed_dir / new_url.rsplit("/", 1)[1]).read_bytes() == \
        (copy / "output" / "harbour" / "episode.mp3").read_bytes()
    assert (feed_dir / old_url.rsplit("/", 1)[1]).is_file()  # kept for a week
    publish(copy / "show.toml", copy / "output", now=NOW + timedelta(days=9))
    assert not (feed_dir / old_url.rsplit("/", 1)[1]).exists()
    assert (feed_dir / new_url.rsplit("/", 1)[1]).is_file()
