"""Read a script file into text: decoding, binary and empty-file checks, all as ``ScriptError``."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from pipeline.errors import ScriptError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
MAX_SCRIPT_BYTES = 32 << 20  # War and Peace is 3.3 MB of text
_MAX_CONTROL_SHARE = 0.05  # more control characters than this: not a text file
# Control (Cc) and surrogate (Cs) characters, except tab, newlines, form feed and vertical tab.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def read_script_file(path: str | Path) -> tuple[str, list[str]]:
    """The file's text (newlines normalised) and any decoding warnings."""
    where = str(path)
    try:
        data = read_capped(Path(path), where)
    except FileNotFoundError:
        raise ScriptError("script file not found", where, 1) from None
    except IsADirectoryError:
        raise ScriptError("this is a folder, not a script file", where, 1) from None
    except PermissionError:
        raise ScriptError("cannot read the script file: permission denied", where, 1) from None
    except OSError as err:
        raise ScriptError(f"cannot read the script file: {err.strerror or err}", where, 1) from None
    return decode_bytes(data, where)


def read_capped(path: Path, where: str) -> bytes:
    """At most ``MAX_SCRIPT_BYTES`` (a device like /dev/zero never ends): more is refused."""
    with path.open("rb") as fh:
        data = fh.read(MAX_SCRIPT_BYTES + 1)
        if len(data) > MAX_SCRIPT_BYTES:
            size = os.fstat(fh.fileno()).st_size
            told = f"{size / (1 << 20):.0f} MB" if size > MAX_SCRIPT_BYTES else "endless"
            raise ScriptError(f"the file is too large for a script ({told}; the limit is "
                              f"{MAX_SCRIPT_BYTES >> 20} MB, several long novels)", where, 1)
    return data


def decode_bytes(data: bytes, where: str) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM), UTF-16/32 with a BOM, else cp1252 with a warning."""
    warnings: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return check_text(data.decode(encoding), where), warnings
            except UnicodeDecodeError as err:
                raise ScriptError(f"not valid {encoding.upper()} text", where,
                                  _line_of(data, err.start)) from None
    if b"\x00" in data:
        raise ScriptError("binary data (NUL bytes), not a text file", where,
                          _line_of(data, data.index(b"\x00")))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = _line_of(data, err.start)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as err2:
            bad = data[err2.start]
            raise ScriptError(f"not UTF-8 text (byte 0x{bad:02x} cannot be decoded); save the "
                              "script as UTF-8", where, _line_of(data, err2.start)) from None
        warnings.append(f"{where}:{line}: not valid UTF-8; read as Windows-1252 (cp1252)")
    return check_text(text, where), warnings


def check_text(text: str, where: str) -> str:
    """Normalise newlines, refuse binary-looking or empty text, drop stray control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ScriptError("binary data (NUL characters), not text", where,
                          text.count("\n", 0, text.index("\x00")) + 1)
    controls = [m.start() for m in _CONTROL.finditer(text)]
    if controls and len(controls) > _MAX_CONTROL_SHARE * len(text):
        raise ScriptError("binary data (mostly control characters), not text", where,
                          text.count("\n", 0, controls[0]) + 1)
    if controls:
        text = _CONTROL.sub("", text)
    text = text.replace("\f", " ").replace("\v", " ")  # keep line numbers
    if not text.strip():
        raise ScriptError("script is empty", where, 1)
    return text


def _line_of(data: bytes, index: int) -> int:
    return data.count(b"\n", 0, index) + 1
