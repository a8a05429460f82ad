"""Careless and hostile input gives one line naming the file, the line and the problem: wrong
types and out-of-range numbers in our TOML and JSON files, damaged state, huge files, image
bombs, a full disk. And the small things: names in scripts without letter case are speakers,
voice names in captions are escaped, many characters spread over the voices."""

from __future__ import annotations

import contextlib
import json
import os
import struct
import subprocess
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import atomic
from pipeline.casting import CastFile, cast_script, load_cast_file
from pipeline.catalog import load_catalog, load_catalog_file
from pipeline.errors import CastError, PublishError, RenderError, ScriptError, VoiceError
from pipeline.mix.timeline import Placement, Timeline
from pipeline.mix.transcripts import vtt
from pipeline.parsing import common, parse_script, parse_text
from pipeline.parsing.reading import MAX_SCRIPT_BYTES
from pipeline.publish.artwork import ArtworkProblem, check_artwork
from pipeline.publish.show import load_show
from pipeline.render.cache import TakeCache
from pipeline.render.choices import load_choices
from pipeline.render.manifest import load_manifest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "Title: T\n\nMARA: Hello there.\nELIAS: Fine.\n"


def cast_error(tmp_path: Path, body: str) -> CastError:
    path = tmp_path / "t.cast.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CastError) as caught:
        load_cast_file(path)
    return caught.value


@pytest.mark.parametrize(("body", "line", "words"), [
    ('characters = "Mara"\n', 1, "'characters' must be a table"),
    ('[characters.Mara]\nvoice = 5\n', 2, "'voice' must be a voice name"),
    ('narrator_delivery = 5\n', 1, "'narrator_delivery' must be a table"),
    ('mix = "loud"\n', 1, "'mix' must be a table"),
    ('narrator = 5\n', 1, "'narrator' must be a voice name"),
    ('narrate_summary = "yes"\n', 1, "must be true or false"),
    ('[characters]\nMara = 7\n', 2, "must be a voice name or a table"),
    ('[characters.Mara]\ngender = "robot"\n', 2, "'gender' must be one of male, female"),
    ('\n[characters.Mara]\npitch_semitones = 1000\n', 3, "pitch_semitones = 1000 is outside"),
    ('[characters.Mara]\nvoice = "clara"\nvolume_db = 400\n', 3, "volume_db = 400 is outside"),
    ('[narrator_delivery]\npace = nan\n', 2, "pace = nan is outside 0.5..2"),
    ('[narrator_delivery]\nexpressiveness = "high"\n', 2, "'expressiveness' must be a number"),
    ('[mix]\nbed_level_db = 5\n', 2, "bed_level_db = 5: must be between -60 and 0"),
    ('[mix]\n\nloudness = 1\n', 3, "unknown [mix] setting 'loudness'"),
    ('[characters.Mara]\nvoice = "clara\n', 2, "TOML syntax error"),
    ('x = [1,\n', 1, "TOML syntax error"),
])
def test_cast_file_mistakes_are_one_line_at_their_line(tmp_path, body, line, words):
    err = cast_error(tmp_path, body)
    assert err.file == str(tmp_path / "t.cast.toml") and err.line == line, str(err)
    assert words in err.problem and "\n" not in str(err)


