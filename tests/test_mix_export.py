"""Export: audio files, ID3 tags and chapters read back, transcripts and chapters matching the
timeline, the plot, optional formats, and all-or-nothing writes."""

from __future__ import annotations

import json
import re
import subprocess

import mutagen.mp3
import numpy as np
import pytest
import soundfile as sf
from mix_support import SR, Story, lufs
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from pipeline.errors import MixError
from pipeline.mix import EpisodeMeta, MixSettings, build_timeline, export_episode, mix_timeline
from pipeline.mix import export as export_module
from pipeline.mix.decode import ffmpeg_exe
from pipeline.model import CueKind

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("episode")
    st = Story(str(tmp / "story.txt"))
    one, two = st.section("The Porch"), st.section("The Lighter <&> Zippo")
    st.add(one, CueKind.AMBIENCE, "night")
    st.say(one, "He sits on the porch.", seconds=2.0)
    st.say(one, "Is that you? <she asks> & waits.", speaker="Buffy", seconds=1.5)
    st.add(two, CueKind.SFX, "lighter")
    st.say(two, "She flicks the silver lighter.", seconds=2.2, paragraph_end=True)
    st.say(two, "Come back.", speaker="Buffy", seconds=1.0)
    settings = MixSettings(formats=["mp3", "wav", "m4a", "opus"], mp3_bitrate=96,
                           outro_music=False)
    tl = build_timeline(st.script, st.rendered, settings)
    result = mix_timeline(tl, st.load, settings)
    cover = tmp / "cover.png"
    cover.write_bytes(PNG_1PX)
    meta = EpisodeMeta(title="Absences", show="Castwright Theatre", episode_number=3, season=2,
                       author="A. Writer", summary="Two vigils, one porch.", cover=cover,
                       date="2025-01-06")
    out = tmp / "out"
    files = export_episode(out, result, tl, meta, settings)
    return out, files, tl, result, meta


def test_files_written(episode):
    out, files, *_ = episode
    assert files == {
        "mp3": "episode.mp3", "wav": "episode.wav", "m4a": "episode.m4a",
        "opus": "episode.opus", "vtt": "transcript.vtt", "srt": "transcript.srt",
        "transcript_json": "transcript.json", "chapters_json": "chapters.json",
        "png": "episode.png", "labels": "labels.txt", "markers_csv": "markers.csv"}
    assert sorted(p.name for p in out.iterdir()) == sorted(files.values())  # no temp leftovers
    assert (out / "episode.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert all((out / name).stat().st_mode & 0o777 == 0o644 for name in files.values())


def test_wav_is_the_mix(episode):
    out, _, tl, result, _ = episode
    wav, sr = sf.read(out / "episode.wav", dtype="float32")
    assert sr == SR and sf.info(out / "episode.wav").subtype == "PCM_24"
    assert wav.shape == np.asarray(result.audio).shape
    assert np.abs(wav - np.asarray(result.audio)).max() < 1.5 / 2**23  # 24-bit rounding
    assert abs(lufs(wav) + 16) <= 0.5


def test_mp3_tags_and_chapters(episode):
    out, _, tl, _, meta = episode
    mp3 = mutagen.mp3.MP3(out / "episode.mp3")
    assert mp3.info.sample_rate == SR and mp3.info.bitrate == 96000
    assert mp3.info.length == pytest.approx(tl.duration, abs=0.1)
    tags = ID3(out / "episode.mp3")
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Absences" and str(tags["TALB"]) == "Castwright Theatre"
    assert str(tags["TPE1"]) == "A. Writer" and str(tags["TRCK"]) == "3"
    assert str(tags["TPOS"]) == "2" and str(tags["COMM::eng"]) == "Two vigils, one porch."
    apic = tags.getall("APIC")[0]
    assert apic.mime == "image/png" and apic.data == PNG_1PX and apic.type == 3
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        (round(c.start * 1000), round(c.end * 1000), c.title) for c in tl.chapters]
    assert [c.title for c in tl.chapters] == ["The Porch", "The Lighter <&> Zippo"]
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == [c.element_id for c in chaps]


