"""Publishing end to end on fake rendered episodes: the feed read back by feedparser, gPodder's
podcastparser and lxml; stable guids; byte-identical republish; escaping; the show page; the CLI."""

from __future__ import annotations

import html
import io
import json
import re
import sys
import types
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from PIL import Image
from test_publish_fakes import SHOW_TOML, make_episode, make_rendered_show, make_show, toml_str
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import PublishError
from pipeline.publish.artwork import check_artwork
from pipeline.publish.podcast_ns import PODCAST_NS
from pipeline.publish.publish import publish
from pipeline.publish.show import DISCLOSURE_TEXT, SPOKEN_NOTICE, podcast_guid

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FEED_URL = "https://example.com/show/feed.xml"
NS = {"podcast": PODCAST_NS, "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
TRICKY = "Tom & <Jerry> say \"hi\" & 'bye' \U0001f3ad"


def _publish(show: Path, out: Path, now: datetime = NOW, **kw):
    return publish(show, out, render=False, now=now, **kw)


@pytest.fixture
def published(tmp_path: Path):
    show, out = make_rendered_show(tmp_path)
    result = _publish(show, out)
    return show, out, result


def named(out: Path, slug: str, suffix: str) -> str:
    """The one file of ``slug`` with ``suffix`` in the feed folder (its name has a hash)."""
    found = [p.name for p in (out / "feed").iterdir()
             if re.fullmatch(rf"{re.escape(slug)}-[0-9a-f]{{10}}{re.escape(suffix)}", p.name)]
    assert len(found) == 1, found
    return found[0]


def _xml(out: Path) -> etree._Element:
    return etree.fromstring((out / "feed" / "feed.xml").read_bytes())


def _item(root: etree._Element, guid: str) -> etree._Element:
    return next(i for i in root.iter("item") if i.findtext("guid") == guid)


# -- the feed, field by field ----------------------------------------------------------------

def test_feedparser_reads_every_field(published) -> None:
    _, out, result = published
    feed = feedparser.parse((out / "feed" / "feed.xml").read_bytes())
    assert not feed.bozo
    f = feed.feed
    assert f.title == "Night Stories"
    assert f.link == "https://example.com/show/"
    assert f.subtitle == "Stories for the dark evenings."
    assert f.language == "en"
    assert f.author == "Ada Writer"
    assert f.publisher_detail == {"name": "Ada Writer", "email": "ada@example.com"}
    assert f.image.href.startswith("https://example.com/show/cover-")
    assert [t.term for t in f.tags] == ["Fiction", "Drama"]
    assert f.itunes_type == "episodic"
    assert f.podcast_guid == podcast_guid(FEED_URL)
    assert f.podcast_locked == {"owner": "ada@example.com"}
    assert {"href": FEED_URL, "rel": "self", "type": "application/rss+xml"} in f.links
    assert f.generator == "Castwright"

    two, one = feed.entries  # newest first
    assert [e.title for e in feed.entries] == ["Two: the return", "One"]
    assert [e.id for e in feed.entries] == [r.guid for r in result.episodes]
    assert not one.guidislink
    assert one.link == "https://example.com/show/#one"
    enclosure = one.enclosures[0]
    mp3 = named(out, "one", ".mp3")
    assert enclosure.href == f"https://example.com/show/{mp3}"
    assert enclosure.type == "audio/mpeg"
    assert int(enclosure.length) == (out / "feed" / mp3).stat().st_size
    assert one.published == "Mon, 06 Jan 2025 00:00:00 +0000"
    assert two.published == "Mon, 13 Jan 2025 18:30:00 +0000"
    assert (one.itunes_duration, two.itunes_duration) == ("00:00:01", "00:00:02")
    assert (two.itunes_episode, two.itunes_season, two.itunes_episodetype) == ("2", "1", "full")
    assert (two.podcast_episode, two.podcast_season) == ("2", "1")
    assert one.summary == f"A keeper & his lamp.\n\n{DISCLOSURE_TEXT}"
    assert "<li>Mara — voice: en_GB-alba-medium</li>" in one.content[0].value
    assert one.podcast_chapters == {
        "url": f"https://example.com/show/{named(out, 'one', '.chapters.json')}",
        "type": "application/json+chapters"}
    # feedparser keeps only the last transcript; lxml below checks all three.
    assert one.podcast_transcript == {
        "url": f"https://example.com/show/{named(out, 'one', '.vtt')}", "type": "text/vtt",
        "rel": "captions"}
    # Apple's true/false: feedparser 6 knows only yes/no/clean, so it reads None (podcastparser
    # below, and lxml in test_podcast_namespace_elements, read the value).
    assert f.itunes_explicit is None


def test_podcastparser_reads_every_field(published, monkeypatch) -> None:
    _, out, result = published
    data = (out / "feed" / "feed.xml").read_bytes()
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(data))
    assert parsed["title"] == "Night Stories"
    assert parsed["link"] == "https://example.com/show/"
    assert parsed["description"] == "Stories for the dark evenings."
    assert parsed["language"] == "en"
    assert parsed["itunes_author"] == "Ada Writer"
    assert parsed["itunes_owner"] == {"name": "Ada Writer", "email": "ada@example.com"}
    assert parsed["itunes_categories"] == [["Fiction", "Drama"]]
    assert parsed["explicit"] is False
    assert parsed["type"] == "episodic"
    assert parsed["cover_url"].startswith("https://example.com/show/cover-")
    one = next(e for e in parsed["episodes"] if e["number"] == 1)
    assert one["guid"] == result.episodes[1].guid
    assert one["title"] == "One"
    assert one["season"] == 1 and one["type"] == "full"
    assert one["total_time"] == 1
    assert one["published"] == int(datetime(2025, 1, 6, tzinfo=UTC).timestamp())
    mp3 = named(out, "one", ".mp3")
    assert one["enclosures"] == [{"url": f"https://example.com/show/{mp3}",
                                  "mime_type": "audio/mpeg",
                                  "file_size": (out / "feed" / mp3).stat().st_size}]
    assert one["description"] == f"A keeper & his lamp.\n\n{DISCLOSURE_TEXT}"

    # podcastparser 0.6.11 only knows the namespace's old GitHub URI, which the spec declares
    # identical to the canonical one we write; teach it the canonical URI, as the spec requires.
    monkeypatch.setitem(podcastparser.Namespace.NAMESPACES, PODCAST_NS, "podcast")
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(data))
    assert parsed["import_prohibited"] is True  # <podcast:locked>yes
    one = next(e for e in parsed["episodes"] if e["number"] == 1)
    assert one["transcript_url"] == f"https://example.com/show/{named(out, 'one', '.vtt')}"
    assert one["chapters_json_url"] == \
        f"https://example.com/show/{named(out, 'one', '.chapters.json')}"
    # Characters and synthetic voices are not people: no <podcast:person> for them.
    assert not one.get("persons")