def test_cast_errors_reach_the_cli_as_one_line(tmp_path):
    (tmp_path / "t.txt").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "t.cast.toml").write_text('[characters.Mara]\nvoice = 5\n', encoding="utf-8")
    from pipeline.cli import app

    result = CliRunner().invoke(app, ["parse", str(tmp_path / "t.txt")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{tmp_path / 't.cast.toml'}:2:" in " ".join(result.output.split())


def test_a_bom_is_fine_in_every_toml_file(tmp_path):
    path = tmp_path / "t.cast.toml"
    path.write_bytes(b'\xef\xbb\xbf[characters.Mara]\nvoice = "clara"\n')
    assert load_cast_file(path).characters == {"Mara": "clara"}


@pytest.mark.parametrize(("table", "line", "words"), [
    ('[voices.x]\nbase = "joe"\npitch_semitones = 1000\n', 3, "pitch_semitones must be within"),
    ('[voices.x]\nbase = "joe"\n\nformant_ratio = "big"\n', 4, "'formant_ratio' must be a number"),
    ('[voices.x]\nengine = 5\n', 2, "'engine' must be text"),
    ('[voices.x]\nbase = ["joe"]\n', 2, "'base' must be text"),
    ('voices = 3\n', 1, "'voices' must be tables"),
])
def test_catalog_mistakes_name_the_line(tmp_path, table, line, words):
    path = tmp_path / "mine.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(VoiceError) as caught:
        load_catalog_file(path, load_catalog())
    assert caught.value.line == line and words in caught.value.problem, str(caught.value)


SHOW = """title = "T"
author = "A"
description = "D"
language = "en"
category = "Fiction"
base_url = "https://example.com/"

[owner]
name = "A"
email = "a@example.com"
"""


@pytest.mark.parametrize(("extra", "fragment", "words"), [
    ('', 'base_url', "is not a valid URL"),
    ('[cast]\n[cast.characters.Mara]\nvoice = "nobody"\n', 'voice = "nobody"',
     "[cast] unknown voice 'nobody'"),
    ('[cast]\nnarrator = "nobody"\n', 'narrator = "nobody"', "unknown voice 'nobody'"),
    ('[mix]\nseed = -1\n', 'seed = -1', "seed = -1: must be between"),
    ('[cast.characters.Mara]\nvolume_db = 99\n', 'volume_db = 99', "volume_db = 99 is outside"),
    ('[[episodes]]\nscript = "x.txt"\nnumber = 100000000000000000000\n', 'number =',
     "number must be a whole number from 1 to 99999"),
])
def test_show_file_mistakes_are_caught_at_load_at_their_line(tmp_path, extra, fragment, words):
    (tmp_path / "x.txt").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "y.txt").write_text(SCRIPT, encoding="utf-8")
    text = SHOW.replace('"https://example.com/"', '"http://[::1/"') if not extra else SHOW
    text += extra
    path = tmp_path / "show.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((PublishError, CastError)) as caught:
        load_show(path)
    assert caught.value.file == str(path) and words in caught.value.problem, str(caught.value)
    expected = next(i for i, ln in enumerate(text.splitlines(), 1) if fragment in ln)
    assert caught.value.line == expected


def test_a_show_file_with_a_bom_loads(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "x.txt").write_text(SCRIPT, encoding="utf-8")
    path = tmp_path / "show.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SHOW.encode())
    assert load_show(path).title == "T"


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("choices", "words"), [
    ({"s01-l001": {"take": "two"}}, "'s01-l001.take' must be a whole number from 1 to 9999"),
    ({"s01-l001": {"takes": 5}}, "'s01-l001.takes' must be a list"),
    ({"s01-l001": {"voice": 5}}, "'s01-l001.voice' must be text or null"),
    ({"s01-l001": {"pace": 50}}, "'s01-l001.pace' must be a number from 0.5 to 2"),
    ({"s01-l001": {"colour": "red"}}, "'s01-l001.colour' is not a known key"),
    ({"s01-l001": 3}, "'s01-l001' must be an object"),
    ({"s01-l001": {"recordings": {"2": "take.wav"}}}, "'s01-l001.recordings' must be take"),
    ({"s01-l001": {"recordings": {"two": {"file": "a.wav", "sha256": "0", "key": "k"}}}},
     "'s01-l001.recordings' must be take numbers"),
    ([1, 2], "must be an object"),
])
def test_a_hand_edited_choices_file_is_one_line(tmp_path, choices, words):
    path = write_json(tmp_path / "ep" / "choices.json", choices)
    with pytest.raises(RenderError) as caught:
        load_choices(path.parent)
    assert caught.value.file == str(path) and words in caught.value.problem