def test_transcripts_match_the_timeline(episode):
    out, _, tl, _, _ = episode
    lines = sorted(tl.speech(), key=lambda p: p.start)
    vtt = (out / "transcript.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n")
    clock = r"(\d\d):(\d\d):(\d\d)\.(\d{3})"
    cues = re.findall(clock + " --> " + clock + r"\n<v ([^>]+)>(.*)\n", vtt)
    assert len(cues) == len(lines)

    def secs(h, m, s, ms):
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    for c, p in zip(cues, lines, strict=True):  # short lines: one cue each
        assert secs(*c[0:4]) == pytest.approx(p.start, abs=0.0005)
        assert p.end - 0.0005 <= secs(*c[4:8]) <= p.end + 0.3 + 0.0005  # stays up a moment
        assert c[8] == p.speaker
    assert "<v Buffy>Is that you? &lt;she asks&gt; &amp; waits." in vtt
    srt = (out / "transcript.srt").read_text(encoding="utf-8")
    assert "00:00:" in srt and "Buffy: Is that you? <she asks> & waits." in srt
    sounds = [p for p in tl.placements if p.kind == "sfx"]
    assert len(sounds) == 1  # the [SFX: lighter] cue: captioned, for deaf and hard of hearing
    assert srt.count(" --> ") == len(lines) + 1 and srt.splitlines()[0] == "1"
    start = f"00:00:{sounds[0].start:06.3f}"
    assert f"{start} --> " in vtt and "\n[lighter]\n" in vtt
    assert f"{start.replace('.', ',')} --> " in srt and "\n[lighter]\n" in srt
    assert all(s["body"] != "[lighter]" for s in json.loads(
        (out / "transcript.json").read_text(encoding="utf-8"))["segments"])  # words only
    tj = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    assert tj["version"] == "1.0.0"  # word by word: the takes here have no word times
    assert [s["body"] for s in tj["segments"]] == [w for p in lines for w in p.text.split()]
    for p in lines:
        mine = [s for s in tj["segments"] if p.start - 1e-3 <= s["startTime"] < p.end]
        assert {s["speaker"] for s in mine} == {p.speaker}
        assert mine[0]["startTime"] == round(p.start, 3)
        assert mine[-1]["endTime"] == pytest.approx(p.end, abs=2e-3)
    cj = json.loads((out / "chapters.json").read_text(encoding="utf-8"))
    assert cj["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in cj["chapters"]] == [
        (round(c.start, 3), c.title) for c in tl.chapters]


def test_m4a_and_opus_carry_tags_and_chapters(episode):
    out, _, tl, _, _ = episode
    m4a = MP4(out / "episode.m4a")
    assert m4a.info.length == pytest.approx(tl.duration, abs=0.15)
    assert m4a["\xa9nam"] == ["Absences"] and m4a["\xa9alb"] == ["Castwright Theatre"]
    assert bytes(m4a["covr"][0]) == PNG_1PX
    assert [round(c.start, 2) for c in m4a.chapters] == [round(c.start, 2) for c in tl.chapters]
    opus = OggOpus(out / "episode.opus")
    assert opus.info.length == pytest.approx(tl.duration, abs=0.15)
    assert opus["title"] == ["Absences"] and "metadata_block_picture" in opus
    assert opus["chapter001name"] == ["The Lighter <&> Zippo"]