def test_podcast_namespace_elements(published) -> None:
    _, out, result = published
    root = _xml(out)
    channel = root.find("channel")
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(FEED_URL)
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("yes", "ada@example.com")
    assert [e.text for e in channel.findall("itunes:explicit", NS)] == ["false"]
    assert channel.findall("podcast:person", NS) == []
    assert channel.find("itunes:image", NS).get("href") == channel.findtext("image/url")
    item = _item(root, result.episodes[1].guid)
    assert [(t.get("url").rsplit("/", 1)[1], t.get("type"), t.get("rel"))
            for t in item.findall("podcast:transcript", NS)] == [
        (named(out, "one", ".transcript.json"), "application/json", None),
        (named(out, "one", ".srt"), "application/x-subrip", "captions"),
        (named(out, "one", ".vtt"), "text/vtt", "captions")]
    assert item.findall("podcast:person", NS) == [] and item.find("itunes:explicit", NS) is None
    assert item.findtext("podcast:season", namespaces=NS) == "1"
    assert item.findtext("podcast:episode", namespaces=NS) == "1"
    assert item.findtext("itunes:title", namespaces=NS) == "One"
    # every URL in the feed names a file that was published
    urls = [e.get("url") or e.get("href") for e in root.iter() if e.get("url") or e.get("href")]
    for url in urls:
        if url.startswith("https://example.com/show/") and not url.endswith("/"):
            name = url.removeprefix("https://example.com/show/")
            assert (out / "feed" / name).is_file(), name


