"""Rendering and the take cache, on real Piper audio: cache hits, single-line changes,
regen, take pinning, corrupt entries, and a killed render that resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import pipeline.engines
from pipeline.errors import RenderError
from pipeline.render.cache import TakeCache
from pipeline.render.episode import CACHE_DIR, render_episode
from pipeline.render.manifest import load_manifest
from pipeline.render.regen import list_takes, regen_line

pytestmark = pytest.mark.xdist_group("render")

SCRIPT = """Title: Render Test
Summary: Two neighbours argue about a fence.

# The garden
[MIX: none]
ANNA: Good morning, Bill.
BILL: Morning. Your fence is on my side again.
ANNA: It has been there for thirty years.
BILL: Then it has been wrong for thirty years.
"""

MIX = {"auto_beds": False, "intro_music": False, "outro_music": False}


def write_script(folder: Path, text: str = SCRIPT) -> Path:
    path = folder / "garden.txt"
    path.write_text(text.replace("[MIX: none]\n", ""), encoding="utf-8")
    return path


class CountingEngine:
    """Counts real synthesis calls without changing what they produce."""

    def __init__(self, monkeypatch):
        self.calls: list[str] = []
        real = pipeline.engines.synthesize

        def counted(spec, text, *args, **kwargs):
            self.calls.append(text)
            return real(spec, text, *args, **kwargs)

        monkeypatch.setattr(pipeline.engines, "synthesize", counted)


def render(script: Path, out: Path, **kw):
    return render_episode(script, out, mix=MIX, show_progress=False, **kw)


def episode_audio(result) -> tuple[np.ndarray, int]:
    return sf.read(result.episode_dir / result.manifest["files"]["wav"], dtype="float32")


def line_audio(manifest: dict, audio: np.ndarray, rate: int, line_id: str) -> np.ndarray:
    line = next(x for x in manifest["lines"] if x["line_id"] == line_id)
    return audio[int(round(line["start"] * rate)):int(round(line["end"] * rate))]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    script = write_script(folder)
    result = render(script, folder / "out")
    return script, folder / "out", result


def test_render_writes_episode_and_manifest(rendered):
    _, out, result = rendered
    manifest = result.manifest
    assert (result.episode_dir / "manifest.json").exists()
    for name in manifest["files"].values():
        assert (result.episode_dir / name).stat().st_size > 0
    ids = [line["line_id"] for line in manifest["lines"]]
    assert len(ids) == len(set(ids)) >= 4
    audio, rate = episode_audio(result)
    assert len(audio) / rate == pytest.approx(manifest["duration"], abs=0.05)
    previous_end = 0.0
    for line in manifest["lines"]:
        assert line["start"] >= previous_end - 1e-6  # lines do not overlap, in script order
        previous_end = line["end"]
        take = TakeCache(out / CACHE_DIR).load(line["cache_key"])
        assert line["end"] - line["start"] == pytest.approx(take.duration, abs=0.01)
        # Speech is where the timeline says: the line's span is loud, not silence.
        span = line_audio(manifest, audio, rate, line["line_id"])
        mono = span if span.ndim == 1 else span.mean(axis=1)
        assert np.sqrt(np.mean(mono**2)) > 0.01


def test_second_render_synthesizes_nothing(rendered, monkeypatch):
    script, out, first = rendered
    engine = CountingEngine(monkeypatch)
    again = render(script, out)
    assert engine.calls == []
    assert again.synthesized == 0
    a, _ = episode_audio(first)
    b, _ = episode_audio(again)
    assert np.array_equal(a, b)


def test_the_same_script_named_another_way_is_not_mixed_again(rendered, monkeypatch):
    script, out, _ = rendered
    render(script, out)  # whatever the tests before left: current again
    episode = out / "garden"
    stamps = {p.name: p.stat().st_mtime_ns for p in episode.iterdir()}
    monkeypatch.chdir(script.parent)
    again = render(Path(script.name), out)  # relative now, absolute before
    assert again.synthesized == 0
    assert {p.name: p.stat().st_mtime_ns for p in episode.iterdir()} == stamps


def test_one_edited_line_synthesizes_one_line(tmp_path, rendered, monkeypatch):
    _, out, first = rendered
    edited = write_script(tmp_path, SCRIPT.replace("Good morning, Bill.", "Good evening, Bill."))
    engine = CountingEngine(monkeypatch)
    result = render(edited, out)
    assert engine.calls == ["Good evening, Bill."]
    before = {x["line_id"]: x["cache_key"] for x in first.manifest["lines"]}
    after = {x["line_id"]: x["cache_key"] for x in result.manifest["lines"]}
    changed = [k for k in before if before[k] != after[k]]
    assert len(changed) == 1


def test_regen_changes_exactly_one_line(tmp_path):
    script = write_script(tmp_path)
    out = tmp_path / "out"
    first = render(script, out)
    audio1, rate = episode_audio(first)
    target = first.manifest["lines"][2]["line_id"]
    result = regen_line(first.episode_dir, target)
    assert result.take == 2 and result.synthesized
    manifest2 = load_manifest(first.episode_dir)
    audio2, _ = sf.read(first.episode_dir / manifest2["files"]["wav"], dtype="float32")
    cache = TakeCache(out / CACHE_DIR)
    for old, new in zip(first.manifest["lines"], manifest2["lines"], strict=True):
        if old["line_id"] == target:
            assert new["take"] == 2 and new["cache_key"] != old["cache_key"]
            assert not np.array_equal(cache.load(old["cache_key"]).samples,
                                      cache.load(new["cache_key"]).samples)
            continue
        assert new["cache_key"] == old["cache_key"]
        # Neighbours are sample-identical in the mix (shifted if the new take's length differs).
        a = line_audio(first.manifest, audio1, rate, old["line_id"])
        b = line_audio(manifest2, audio2, rate, new["line_id"])
        assert len(a) == len(b)
        assert np.array_equal(a, b)

    # The pin survives a full render; --take switches back to the first reading.
    again = render(script, out)
    assert next(x for x in again.manifest["lines"] if x["line_id"] == target)["take"] == 2
    back = regen_line(first.episode_dir, target, take=1)
    assert back.take == 1 and not back.synthesized
    takes = list_takes(first.episode_dir, target)
    assert [t.take for t in takes] == [1, 2] and all(t.cached for t in takes)
    assert [t.current for t in takes] == [True, False]


def test_regen_text_and_errors(tmp_path):
    script = write_script(tmp_path)
    result = render(script, tmp_path / "out")
    target = result.manifest["lines"][1]["line_id"]
    regen_line(result.episode_dir, target, text="Morning. The fence is fine.")
    manifest = load_manifest(result.episode_dir)
    line = next(x for x in manifest["lines"] if x["line_id"] == target)
    assert line["text"] == "Morning. The fence is fine."
    with pytest.raises(RenderError, match="unknown line id 's09-l999'"):
        regen_line(result.episode_dir, "s09-l999")
    with pytest.raises(RenderError, match="no rendered episode"):
        regen_line(tmp_path / "nowhere", target)


def test_edited_script_unpins_take_with_warning(tmp_path):
    script = write_script(tmp_path)
    out = tmp_path / "out"
    first = render(script, out)
    target = next(x["line_id"] for x in first.manifest["lines"] if "fence is on" in x["text"])
    regen_line(first.episode_dir, target, remix=False)
    write_script(tmp_path, SCRIPT.replace("Your fence is on my side again.",
                                          "Your hedge is on my side again."))
    result = render(script, out)
    assert any(target in w and "pinned" in w for w in result.warnings)
    assert next(x for x in result.manifest["lines"] if x["line_id"] == target)["take"] == 1


def test_corrupt_cache_entry_is_redone(tmp_path, monkeypatch):
    script = write_script(tmp_path)
    out = tmp_path / "out"
    first = render(script, out)
    victim = first.manifest["lines"][0]["cache_key"]
    cache = TakeCache(out / CACHE_DIR)
    wav = cache.wav_path(victim)
    wav.write_bytes(wav.read_bytes()[: wav.stat().st_size // 2])  # truncated write
    assert not cache.has(victim)
    engine = CountingEngine(monkeypatch)
    again = render(script, out)
    assert len(engine.calls) == 1
    assert cache.has(victim)
    assert again.synthesized == 1


def group_gone(pgid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_killed_render_resumes_from_cache(tmp_path):
    lines = "\n".join(f"ANNA: This is sentence number {n} of a rather long scene."
                      for n in range(1, 25))
    script = tmp_path / "long.txt"
    script.write_text(f"Title: Long\n\n# Scene\n{lines}\n", encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline.cli", "render", str(script), "--out", str(out),
           "--quiet"]
    proc = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parents[1],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # its workers share its process group
    cache_root = out / CACHE_DIR
    deadline = time.monotonic() + 120

    def finished() -> list[Path]:  # sidecars renamed into place, not ".<name>.tmp.json" temps
        return [p for p in cache_root.glob("*/*.json") if not p.name.startswith(".")]

    while time.monotonic() < deadline and len(finished()) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # Its synthesis workers die with it (PR_SET_PDEATHSIG); on a loaded machine the kernel
    # may take a moment to finish them, and a live worker's temp file is rightly left alone.
    assert group_gone(proc.pid, within=30), "workers outlived the killed render"
    done_before = {p.stem: p.stat().st_mtime_ns for p in finished()}
    assert 3 <= len(done_before) < 24, "the render was not interrupted mid-way"
    assert not (out / "long" / "manifest.json").exists()
    result = render_episode(script, out, show_progress=False, mix=MIX)
    assert result.synthesized == 24 - len(done_before)
    for key, mtime in done_before.items():  # finished takes were reused, not redone
        assert (cache_root / key[:2] / f"{key}.json").stat().st_mtime_ns == mtime
    assert not list(out.rglob("*.tmp*"))  # nothing half-written left behind
    manifest = json.loads((out / "long" / "manifest.json").read_text())
    assert len(manifest["lines"]) == 24


def test_show_cast_is_layered_under_the_episode_cast_and_kept_by_regen(tmp_path):
    """A show's [cast] keeps recurring characters' voices across episodes; an episode's own cast
    file still wins where it speaks; regen casts the episode as its render did."""
    script = write_script(tmp_path)
    out = tmp_path / "out"
    show_cast = {"narrator": "harold", "characters": {"Anna": "clara", "Bill": "tomas"}}
    first = render(script, out, show_cast=show_cast)
    assert first.manifest["cast"] == {"Narrator": "harold", "Anna": "clara", "Bill": "tomas"}
    assert first.manifest["show_cast"] == show_cast
    regen_line(first.episode_dir, first.manifest["lines"][-1]["line_id"])
    after = load_manifest(first.episode_dir)
    assert after["cast"] == first.manifest["cast"]
    assert {x["voice"] for x in after["lines"] if x["speaker"] == "Bill"} == {"tomas"}
    (tmp_path / "garden.cast.toml").write_text('[characters.Bill]\nvoice = "milo"\n')
    layered = render(script, out, show_cast=show_cast)
    assert layered.manifest["cast"] == {"Narrator": "harold", "Anna": "clara", "Bill": "milo"}
