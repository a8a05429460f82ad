"""A producer's own recordings: ``regen --audio`` makes one a take of a line (trimmed,
loudness-matched, cached, selectable), and ``[AUDIO: file]`` places one in the script. Real
Piper episodes; the "recordings" are real speech from the take cache, padded with room noise,
quiet, at another sample rate, in stereo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.signal as ss
import soundfile as sf
import soxr
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import MixError, RenderError
from pipeline.mix.levels import k_weighting_sos
from pipeline.render.cache import TakeCache
from pipeline.render.episode import CACHE_DIR, render_episode
from pipeline.render.manifest import load_manifest
from pipeline.render.regen import list_takes, regen_line

pytestmark = pytest.mark.xdist_group("render")

SCRIPT = """Title: Fence

# The garden
ANNA: Good morning, Bill.
BILL: Morning. Your fence is on my side again.
ANNA: It has been there for thirty years.
BILL: Then it has been wrong for thirty years.
"""
MIX = {"auto_beds": False, "intro_music": False, "outro_music": False}
LEAD, TAIL = 1.2, 2.0  # seconds of room noise around the speech in the "recording"


def loudness(x: np.ndarray, rate: int) -> float:
    """K-weighted level of the loud part of a clip (frames within 20 dB of its loudest)."""
    y = ss.sosfilt(k_weighting_sos(rate), np.asarray(x, dtype=np.float64), axis=0)
    power = np.square(y).reshape(len(y), -1).sum(axis=1)
    frames = power[: len(power) // 441 * 441].reshape(-1, 441).mean(axis=1)
    loud = frames[frames > frames.max() / 100]
    return float(10 * np.log10(loud.mean()))


def make_recording(speech: np.ndarray, rate: int, path: Path) -> float:
    """Speech at -32 dBFS, 48 kHz stereo, with room noise and rumble around it; returns the
    speech's length in seconds."""
    g = np.random.default_rng(5)
    speech = soxr.resample(speech, rate, 48000)
    speech = speech / np.abs(speech).max() * 10 ** (-32 / 20)
    pad = lambda s: np.zeros(int(s * 48000))  # noqa: E731
    body = np.concatenate([pad(LEAD), speech, pad(TAIL)])
    t = np.arange(len(body)) / 48000
    noise = 10 ** (-75 / 20) * g.standard_normal(len(body)) + 0.002 * np.sin(2 * np.pi * 20 * t)
    sf.write(path, np.stack([body + noise, body + noise], axis=1).astype(np.float32), 48000)
    return len(speech) / 48000


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fence")
    script = folder / "fence.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    result = render_episode(script, folder / "out", mix=MIX, show_progress=False)
    # A "recording" of line 3: another reading of line 4's words is real speech to work with.
    cache = TakeCache(folder / "out" / CACHE_DIR)
    take = cache.load(result.manifest["lines"][3]["cache_key"])
    recording = folder / "bill take.wav"
    seconds = make_recording(take.samples, take.sample_rate, recording)
    return script, folder, result, recording, seconds


def _copy(episode, tmp_path):
    script, folder, result, recording, seconds = episode
    shutil.copytree(folder / "out", tmp_path / "out")
    return tmp_path / "out" / result.episode_dir.name, result, recording, seconds


def test_regen_audio_makes_a_trimmed_loudness_matched_take(episode, tmp_path):
    episode_dir, first, recording, seconds = _copy(episode, tmp_path)
    run = CliRunner().invoke(app, ["regen", str(episode_dir), "s01-l003", "--audio",
                                   str(recording)])
    assert run.exit_code == 0, run.output
    assert "s01-l003: take 2 (recording bill take.wav" in " ".join(run.output.split())
    m = load_manifest(episode_dir)
    line = next(x for x in m["lines"] if x["line_id"] == "s01-l003")
    assert (line["take"], line["voice"], line["engine"]) == (2, "recording", "recording")
    # Trimmed: the room noise before and after is gone (3.2 s of it), a breath of margin kept.
    assert 0.8 * seconds < line["end"] - line["start"] <= seconds + 0.25
    # Matched: as loud in the mix as the synthetic lines around it (it came in at -32 dBFS).
    audio, rate = sf.read(episode_dir / m["files"]["wav"], dtype="float64")

    def level(x: dict) -> float:
        return loudness(audio[int(x["start"] * rate):int(x["end"] * rate)], rate)

    others = [level(x) for x in m["lines"] if x["line_id"] != "s01-l003"]
    assert level(line) == pytest.approx(float(np.mean(others)), abs=2.0)
    # Cached like any take, listed, and selectable with --take.
    takes = list_takes(episode_dir, "s01-l003")
    assert [(t.take, t.cached, Path(t.recording).name if t.recording else None)
            for t in takes] == [(1, True, None), (2, True, "bill take.wav")]
    assert TakeCache(episode_dir.parent / CACHE_DIR).meta(line["cache_key"])["recording"] == \
        str(recording.resolve())
    back = regen_line(episode_dir, "s01-l003", take=1)
    assert back.take == 1 and back.recording is None and not back.synthesized
    again = regen_line(episode_dir, "s01-l003", take=2)
    assert again.recording == str(recording.resolve()) and not again.synthesized
    run = CliRunner().invoke(app, ["takes", str(episode_dir), "s01-l003", "--json"])
    rows = json.loads(run.stdout)["takes"]
    assert [r["recording"] for r in rows] == [None, str(recording.resolve())]