def test_enclosure_is_the_exact_published_file(published) -> None:
    _, out, result = published
    for rec in result.episodes:
        published_file = out / "feed" / rec.file_name
        assert rec.length == published_file.stat().st_size
        assert published_file.read_bytes() == (out / rec.slug / "episode.mp3").read_bytes()
        # a private copy: rewriting the episode folder in place cannot touch the feed
        assert published_file.stat().st_ino != (out / rec.slug / "episode.mp3").stat().st_ino
    assert check_artwork(next((out / "feed").glob("cover-*.png")))[0] == 1400


def test_republish_is_byte_identical(published) -> None:
    show, out, first = published
    before = {p.name: p.read_bytes() for p in (out / "feed").iterdir()}
    mp3 = named(out, "one", ".mp3")
    inode = (out / "feed" / mp3).stat().st_ino
    again = _publish(show, out, now=NOW + timedelta(days=40))
    after = {p.name: p.read_bytes() for p in (out / "feed").iterdir()}
    assert after == before
    assert (out / "feed" / mp3).stat().st_ino == inode  # unchanged audio is not re-copied
    assert again.changed == [] and again.episodes == first.episodes
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "catalog.sqlite", "feed", "one", "two"]  # (.locks: the folders' locks)


def test_rerender_keeps_guid_and_updates_length(published) -> None:
    show, out, first = published
    make_episode(out, "one", out.parent / "scripts" / "one.txt", seconds=3.0, freq=550)
    later = NOW + timedelta(days=3)
    second = _publish(show, out, now=later)
    old, new = first.episodes[1], second.episodes[1]
    assert new.slug == old.slug == "one"
    assert new.guid == old.guid and new.published == old.published
    assert new.file_name != old.file_name  # new audio, new URL: no app keeps the old file
    assert new.length == (out / "feed" / new.file_name).stat().st_size != old.length
    assert (out / "feed" / old.file_name).is_file()  # kept a while for who has the old feed
    assert (new.duration, new.updated) == (3.0, later)
    assert second.changed == ["one"]
    feed = feedparser.parse((out / "feed" / "feed.xml").read_bytes())
    one = next(e for e in feed.entries if e.title == "One")
    assert one.id == old.guid
    assert int(one.enclosures[0].length) == new.length
    assert one.itunes_duration == "00:00:03"
    assert parsedate_to_datetime(feed.feed.updated) == later  # lastBuildDate


def test_guids_survive_a_lost_catalog(published) -> None:
    show, out, first = published
    (out / "catalog.sqlite").unlink()
    again = _publish(show, out, now=NOW + timedelta(days=1))
    # derived from the show's <podcast:guid> and the slug; dates come from the show file
    assert again.episodes == first.episodes


def test_guid_override_is_used_and_kept(tmp_path: Path) -> None:
    text = SHOW_TOML.format(title='"T"').replace(
        "locked = true", 'locked = true\nguid = "9b024349-ccf0-5f69-a609-6b82873eab3c"')
    show, out = make_rendered_show(tmp_path)
    show.write_text(text)
    result = _publish(show, out)
    assert result.podcast_guid == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert _xml(out).findtext("channel/podcast:guid", namespaces=NS) == result.podcast_guid


def test_tricky_text_round_trips(tmp_path: Path, monkeypatch) -> None:
    text = SHOW_TOML.format(title=toml_str(TRICKY)).replace(
        'title = "Two: the return"', f"title = {toml_str(TRICKY + ' 2')}")
    show = make_show(tmp_path, text)
    out = tmp_path / "output"
    make_episode(out, "one", tmp_path / "scripts" / "one.txt", title=TRICKY + " 1",
                 summary="<script>alert('x')</script> & \u00e9t\u00e9 \U0001f30a")
    make_episode(out, "two", tmp_path / "scripts" / "two.txt")
    _publish(show, out)
    data = (out / "feed" / "feed.xml").read_bytes()
    feed = feedparser.parse(data)
    assert feed.feed.title == TRICKY
    assert [e.title for e in feed.entries] == [TRICKY + " 2", TRICKY + " 1"]
    # The summary is HTML to readers: its brackets arrive as text, never as a tag to run.
    summary = "<script>alert('x')</script> & \u00e9t\u00e9 \U0001f30a"
    assert feed.entries[1].summary_detail.type == "text/html"
    assert "<script" not in feed.entries[1].summary
    assert html.unescape(feed.entries[1].summary) == f"{summary}\n\n{DISCLOSURE_TEXT}"
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(data))
    for episode in parsed["episodes"]:
        assert "<script" not in (episode.get("description_html") or "")
        assert "<script" not in episode["description"]
    assert parsed["title"] == TRICKY
    assert {e["title"] for e in parsed["episodes"]} == {TRICKY + " 1", TRICKY + " 2"}
    assert _xml(out).findtext("channel/title") == TRICKY

    page = (out / "feed" / "index.html").read_text(encoding="utf-8")
    assert "<Jerry>" not in page and "<script>alert" not in page
    assert "Tom &amp; &lt;Jerry&gt; say &quot;hi&quot; &amp; &#x27;bye&#x27; \U0001f3ad" in page
    # Transcript lines show as a reader sees them ("<b>&</b>": markup around a "&"), escaped.
    assert " &amp;</p>" in page and "&lt;b&gt;" not in page