GOOD_LINE = {"line_id": "s01-l001", "speaker": "Mara", "voice": "clara", "text": "Hi.",
             "take": 1, "start": 0.0, "end": 1.0}


@pytest.mark.parametrize(("change", "words"), [
    ({"lines": "all of them"}, "'lines' must be a list"),
    ({"lines": [{**GOOD_LINE, "take": "1"}]}, "'lines[0].take' must be a whole number"),
    ({"lines": [{**GOOD_LINE, "start": "zero"}]}, "'lines[0].start' must be a number"),
    ({"files": {"mp3": 5}}, "'files.mp3' must be a file name"),
    ({"duration": -3}, "'duration' must be a number from 0"),
    ({"script": None}, "'script' must be text"),
    ({"book": {"chapter": "one"}}, "'book.chapter' must be a whole number"),
    ({"book": {"title": "A Book"}}, "'book.chapter' is missing"),
])
def test_a_hand_edited_manifest_is_one_line(tmp_path, change, words):
    manifest = {"slug": "ep", "title": "T", "script": "/x.txt", "lines": [GOOD_LINE],
                "files": {"mp3": "episode.mp3"}, "duration": 1.0, **change}
    path = write_json(tmp_path / "ep" / "manifest.json", manifest)
    with pytest.raises(RenderError) as caught:
        load_manifest(path.parent)
    assert caught.value.file == str(path) and words in caught.value.problem
    assert "render the episode again" in caught.value.problem


def test_a_damaged_take_sidecar_means_the_take_is_made_again(tmp_path):
    import numpy as np

    from pipeline.engines.base import Take

    cache = TakeCache(tmp_path)
    key = "ab" * 16
    cache.store(key, Take(np.zeros(2400, dtype=np.float32), 24000))
    assert cache.has(key)
    for damaged in ([1, 2], {"sha256": 5}, {**json.loads(cache.meta_path(key).read_text()),
                                          "duration": "long"}):
        cache.meta_path(key).write_text(json.dumps(damaged))
        assert cache.meta(key) is None


DISK_FULL = """
import resource, signal, sys
import numpy as np
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))  # writes past 20 KB fail: "disk full"
from pipeline.engines.base import Take
from pipeline.errors import CastwrightError
from pipeline.render.cache import TakeCache
try:
    TakeCache(sys.argv[1]).store("ab" * 16, Take(np.zeros(48000, dtype=np.float32), 24000))
except CastwrightError as err:
    print("error:", err)
"""


def test_a_full_disk_while_a_take_is_written_is_one_line_and_leaves_nothing(tmp_path):
    run = subprocess.run([sys.executable, "-c", DISK_FULL, str(tmp_path)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert run.stdout.startswith("error: ") and "cannot write a take" in run.stdout
    assert len(run.stdout.strip().splitlines()) == 1
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing half-written


def png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [20000, 12000])
def test_a_decompression_bomb_cover_is_one_line(tmp_path, side):
    path = tmp_path / "cover.png"
    path.write_bytes(png_header(side, side))
    with pytest.raises(ArtworkProblem, match="far too large to be a cover"):
        check_artwork(path)


def test_endless_and_huge_script_files_are_refused_with_their_size(tmp_path):
    with pytest.raises(ScriptError, match=r"too large for a script \(endless"):
        parse_script("/dev/zero")
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_SCRIPT_BYTES + (8 << 20))  # sparse: no disk used
    with pytest.raises(ScriptError, match=r"too large for a script \(40 MB; the limit is 32 MB"):
        parse_script(big)


def test_sentence_splitting_looks_at_a_bounded_window(monkeypatch):
    """'Mr. ' * 25000 took 39 s: each full stop re-read the whole sentence so far."""
    seen: list[int] = []
    real = common._ABBREVIATED

    class Spy:
        def search(self, text: str):
            seen.append(len(text))
            return real.search(text)

    monkeypatch.setattr(common, "_ABBREVIATED", Spy())
    spans = common.sentence_spans("Mr. " * 25000)
    assert spans == [(0, 100000)] and len(seen) >= 24999
    assert max(seen) <= 20


