"""A real episode (Piper voices, a rain bed, the built-in theme) as a listener gets it: every
delivered file decoded and measured, the bed's level under the dialogue, a regen keeping the
encoder settings, and what the CLI reports."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.mix.decode import ffmpeg_exe
from pipeline.render.episode import render_episode
from pipeline.render.regen import regen_line

pytestmark = pytest.mark.xdist_group("render")

SCRIPT = """Title: Harbour Night

# The harbour
[AMBIENCE: rain]
NARRATOR: The rain came in off the sea and did not stop for three days.
ANNA: Close the shutters, Tom. The lamp will go out.
TOM: It has never gone out. Not once in forty years.
[PAUSE 3.5s]
ANNA: Then tonight will be the first time.
"""
MIX = {"formats": ["mp3", "wav", "m4a"]}


def ebur128(path: Path) -> tuple[float, float]:
    """ffmpeg's own meter on the decoded file: (integrated LUFS, true peak dBTP)."""
    run = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map",
                          "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True)
    summary = run.stderr[run.stderr.rindex("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)))


@pytest.fixture(scope="module")
def harbour(tmp_path_factory):
    folder = tmp_path_factory.mktemp("harbour")
    script = folder / "harbour.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    result = render_episode(script, folder / "out", mix=MIX, show_progress=False)
    return script, folder / "out", result


def test_delivered_files_measure_the_target(harbour):
    _, _, result = harbour
    folder, m = result.episode_dir, result.manifest
    wav_lufs, wav_peak = ebur128(folder / "episode.wav")
    assert abs(wav_lufs + 16) <= 0.35 and wav_peak <= -1.0
    for fmt in ("mp3", "m4a"):
        lufs, peak = ebur128(folder / m["files"][fmt])
        assert lufs == pytest.approx(wav_lufs, abs=0.15), fmt  # ebur128 prints one decimal
        assert abs(lufs + 16) <= 0.35 and peak <= -1.0, fmt
        delivered = m["loudness"]["delivered"][fmt]
        assert delivered["measured"] is True
        assert delivered["integrated_lufs"] == pytest.approx(lufs, abs=0.1)
    # LAME takes loudness off: the MP3's encoder was fed a little hotter than the master.
    assert m["loudness"]["delivered"]["mp3"]["gain_db"] > 0.1


def test_the_bed_sits_18_lu_under_the_dialogue_and_rises_6_between_lines(harbour):
    loud = harbour[2].manifest["loudness"]
    assert loud["speech_to_bed_db"] == pytest.approx(18.0, abs=1.5)
    assert loud["speech_to_bed_min_db"] >= 13  # rain is steady: no gust comes near the voices
    assert loud["bed_rise_db"] == pytest.approx(6.0, abs=0.5)


def test_regen_reuses_the_encoder_settings_without_measuring(harbour, tmp_path):
    import shutil

    script, out, result = harbour
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = result.manifest["loudness"]
    regen = regen_line(copy / result.episode_dir.name, "s01-l002")
    after = regen.manifest["loudness"]
    for fmt in ("mp3", "m4a"):
        assert after["delivered"][fmt]["measured"] is False
        assert after["delivered"][fmt]["gain_db"] == before["delivered"][fmt]["gain_db"]
        assert after["delivered"][fmt]["integrated_lufs"] == \
            before["delivered"][fmt]["integrated_lufs"]
        lufs, peak = ebur128(copy / result.episode_dir.name / regen.manifest["files"][fmt])
        assert abs(lufs + 16) <= 0.35 and peak <= -1.0
    # The bed figures are the last full render's: a one-line re-mix does not measure them.
    assert after["speech_to_bed_db"] == before["speech_to_bed_db"]


def test_cli_reports_the_delivered_loudness(harbour, tmp_path):
    import shutil

    script, out, result = harbour
    copy = tmp_path / "out"
    shutil.copytree(out, copy)  # the CLI re-mixes with the default formats
    run = CliRunner().invoke(app, ["render", str(script), "--out", str(copy)])
    assert run.exit_code == 0, run.output
    manifest = json.loads((copy / result.episode_dir.name / "manifest.json").read_text())
    mp3 = manifest["loudness"]["delivered"]["mp3"]
    text = " ".join(run.output.split())
    assert (f"loudness episode.mp3 {mp3['integrated_lufs']:.1f} LUFS, "
            f"{mp3['true_peak_dbtp']:.1f} dBTP") in text
    assert "(true peak; master" in text


# -- a screenplay: captions on the takes' word timings, chapters, the end mark -----------------
SCREENPLAY = """Title: The Night Ferry

INT. FERRY TERMINAL, WAITING ROOM - NIGHT

[[AMBIENCE: rain]]

The last ferry of the night is late. Rain runs down the long windows, the clock over the
ticket desk has stopped at a quarter to twelve, and the only other passenger is asleep under
a newspaper.

[[SFX: door]]

MARA
Excuse me. Is this where the boat to Gull Rock leaves from? Nobody at the desk seems to
know anything about anything.

EXT. FERRY DECK - CONTINUOUS

ELIAS
It leaves when it leaves, miss.

> THE END <
"""


def _srt_cues(text: str) -> list[tuple[float, float, list[str]]]:
    def secs(stamp: str) -> float:
        h, m, rest = stamp.split(":")
        s, ms = rest.split(",")
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    cues = []
    for block in text.strip().split("\n\n"):
        rows = block.split("\n")
        a, z = rows[1].split(" --> ")
        cues.append((secs(a), secs(z), rows[2:]))
    return cues


@pytest.fixture(scope="module")
def ferry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ferry")
    script = folder / "ferry.fountain"
    script.write_text(SCREENPLAY, encoding="utf-8")
    return render_episode(script, folder / "out", show_progress=False)


def test_captions_are_cut_on_the_takes_word_timings(ferry):
    from pipeline.render.cache import TakeCache

    folder, m = ferry.episode_dir, ferry.manifest
    cues = _srt_cues((folder / "transcript.srt").read_text(encoding="utf-8"))
    speech = [c for c in cues if not c[2][0].startswith("[")]
    sounds = [c for c in cues if c[2][0].startswith("[")]
    assert len(speech) > len(m["lines"])  # the long lines needed more than one cue
    for start, end, rows in cues:
        assert 1 <= len(rows) <= 2 and all(len(r) <= 42 for r in rows), rows
        assert end - start <= 7.0 + 1e-3
    for a, b in zip(speech, speech[1:], strict=False):
        assert a[1] <= b[0] + 1e-3
    for s in sounds:  # [door]: in a gap, never over a speech cue
        assert all(s[1] <= c[0] + 1e-3 or c[1] <= s[0] + 1e-3 for c in speech)
    assert [s[2] for s in sounds] == [["[door]"]]
    # Each line's first cue starts with its first word, as the take's own timings place it.
    cache = TakeCache(folder.parent / ".cache" / "takes")
    for line in m["lines"]:
        words = cache.meta(line["cache_key"])["words"]
        first = next(c for c in speech if c[0] >= line["start"] - 1e-3)
        assert first[0] == pytest.approx(line["start"] + words[0]["start"], abs=2e-3)
    text = " ".join(" ".join(c[2]) for c in speech)
    assert "THE END" not in text and "Gull Rock leaves from?" in text
    words = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))["segments"]
    assert [w["body"] for w in words] == [w for line in m["lines"] for w in line["text"].split()]