def test_control_characters_are_dropped_not_fatal(tmp_path: Path) -> None:
    show, out = make_rendered_show(tmp_path)
    make_episode(out, "one", tmp_path / "scripts" / "one.txt", title="Bell\x07 One\x0b")
    _publish(show, out)
    assert feedparser.parse((out / "feed" / "feed.xml").read_bytes()).entries[1].title == \
        "Bell One"


# -- the show page ---------------------------------------------------------------------------

def test_show_page_lists_players_notes_and_transcripts(published) -> None:
    _, out, _ = published
    page = (out / "feed" / "index.html").read_text(encoding="utf-8")
    assert page.index('id="two"') < page.index('id="one"')
    assert f'<audio controls preload="metadata" src="{named(out, "one", ".mp3")}"><track ' \
        f'kind="captions" src="{named(out, "one", ".vtt")}"' in page
    assert f'<p class="disclosure">{DISCLOSURE_TEXT}</p>' in page
    assert '<p class="notes">A keeper &amp; his lamp.</p>' in page
    assert "<li><b>Mara</b> — voice: en_GB-alba-medium</li>" in page
    assert '<b>Tom:</b> Line 3 by Tom' in page
    assert '<p class="narration">' in page  # narration is not labelled with a speaker
    assert '<a href="feed.xml">RSS feed</a>' in page
    assert "<h4>The Lamp</h4>" in page


def test_show_page_falls_back_to_the_vtt(tmp_path: Path) -> None:
    show, out = make_rendered_show(tmp_path)
    import json

    manifest = json.loads((out / "one" / "manifest.json").read_text())
    manifest["lines"] = []
    (out / "one" / "manifest.json").write_text(json.dumps(manifest))
    _publish(show, out)
    page = (out / "feed" / "index.html").read_text(encoding="utf-8")
    one = page[page.index('id="one"'):]
    assert '<button class="seek" data-t="0.33">0:00</button><b>Mara:</b> Line 2' in one


# -- scheduling, rendering, defaults ---------------------------------------------------------

def test_future_episodes_are_held_back(tmp_path: Path) -> None:
    show, out = make_rendered_show(tmp_path)
    first = datetime(2024, 12, 1, tzinfo=UTC)
    result = _publish(show, out, now=first)
    assert result.episodes == [] and len(result.scheduled) == 2
    feed = feedparser.parse((out / "feed" / "feed.xml").read_bytes())
    assert feed.entries == [] and parsedate_to_datetime(feed.feed.updated) == first
    assert "No episodes yet." in (out / "feed" / "index.html").read_text()
    result = _publish(show, out, now=datetime(2025, 1, 10, tzinfo=UTC))
    assert [r.slug for r in result.episodes] == ["one"]
    assert [r.slug for r in result.scheduled] == ["two"]
    assert len(feedparser.parse((out / "feed" / "feed.xml").read_bytes()).entries) == 1
    assert not (out / "feed" / "two.mp3").exists()
    result = _publish(show, out, now=datetime(2025, 1, 14, tzinfo=UTC))
    assert [r.slug for r in result.episodes] == ["two", "one"]


def test_undated_episode_gets_its_first_publication_date(tmp_path: Path) -> None:
    text = SHOW_TOML.format(title='"T"').replace("date = 2025-01-06\n", "")
    show, out = make_rendered_show(tmp_path)
    show.write_text(text)
    first = _publish(show, out, now=NOW)
    assert first.episodes[0].slug == "one" and first.episodes[0].published == NOW
    again = _publish(show, out, now=NOW + timedelta(days=9))
    assert again.episodes[0].published == NOW


