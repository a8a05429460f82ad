"""Names and fingerprints of files, shared by render, cache and publish."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from pipeline import __version__


def slugify(text: str) -> str:
    """``The Lighthouse Keeper!`` -> ``the-lighthouse-keeper`` (ASCII, URL- and file-safe)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def slug_for_script(script: Path) -> str:
    """The episode folder for a script, by render and publish alike:
    ``scripts/the-lighthouse-keeper.txt`` -> ``the-lighthouse-keeper``."""
    return slugify(Path(script).stem) or "episode"


def file_sha256(path: Path) -> str:
    """Streamed, so a long episode's audio is never read into memory whole."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_id(folder: Path, names: tuple[str, ...] | None = None) -> str:
    """A fingerprint of the Python source in ``folder`` (or just ``names``): caches keyed on
    it go stale when the code that made their contents changes, not only on a release."""
    paths = sorted(folder.glob("*.py")) if names is None else [folder / n for n in names]
    digest = hashlib.sha256(__version__.encode())  # installs without sources: per release
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
