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
    run = CliRunner().invoke(app, ["render", str(script), "--out", str(copy), "-q"])
    assert run.exit_code == 0, run.output
    manifest = json.loads((copy / result.episode_dir.name / "manifest.json").read_text())
    mp3 = manifest["loudness"]["delivered"]["mp3"]
    text = " ".join(run.output.split())
    assert (f"loudness episode.mp3 {mp3['integrated_lufs']:.1f} LUFS, "
            f"{mp3['true_peak_dbtp']:.1f} dBTP") in text
    assert "(true peak; master" in text