def _fake_render(monkeypatch, calls: list[dict]) -> None:
    """Stand in for pipeline.render.episode (the real one synthesizes speech)."""
    def render_episode(script_path, out_dir, cast_path=None, jobs=1, **kw):
        calls.append({"script": Path(script_path).name, "jobs": jobs, **kw})
        folder = make_episode(Path(out_dir), kw["slug"], Path(script_path), title="Rendered")
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest.update(episode_meta=kw.get("meta") or {}, mix=kw.get("mix") or {},
                        show_cast=kw.get("show_cast") or {})  # as the real render records
        (folder / "manifest.json").write_text(json.dumps(manifest))
        return types.SimpleNamespace(episode_dir=folder)

    module = types.ModuleType("pipeline.render.episode")
    module.render_episode = render_episode
    monkeypatch.setitem(sys.modules, "pipeline.render.episode", module)


def test_stale_episodes_are_rendered_first(tmp_path: Path, monkeypatch) -> None:
    calls: list[dict] = []
    _fake_render(monkeypatch, calls)
    show = make_show(tmp_path)
    out = tmp_path / "output"
    make_episode(out, "one", tmp_path / "scripts" / "one.txt")  # current; "two" is missing
    result = publish(show, out, jobs=3, now=NOW)
    assert [c["script"] for c in calls] == ["two.txt"]
    assert calls[0]["jobs"] == 3 and calls[0]["slug"] == "two"
    meta = calls[0]["meta"]
    assert meta["author"] == "Ada Writer" and meta["title"] == "Two: the return"
    assert meta["show"] == "Night Stories" and meta["episode_number"] == 2
    assert meta["season"] == 1 and meta["date"] == "2025-01-13"
    assert result.rendered == ["two"]

    (tmp_path / "scripts" / "one.txt").write_text("# Episode one\n\nIt was darker.\n")
    result = publish(show, out, now=NOW)
    assert [c["script"] for c in calls] == ["two.txt", "one.txt"]
    assert result.rendered == ["one"]
    assert publish(show, out, now=NOW).rendered == []


def test_no_render_refuses_stale_episodes(tmp_path: Path) -> None:
    show = make_show(tmp_path)
    out = tmp_path / "output"
    make_episode(out, "one", tmp_path / "scripts" / "one.txt")
    with pytest.raises(PublishError, match=r"episode 'two' is stale \(not rendered yet\)"):
        _publish(show, out)
    # nothing written (but the folders' locks)
    assert sorted(p.name for p in out.iterdir() if p.name != ".locks") == ["one"]


def test_old_manifest_without_script_hash_uses_mtimes(tmp_path: Path, monkeypatch) -> None:
    import json
    import os

    calls: list[dict] = []
    _fake_render(monkeypatch, calls)
    show, out = make_rendered_show(tmp_path)
    for slug in ("one", "two"):
        path = out / slug / "manifest.json"
        manifest = json.loads(path.read_text())
        del manifest["script_sha256"]
        path.write_text(json.dumps(manifest))
    publish(show, out, now=NOW)
    assert calls == []
    script = tmp_path / "scripts" / "two.txt"
    future = (out / "two" / "manifest.json").stat().st_mtime + 10
    os.utime(script, (future, future))
    publish(show, out, now=NOW)
    assert [c["script"] for c in calls] == ["two.txt"]


def test_default_cover_when_the_show_has_none(tmp_path: Path) -> None:
    show, out = make_rendered_show(tmp_path)
    show.write_text(show.read_text().replace('artwork = "cover.png"\n', ""))
    _publish(show, out)
    covers = list((out / "feed").glob("cover-*.png"))
    assert len(covers) == 1 and check_artwork(covers[0]) == (1400, ".png")
    first = covers[0].read_bytes()
    _publish(show, out)
    assert next((out / "feed").glob("cover-*.png")).read_bytes() == first