def test_loudness_and_peak_checked_by_ffmpeg(episode):
    """A second, independent meter: ffmpeg's ebur128 filter on the exported WAV."""
    out = episode[0]
    run = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(out / "episode.wav"),
                          "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True)
    summary = run.stderr[run.stderr.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    assert abs(integrated + 16) <= 1.0
    assert peak <= -0.9  # ffmpeg's own 4x true-peak estimate


def _ebur128(path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by ffmpeg's own ebur128 filter, decoding the file."""
    run = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map",
                          "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True)
    summary = run.stderr[run.stderr.rindex("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)))


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "opus"])
def test_every_delivered_format_measures_what_the_master_measures(episode, fmt):
    """Lossy encoders change the level (LAME takes ~0.5 dB at 96-160 kbit/s): each file is
    compensated, and decoding it gives the master's loudness under the true-peak ceiling."""
    out, _, _, result, _ = episode
    wav_lufs, _ = _ebur128(out / "episode.wav")
    lufs_, peak = _ebur128(out / f"episode.{fmt}")
    assert lufs_ == pytest.approx(wav_lufs, abs=0.2)  # ebur128 shows one decimal
    assert abs(lufs_ + 16) <= 0.5 and peak <= -1.0
    # The writer's own decode-and-measure agrees with ffmpeg's meter.
    assert result.loudness.integrated_lufs == pytest.approx(wav_lufs, abs=0.1)


def test_failed_export_leaves_the_old_episode_intact(tmp_path, episode, monkeypatch):
    _, _, tl, result, meta = episode
    out = tmp_path / "ep"
    out.mkdir()
    (out / "episode.mp3").write_bytes(b"previous episode")

    def explode(*args, **kwargs):
        raise MixError("tagging failed")

    monkeypatch.setattr(export_module.tags, "tag_mp3", explode)
    with pytest.raises(MixError, match="tagging failed"):
        export_episode(out, result, tl, meta, MixSettings())
    assert [p.name for p in out.iterdir()] == ["episode.mp3"]
    assert (out / "episode.mp3").read_bytes() == b"previous episode"


def test_missing_cover_is_an_error_before_anything_is_written(tmp_path, episode):
    _, _, tl, result, meta = episode
    bad = EpisodeMeta(title="x", cover=tmp_path / "nope.jpg")
    with pytest.raises(MixError, match="cover art cannot be read"):
        export_episode(tmp_path / "ep", result, tl, bad, MixSettings())
    assert not (tmp_path / "ep").exists() or not any((tmp_path / "ep").iterdir())


def test_export_from_a_plain_array(tmp_path, episode):
    """A MixResult built by hand (no analysis, no file behind it) exports too."""
    from pipeline.mix import MixResult

    _, _, tl, result, _ = episode
    plain = MixResult(audio=np.array(result.audio), sample_rate=SR, loudness=result.loudness)
    files = export_episode(tmp_path, plain, tl, EpisodeMeta(title="Plain"), MixSettings())
    assert set(files) >= {"mp3", "wav", "png"}
    wav, _ = sf.read(tmp_path / "episode.wav", dtype="float32")
    assert len(wav) == len(plain.audio)


def _plot_args(path):
    frames = 300
    g = np.random.default_rng(3)
    return (path, "Plot test", 0.1, g.uniform(0, 1, frames), g.uniform(-30, -10, frames),
            g.uniform(-60, -10, frames), g.uniform(-70, -30, frames), [(0.0, "One"), (12.0, "Two")],
            -16.0, -16.2, -1.3)


def test_plot_helper_draws_the_same_picture(tmp_path):
    from pipeline.mix import plot

    plot.start_helper()
    wait = plot.draw_later(*_plot_args(tmp_path / "helper.png"))
    wait()
    assert plot._helper is None  # one helper, one picture
    plot.plot_episode(*_plot_args(tmp_path / "inline.png"))
    helper_png = (tmp_path / "helper.png").read_bytes()
    assert helper_png[:8] == b"\x89PNG\r\n\x1a\n"
    assert helper_png == (tmp_path / "inline.png").read_bytes()


def test_dead_plot_helper_falls_back_to_drawing_here(tmp_path):
    from pipeline.mix import plot

    plot.start_helper()
    helper = plot._helper
    if helper is None:
        pytest.skip("no fork on this platform")
    helper.submit(int).result()  # the worker is up
    for process in list(helper._processes.values()):
        process.kill()
        process.join()
    plot.draw_later(*_plot_args(tmp_path / "fallback.png"))()
    assert (tmp_path / "fallback.png").stat().st_size > 10_000


def test_encoder_that_dies_is_an_error_and_leaves_nothing(tmp_path, episode, monkeypatch):
    _, _, tl, result, meta = episode
    monkeypatch.setitem(export_module._ENCODERS, "mp3",
                        lambda br: ["-c:a", "no_such_encoder", "-f", "mp3"])
    out = tmp_path / "ep"
    with pytest.raises(MixError, match="encoding mp3 failed"):
        export_episode(out, result, tl, meta, MixSettings())  # must not hang on a dead pipe
    assert not out.exists() or not list(out.iterdir())


def test_mix_that_fails_midway_leaves_the_old_episode(tmp_path, monkeypatch):
    """The writer is the mix's sink: a mix error after some blocks were encoded kills the
    encoders and removes every temp file."""
    st = Story(str(tmp_path / "story.txt"))
    sec = st.section("Long")
    for i in range(12):
        st.say(sec, f"Line {i}.", seconds=3.0)
    settings = MixSettings()
    tl = build_timeline(st.script, st.rendered, settings)
    out = tmp_path / "ep"
    out.mkdir()
    (out / "episode.wav").write_bytes(b"previous")
    loaded = []

    def load(key: str) -> np.ndarray:
        loaded.append(key)
        if len(loaded) > 20:  # analysis loads all 12, then mixing fails on the 9th
            raise OSError("disk went away")
        return st.load(key)

    fixed = (0.0, -1.3)
    writer = export_module.EpisodeWriter(out, tl, EpisodeMeta(title="x"), settings)
    with pytest.raises(MixError, match="disk went away"), writer:
        mix_timeline(tl, load, settings, work_dir=tmp_path, fixed_master=fixed,
                     sink=writer.write)
    assert writer.frames > 0  # blocks had reached the encoders
    assert sorted(p.name for p in out.iterdir()) == ["episode.wav"]
    assert (out / "episode.wav").read_bytes() == b"previous"
