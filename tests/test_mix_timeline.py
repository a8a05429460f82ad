"""Mix settings and timeline layout: pauses, sound cues, beds, chapters, errors, round trip."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import soundfile as sf
from mix_support import Story, speech_like

from pipeline.errors import MixError
from pipeline.mix import MixSettings, Timeline, build_timeline
from pipeline.mix.sounds import SFX, beds_for_cue, resolve_sound, suggest_bed
from pipeline.model import CueKind

QUIET = MixSettings(intro_music=False, outro_music=False, auto_beds=False)
GRID = 4e-4  # timeline times snap to the limiter's 16-sample grid (0.36 ms)
REPO = Path(__file__).resolve().parents[1]


# -- settings ----------------------------------------------------------------------------------
def test_settings_defaults_and_table():
    s = MixSettings()
    assert (s.target_lufs, s.true_peak_dbtp, s.channels) == (-16.0, -1.0, 2)
    # Beds 18 LU under the dialogue while someone speaks, 6 dB up between lines: 12 LU under.
    assert (s.speech_to_bed_db, s.duck_depth_db, s.bed_level_db) == (18.0, -6.0, None)
    assert s.bed_gain_db == pytest.approx(-1.0 - 18.0 + 6.0)  # speech -21 LUFS, beds -20
    assert MixSettings(bed_level_db=-22).bed_gain_db == -22  # the older spelling still works
    assert MixSettings.from_table({"speech_to_bed_db": 24}).bed_gain_db == pytest.approx(-19)
    t = MixSettings.from_table({"duck-depth-db": -15, "sentence_pause": 0.5, "formats": ["opus"],
                                "intro_music": False})
    assert (t.duck_depth_db, t.sentence_pause, t.formats, t.intro_music) == (
        -15.0, 0.5, ["opus"], False)
    assert MixSettings.from_table({"channels": 1}).target_lufs == -19.0  # mono norm
    assert MixSettings.from_table({"channels": 1, "target_lufs": -18}).target_lufs == -18.0
    assert MixSettings.from_table(None) == MixSettings()


@pytest.mark.parametrize("table, fragment", [
    ({"duck_dpeth_db": -12}, "unknown [mix] setting 'duck_dpeth_db'"),
    ({"sentence_pause": -1}, "between 0 and 3600"),
    ({"section_pause": float("nan")}, "between"),
    ({"paragraph_pause": 7200}, "between 0 and 3600"),
    ({"intro_music": "yes"}, "true or false"),
    ({"target_lufs": True}, "must be a number"),
    ({"mp3_bitrate": 100}, "must be one of"),
    ({"channels": 3}, "between 1 and 2"),
    ({"formats": ["flac"]}, "unknown format 'flac'"),
])
def test_settings_reject_bad_tables(table, fragment):
    with pytest.raises(MixError) as err:
        MixSettings.from_table(table, file="voices/cast.toml")
    assert fragment in str(err.value) and str(err.value).startswith("voices/cast.toml")


# -- layout ------------------------------------------------------------------------------------
def _speech(tl: Timeline):
    return {p.line_id: p for p in tl.speech()}


def test_lines_in_order_with_natural_pauses():
    st = Story()
    sec = st.section("One")
    a = st.say(sec, "First.", seconds=2.0)
    b = st.say(sec, "Second, same voice.", seconds=1.5, paragraph_end=True)
    c = st.say(sec, "After a paragraph.", seconds=1.0)
    d = st.say(sec, "Another speaker!", speaker="Ann", seconds=1.0)
    st.add(sec, CueKind.PAUSE, seconds=4.0)
    e = st.say(sec, "After a long pause.", speaker="Ann", seconds=1.0)
    s = QUIET
    tl = build_timeline(st.script, st.rendered, s)
    p = _speech(tl)
    assert p[a].start == 0.0
    assert p[b].start == pytest.approx(p[a].end + s.sentence_pause, abs=GRID)
    assert p[c].start == pytest.approx(p[b].end + s.paragraph_pause, abs=GRID)
    assert p[d].start == pytest.approx(p[c].end + s.speaker_change_pause, abs=GRID)
    assert p[e].start == pytest.approx(p[d].end + 4.0, abs=GRID)
    assert p[a].source == st.rendered[a].cache_key and p[d].speaker == "Ann"
    assert tl.duration == pytest.approx(p[e].end + 0.5, abs=GRID)
    starts = [x.start for x in tl.speech()]
    assert starts == sorted(starts)


def test_unrendered_summary_is_skipped_and_chapters_follow_sections():
    st = Story()
    summary = st.section("Summary", summary=True)
    st.say(summary, "Nobody narrates this.", render=False)
    one, two = st.section("Spike"), st.section("Buffy")
    st.say(one, "Line one.")
    st.say(one, "Line two.")
    first_two = st.say(two, "Line three.")
    empty = st.section("Nothing here")
    st.say(empty, "unrendered", render=False)
    s = MixSettings(outro_music=False, auto_beds=False)
    tl = build_timeline(st.script, st.rendered, s)
    assert [c.section_id for c in tl.chapters] == ["s01", "s02"]
    assert [c.title for c in tl.chapters] == ["Spike", "Buffy"]
    assert tl.chapters[0].start == 0.0  # the first chapter covers the intro music too
    second = _speech(tl)[first_two]
    assert tl.chapters[1].start == second.start
    assert tl.chapters[0].end == tl.chapters[1].start and tl.chapters[1].end == tl.duration
    prev = max(p.end for p in tl.speech() if p.section_id == "s01")
    assert second.start == pytest.approx(prev + s.section_pause, abs=GRID)
    intro = [p for p in tl.placements if p.kind == "music"]
    assert intro and intro[0].start == 0.0 and intro[0].source == "theme"
    assert min(p.start for p in tl.speech()) > 5.0  # the voice enters over the theme


def test_sound_effects_and_music_cues():
    st = Story()
    sec = st.section("Door")
    a = st.say(sec, "Listen.")
    st.add(sec, CueKind.SFX, "A knock at the door")
    b = st.say(sec, "Who is it?", speaker="Ann")
    st.add(sec, CueKind.SFX, "door slams", seconds=0.8)
    st.add(sec, CueKind.MUSIC, "tense sting")
    c = st.say(sec, "Run.")
    tl = build_timeline(st.script, st.rendered, QUIET)
    p = _speech(tl)
    knock, slam = [x for x in tl.placements if x.kind == "sfx"]
    sting = next(x for x in tl.placements if x.kind == "music")
    assert knock.source == "knock" and knock.start == pytest.approx(p[a].end + 0.35, abs=GRID)
    # a new speaker after the knock
    assert p[b].start == pytest.approx(knock.start + SFX["knock"].hold + 0.55, abs=GRID)
    assert slam.source == "slam" and slam.duration == 0.8
    assert sting.source == "tension" and sting.start > slam.start
    assert p[c].start > sting.start
    assert knock.source_line == st.script.sections[0].cues[1].source_line


def test_ambience_cues_start_layer_and_stop_beds(tmp_path):
    st = Story(str(tmp_path / "story.txt"))
    sec = st.section("Storm")
    st.add(sec, CueKind.AMBIENCE, "rain, night")
    st.say(sec, "It rains.")
    st.add(sec, CueKind.AMBIENCE, "off")
    st.say(sec, "Silence.")
    st.add(sec, CueKind.AMBIENCE, "storm")
    last = st.say(sec, "Storm.")
    tl = build_timeline(st.script, st.rendered, QUIET)
    by = {}
    for b in tl.beds:
        by.setdefault(b.source, []).append(b)
    assert set(by) == {"rain", "night", "wind"}
    rain1, night = by["rain"][0], by["night"][0]
    assert rain1.start == night.start and rain1.end == night.end
    silence = next(p for p in tl.speech() if p.text == "Silence.")
    # "off" fades the beds out across the gap, centred on it
    assert rain1.end - rain1.fade_out < silence.start < rain1.end < silence.end
    wind = by["wind"][0]
    assert len(by["rain"]) == 2 and wind.start == by["rain"][1].start  # storm = rain + wind
    assert wind.end > _speech(tl)[last].end and wind.fade_out > 0
    assert all(b.fade_in > 0 and b.end > b.start for b in tl.beds)


def test_beds_suggested_from_the_words_of_the_seed_story(seed_path):
    text = seed_path.read_text(encoding="utf-8")
    parts = re.split(r"^(Spike|Buffy):", text, flags=re.M)
    spike, buffy = parts[2], parts[4]
    assert suggest_bed(spike) == "night"  # porch, moon, night
    assert suggest_bed(buffy) == "night"  # night x6 beats one lighter
    assert suggest_bed("The waves broke on the shore below the lighthouse.") == "sea"
    assert suggest_bed("Rain hammered the roof; the rain would not stop.") == "rain"
    assert suggest_bed("She lit the fire in the hearth.") == "fire"
    assert suggest_bed("Traffic crawled down the street.") == "city"
    assert suggest_bed("A gale blew; the storm raged.") == "wind"
    assert suggest_bed("He stood in the kitchen.", "INT. KITCHEN - DAY") == "room"
    assert suggest_bed("Nothing to hear here.") is None


def test_auto_beds_per_section_and_continuing_across_sections():
    st = Story()
    one, two, three = st.section("Porch"), st.section("Still night"), st.section("Beach")
    st.say(one, "He sits on the porch under the moon, every night.")
    st.say(two, "The night goes on, dark and long.")
    st.say(three, "Waves roll onto the shore.")
    tl = build_timeline(st.script, st.rendered, MixSettings(intro_music=False))
    assert [b.source for b in tl.beds] == ["night", "sea"]
    night, sea = tl.beds
    assert night.section_id == "s01" and night.end > tl.chapters[1].end - 3  # one span, 2 scenes
    assert sea.start < night.end <= tl.chapters[2].start  # crossfade in the scene change gap
    off = build_timeline(st.script, st.rendered, QUIET)
    assert off.beds == []


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), 3601.0, float("inf")])
def test_bad_pause_names_the_cue(seconds):
    st = Story("/stories/bad.txt")
    sec = st.section()
    st.say(sec, "Hello.")
    pause = st.add(sec, CueKind.PAUSE, seconds=seconds)
    with pytest.raises(MixError) as err:
        build_timeline(st.script, st.rendered, QUIET)
    assert str(err.value).startswith(f"/stories/bad.txt:{pause.source_line}: pause of")


def test_bad_take_duration_names_the_line():
    st = Story("/stories/bad.txt")
    sec = st.section()
    line = st.say(sec, "Hello.")
    st.rendered[line].duration = math.nan
    with pytest.raises(MixError, match=rf"bad.txt:\d+: line {line}: take duration nan"):
        build_timeline(st.script, st.rendered, QUIET)


def test_unknown_bed_and_effect_and_missing_files_name_the_cue(tmp_path):
    for kind, text, fragment in [
        (CueKind.AMBIENCE, "a choir of goats", "unknown ambience bed 'a choir of goats'"),
        (CueKind.SFX, "a cat meows", "unknown sound effect 'a cat meows'"),
        (CueKind.AMBIENCE, "sounds/harbour.ogg", "ambience file"),
        (CueKind.MUSIC, "theme.mp3", "music file"),
        (CueKind.SFX, "-0.5", None),
    ]:
        st = Story(str(tmp_path / "story.txt"))
        sec = st.section()
        st.say(sec, "Hi.")
        c = st.add(sec, kind, text)
        if fragment is None:  # a bad explicit duration on an effect
            c.text, c.seconds = "knock", -0.5
            fragment = "sound effect duration of -0.5 s"
        with pytest.raises(MixError) as err:
            build_timeline(st.script, st.rendered, QUIET)
        assert str(err.value).startswith(f"{tmp_path / 'story.txt'}:{c.source_line}: ")
        assert fragment in str(err.value)


def test_undecodable_file_names_the_cue(tmp_path):
    (tmp_path / "broken.wav").write_bytes(b"RIFF nonsense, not audio" * 10)
    st = Story(str(tmp_path / "story.txt"))
    sec = st.section()
    c = st.add(sec, CueKind.AMBIENCE, "broken.wav")
    st.say(sec, "Hi.")
    with pytest.raises(MixError, match=rf"story.txt:{c.source_line}: cannot decode ambience"):
        build_timeline(st.script, st.rendered, QUIET)


def test_files_resolve_beside_the_script_and_round_trip(tmp_path):
    sf.write(tmp_path / "drip.wav", speech_like(1, 0.7), 44100)
    st = Story(str(tmp_path / "story.txt"))
    sec = st.section()
    st.add(sec, CueKind.AMBIENCE, "drip.wav")
    st.say(sec, "Hi.")
    st.add(sec, CueKind.SFX, '"drip.wav"')
    st.say(sec, "Again.")
    tl = build_timeline(st.script, st.rendered, MixSettings())
    assert tl.beds[0].from_file and tl.beds[0].source == str(tmp_path / "drip.wav")
    effect = next(p for p in tl.placements if p.kind == "sfx")
    assert effect.from_file and effect.duration == pytest.approx(0.7, abs=1e-3)
    back = Timeline.from_dict(json.loads(json.dumps(tl.to_dict())))
    assert back == tl


def test_nothing_to_mix():
    st = Story()
    st.say(st.section(), "unrendered", render=False)
    with pytest.raises(MixError, match="nothing to mix"):
        build_timeline(st.script, st.rendered, MixSettings())


def test_cue_words():
    assert beds_for_cue("Rain on the tin roof") == ["rain"]
    assert beds_for_cue("crickets and a fire") == ["night", "fire"]
    assert beds_for_cue("unicorns") is None
    assert resolve_sound("GUNSHOT in the distance", SFX).name == "gunshot"
    assert resolve_sound("the door creaks open", SFX).name == "creak"
    assert resolve_sound("She flicks the Zippo", SFX).name == "lighter"


# -- automatic intro and outro, the show's music files ----------------------------------------
def _music(tl: Timeline) -> list:
    return sorted((p for p in tl.placements if p.kind == "music"), key=lambda p: p.start)


def test_example_episode_plays_its_theme_and_outro_once():
    """The example drama cues its own theme and outro: no automatic music on top."""
    from pipeline.parsing import parse_script

    script = parse_script(REPO / "scripts" / "the-lighthouse-keeper.txt")
    st = Story()
    for line in script.lines():
        st.rendered[line.line_id] = st.rendered.get(line.line_id) or _rendered(line)
    tl = build_timeline(script, st.rendered, MixSettings())
    assert [p.source for p in _music(tl)] == ["theme", "outro"]
    assert all(p.source_line for p in _music(tl))  # both are the script's own cues


def _rendered(line, seconds: float = 2.0):
    from pipeline.mix import RenderedLine

    return RenderedLine(line.line_id, line.line_id[:3], line.speaker or "Narrator", "v",
                        line.text, 1, f"k-{line.line_id}", seconds)


@pytest.mark.parametrize("cues, intro, outro", [
    ([], True, True),  # no music of its own: both automatic
    ([("before", "tension")], False, True),  # music before the first line opens the show
    ([("after", "sad")], True, False),  # and after the last line closes it
    ([("middle", "the main theme")], False, True),  # a theme anywhere is the show's intro
    ([("middle", "closing credits")], True, False),  # an outro anywhere
    ([("middle", "sting")], True, True),  # a sting mid-story is neither
])
def test_automatic_intro_and_outro_only_without_the_scripts_own(cues, intro, outro):
    st = Story()
    summary = st.section("Summary", summary=True)
    st.say(summary, "Previously.")
    sec = st.section("Scene")
    where = dict(cues)
    if "before" in where:
        st.add(sec, CueKind.MUSIC, where["before"])
    st.say(sec, "First.")
    if "middle" in where:
        st.add(sec, CueKind.MUSIC, where["middle"])
    st.say(sec, "Last.")
    if "after" in where:
        st.add(sec, CueKind.MUSIC, where["after"])
    tl = build_timeline(st.script, st.rendered, MixSettings(auto_beds=False))
    automatic = [p.source for p in _music(tl) if not p.source_line]
    assert automatic == ["theme"] * intro + ["outro"] * outro
    # A narrated summary before the script's own opening music does not make it "late".
    if "before" in where:
        assert _music(tl)[0].start > min(p.start for p in tl.speech())


def test_show_music_files_replace_the_built_in_theme_outro_and_sting(tmp_path):
    def tone(name: str, seconds: float) -> str:
        path = tmp_path / name
        sf.write(path, speech_like(len(name), seconds), 44100)
        return str(path)

    files = {"music_theme": tone("theme.wav", 30.0), "music_outro": tone("end.wav", 9.0),
             "music_stinger": tone("sting.wav", 2.0)}
    st = Story(str(tmp_path / "story.txt"))
    sec = st.section("Scene")
    a = st.say(sec, "First.")
    st.add(sec, CueKind.MUSIC, "sting")
    b = st.say(sec, "Last.")
    settings = MixSettings(auto_beds=False, **files)
    tl = build_timeline(st.script, st.rendered, settings)
    intro, sting, outro = _music(tl)
    p = _speech(tl)
    # The theme opens the episode, cut to a 12 s signature with a fade; the line enters at 8 s.
    assert (intro.source, intro.from_file, intro.start) == (files["music_theme"], True, 0.0)
    assert intro.duration == 12.0 and intro.fade_out == 3.0
    assert p[a].start == pytest.approx(8.0, abs=GRID)
    # The stinger plays whole and the next line waits for it.
    assert sting.source == files["music_stinger"] and sting.duration == pytest.approx(2.0)
    assert p[b].start == pytest.approx(sting.end + 0.25, abs=GRID)
    # The outro file plays whole after the last line; the episode ends with it.
    assert outro.source == files["music_outro"] and outro.duration == pytest.approx(9.0)
    assert outro.start > p[b].end and tl.duration == pytest.approx(outro.end + 0.5, abs=0.01)
    # A separate intro file plays whole before the first line.
    tl = build_timeline(st.script, st.rendered, MixSettings(
        auto_beds=False, music_intro=tone("intro.wav", 5.0), **files))
    assert _music(tl)[0].duration == pytest.approx(5.0)
    assert _speech(tl)[a].start == pytest.approx(5.0, abs=GRID)


def test_missing_show_music_file_is_a_clear_error(tmp_path):
    st = Story(str(tmp_path / "story.txt"))
    st.say(st.section("Scene"), "Hello.")
    settings = MixSettings(music_theme=str(tmp_path / "gone.mp3"))
    with pytest.raises(MixError, match=r"show intro music \(\[mix\] music_theme\) .*gone.mp3"):
        build_timeline(st.script, st.rendered, settings)


def test_music_file_paths_resolve_beside_the_file_that_names_them(tmp_path):
    s = MixSettings.from_table({"music_theme": "music/theme.ogg"}, tmp_path / "show.toml")
    assert s.music_theme == str(tmp_path / "music" / "theme.ogg")
    with pytest.raises(MixError, match="music_outro = 3: must be a file path"):
        MixSettings.from_table({"music_outro": 3})
