"""A book renders as a season, on real Piper audio: one episode per chapter, numbered, tagged
with the book's metadata and cover, one voice per character across chapters, nothing redone on
a second run, a chapter range, regen of one chapter's line, and a killed render that resumes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from book_support import FERRY, write_ao3_html, write_epub3, write_txt
from mutagen.id3 import ID3

from pipeline.books.book import load_book
from pipeline.books.season import check_season_dir, render_season
from pipeline.errors import RenderError, ScriptError
from pipeline.render.episode import render_episode
from pipeline.render.manifest import load_manifest
from pipeline.render.regen import regen_line

pytestmark = pytest.mark.xdist_group("render")

MIX = {"auto_beds": False, "intro_music": False, "outro_music": False,
       "formats": ["mp3"]}
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    work = tmp_path_factory.mktemp("season")
    book = write_epub3(work / "night-ferry.epub", FERRY)
    result = render_season(book, work / "out", jobs=2, mix=MIX, show_progress=False)
    return work, book, result


def test_one_episode_per_chapter_with_the_books_metadata(season):
    work, book, result = season
    assert [e.number for e in result.episodes] == [1, 2, 3]
    assert [e.episode_dir.name for e in result.episodes] == ["01", "02", "03"]
    assert result.season_dir == work / "out" / "night-ferry"
    for episode, chapter in zip(result.episodes, FERRY.chapters, strict=True):
        manifest = load_manifest(episode.episode_dir)
        assert manifest["title"] == chapter.title
        assert manifest["slug"] == f"night-ferry-{episode.number:02d}"
        meta = manifest["episode_meta"]
        assert meta["show"] == FERRY.title and meta["author"] == FERRY.author
        assert meta["episode_number"] == episode.number and meta["season"] == 1
        tags = ID3(episode.episode_dir / "episode.mp3")
        assert str(tags["TIT2"]) == chapter.title and str(tags["TALB"]) == FERRY.title
        assert tags.getall("APIC"), "the book's cover is embedded"
        assert manifest["duration"] > 5
    first = load_manifest(result.episodes[0].episode_dir)
    # The work's summary opens the season.
    assert [x["text"] for x in first["lines"][:2]] == ["Summary:", FERRY.summary]
    season_file = json.loads((result.season_dir / "season.json").read_text())
    assert season_file["title"] == FERRY.title and season_file["cover"] == "cover.png"
    assert [e["number"] for e in season_file["episodes"]] == [1, 2, 3]
    assert (result.season_dir / "cover.png").read_bytes()[:4] == b"\x89PNG"


def test_a_character_keeps_one_voice_in_every_chapter(season, tmp_path):
    _, book, result = season
    voices: dict[str, set[str]] = {}
    for episode in result.episodes:
        for line in load_manifest(episode.episode_dir)["lines"]:
            voices.setdefault(line["speaker"], set()).add(line["voice"])
    assert {"Mara", "Elias", "Narrator"} <= voices.keys()
    assert all(len(v) == 1 for v in voices.values()), voices
    assert voices["Mara"] != voices["Elias"]
    # Chapter 3 rendered on its own is cast as the whole book casts it.
    alone = render_season(book, tmp_path / "alone", chapters="3", mix=MIX, show_progress=False)
    lines = load_manifest(alone.episodes[0].episode_dir)["lines"]
    assert {line["speaker"]: line["voice"] for line in lines}["Mara"] == next(iter(voices["Mara"]))


def test_second_run_synthesizes_and_mixes_nothing(season):
    work, book, result = season
    again = render_season(book, work / "out", jobs=2, mix=MIX, show_progress=False)
    assert again.synthesized == 0 and again.mixed == 0
    assert again.reused == result.synthesized + result.reused


def test_chapter_range_and_range_errors(season, tmp_path):
    work, book, _ = season
    out = tmp_path / "range"
    partial = render_season(book, out, chapters="2-3", mix=MIX, show_progress=False)
    assert [e.number for e in partial.episodes] == [2, 3]
    assert sorted(p.name for p in partial.season_dir.iterdir()
                  if p.is_dir() and not p.name.startswith(".")) == ["02", "03"]
    for bad in ("4", "0-2", "2-9", "x", "3-1"):
        with pytest.raises(ScriptError) as caught:
            render_season(book, tmp_path / "bad", chapters=bad, mix=MIX, show_progress=False)
        assert "chapters" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "bad").exists()  # nothing half-written


def test_another_book_or_story_of_the_same_name_never_shares_the_season(season, tmp_path):
    work, book, _ = season
    out = tmp_path / "out"
    shutil.copytree(work / "out", out, ignore=shutil.ignore_patterns(".cache"))
    season_dir = out / "night-ferry"
    before = {p: p.stat().st_mtime_ns for p in season_dir.rglob("*")}
    other_book = write_txt(tmp_path / "night-ferry.txt", FERRY)  # the same name, another file
    with pytest.raises(RenderError) as caught:
        render_season(other_book, out, mix=MIX, show_progress=False)
    assert caught.value.file == str(other_book) and "\n" not in str(caught.value)
    assert f"holds the season of the book {book.resolve()}" in caught.value.problem
    assert {p: p.stat().st_mtime_ns for p in season_dir.rglob("*")} == before
    # A single story of that name renders into a folder of its own, not into the season.
    story = tmp_path / "story" / "night-ferry.txt"
    story.parent.mkdir()
    story.write_text("Title: Not the Book\n\nMARA: Hello.\nELIAS: Goodbye.\n")
    episode = render_episode(story, out, mix=MIX, show_progress=False)
    assert episode.episode_dir.parent == out and episode.episode_dir != season_dir
    assert not (season_dir / "manifest.json").exists()
    assert {p: p.stat().st_mtime_ns for p in season_dir.rglob("*")} == before
    # ... and a book is not rendered over that story's episode either.
    (episode.episode_dir / "season.json").unlink(missing_ok=True)
    with pytest.raises(RenderError, match="holds the episode of"):
        check_season_dir(episode.episode_dir, other_book)


def test_regen_works_on_any_chapter(season):
    work, book, result = season
    episode = result.episodes[1].episode_dir
    before = {e.number: load_manifest(e.episode_dir)["mix_fingerprint"] for e in result.episodes}
    line = next(x for x in load_manifest(episode)["lines"] if x["speaker"] == "Mara")
    regen = regen_line(episode, line["line_id"])
    assert regen.take == 2 and regen.synthesized
    after = load_manifest(episode)
    assert next(x for x in after["lines"] if x["line_id"] == line["line_id"])["take"] == 2
    assert after["book"]["chapter"] == 2 and after["slug"] == "night-ferry-02"
    assert after["episode_meta"]["episode_number"] == 2  # the tags survive the re-mix
    for other in (1, 3):
        assert load_manifest(result.episodes[other - 1].episode_dir)["mix_fingerprint"] == \
            before[other]
    regen_line(episode, line["line_id"], take=1)


def test_archive_work_summaries_open_their_episodes(tmp_path):
    book = write_ao3_html(tmp_path / "work.html", FERRY)
    result = render_season(book, tmp_path / "out", chapters="1-2", mix=MIX, show_progress=False)
    first, second = (load_manifest(e.episode_dir) for e in result.episodes)
    assert [x["text"] for x in first["lines"][:3]] == ["Summary:", FERRY.summary,
                                                        "Mara meets the ferryman."]
    assert [x["text"] for x in second["lines"][:2]] == ["Summary:", "The engine fails."]
    assert second["episode_meta"]["summary"] == "The engine fails."
    spoken = " ".join(x["text"] for x in first["lines"] + second["lines"])
    assert "beta reader" not in spoken and "not for reading" not in spoken


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO,
                          capture_output=True, text=True, **kwargs)


def test_cli_renders_a_book_and_keeps_single_stories_single(tmp_path, seed_path):
    txt = write_txt(tmp_path / "ferry.txt", FERRY)
    done = cli("render", str(txt), "-o", str(tmp_path / "out"), "--chapters", "3")
    assert done.returncode == 0, done.stderr
    assert "1 episode(s)" in done.stdout and "Chapter 3: The Far Shore" in done.stdout
    assert (tmp_path / "out" / "ferry" / "03" / "episode.mp3").is_file()
    bad = cli("render", str(txt), "-o", str(tmp_path / "out"), "--chapters", "7-9")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"error: {txt}: --chapters 7-9: outside the book, which has chapters 1-3"]
    story = tmp_path / "seed.txt"
    shutil.copyfile(seed_path, story)
    load = load_book(story)
    assert not load.is_season
    wrong = cli("render", str(story), "--chapters", "2", "-o", str(tmp_path / "out"))
    assert wrong.returncode == 2 and "no chapters" in wrong.stderr


def test_killed_season_render_resumes_from_the_cache(tmp_path):
    book = write_epub3(tmp_path / "ferry.epub", FERRY)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "render", str(book), "-o",
                             str(out), "-q"], cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    takes = out / ".cache" / "takes"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(takes.rglob("*.json"))) < 3 \
            and proc.poll() is None:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    cached = len(list(takes.rglob("*.json")))
    resumed = render_season(book, out, mix=None, show_progress=False)
    total = resumed.synthesized + resumed.reused
    assert 3 <= cached < total
    assert resumed.reused >= cached - 1  # a take in flight may be redone
    assert resumed.synthesized <= total - cached + 1
    assert len(resumed.episodes) == 3
    assert all((e.episode_dir / "episode.mp3").is_file() for e in resumed.episodes)


def test_publish_a_book_as_a_serial_show(season, tmp_path):
    import feedparser
    from PIL import Image

    from pipeline.publish.publish import publish

    work, book, _ = season
    out = tmp_path / "out"
    shutil.copytree(work / "out" / ".cache", out / ".cache")  # takes are made: re-mix only
    shutil.copyfile(book, tmp_path / "night-ferry.epub")
    show = tmp_path / "show.toml"
    show.write_text('book = "night-ferry.epub"\ncategory = "Fiction"\n'
                    'base_url = "https://example.com/ferry/"\n'
                    '[owner]\nname = "Ann"\nemail = "ann@example.com"\n'
                    '[mix]\nauto_beds = false\nintro_music = false\noutro_music = false\n'
                    'formats = ["mp3"]\n', encoding="utf-8")
    result = publish(show, out, jobs=2)
    assert sorted(result.rendered) == ["night-ferry-01", "night-ferry-02", "night-ferry-03"]
    feed = feedparser.parse(str(result.feed_path))
    assert feed.feed.title == FERRY.title
    assert f"<itunes:author>{FERRY.author}</itunes:author>" in result.feed_path.read_text()
    assert feed.feed.itunes_type == "serial" and feed.feed.language == "en"
    assert FERRY.summary in feed.feed.summary
    entries = sorted(feed.entries, key=lambda e: e.published_parsed)
    assert [e.title for e in entries] == [c.title for c in FERRY.chapters]
    assert [int(e.itunes_episode) for e in entries] == [1, 2, 3]
    assert {e.itunes_season for e in entries} == {"1"}
    cover = next(result.feed_dir.glob("cover-*.png"))
    with Image.open(cover) as image:
        assert image.size == (1400, 1400)  # the book's cover, made square for podcast apps
    again = publish(show, out, jobs=2)
    assert again.rendered == [] and again.changed == []


def test_show_file_book_errors(tmp_path):
    from pipeline.errors import PublishError
    from pipeline.publish.show import load_show

    write_epub3(tmp_path / "b.epub", FERRY)
    base = ('category = "Fiction"\nbase_url = "https://example.com/"\n'
            '[owner]\nname = "A"\nemail = "a@example.com"\n')
    show = tmp_path / "show.toml"
    for head, problem in (('book = "b.epub"\nchapters = "5-6"\n', "outside the book"),
                          ('book = "missing.epub"\n', "book not found"),
                          ('chapters = "1-2"\ntitle = "x"\n', "needs 'book'")):
        show.write_text(head + base, encoding="utf-8")
        with pytest.raises(PublishError) as caught:
            load_show(show)
        assert problem in str(caught.value) and str(caught.value).startswith(str(show))
    show.write_text('book = "b.epub"\nchapters = "2-3"\nseason = 2\n' + base, encoding="utf-8")
    loaded = load_show(show)
    assert [(e.number, e.season, e.slug) for e in loaded.episodes] == [
        (2, 2, "b-02"), (3, 2, "b-03")]
