"""CLI habits: --version, shell completion, --json on data commands, TSV rows in pipes and tables
on a terminal, global -q/-v, old option spellings, --jobs from the cores available, progress
bars on a terminal, and playing audio through a player."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import soundfile as sf
from cli_support import TERMINAL_ENV as TABLES
from cli_support import run

import pipeline

pytestmark = pytest.mark.xdist_group("cli")
REPO = Path(__file__).resolve().parents[1]
SCRIPT = "Title: Habits\n\nANNA: The tide is coming in.\nBILL: Then we had better go.\n"
QUIET_MIX = "[mix]\nauto_beds = false\nintro_music = false\noutro_music = false\n"


def castwright(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
               **kw) -> subprocess.CompletedProcess:
    """The installed console script, running this checkout, in a real pipe."""
    exe = Path(sys.executable).with_name("castwright")
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd, timeout=300, **kw)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding episode ``habits`` (two lines)."""
    folder = tmp_path_factory.mktemp("habits")
    (folder / "habits.txt").write_text(SCRIPT)
    (folder / "habits.cast.toml").write_text(QUIET_MIX)
    done = run("render", str(folder / "habits.txt"), "--out", str(folder / "out"), "-j", "1")
    assert done.exit_code == 0, done.output
    return folder / "out"


