"""Files the package ships: the voice catalog, the default cast and the docs messages point to.

In a checkout, ``pipeline/data/voices`` and ``pipeline/data/docs`` are symlinks to the top-level
``voices/`` and ``docs/`` (one source of truth); a built wheel holds copies of their files. A
user's own ``./voices`` folder and ``show.toml`` are layered over these (see ``catalog`` and
``casting``).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
PACKAGED_VOICES = DATA / "voices"
DOCS = DATA / "docs"

# Topic name -> shipped Markdown file (``castwright docs TOPIC``).
_EXTRA_DOCS = {"voices": PACKAGED_VOICES / "README.md"}


def doc_topics() -> dict[str, Path]:
    """Every shipped document by topic name (``show-file``, ``cast-file``, ``voices`` ...)."""
    topics = {p.stem.lower(): p for p in sorted(DOCS.glob("*.md"))}
    topics.update({name: p for name, p in _EXTRA_DOCS.items() if p.exists()})
    return dict(sorted(topics.items()))
