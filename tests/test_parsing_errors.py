"""Bad input is a ScriptError naming the file and the line, never a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.errors import ScriptError
from pipeline.parsing import parse_script, parse_text


def fails(path: Path, line: int, words: str, **kwargs: str) -> ScriptError:
    with pytest.raises(ScriptError) as info:
        parse_script(path, **kwargs)
    err = info.value
    assert str(err).startswith(f"{path}:{line}: "), str(err)
    assert path.name in str(err) and err.line == line
    assert words in err.problem
    return err


def test_missing_file(tmp_path: Path) -> None:
    fails(tmp_path / "nope.txt", 1, "not found")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("MARA: Hello.\n")

    def denied(self: Path, *args, **kwargs) -> bytes:
        raise PermissionError(13, "Permission denied")

    # chmod 000 does not stop root (CI runs as root), so make the read itself fail.
    monkeypatch.setattr(Path, "open", denied)
    fails(path, 1, "permission denied")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    fails(tmp_path, 1, "folder")


def test_binary_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"line one\nline two\n\x89PNG\x00\x00\x01")
    fails(path, 3, "binary")


def test_mostly_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(b"ok\n" + bytes(range(1, 9)) * 20)
    fails(path, 2, "binary")


def test_cp1252_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("MARA: Hello.\nELIAS: A caf\u00e9 \u2014 \u201cnice\u201d.\n".encode("cp1252"))
    script = parse_script(path)
    assert script.lines()[1].text == "A caf\u00e9 \u2014 \u201cnice\u201d."
    assert script.warnings[0] == f"{path}:2: not valid UTF-8; read as Windows-1252 (cp1252)"


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"MARA: Hello.\nELIAS: \x81\x8d\x90 oops\n")
    fails(path, 2, "not UTF-8")


def test_utf8_bom_and_utf16(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes(codecs.BOM_UTF8 + "MARA: H\u00e9llo.\nELIAS: Hi.\n".encode())
    assert parse_script(bom).lines()[0].text == "H\u00e9llo."
    assert parse_script(bom).warnings == []
    wide = tmp_path / "wide.txt"
    wide.write_bytes("MARA: H\u00e9llo.\nELIAS: Hi.\n".encode("utf-16"))
    assert parse_script(wide).speakers() == ["Mara", "Elias"]


@pytest.mark.parametrize("content", ["", "   \n\n\t\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_text(content)
    fails(path, 1, "empty")


@pytest.mark.parametrize("fmt, content, line", [
    ("prose", "\n\n...\n\n***\n\n\u2014\n", 3),
    ("play", "\n[SFX: door]\n[PAUSE 2s]\n", 2),
    ("fountain", "Title: Nothing\n\nINT. HOUSE - DAY\n\nCUT TO:\n", 1),
    ("play", "[[only a note]]\n(...)\n", 2),  # the first line with anything but a note
])
def test_no_speakable_lines(tmp_path: Path, fmt: str, content: str, line: int) -> None:
    path = tmp_path / f"silent.{fmt}.txt"
    path.write_text(content)
    fails(path, line, "no speakable lines", format=fmt)


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("MARA: Hi.\n")
    with pytest.raises(ScriptError, match="unknown script format 'xml'"):
        parse_script(path, format="xml")


@pytest.mark.parametrize("fmt, text, line", [
    ("play", "MARA: Hi.\n\nAC/DC: Rock.\n", 3),
    ("play", "MARA: Hi.\nBACK\\SLASH: Hi.\n", 2),
    ("play", "MARA: Hi.\nA..B: Hi.\n", 2),
    ("fountain", "ALICE\nHi.\n\nBOB/ALICE\nHi.\n", 4),
    ("prose", "Mara: The lamp.\n\nSpike/Buffy: The porch at night.\n", 3),
])
def test_path_characters_in_speaker_names(fmt: str, text: str, line: int) -> None:
    with pytest.raises(ScriptError) as info:
        parse_text(text, "story.txt", format=fmt)
    assert str(info.value).startswith(f"story.txt:{line}: speaker name")


def test_nul_in_text(tmp_path: Path) -> None:
    with pytest.raises(ScriptError) as info:
        parse_text("MARA: Hi.\nELIAS: \x00\n", "story.txt")
    assert str(info.value).startswith("story.txt:2: binary data")
