"""Caption cues on word timings: lengths, lines, durations, alignment of spoken to written words,
sound captions in the gaps, and the word-level JSON transcript."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.mix import Timeline
from pipeline.mix.captions import MAX_CHARS, MAX_SECONDS, cues, line_words, split_line
from pipeline.mix.timeline import Placement
from pipeline.mix.transcripts import srt, transcript_json, vtt

LONG = ("On the last night before the Gull Rock light goes automatic, its old keeper and the "
        "engineer sent to replace him must bring a lost boat home through a storm. Nobody "
        "rows out here to steal the dark, Miss Quill; nobody ever has, and nobody ever will.")


def timed(text: str, start: float = 0.05, rate: float = 0.3) -> list[list]:
    """Word timings as an engine reports them: one word every ``rate`` seconds."""
    out, t = [], start
    for word in text.split():
        out.append([word, round(t, 3), round(t + rate * 0.8, 3)])
        t += rate
    return out


def speech(text: str, start: float, speaker: str = "Mara", words: list | None = None,
           duration: float | None = None) -> Placement:
    duration = duration or (len(text.split()) * 0.3 + 0.2)
    return Placement(kind="speech", start=start, duration=duration, source="k", text=text,
                     line_id="s01-l001", speaker=speaker, words=words)


def test_cues_fit_two_lines_of_42_characters_and_7_seconds():
    p = speech(LONG, 2.0, "Narrator", timed(LONG))
    tl = Timeline(duration=80.0, placements=[p])
    got = cues(tl)
    assert len(got) >= 4
    for n, cue in enumerate(got):
        shown = list(cue.lines)
        if n == 0:
            shown[0] = "Narrator: " + shown[0]  # SRT labels the line's first cue
        assert 1 <= len(shown) <= 2 and all(len(line) <= MAX_CHARS for line in shown), shown
        assert cue.end - cue.start <= MAX_SECONDS + 1e-9
        assert cue.start >= p.start and cue.end <= p.end + 0.5
    # In order, never overlapping, and together they say the whole line.
    assert all(a.end <= b.start + 1e-9 for a, b in zip(got, got[1:], strict=False))
    assert " ".join(c.text for c in got) == " ".join(LONG.split())
    # Cut where a sentence or clause ends when one is near: no cue ends on "the" or "and".
    assert not any(re.search(r"\b(the|and|a|to)$", c.text) for c in got)
    assert any(c.text.endswith("storm.") for c in got)


def test_each_cue_starts_with_its_first_word():
    words = timed(LONG, start=0.4, rate=0.25)
    p = speech(LONG, 10.0, "Narrator", words)
    for cue in cues(Timeline(duration=60.0, placements=[p])):
        first = cue.words[0]
        assert cue.start == pytest.approx(first.start)
        assert first.start == pytest.approx(10.0 + next(w[1] for w in words
                                                         if w[0] == first.text), abs=1e-9)


def test_spoken_words_align_to_the_authors_words():
    text = "Mr. Crane climbed the 112 steps in 1982 — alone."
    spoken = "Mister Crane climbed the one hundred twelve steps in nineteen eighty-two, alone."
    p = speech(text, 5.0, words=timed(spoken, start=0.0, rate=0.5), duration=6.0)
    words = line_words(p)
    assert [w.text for w in words] == text.split()
    by = {w.text: w for w in words}
    # "112" takes the time of "one hundred twelve", "Mr." of "Mister"; "—" sits between words.
    assert by["112"].start == pytest.approx(5.0 + 2.0) and by["112"].end == pytest.approx(
        5.0 + 3.0 + 0.4)
    assert by["Mr."].start == pytest.approx(5.0)
    assert by["—"].start == by["—"].end == pytest.approx(by["1982"].end)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))


def test_a_take_without_word_times_spreads_its_words():
    p = speech("One two three four.", 1.0, words=None, duration=4.0)
    words = line_words(p)
    assert words[0].start == pytest.approx(1.0) and words[-1].end == pytest.approx(5.0)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(words, words[1:], strict=False))


def test_sound_captions_never_overlap_speech():
    a = speech("Who is there?", 1.0, words=timed("Who is there?"))
    door = Placement(kind="sfx", start=a.end + 0.1, duration=0.3, source="knock",
                     text="a knock at the door", source_line=5)
    b = speech("Only the wind, lad.", door.start + 0.45, "Elias", timed("Only the wind, lad."))
    music = Placement(kind="music", start=b.start + 0.5, duration=8.0, source="tension",
                      text="tension", source_line=7)  # music starting under a line
    c = speech("Then who knocked?", b.end + 3.0, words=timed("Then who knocked?"))
    auto = Placement(kind="music", start=0.0, duration=10.0, source="theme", text="theme")
    tl = Timeline(duration=30.0, placements=[auto, a, door, b, music, c])
    got = cues(tl)
    spoken = [x for x in got if not x.sound]
    sounds = [x for x in got if x.sound]
    assert [s.text for s in sounds] == ["[a knock at the door]", "[music: tension]"]
    for s in sounds:
        assert s.end > s.start
        assert all(s.end <= x.start + 1e-9 or x.end <= s.start + 1e-9 for x in spoken), s
    # The knock's caption fits in the gap; the music's waits for the line under it to end.
    assert sounds[0].start == pytest.approx(door.start)
    assert sounds[1].start >= max(x.end for x in spoken if x.start < music.start) - 1e-9


def test_vtt_and_srt_carry_the_same_cues():
    p = speech(LONG, 2.0, "Narrator", timed(LONG))
    q = speech("Close the shutters & the door <now>.", p.end + 1.0, "Anna",
               timed("Close the shutters & the door <now>."))
    tl = Timeline(duration=90.0, placements=[p, q])
    v, s = vtt(tl), srt(tl)
    times = re.compile(r"(\d\d:\d\d:\d\d)[.,](\d{3}) --> (\d\d:\d\d:\d\d)[.,](\d{3})")
    assert times.findall(v) == times.findall(s)
    assert v.count("<v Narrator>") == len(times.findall(v)) - 1  # every narrator cue
    assert s.count("Narrator: ") == 1 and "Anna: Close the shutters & the door <now>." in s
    assert "<v Anna>Close the shutters &amp; the door &lt;now&gt;." in v


def test_json_transcript_keeps_every_word_with_its_time():
    text = "Mr. Crane climbed the 112 steps."
    p = speech(text, 3.0, "Elias", timed("Mister Crane climbed the one hundred twelve steps."))
    door = Placement(kind="sfx", start=p.end + 1, duration=1.0, source="knock", text="knock",
                     source_line=4)
    data = json.loads(transcript_json(Timeline(duration=20.0, placements=[p, door])))
    segments = data["segments"]
    assert data["version"] == "1.0.0"
    assert [s["body"] for s in segments] == text.split()  # words only, no "[knock]"
    assert all(s["speaker"] == "Elias" for s in segments)
    assert all(s["startTime"] <= s["endTime"] for s in segments)
    assert [s["startTime"] for s in segments] == sorted(s["startTime"] for s in segments)
    assert segments[0]["startTime"] == pytest.approx(3.05)


def test_split_line_handles_a_word_longer_than_a_caption_line():
    url = "https://example.com/" + "x" * 60
    p = speech(f"See {url} now.", 0.0, words=None, duration=3.0)
    runs = split_line(line_words(p), "Mara")
    assert " ".join(w.text for run in runs for w in run).replace(" ", "") == \
        f"See{url}now.".replace(" ", "")
    assert all(len(w.text) <= MAX_CHARS for run in runs for w in run)