def test_a_recording_that_left_the_cache_comes_back_from_its_file(episode, tmp_path):
    episode_dir, first, recording, _ = _copy(episode, tmp_path)
    script = episode[0]
    mine = tmp_path / "mine.wav"
    shutil.copy(recording, mine)
    regen_line(episode_dir, "s01-l003", audio=mine)
    shutil.rmtree(episode_dir.parent / CACHE_DIR)  # caches may be deleted at any time
    result = render_episode(script, episode_dir.parent, mix=MIX, show_progress=False)
    line = next(x for x in result.manifest["lines"] if x["line_id"] == "s01-l003")
    assert (line["take"], line["engine"]) == (2, "recording")
    shutil.rmtree(episode_dir.parent / CACHE_DIR)
    mine.write_bytes(b"not the same sound")
    with pytest.raises(RenderError, match="take 2 is a recording no longer in the take cache"):
        render_episode(script, episode_dir.parent, mix=MIX, show_progress=False)


def test_bad_recordings_are_clear_errors(episode, tmp_path):
    episode_dir, *_ = _copy(episode, tmp_path)
    run = CliRunner().invoke(app, ["regen", str(episode_dir), "s01-l002", "--audio",
                                   str(tmp_path / "missing.wav")])
    assert run.exit_code == 2 and "missing.wav: recording not found" in run.output
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(44100, np.float32), 44100)
    with pytest.raises(RenderError, match="recording is silent"):
        regen_line(episode_dir, "s01-l002", audio=silent)
    with pytest.raises(RenderError, match="does not go with --take"):
        regen_line(episode_dir, "s01-l002", audio=silent, take=1)
    assert load_manifest(episode_dir)["lines"][1]["take"] == 1  # nothing changed


def test_audio_cue_places_a_recording_in_the_script(episode, tmp_path):
    _, folder, first, recording, seconds = episode
    (tmp_path / "takes").mkdir()
    shutil.copy(recording, tmp_path / "takes" / "radio.wav")
    script = tmp_path / "radio.txt"
    script.write_text(SCRIPT.replace(
        "ANNA: It has been",
        "[AUDIO: takes/radio.wav | Radio: Storm warning for the whole coast tonight.]\n"
        "ANNA: It has been"), encoding="utf-8")
    shutil.copytree(folder / "out" / ".cache", tmp_path / "out" / ".cache")
    result = render_episode(script, tmp_path / "out", mix=MIX, show_progress=False)
    tl = result.manifest["timeline"]
    rec = next(p for p in tl["placements"] if p["kind"] == "audio")
    lines = {x["line_id"]: x for x in result.manifest["lines"]}
    assert lines["s01-l002"]["end"] < rec["start"] < lines["s01-l003"]["start"]
    assert rec["duration"] == pytest.approx(LEAD + seconds + TAIL, abs=0.01)  # played whole
    assert lines["s01-l003"]["start"] >= rec["start"] + rec["duration"]
    audio, rate = sf.read(result.episode_dir / "episode.wav", dtype="float64")
    heard = audio[int((rec["start"] + LEAD) * rate):int((rec["start"] + LEAD + seconds) * rate)]
    spoken = audio[int(lines["s01-l002"]["start"] * rate):int(lines["s01-l002"]["end"] * rate)]
    assert loudness(heard, rate) == pytest.approx(loudness(spoken, rate), abs=3.0)
    srt = (result.episode_dir / "transcript.srt").read_text(encoding="utf-8")
    assert "Radio: Storm warning for the whole coast tonight." in " ".join(srt.split())
    words = json.loads((result.episode_dir / "transcript.json").read_text())["segments"]
    assert [w["body"] for w in words if w["speaker"] == "Radio"][:2] == ["Storm", "warning"]
    # A missing recording names the script and the line.
    script.write_text(SCRIPT.replace("ANNA: It has been", "[AUDIO: takes/gone.wav]\n"
                                     "ANNA: It has been"), encoding="utf-8")
    with pytest.raises(MixError) as err:
        render_episode(script, tmp_path / "out", mix=MIX, show_progress=False)
    assert str(err.value).startswith(f"{script}:6: audio file ")
    assert "takes/gone.wav' not found" in str(err.value)