def test_version_matches_the_package():
    assert run("--version").stdout == f"castwright {pipeline.__version__}\n"
    done = castwright("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"castwright {pipeline.__version__}"


def test_start_up_imports_no_heavy_library():
    """`castwright --version` and `--help` stay quick: no pydantic, numpy or engine at start-up."""
    code = ("import sys, pipeline.cli; print(' '.join(sorted(m for m in ('pydantic', 'numpy', "
            "'scipy', 'torch', 'soundfile', 'matplotlib', 'onnxruntime', 'piper') "
            "if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


def test_help_uses_plain_usage_and_one_line_summaries():
    """Usage lines read `castwright regen [OPTIONS] EPISODE LINE` (no `{EPISODE}` braces, no
    lowercase names); switches show no `<bool>`; the command list's summaries are one line."""
    import typer.main

    from pipeline.cli import app

    assert "Usage: castwright regen [OPTIONS] EPISODE LINE" in run("regen", "--help").stdout
    assert "Usage: castwright review [OPTIONS] SCRIPT [LINE] [SPEAKER]" in \
        run("review", "--help").stdout
    for path, command in _commands(typer.main.get_command(app)):
        page = run(*path, "--help", terminal=True).stdout
        usage = next(line for line in page.splitlines() if "Usage:" in line)
        assert "{" not in usage and not re.search(r"\b[a-z]+\]|\[[a-z]+\b", usage), usage
        assert "<bool>" not in page, path
        assert command.short_help and "\n" not in command.short_help, path
    listing = run("--help", terminal=True).stdout
    assert "(and optionally write the cast as a cast file)" in listing


def test_help_and_docs_name_each_argument_as_its_usage_line_does():
    """``castwright review SCRIPT s01-l004 Mara`` in the help, README and docs: the same
    placeholder the usage line shows (not STORY for an argument the usage calls SCRIPT)."""
    import typer.main

    from pipeline.cli import app

    pages = {}
    for path, _ in _commands(typer.main.get_command(app)):
        page = run(*path, "--help", env={"COLUMNS": "200"}).stdout
        usage = next(line for line in page.splitlines() if "Usage:" in line)
        pages[" ".join(path)] = (page, set(re.findall(r"\b[A-Z][A-Z-]+\b", usage)) - {"OPTIONS"})
    docs = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    texts = [(f"castwright {name} --help", page) for name, (page, _) in pages.items()]
    texts += [(doc.name, doc.read_text(encoding="utf-8")) for doc in docs]
    checked = 0
    for where, text in texts:
        for name, (_, metavars) in pages.items():
            for example in re.finditer(rf"castwright {re.escape(name)}((?: \[?[A-Z][A-Z-]+\]?)+)"
                                       r"(?![\w-])", text):
                named = set(re.findall(r"[A-Z][A-Z-]+", example.group(1))) - {"OPTIONS"}
                assert named <= metavars, (where, example.group(), metavars)
                checked += 1
    assert checked >= 10  # the examples are there to check


def test_completion_script_and_completions():
    # `--show-completion` asks shellingham which shell runs castwright (it walks the parent
    # processes): run it from bash, as a user does, not from whatever started the test run
    # (nohup, a CI runner: no shell there, and typer says "Shell  not supported").
    exe = Path(sys.executable).with_name("castwright")
    script = subprocess.run(["bash", "--norc", "-c", '"$0" --show-completion bash; exit $?',
                             str(exe)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert script.returncode == 0
    assert "complete -o default -F _castwright_completion castwright" in script.stdout
    env = {"_CASTWRIGHT_COMPLETE": "complete_bash", "COMP_CWORD": "1",
           "COMP_WORDS": "castwright re"}
    assert set(castwright(env=env).stdout.split()) == {"render", "regen", "review"}
    env.update(COMP_WORDS="castwright voices pr", COMP_CWORD="2")
    assert castwright(env=env).stdout.split() == ["preview"]


def test_lines_and_takes_json_tsv_and_table(rendered: Path):
    manifest = json.loads((rendered / "habits" / "manifest.json").read_text())
    data = json.loads(run("lines", "habits", "--out", str(rendered), "--json").stdout)
    assert data["title"] == "Habits" and len(data["lines"]) == len(manifest["lines"]) == 2
    first = data["lines"][0]
    assert first["line_id"] == "s01-l001" and first["speaker"] == "Anna"
    assert first["duration"] == pytest.approx(first["end"] - first["start"])
    assert first["duration"] > 0.5
    piped = castwright("lines", "habits", "--out", str(rendered))  # a real pipe
    rows = [row.split("\t") for row in piped.stdout.splitlines()]
    assert len(rows) == 2 and {len(r) for r in rows} == {7}
    assert rows[1][:4] == ["s01-l002", "Bill", manifest["lines"][1]["voice"], "1"]
    assert float(rows[1][5]) == pytest.approx(data["lines"][1]["duration"], abs=0.001)
    assert "┃" not in piped.stdout and "Habits" not in piped.stdout
    table = run("lines", "habits", "--out", str(rendered), terminal=True).stdout
    assert "┃ line" in table and "Habits" in table
    takes = json.loads(run("takes", "habits", "s01-l001", "--out", str(rendered),
                           "--json").stdout)
    assert takes["line_id"] == "s01-l001"
    assert [(t["take"], t["cached"], t["current"]) for t in takes["takes"]] == [(1, True, True)]


def test_voices_and_cast_json(rendered: Path):
    catalog = tomllib.loads((REPO / "voices" / "catalog.toml").read_text())["voices"]
    voices = json.loads(run("voices", "--json").stdout)["voices"]
    by_name = {v["name"]: v for v in voices}
    assert set(catalog) <= set(by_name)
    assert by_name["joe"]["available"] is True and by_name["joe"]["engine"] == "piper"
    rows = castwright("voices").stdout.splitlines()
    assert {row.split("\t")[0] for row in rows} == set(by_name)
    script = rendered.parent / "habits.txt"
    cast = json.loads(run("cast", str(script), "--json").stdout)
    speakers = {row["speaker"]: row for row in cast["cast"]}
    assert {"Narrator", "Anna", "Bill"} <= set(speakers)
    assert speakers["Anna"]["how"] == "automatic" and speakers["Anna"]["lines"] == 1
    assert cast["cast_file"].endswith("habits.cast.toml")


def test_render_and_regen_json(rendered: Path):
    script = rendered.parent / "habits.txt"
    done = json.loads(run("render", str(script), "--out", str(rendered), "--json").stdout)
    assert done["synthesized"] == 0 and done["reused"] == 2 and done["slug"] == "habits"
    assert all(Path(path).is_file() for path in done["files"].values())
    assert done["loudness"]["integrated_lufs"] == pytest.approx(-16, abs=1.5)
    again = json.loads(run("regen", "habits", "s01-l002", "--take", "1", "--out",
                           str(rendered), "--json").stdout)
    assert again["take"] == 1 and again["synthesized"] is False and again["duration"] > 0.5


def test_quiet_and_verbose(rendered: Path):
    script = str(rendered.parent / "habits.txt")
    quiet = run("-q", "render", script, "--out", str(rendered))
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert len(run("-q", "lines", "habits", "--out", str(rendered)).stdout.splitlines()) == 2
    loud = run("-v", "render", script, "--out", str(rendered))
    assert "from cache" in loud.stdout
    assert re.search(r"seconds: prepare [\d.]+, synthesize [\d.]+, mix", loud.stderr)
    assert "habits.cast.toml" in loud.stderr


def test_old_option_spellings_work_but_stay_out_of_help(tmp_path: Path):
    script = str(tmp_path / "plain.txt")  # no cast file beside it: the folder's cast.toml counts
    Path(script).write_text(SCRIPT)
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "mine.toml").write_text('[voices.skipper]\nbase = "joe"\npitch_semitones = -2.0\n')
    (voices / "cast.toml").write_text('narrator = "skipper"\n')
    for spelling in ("--voices-dir", "--voices"):
        data = json.loads(run("parse", script, spelling, str(voices), "--json").stdout)
        assert data["cast"]["Narrator"] == "skipper", spelling
    helped = run("parse", "--help", env={"COLUMNS": "200"}).stdout
    assert "--voices-dir" in helped and not re.search(r"--voices\b(?!-)", helped)
    gone = run("serve", "--dir", str(tmp_path / "nothing"))
    assert gone.exit_code == 2 and f"{tmp_path / 'nothing'}" in gone.stderr
    served = run("serve", "--out", str(tmp_path / "nothing"))
    assert f"{tmp_path / 'nothing' / 'feed'}" in served.stderr
    wav = tmp_path / "p.wav"
    preview = run("voices", "preview", "joe", "Hello.", "--output", str(wav))
    assert preview.exit_code == 0 and sf.info(str(wav)).duration > 0.3
    for command in (["render"], ["publish"], ["serve"], ["voices", "preview"]):
        text = run(*command, "--help", env={"COLUMNS": "200"}).stdout
        assert not re.search(r"--(dir|output|voices)\b(?!-)", text), command


def test_jobs_default_to_the_cores_this_process_may_use():
    code = "from pipeline.commands.common import default_jobs; print(default_jobs())"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    one = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         preexec_fn=lambda: os.sched_setaffinity(0, {0}), timeout=60)
    assert one.stdout.strip() == "1"
    every = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, timeout=60)
    assert every.stdout.strip() == str(len(os.sched_getaffinity(0)))
    assert "cores available" in run("render", "--help", env={"COLUMNS": "200"}).stdout


def test_progress_bars_on_a_terminal_only(rendered: Path, tmp_path: Path):
    script = tmp_path / "fresh.txt"
    script.write_text(SCRIPT.replace("Habits", "Fresh") + "ANNA: One more line for the bar.\n")
    (tmp_path / "fresh.cast.toml").write_text(QUIET_MIX)
    out = str(rendered)
    shown = castwright("render", str(script), "--out", out, "-j", "1", env=TABLES)
    assert shown.returncode == 0, shown.stderr
    for stage in ("synthesizing", "1/1 lines", "mixing", "audio", "mastering"):
        assert stage in shown.stderr, stage
    assert "━" in shown.stderr
    # A regen re-mixes: no bars in a pipe, nothing at all with -q.
    regen = ("regen", "fresh", "s01-l001", "--out", out)
    piped = castwright(*regen)  # take 2: synthesized and mixed
    assert piped.returncode == 0 and piped.stderr == "" and "re-mixed" in piped.stdout
    quiet = castwright("-q", *regen, "--take", "1", env=TABLES)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


def _fake_player(folder: Path, status: int = 0) -> Path:
    """A "player" that keeps a copy of what it was given (no sound card in CI)."""
    player = folder / "player.py"
    player.write_text(f"#!{sys.executable}\nimport shutil, sys\n"
                      f"shutil.copy(sys.argv[-1], {str(folder / 'heard.wav')!r})\n"
                      f"sys.exit({status})\n")
    player.chmod(0o755)
    return player


def test_play_episode_line_and_take(rendered: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CASTWRIGHT_PLAYER", str(_fake_player(tmp_path)))
    heard = tmp_path / "heard.wav"
    manifest = json.loads((rendered / "habits" / "manifest.json").read_text())
    done = run("play", "habits", "--out", str(rendered))
    assert done.exit_code == 0, done.output
    assert sf.info(str(heard)).duration == pytest.approx(manifest["duration"], abs=0.01)
    line = manifest["lines"][1]
    done = run("play", "habits", "s01-l002", "--context", "0.25", "--out", str(rendered))
    assert done.exit_code == 0, done.output
    span = line["end"] - line["start"] + 0.5
    assert sf.info(str(heard)).duration == pytest.approx(span, abs=0.01)
    done = run("play", "habits", "s01-l002", "--take", "1", "--out", str(rendered))
    assert done.exit_code == 0, done.output
    assert sf.info(str(heard)).duration == pytest.approx(line["end"] - line["start"], abs=0.05)
    missing = run("play", "habits", "s01-l002", "--take", "9", "--out", str(rendered))
    assert missing.exit_code == 2 and "take 9 of s01-l002 is not in the cache" in missing.stderr
    heard.unlink()
    preview = run("voices", "preview", "joe", "Keep the lamp lit.", "--play")
    assert preview.exit_code == 0 and sf.info(str(heard)).duration > 0.5


def test_play_errors(rendered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CASTWRIGHT_PLAYER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no player anywhere
    none = run("play", "habits", "--out", str(rendered))
    assert none.exit_code == 2
    assert none.stderr.startswith("error: no audio player found (tried ffplay, mpv")
    assert "CASTWRIGHT_PLAYER" in none.stderr and none.stderr.count("\n") == 1
    monkeypatch.setenv("CASTWRIGHT_PLAYER", str(_fake_player(tmp_path, status=3)))
    failed = run("play", "habits", "--out", str(rendered))
    assert failed.exit_code == 2 and "failed (exit status 3)" in failed.stderr
    neither = run("voices", "preview", "joe", "Hi.")
    assert neither.exit_code == 2 and "-o FILE.wav" in neither.stderr


def test_publish_json_and_rows(rendered: Path, tmp_path: Path):
    show = tmp_path / "show.toml"
    show.write_text('title = "Habit Theatre"\nauthor = "A"\ndescription = "d"\nlanguage = "en"\n'
                    'category = "Fiction"\nexplicit = false\nbase_url = "https://example.com/"\n'
                    '[owner]\nname = "A"\nemail = "a@example.com"\n'
                    f'[[episodes]]\nscript = "{(rendered.parent / "habits.txt").as_posix()}"\n'
                    'number = 1\n')
    data = json.loads(run("publish", "--show", str(show), "--out", str(rendered), "-j", "1",
                          "--json").stdout)
    assert data["feed"] == str(rendered / "feed" / "feed.xml") and Path(data["feed"]).is_file()
    (episode,) = data["episodes"]
    assert episode["slug"] == "habits" and episode["title"] == "Habits"
    assert episode["state"] == "new or changed" and episode["length"] > 0
    rows = run("publish", "--show", str(show), "--out", str(rendered)).stdout.splitlines()
    assert rows[0].split("\t")[:4] == ["1", "habits", "Habits", "unchanged"]
    shown = castwright("publish", "--show", str(show), "--out", str(rendered), env=TABLES)
    assert "episodes" in shown.stderr and "1/1 checked" in shown.stderr


@pytest.mark.qa
def test_qa_json_and_progress(rendered: Path):
    done = castwright("qa", "habits", "--out", str(rendered), "--json", "--no-voice-check",
                      env=TABLES)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["slug"] == "habits" and len(report["lines"]) == 2
    assert {"wer", "heard", "flags"} <= set(report["lines"][0])
    assert "transcribing" in done.stderr and "2/2 lines" in done.stderr
