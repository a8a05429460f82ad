"""``castwright render BOOK``: a book with chapters renders as a season (see ``books.season``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.commands.common import note, print_json, say, warn
from pipeline.errors import ScriptError

if TYPE_CHECKING:
    from pipeline.cluster.session import ClusterSession


def _duration(seconds: float | None) -> str:
    if not seconds:
        return "-"
    hours, rest = divmod(int(round(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


SHOWN_WARNINGS = 5  # a novel can have hundreds: the rest are one `castwright parse` away


def _warn(warnings: list[str], path: Path) -> None:
    for warning in warnings[:SHOWN_WARNINGS]:
        warn(warning)
    if len(warnings) > SHOWN_WARNINGS:
        warn(f"… and {len(warnings) - SHOWN_WARNINGS} more (castwright parse {path} lists them "
             "all)")


def render_book(path: Path, out: Path, cast: Path | None, jobs: int, voices_dir: Path | None,
                quiet: bool, chapters: str | None, all_matter: bool, read_notes: bool,
                as_json: bool = False, cluster: ClusterSession | None = None) -> bool:
    """Render ``path`` as a season if it is a book with chapters; False for one episode."""
    from pipeline.books.book import load_book
    from pipeline.books.season import parse_chapters, render_season

    book = load_book(path, all_matter, read_notes)
    if not book.is_season:
        if chapters and chapters.strip() not in ("1", "1-1"):
            raise ScriptError(f"--chapters {chapters}: this file has no chapters (it is one "
                              "episode)", path)
        return False
    parse_chapters(chapters, len(book.chapters), path)  # a bad range fails before any output
    note(f"{book.meta.title}" + (f" by {book.meta.author}" if book.meta.author else "")
         + f": {len(book.chapters)} chapters" +
         (f", {len(book.skipped)} parts of front/back matter left out" if book.skipped else ""))
    result = render_season(path, out, chapters, cast, jobs, voices_dir,
                           show_progress=not quiet and not as_json,
                           include_matter=all_matter, read_notes=read_notes, book=book,
                           cluster=cluster)
    _warn(result.warnings, path)
    if as_json:
        print_json({"season": str(result.season_dir), "title": book.meta.title,
                    "author": book.meta.author, "chapters": len(book.chapters),
                    "synthesized": result.synthesized, "reused": result.reused,
                    "mixed": result.mixed, "seconds": result.seconds,
                    "episodes": [{"number": e.number, "title": e.title, "slug": e.slug,
                                  "episode": str(e.episode_dir),
                                  "duration": e.manifest.get("duration"),
                                  "mixed_on": e.mixed_on or None}
                                 for e in result.episodes]})
        return True
    for episode in result.episodes:
        say(f"  {episode.number:>3}  {_duration(episode.manifest.get('duration')):>8}  "
             f"{episode.title}  ({episode.episode_dir})")
    total = sum(e.manifest.get("duration") or 0.0 for e in result.episodes)
    say(f"{book.meta.title} — {len(result.episodes)} episode(s), {_duration(total)}: "
         f"{result.synthesized} lines synthesized, {result.reused} from cache, "
         f"{result.mixed} episode(s) mixed in {result.seconds:.1f} s; season: "
         f"{result.season_dir / 'season.json'}")
    return True