def test_screenplay_chapters_read_as_places(ferry):
    from mutagen.id3 import ID3

    folder = ferry.episode_dir
    chapters = json.loads((folder / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    titles = ["Ferry Terminal, Waiting Room — Night", "Ferry Deck"]
    assert [c["title"] for c in chapters] == titles
    tags = ID3(folder / "episode.mp3")
    assert [str(tags[k].sub_frames["TIT2"]) for k in sorted(
        (k for k in tags if k.startswith("CHAP")), key=lambda k: tags[k].start_time)] == titles
    assert [s["title"] for s in ferry.manifest["sections"]] == titles


# -- stems and markers for a DAW ---------------------------------------------------------------
STEMMED = """Title: Harbour Night

# The harbour
[MUSIC: theme]
[AMBIENCE: rain]
NARRATOR: The rain came in off the sea and did not stop for three days.
[SFX: a knock at the door]
ANNA: Close the shutters, Tom. The lamp will go out.
TOM: It has never gone out. Not once in forty years.
"""


@pytest.fixture(scope="module")
def stemmed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stemmed")
    script = folder / "stemmed.txt"
    script.write_text(STEMMED, encoding="utf-8")
    return script, render_episode(script, folder / "out", show_progress=False, stems=True)


def test_stems_line_up_with_the_master_and_sum_to_the_pre_master(stemmed):
    import numpy as np
    import soundfile as sf
    import soxr

    from pipeline.mix import MixSettings, Timeline, mix_timeline
    from pipeline.render.cache import TakeCache

    script, result = stemmed
    folder, m = result.episode_dir, result.manifest
    master = sf.info(folder / "episode.wav")
    stems = {}
    for name in ("dialogue", "music", "effects", "ambience"):
        info = sf.info(folder / m["files"][f"stem_{name}"])
        assert (info.frames, info.channels, info.samplerate, info.subtype) == (
            master.frames, master.channels, master.samplerate, "FLOAT")
        stems[name], _ = sf.read(folder / m["files"][f"stem_{name}"], dtype="float32")
    # The same timeline mixed again with no gain and no limiter is the pre-master itself.
    cache = TakeCache(folder.parent / ".cache" / "takes")

    def load(key):
        take = cache.load(key)
        return soxr.resample(take.samples, take.sample_rate, 44100).astype(np.float32)

    pre = mix_timeline(Timeline.from_dict(m["timeline"]), load, MixSettings(),
                       fixed_master=(0.0, 40.0))
    total = sum(stems.values())
    assert np.abs(total - np.asarray(pre.audio)).max() < 1e-5
    # Each stem holds its own sounds.
    tl = m["timeline"]

    def energy(x, a, b):
        return float(np.mean(np.square(x[int(a * 44100):int(b * 44100)])))

    line = m["lines"][1]
    knock = next(p for p in tl["placements"] if p["kind"] == "sfx")
    theme = next(p for p in tl["placements"] if p["kind"] == "music")
    assert energy(stems["dialogue"], line["start"], line["end"]) > 100 * energy(
        stems["dialogue"], knock["start"], knock["start"] + 0.3)
    assert energy(stems["effects"], knock["start"], knock["start"] + 0.5) > 0
    assert energy(stems["effects"], line["start"], line["end"]) == 0
    assert energy(stems["music"], theme["start"], theme["start"] + 3) > 0
    assert energy(stems["ambience"], line["start"], line["end"]) > 0
    assert m["stems"]["master_gain_db"] == m["loudness"]["gain_db"]


def test_the_bed_sits_18_lu_under_the_dialogue_in_the_stems(stemmed):
    """Independent of the mix analysis: the dialogue and ambience stems, K-weighted, compared
    over every spoken line."""
    import numpy as np
    import scipy.signal as ss
    import soundfile as sf

    from pipeline.mix.levels import k_weighting_sos

    script, result = stemmed
    folder, m = result.episode_dir, result.manifest
    k = k_weighting_sos(44100)
    speech, _ = sf.read(folder / m["files"]["stem_dialogue"], dtype="float64")
    bed, _ = sf.read(folder / m["files"]["stem_ambience"], dtype="float64")
    speech, bed = ss.sosfilt(k, speech, axis=0), ss.sosfilt(k, bed, axis=0)
    ratios = []
    for line in m["lines"]:
        a, b = int((line["start"] + 0.3) * 44100), int((line["end"] - 0.3) * 44100)
        ratios.append(10 * np.log10(np.mean(speech[a:b] ** 2) / np.mean(bed[a:b] ** 2)))
    assert float(np.median(ratios)) == pytest.approx(18.0, abs=2.0)


def test_markers_for_audacity_and_a_spreadsheet(stemmed):
    import csv

    script, result = stemmed
    folder, m = result.episode_dir, result.manifest
    labels = [row.split("\t") for row in
              (folder / m["files"]["labels"]).read_text(encoding="utf-8").splitlines()]
    assert labels[0][2] == "Chapter: The harbour" and float(labels[0][0]) == 0.0
    lines = labels[len(m["sections"]):]
    assert [(float(a), float(b), text.split(" ")[0]) for a, b, text in lines] == [
        (pytest.approx(x["start"], abs=1e-6), pytest.approx(x["end"], abs=1e-6), x["line_id"])
        for x in m["lines"]]
    assert lines[1][2] == "s01-l002 Anna: Close the shutters, Tom. The lamp will go out."
    text = (folder / m["files"]["markers_csv"]).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["kind"] for r in rows] == ["chapter"] + ["line"] * len(m["lines"])
    assert rows[2]["speaker"] == "Anna" and rows[2]["text"].startswith("Close the shutters")
    assert float(rows[3]["start"]) == pytest.approx(m["lines"][2]["start"], abs=1e-3)


def test_a_mix_without_stems_drops_the_old_ones(stemmed, tmp_path):
    import shutil

    script, result = stemmed
    out = tmp_path / "out"
    shutil.copytree(result.episode_dir.parent, out)
    folder = out / result.episode_dir.name
    again = render_episode(script, out, show_progress=False)  # nothing changed: all kept
    assert "stem_dialogue" in again.manifest["files"] and (folder / "stems").is_dir()
    regen = regen_line(folder, "s01-l002")  # a new mix, no stems asked for
    assert "stem_dialogue" not in regen.manifest["files"]
    assert not any((folder / "stems").glob("*.wav"))
    assert "labels" in regen.manifest["files"]  # markers always


def test_stems_of_a_book_season_are_refused_before_anything_is_written(tmp_path):
    """A season would write four stems per chapter: the user is told what works instead."""
    from book_support import FERRY, write_txt

    book = write_txt(tmp_path / "ferry.txt", FERRY)
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["render", str(book), "--stems", "-o", str(out)])
    assert done.exit_code == 2
    assert done.output.strip() == (
        f"error: {book}: --stems works on one episode: add --whole to render the book as one, "
        "or run `castwright regen CHAPTER-EPISODE LINE --stems`")
    assert not out.exists()
