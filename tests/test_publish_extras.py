"""What a podcaster adds around the audio: the people credited (real ones only), explicit as
true/false, the AI-voice disclosure, per-episode artwork and Markdown show notes (rendered
safely), read back by feedparser, podcastparser and lxml."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from test_publish_fakes import SHOW_TOML, make_episode, make_show, write_cover

from pipeline.errors import PublishError
from pipeline.publish.artwork import check_artwork
from pipeline.publish.podcast_ns import PODCAST_NS
from pipeline.publish.publish import publish, render_request
from pipeline.publish.show import DISCLOSURE_TEXT, SPOKEN_NOTICE, load_show

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FEED_URL = "https://example.com/show/feed.xml"
NS = {"podcast": PODCAST_NS, "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
PEOPLE = """
[[people]]
name = "Ada Writer"
role = "Writer"
href = "https://example.com/ada"

[[people]]
name = "Sam Producer"
role = "producer"

[[people]]
name = "Jo Director"
role = "director"
img = "https://example.com/jo.jpg"
"""
NOTES = """## Behind the story

Recorded on a *wet* Tuesday. Thanks to [the harbour](https://example.com/harbour).

<script>alert("x")</script> <img src=x onerror=alert(1)> [click](javascript:alert(1))

- rain
- wind
"""


def _show(root: Path, extra: str = "", top: str = "", **episode: str) -> tuple[Path, Path]:
    text = SHOW_TOML.format(title='"Night Stories"').replace(
        "locked = true\n", f"locked = true\n{top}")
    if episode:
        text = text.replace('title = "Two: the return"\n', 'title = "Two: the return"\n' + "".join(
            f"{k} = {v}\n" for k, v in episode.items()))
    show = make_show(root, text + extra)
    out = root / "output"
    make_episode(out, "one", root / "scripts" / "one.txt", title="One")
    make_episode(out, "two", root / "scripts" / "two.txt", title="Two", seconds=1.5, freq=330)
    return show, out


def _feed(out: Path) -> tuple[bytes, etree._Element]:
    data = (out / "feed" / "feed.xml").read_bytes()
    return data, etree.fromstring(data)


def test_people_are_the_show_files_people_and_no_characters(tmp_path: Path) -> None:
    show, out = _show(tmp_path, PEOPLE, **{
        "people": '[{name = "Guest Writer", role = "guest writer"}]'})
    publish(show, out, render=False, now=NOW)
    data, root = _feed(out)
    people = [(p.text, p.get("role"), p.get("group"), p.get("href"), p.get("img"))
              for p in root.find("channel").findall("podcast:person", NS)]
    assert people == [
        ("Ada Writer", "writer", "writing", "https://example.com/ada", None),
        ("Sam Producer", "producer", "creative direction", None, None),
        ("Jo Director", "director", "creative direction", None, "https://example.com/jo.jpg")]
    assert b"Mara" not in b"".join(etree.tostring(p) for p in root.iter(f"{{{PODCAST_NS}}}person"))
    # An item names people only when its episode has its own (they replace the channel's).
    podcastparser.Namespace.NAMESPACES.setdefault(PODCAST_NS, "podcast")
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(data))
    by_number = {e["number"]: e for e in parsed["episodes"]}
    assert not by_number[1].get("persons")
    assert [(p["name"], p["role"], p["group"]) for p in by_number[2]["persons"]] == [
        ("Ada Writer", "writer", "writing"), ("Sam Producer", "producer", "creative direction"),
        ("Jo Director", "director", "creative direction"),
        ("Guest Writer", "guest writer", "writing")]


def test_explicit_is_true_or_false_for_the_show_and_an_episode(tmp_path: Path) -> None:
    show, out = _show(tmp_path, explicit="true")
    show.write_text(show.read_text().replace("explicit = false\ntype", "explicit = true\ntype"))
    publish(show, out, render=False, now=NOW)
    data, root = _feed(out)
    assert [e.text for e in root.find("channel").findall("itunes:explicit", NS)] == ["true"]
    items = {i.findtext("title"): i for i in root.iter("item")}
    assert [e.text for e in items["Two: the return"].findall("itunes:explicit", NS)] == ["true"]
    assert items["One"].find("itunes:explicit", NS) is None  # as the show
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(data))
    assert parsed["explicit"] is True
    assert [e.get("explicit") for e in sorted(parsed["episodes"], key=lambda e: e["number"])] \
        == [None, True]  # an item without the tag: as the show


def test_every_description_discloses_the_synthetic_voices(tmp_path: Path) -> None:
    show, out = _show(tmp_path, '\n[disclosure]\ntext = "Voiced by AI; written by people."\n')
    publish(show, out, render=False, now=NOW)
    data, _ = _feed(out)
    feed = feedparser.parse(data)
    for entry in feed.entries:
        assert entry.summary.endswith("\n\nVoiced by AI; written by people.")
        assert "<p><em>Voiced by AI; written by people.</em></p>" in entry.content[0].value
    for episode in podcastparser.parse(FEED_URL, io.BytesIO(data))["episodes"]:
        assert episode["description"].endswith("Voiced by AI; written by people.")
    page = (out / "feed" / "index.html").read_text(encoding="utf-8")
    assert page.count("Voiced by AI; written by people.") == 2
    assert load_show(show).spoken_notice == SPOKEN_NOTICE  # spoken too, unless switched off


def test_spoken_notice_goes_into_the_render_request_unless_switched_off(tmp_path: Path) -> None:
    show, _ = _show(tmp_path)
    loaded = load_show(show)
    assert loaded.disclosure == DISCLOSURE_TEXT
    assert render_request(loaded, loaded.episodes[0]).mix["ai_notice"] == SPOKEN_NOTICE
    show.write_text(show.read_text() + '\n[disclosure]\nspoken = false\n')
    loaded = load_show(show)
    assert loaded.spoken_notice is None
    assert "ai_notice" not in render_request(loaded, loaded.episodes[0]).mix
    show.write_text(show.read_text().replace(
        "spoken = false", 'spoken_text = "Synthetic voices tonight."'))
    assert load_show(show).spoken_notice == "Synthetic voices tonight."


def test_episode_artwork_and_show_notes_beside_the_script(tmp_path: Path) -> None:
    show, out = _show(tmp_path)
    write_cover(tmp_path / "scripts" / "one.jpg", side=1500, fmt="JPEG")
    (tmp_path / "scripts" / "one.notes.md").write_text(NOTES, encoding="utf-8")
    loaded = load_show(show)
    one = loaded.episodes[0]
    assert one.artwork == (tmp_path / "scripts" / "one.jpg").resolve()
    assert one.notes == (tmp_path / "scripts" / "one.notes.md").resolve()
    assert render_request(loaded, one).meta["cover"] == str(one.artwork)  # the MP3's cover too
    publish(show, out, render=False, now=NOW)
    data, root = _feed(out)
    items = {i.findtext("title"): i for i in root.iter("item")}
    href = items["One"].find("itunes:image", NS).get("href")
    name = href.removeprefix("https://example.com/show/")
    assert name.startswith("one-cover-") and name.endswith(".jpg")
    assert check_artwork(out / "feed" / name)[0] == 1500
    assert items["Two: the return"].find("itunes:image", NS) is None  # the show's cover
    feed = feedparser.parse(data)
    html = next(e for e in feed.entries if e.title == "One").content[0].value
    assert "<h2>Behind the story</h2>" in html and "<em>wet</em>" in html
    assert '<a href="https://example.com/harbour" rel="noopener noreferrer nofollow">' in html
    assert "<li>rain</li>" in html
    # Raw HTML in the notes arrives as text; a javascript: link is no link at all.
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and 'href="javascript' not in html
    page = (out / "feed" / "index.html").read_text(encoding="utf-8")
    assert f'<img class="art" src="{name}"' in page
    assert "<h2>Behind the story</h2>" in page and "<script>alert" not in page


def test_episode_artwork_and_notes_named_in_the_show_file(tmp_path: Path) -> None:
    (tmp_path / "art").mkdir()
    write_cover(tmp_path / "art" / "two.png")
    (tmp_path / "two-notes.md").write_text("**Bold** notes.", encoding="utf-8")
    show, out = _show(tmp_path, artwork='"art/two.png"', notes='"two-notes.md"')
    publish(show, out, render=False, now=NOW)
    feed = feedparser.parse((out / "feed" / "feed.xml").read_bytes())
    two = next(e for e in feed.entries if e.title == "Two: the return")
    assert two.image.href.startswith("https://example.com/show/two-cover-")
    assert "<strong>Bold</strong> notes." in two.content[0].value


@pytest.mark.parametrize("extra, episode, problem", [
    ('\n[[people]]\nname = "Mara"\nrole = "character"\n', {},
     "role 'character' is not a Podcast Taxonomy role"),
    ('\n[[people]]\nrole = "writer"\n', {}, "missing required field 'people.name'"),
    ('\n[[people]]\nname = "A"\nrole = "writer"\nhref = "ftp://x"\n', {},
     "href must be an http"),
    ('\n[disclosure]\nspoken = "no"\n', {}, "disclosure.spoken must be true or false"),
    ('\n[disclosure]\nvoice = "joe"\n', {}, "unknown field 'voice' in disclosure"),
    ("", {"notes": '"missing.md"'}, "show notes not found: missing.md"),
    ("", {"explicit": '"yes"'}, "explicit must be true or false"),
])
def test_bad_extras_name_their_line(tmp_path: Path, extra: str, episode: dict,
                                    problem: str) -> None:
    show, _ = _show(tmp_path, extra, **episode)
    with pytest.raises(PublishError, match=problem) as err:
        load_show(show)
    assert err.value.line is not None


def test_a_bad_cover_beside_a_script_names_the_image(tmp_path: Path) -> None:
    show, _ = _show(tmp_path)
    write_cover(tmp_path / "scripts" / "two.png", side=600)
    with pytest.raises(PublishError) as err:
        load_show(show)
    assert err.value.file == str((tmp_path / "scripts" / "two.png").resolve())
    assert "1400-3000 px" in err.value.problem


def test_notes_files_are_not_taken_for_scripts(tmp_path: Path) -> None:
    text = SHOW_TOML.format(title='"T"').split("[[episodes]]")[0]
    show = make_show(tmp_path, text)
    (tmp_path / "scripts" / "one.notes.md").write_text("Notes.", encoding="utf-8")
    loaded = load_show(show)
    assert [e.slug for e in loaded.episodes] == ["one", "two"]
    assert loaded.episodes[0].notes == (tmp_path / "scripts" / "one.notes.md").resolve()


def test_recorded_lines_are_credited_as_recordings_not_as_a_voice(tmp_path: Path) -> None:
    """A line a person recorded (regen --audio) is no synthetic voice: the cast list names the
    voice that plays the character's other lines and counts the recorded ones."""
    import json

    show, out = _show(tmp_path)
    manifest_path = out / "one" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    mara = dict(manifest["lines"][1])
    manifest["lines"][1].update(voice="recording", engine="recording")  # Mara's first line
    manifest["lines"].append({**mara, "line_id": "s01-l004"})  # and a synthetic one after it
    tom = manifest["lines"][2]
    tom.update(voice="recording", engine="recording")  # Tom only ever recorded
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    publish(show, out, render=False, now=NOW)
    data, _ = _feed(out)
    html = next(e for e in feedparser.parse(data).entries if e.title == "One").content[0].value
    assert "<li>Mara — voice: en_GB-alba-medium; 1 line recorded</li>" in html
    assert "<li>Tom — recorded</li>" in html
    assert "<li>Narrator — voice: en_US-joe-medium</li>" in html
    page = (out / "feed" / "index.html").read_text(encoding="utf-8")
    assert "<li><b>Mara</b> — voice: en_GB-alba-medium; 1 line recorded</li>" in page
