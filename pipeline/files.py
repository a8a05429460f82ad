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


# Names an episode folder may not take: the feed is published into OUT/feed.
RESERVED_SLUGS = frozenset({"feed"})


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]


def slug_for_script(script: Path) -> str:
    """The episode folder for a script, by render and publish alike:
    ``scripts/the-lighthouse-keeper.txt`` -> ``the-lighthouse-keeper``. A name with nothing
    left in ASCII (``日本.txt``) or a reserved one gets a short hash of the name instead, so
    two such scripts never share a folder: ``episode-5d1f0c``."""
    stem = Path(script).stem
    slug = slugify(stem)
    if not slug:
        return f"episode-{short_hash(stem)}"
    return f"{slug}-{short_hash(stem)}" if slug in RESERVED_SLUGS else slug


def slug_candidates(script: Path) -> list[str]:
    """Folders a script may render into, in order of preference: its slug, then the slug with
    a hash of its file name (``x.txt`` beside ``x.fountain``), then of its whole path."""
    script = Path(script)
    first = slug_for_script(script)
    base = slugify(script.stem) or "episode"
    return [first, f"{base}-{short_hash(script.name)}", f"{base}-{short_hash(str(script))}"]


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