@pytest.mark.parametrize("unit", ["Mr. ", "A. ", '"a" ', "MARA: ", "[b]x[/b] ", "Mr. Anne "])
def test_parsing_grows_linearly_with_pathological_input(unit):
    """A complexity check, not a speed goal: 8x the text may cost ~8x the CPU, not ~64x
    ("Mr. " * n was quadratic twice: in sentence splitting and in finding names)."""
    def cpu(chars: int) -> float:
        text = "Title: T\n\n" + unit * (chars // len(unit))
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            with contextlib.suppress(ScriptError):
                parse_text(text, "x.txt")
            best = min(best, time.process_time() - start)
        return max(best, 1e-4)

    assert cpu(32_000) / cpu(4_000) < 25


@pytest.mark.parametrize(("text", "speakers"), [
    ("דוד: שלום לך.\nשרה: שלום גם לך.\nדוד: מה שלומך?\n", ["דוד", "שרה"]),
    ("أحمد: مرحبا.\nفاطمة: أهلا وسهلا.\nأحمد: كيف حالك؟\n", ["أحمد", "فاطمة"]),
    ("山田：こんにちは。\n田中：こんばんは。\n山田：元気ですか。\n", ["山田", "田中"]),
    ("王伟: 你好。\n李娜: 你好吗？\n王伟: 我很好。\n", ["王伟", "李娜"]),
])
def test_names_in_scripts_without_letter_case_are_speakers(text, speakers):
    script = parse_text("Title: T\n\n" + text, "x.txt")
    assert script.format == "play" and script.speakers() == speakers
    assert [c.speaker for s in script.sections for c in s.lines] == [
        speakers[0], speakers[1], speakers[0]]


def test_many_characters_spread_evenly_over_the_voices_with_a_warning():
    catalog = load_catalog()
    text = "Title: Crowd\n\n" + "\n".join(f"PERSON{n:04d}: Line {n}." for n in range(2000))
    cast = cast_script(parse_text(text, "crowd.txt", "play"), catalog, CastFile())
    per_voice = Counter(v.name for who, v in cast.voices.items() if who != "Narrator")
    assert max(per_voice.values()) - min(per_voice.values()) <= 1  # even
    assert len(cast.warnings) == 1 and "2000 characters" in cast.warnings[0]
    few = cast_script(parse_text(SCRIPT, "t.txt"), catalog, CastFile())
    assert few.warnings == []


def test_voice_names_in_captions_are_escaped():
    line = Placement(kind="speech", start=0.0, duration=1.0, source="k", line_id="s01-l001",
                     speaker="A>B & <C>", text="Hi <there> & <b>you</b>")
    text = vtt(Timeline(duration=2.0, sample_rate=24000, placements=[line]))
    caption = next(row for row in text.splitlines() if row.startswith("<v "))
    assert caption == "<v A&gt;B &amp; &lt;C&gt;>Hi &lt;there&gt; &amp; you"  # <b>: markup


def test_state_files_are_readable_like_the_rest(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    atomic.write_text(tmp_path / "choices.json", "{}")
    assert (tmp_path / "choices.json").stat().st_mode & 0o777 == 0o666 & ~mask


def test_choices_with_recorded_takes_load_back(tmp_path):
    recording = {"file": "/takes/mara.wav", "sha256": "ab" * 32, "key": "cd" * 16}
    path = write_json(tmp_path / "ep" / "choices.json",
                      {"s01-l001": {"take": 2, "takes": [1, 2], "recordings": {"2": recording}}})
    choice = load_choices(path.parent)["s01-l001"]
    assert choice.recording(2) == recording and choice.recording(1) is None
