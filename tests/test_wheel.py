"""The built wheel works from any folder: it ships the voice catalog, the default cast and the docs
its messages name, and a user's own ``voices/`` folder layers over them.

The wheel is built from a copy of the checkout (offline, no build isolation) and installed into a
fresh venv outside it. That venv reaches the shared dependencies through a plain path line in a
``.pth`` file, which adds the dev venv's site-packages but does not run its editable-install
finder: ``pipeline`` must come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import soundfile as sf

import pipeline

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "pipeline", "voices", "docs")
STORY = """Title: The Ferry

The fog sat low on the river.

"Is it always this quiet?" Mara asked.

"Only before the bell," said Elias.
"""

pytestmark = pytest.mark.xdist_group("wheel")


@dataclass
class Installed:
    wheel: Path
    venv: Path
    home: Path  # an empty folder outside the checkout

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run([str(self.venv / "bin" / args[0]), *args[1:]], cwd=cwd or self.home,
                              env=env, capture_output=True, text=True, timeout=300)


def _copy_sources(dest: Path) -> None:
    for name in SOURCES:
        src = REPO / name
        if src.is_dir():  # symlinks stay links: the build must follow pipeline/data's
            shutil.copytree(src, dest / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.onnx*"))
        else:
            shutil.copy2(src, dest / name)


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    _copy_sources(src)
    _pip("wheel", "--no-build-isolation", "--no-deps", "--no-index", "-q", "-w",
         str(work / "dist"), str(src))
    (wheel,) = (work / "dist").glob("castwright-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    _pip("--python", str(venv / "bin" / "python"), "install", "--no-index", "--no-deps", "-q",
         str(wheel))
    site = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True).stdout.strip())
    shared = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "castwright-shared-deps.pth").write_text("\n".join(sorted(shared)) + "\n")
    home = work / "empty"
    home.mkdir()
    return Installed(wheel, venv, home)


def test_wheel_ships_catalog_cast_and_docs_from_the_top_level_folders(installed: Installed):
    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
        for packaged, source in [("pipeline/data/voices/catalog.toml", "voices/catalog.toml"),
                                 ("pipeline/data/voices/cast.toml", "voices/cast.toml"),
                                 ("pipeline/data/voices/README.md", "voices/README.md"),
                                 ("pipeline/data/docs/show-file.md", "docs/show-file.md"),
                                 ("pipeline/data/docs/cast-file.md", "docs/cast-file.md")]:
            assert whl.read(packaged) == (REPO / source).read_bytes(), packaged
    assert not [n for n in names if n.endswith(".onnx")]
    assert any(n.endswith("licenses/LICENSE") for n in names)


def test_package_comes_from_the_wheel_not_the_checkout(installed: Installed):
    done = installed.run("python", "-c", "import importlib.metadata as m, pipeline; "
                         "print(pipeline.__file__); print(m.version('castwright'))")
    where, version = done.stdout.split()
    assert Path(where).is_relative_to(installed.venv), where
    assert version == pipeline.__version__
    assert installed.run("castwright", "--version").stdout == f"castwright {version}\n"


def test_voices_from_an_empty_folder_lists_the_whole_catalog(installed: Installed):
    done = installed.run("castwright", "voices")
    assert done.returncode == 0, done.stderr
    listed = {row.split("\t")[0] for row in done.stdout.splitlines()}  # TSV in a pipe
    catalog = tomllib.loads((REPO / "voices" / "catalog.toml").read_text())["voices"]
    assert set(catalog) <= listed, done.stdout


def test_render_from_an_empty_folder(installed: Installed, tmp_path: Path):
    (tmp_path / "ferry.txt").write_text(STORY)
    done = installed.run("castwright", "render", "ferry.txt", "--out", "out", "-q",
                         "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "out" / "ferry" / "manifest.json").read_text())
    speakers = {line["speaker"]: line["voice"] for line in manifest["lines"]}
    # The packaged default cast (voices/cast.toml) chose these voices.
    cast = tomllib.loads((REPO / "voices" / "cast.toml").read_text())
    assert speakers["Narrator"] == cast["narrator"]
    assert speakers["Mara"] == cast["characters"]["Mara"]["voice"]
    wav = tmp_path / "out" / "ferry" / manifest["files"]["wav"]
    assert sf.info(str(wav)).duration > 3.0


def test_user_voices_folder_layers_over_the_packaged_catalog(installed: Installed,
                                                             tmp_path: Path):
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "mine.toml").write_text(
        '[voices.skipper]\nbase = "joe"\npitch_semitones = -3.0\ngender = "male"\n')
    (voices / "cast.toml").write_text('narrator = "skipper"\n')
    (tmp_path / "ferry.txt").write_text(STORY)
    listed = installed.run("castwright", "voices", cwd=tmp_path)
    names = {row.split("\t")[0] for row in listed.stdout.splitlines()}
    assert {"skipper", "joe"} <= names, listed.stdout
    cast = installed.run("castwright", "parse", "ferry.txt", "--json", cwd=tmp_path)
    assert cast.returncode == 0, cast.stderr
    assert json.loads(cast.stdout)["cast"]["Narrator"] == "skipper"


def test_messages_name_docs_the_wheel_ships(installed: Installed):
    done = installed.run("castwright", "publish")
    assert done.returncode == 2
    assert "castwright docs show-file" in done.stderr
    shown = installed.run("castwright", "docs", "show-file")
    assert shown.returncode == 0
    assert shown.stdout == (REPO / "docs" / "show-file.md").read_text()
