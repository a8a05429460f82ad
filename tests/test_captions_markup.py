"""Captions, transcripts, markers and chapter titles show a line as a reader sees it: the
author's markup (BBCode, HTML, ``:fire:`` shortcodes, emoji, ``*emphasis*``, notes) is gone from
every delivered text file of a real render, as it is from the speech."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.render.episode import render_episode

MIX = "[mix]\nauto_beds = false\nintro_music = false\noutro_music = false\n"
SCRIPT = """Title: Signal Fire

# The [b]north[/b] tower
MARA: Light it [b]now[/b] :fire: before the boat turns back.
OWEN: I *really* cannot, Mara 🔥 the wood is <i>soaked</i> through.
MARA: Then use the oil &amp; the rags [[cut in the edit?]] from the shed.
"""
SHOWN = ["Light it now before the boat turns back.",
         "I really cannot, Mara the wood is soaked through.",
         "Then use the oil & the rags from the shed."]
MARKUP = re.compile(r"\[/?b\]|</?i>|:fire:|\U0001F525|\*|&amp;amp;|\[\[|cut in the edit")


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("markup-captions")
    script = root / "signal.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    (root / "signal.cast.toml").write_text(MIX, encoding="utf-8")
    return render_episode(script, root / "out", show_progress=False).episode_dir


def cue_text(captions: str) -> str:
    """The caption text of a VTT or SRT file: cue lines only, voice tags and labels off."""
    shown = []
    for line in captions.splitlines():
        if not line.strip() or line.strip().isdigit() or "-->" in line or line == "WEBVTT":
            continue
        shown.append(re.sub(r"^(?:<v [^>]+>|\w+: )", "", line))
    return " ".join(shown)


def test_vtt_and_srt_show_the_words_without_markup(episode):
    for name in ("transcript.vtt", "transcript.srt"):
        text = (episode / name).read_text(encoding="utf-8")
        assert not MARKUP.search(text), (name, text)
        assert cue_text(text).replace("&amp;", "&") == " ".join(SHOWN), text
    assert "oil &amp;" in (episode / "transcript.vtt").read_text()  # escaped, once
    assert "oil &\n" in (episode / "transcript.srt").read_text()


def test_transcript_and_markers_show_the_words_without_markup(episode):
    segments = json.loads((episode / "transcript.json").read_text())["segments"]
    assert " ".join(s["body"] for s in segments) == " ".join(SHOWN)
    assert all(s["endTime"] >= s["startTime"] for s in segments)
    markers = (episode / "markers.csv").read_text(encoding="utf-8")
    labels = (episode / "labels.txt").read_text(encoding="utf-8")
    for text in (markers, labels):
        assert not MARKUP.search(text), text
    assert all(line in markers for line in SHOWN)


def test_chapter_titles_lose_their_markup(episode):
    chapters = json.loads((episode / "chapters.json").read_text())["chapters"]
    assert [c["title"] for c in chapters] == ["The north tower"]
    assert "Chapter: The north tower" in (episode / "labels.txt").read_text(encoding="utf-8")