def test_changed_cover_gets_a_new_url(published) -> None:
    show, out, _ = published
    old = next((out / "feed").glob("cover-*.png")).name
    Image.new("RGB", (1400, 1400), "maroon").save(show.parent / "cover.png")
    _publish(show, out)
    href = _xml(out).find("channel/itunes:image", NS).get("href")
    new = href.rsplit("/", 1)[1]
    assert new != old and new.startswith("cover-") and (out / "feed" / new).is_file()
    # The old cover stays a while for apps that read the previous feed, then goes.
    assert (out / "feed" / old).is_file()
    _publish(show, out, now=NOW + timedelta(days=8))
    assert sorted(p.name for p in (out / "feed").glob("cover-*")) == [new]


# -- bad input -------------------------------------------------------------------------------

def test_bad_show_file_writes_nothing(tmp_path: Path) -> None:
    text = SHOW_TOML.format(title='"T"').replace("https://example.com/show/", "file:///srv/show")
    show = make_show(tmp_path, text)
    with pytest.raises(PublishError, match="base_url 'file:///srv/show' must be an http"):
        _publish(show, tmp_path / "output")
    assert not (tmp_path / "output").exists()


def test_broken_manifest_keeps_the_previous_feed_and_catalog(published) -> None:
    import json

    show, out, _ = published
    before = {p.name: p.read_bytes() for p in (out / "feed").iterdir()}
    catalog = (out / "catalog.sqlite").read_bytes()
    path = out / "two" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"] = "episode.mp3"  # current (same script hash) but malformed
    path.write_text(json.dumps(manifest))
    make_episode(out, "one", show.parent / "scripts" / "one.txt", seconds=2.0)  # a real change
    with pytest.raises(PublishError) as info:
        _publish(show, out)
    assert info.value.file == str(path)
    assert "'files' must map kinds to file names" in info.value.problem
    assert {p.name: p.read_bytes() for p in (out / "feed").iterdir()} == before
    assert (out / "catalog.sqlite").read_bytes() == catalog


def test_unreadable_manifest_names_the_file(tmp_path: Path) -> None:
    from pipeline.publish.episode_folder import read_episode

    folder = make_episode(tmp_path, "one")
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(PublishError) as info:
        read_episode(folder)
    assert info.value.file == str(folder / "manifest.json")
    assert "cannot read manifest" in info.value.problem


# -- CLI -------------------------------------------------------------------------------------

def test_cli_publish(tmp_path: Path) -> None:
    show, out = make_rendered_show(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["publish", "--show", str(show), "--out", str(out), "--no-render"])
    assert result.exit_code == 0, result.output
    assert "published 2 episode(s)" in result.output
    assert (out / "feed" / "feed.xml").is_file() and (out / "feed" / "index.html").is_file()


def test_cli_publish_reports_bad_input_on_one_line(tmp_path: Path) -> None:
    text = SHOW_TOML.format(title='"T"').replace('category = "Fiction"', 'category = "Cooking"')
    show = make_show(tmp_path, text)
    result = CliRunner().invoke(app, ["publish", "--show", str(show), "--out",
                                      str(tmp_path / "output")])
    assert result.exit_code == 2
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("category"))
    assert f"error: {show}:{line}: category 'Cooking' is not an Apple Podcasts category" in \
        " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_renders_made_outside_publish_or_for_other_settings_are_redone(tmp_path: Path,
                                                                        monkeypatch) -> None:
    """`castwright render` by hand writes no show tags or cover; a changed [mix] or [cast]
    changes the audio. Publishing such a folder would ship the wrong file."""
    calls: list[dict] = []
    _fake_render(monkeypatch, calls)
    show = make_show(tmp_path)
    out = tmp_path / "output"
    assert publish(show, out, now=NOW).rendered == ["one", "two"]
    assert publish(show, out, now=NOW).rendered == []
    path = out / "one" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["episode_meta"] = {}  # what a plain `castwright render` records
    path.write_text(json.dumps(manifest))
    logged: list[str] = []
    assert publish(show, out, now=NOW, log=logged.append).rendered == ["one"]
    assert any("without this show's tags" in line for line in logged)
    extra = '\n[cast]\nnarrator = "maren"\n\n[mix]\nbed_level_db = -30\n'
    show.write_text(show.read_text() + extra)
    assert publish(show, out, now=NOW).rendered == ["one", "two"]
    assert calls[-1]["show_cast"] == {"narrator": "maren"}
    assert calls[-1]["mix"] == {"bed_level_db": -30, "ai_notice": SPOKEN_NOTICE}
    assert publish(show, out, now=NOW).rendered == []
