"""``castwright publish``: render what is stale, record it in the catalog, write ``output/feed/``.

Order matters: the show file is validated first (nothing is written for a bad one), episodes are
rendered, then the new feed folder is built beside the old one and swapped in, and only then is
the catalog transaction committed. A failure anywhere leaves the previous feed and catalog intact.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import progress
from pipeline.errors import PublishError
from pipeline.files import file_sha256
from pipeline.lexicon import load_lexicon
from pipeline.locks import episode_lock, feed_lock
from pipeline.publish.artwork import check_artwork, draw_cover
from pipeline.publish.catalog import Catalog, EpisodeRecord
from pipeline.publish.episode_folder import (
    EpisodeFolder,
    RenderRequest,
    read_episode,
    stale_reason,
)
from pipeline.publish.feed import FeedEpisode, build_feed, feed_file_names, hashed
from pipeline.publish.notes import read_notes
from pipeline.publish.page import build_page
from pipeline.publish.retired import keep_retired
from pipeline.publish.show import EpisodeEntry, Show, load_show

if TYPE_CHECKING:
    from pipeline.cluster.session import ClusterSession

FEED_DIR = "feed"
CATALOG = "catalog.sqlite"


@dataclass
class PublishResult:
    feed_dir: Path
    podcast_guid: str
    episodes: list[EpisodeRecord]  # in the feed, newest first
    scheduled: list[EpisodeRecord] = field(default_factory=list)  # dated in the future
    rendered: list[str] = field(default_factory=list)  # slugs rendered by this run
    changed: list[str] = field(default_factory=list)  # slugs new or updated in the catalog

    @property
    def feed_path(self) -> Path:
        return self.feed_dir / "feed.xml"


def episode_guid(podcast_guid: str, slug: str) -> str:
    """A new episode's guid: derived, so a lost catalog still gives the same one for the slug."""
    return str(uuid.uuid5(uuid.UUID(podcast_guid), slug))


def audio_duration(path: Path, fallback: float) -> float:
    """The MP3's own length (what players show); the manifest's figure if mutagen cannot tell."""
    try:
        from mutagen.mp3 import MP3

        length = MP3(path).info.length
    except Exception:  # noqa: BLE001 (any decoder complaint: trust the manifest instead)
        return fallback
    return float(length) if length and length > 0 else fallback


def render_request(show: Show, entry: EpisodeEntry) -> RenderRequest:
    """What the show asks of an episode's render: its tags, mix settings and cast."""
    # ID3 tags of the episode file: show, number, season, date and cover as the feed says them.
    cover = entry.artwork or show.artwork
    meta = {"author": show.author, "show": show.title, "episode_number": entry.number,
            "season": entry.season, "cover": str(cover) if cover else None,
            "date": entry.date.date().isoformat() if entry.date else None,
            **({"title": entry.title} if entry.title else {})}
    mix = dict(show.mix)
    if show.spoken_notice:  # the narrator reads the AI-voice notice in the intro
        mix["ai_notice"] = show.spoken_notice
    lexicon = load_lexicon(show.root / "voices", dict(show.pronounce), show.path)
    return RenderRequest(meta=meta, mix=mix, show_cast=dict(show.cast), lexicon=lexicon)


def chapter_request(show: Show, entry: EpisodeEntry) -> RenderRequest:
    """A book chapter's render: the season's tags (chapter title and summary, the book's cover
    unless the show has artwork) under the show's title, author, season and date."""
    from pipeline.books.season import chapter_meta, season_dir_for

    base = render_request(show, entry)
    extra = {k: v for k, v in base.meta.items() if v is not None or k == "date"}
    book = show.book_data
    meta = chapter_meta(book, entry.chapter, season_dir_for(book.path, Path(".")), extra)
    if not show.artwork:
        meta["cover"] = None  # filled below from the season folder, which depends on out
    return RenderRequest(meta=meta, mix=base.mix, show_cast=base.show_cast, lexicon=base.lexicon)


def _chapter_cover(show: Show, request: RenderRequest, out: Path) -> RenderRequest:
    from pipeline.books.season import cover_file, season_dir_for

    if show.artwork:
        return request
    cover = cover_file(show.book_data, season_dir_for(show.book_data.path, out))
    return RenderRequest({**request.meta, "cover": str(cover) if cover else None},
                         request.mix, request.show_cast, lexicon=request.lexicon)


def _render_chapters(show: Show, stale: list[tuple[EpisodeEntry, RenderRequest]], out: Path,
                     jobs: int, cluster: ClusterSession | None = None) -> None:
    """Stale chapters of the show's book: one season render (one parse, one cast)."""
    from pipeline.books.season import render_season

    metas = {entry.chapter: request.meta for entry, request in stale}
    mix = stale[0][1].mix  # the show's [mix] and what it adds (the spoken AI-voice notice)
    voices = show.root / "voices"
    render_season(show.book_data.path, out, chapters=",".join(str(n) for n in metas),
                  jobs=jobs, voices_dir=voices if voices.is_dir() else None,
                  mix=dict(mix) or None, show_cast=dict(show.cast) or None,
                  meta_for=lambda number: metas[number], book=show.book_data,
                  pronounce=dict(show.pronounce), cluster=cluster, show_file=show.path)


def _render(show: Show, entry: EpisodeEntry, request: RenderRequest, out: Path,
            jobs: int, cluster: ClusterSession | None = None) -> Path:
    from pipeline.render.episode import render_episode  # lazy: pulls in the TTS engines

    voices = show.root / "voices"  # the show file sits beside scripts/ and voices/
    result = render_episode(entry.script, out, jobs=jobs, slug=entry.slug,
                            voices_dir=voices if voices.is_dir() else None,
                            mix=request.mix or None, meta=request.meta,
                            show_cast=request.show_cast or None,
                            pronounce=dict(show.pronounce), cluster=cluster,
                            show_file=show.path)
    return Path(result.episode_dir)


def _copy_or_reuse(source: Path, target: Path, previous: Path | None) -> None:
    """Put ``source``'s bytes at ``target``.

    Feed files are private copies, never hard links to the episode folder: a tool that rewrites
    an episode file in place would otherwise change a published file (and break the enclosure
    length) behind the catalog's back. ``previous`` is the same file in the current feed when it
    is known to hold the same bytes; linking to it avoids copying big unchanged episodes again.
    """
    if previous is not None:
        try:
            os.link(previous, target)
            return
        except OSError:
            pass
    shutil.copyfile(source, target)


def _write(target: Path, data: bytes) -> None:
    """Plain write + fsync: the whole folder is swapped in atomically, so no temp file needed
    (and the file gets normal, world-readable permissions, unlike a mkstemp file)."""
    with open(target, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _swap_in(new: Path, target: Path) -> None:
    """Replace the ``target`` folder by ``new``: two renames, so readers see old or new, whole."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
    os.rename(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _clear_leftovers(out: Path) -> None:
    for stale in [*out.glob(f".{FEED_DIR}.tmp-*"), *out.glob(f".{FEED_DIR}.old-*")]:
        shutil.rmtree(stale, ignore_errors=True)


def _write_cover(show: Show, folder: Path) -> str:
    """Put the cover in the feed folder as ``cover-<hash>.<ext>`` and return its name.

    The content hash in the name makes apps refetch a changed cover (they cache by URL).
    """
    if show.artwork is not None:
        _, suffix = check_artwork(show.artwork)
        name = f"cover-{file_sha256(show.artwork)[:12]}{suffix}"
        shutil.copyfile(show.artwork, folder / name)
        return name
    tmp = folder / ".cover.png"
    book = show.book_data
    if book is None or book.meta.cover is None or not _save_book_cover(book.meta.cover, tmp):
        draw_cover(show.title, show.author).save(tmp, format="PNG")
    name = f"cover-{file_sha256(tmp)[:12]}.png"
    tmp.rename(folder / name)
    return name


def _first_date(entry: EpisodeEntry, show: Show, now: datetime) -> datetime:
    """Chapters published together get a second apart, in order: apps sort a serial by date."""
    if entry.chapter is None:
        return now
    last = max(e.number for e in show.episodes)
    return now - timedelta(seconds=last - entry.number)


def _save_book_cover(cover, target: Path) -> bool:
    """The book's cover made square (podcast apps want square art); False if unreadable."""
    from PIL import UnidentifiedImageError

    from pipeline.books.show import square_cover

    try:
        square_cover(cover).save(target, format="PNG")
    except (UnidentifiedImageError, OSError, ValueError):
        return False
    return True


def publish(show_path: str | Path = "show.toml", out_dir: str | Path = "output", *,
            jobs: int = 1, render: bool = True, now: datetime | None = None,
            log: Callable[[str], None] = lambda _: None,
            cluster: str | None = None) -> PublishResult:
    """Publish every episode of the show to ``<out_dir>/feed/``; see the module docstring.
    Stale episodes render on the Ray ``cluster`` (else ``RAY_ADDRESS``, else the show file's
    ``[render] cluster``) when one is named."""
    from pipeline.cluster.address import resolve  # plain Python: Ray only if there is work
    from pipeline.cluster.session import open_session

    show = load_show(show_path)
    out = Path(out_dir)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    address = resolve(cluster, show.render_cluster, str(show.path))
    with open_session(address, note=log, warn=lambda m: log(f"warning: {m}")) as session, \
            contextlib.ExitStack() as locks:
        # The feed's lock, then each episode's, held until the new feed is in place: no render
        # or regen changes an episode between being read and being copied into the feed.
        locks.enter_context(feed_lock(out, FEED_DIR))
        return _publish_locked(show, out, now, jobs, render, log, locks, session)


def _publish_locked(show: Show, out: Path, now: datetime, jobs: int, render: bool,
                    log: Callable[[str], None], locks: contextlib.ExitStack,
                    cluster: ClusterSession | None = None) -> PublishResult:
    folders: dict[str, EpisodeFolder] = {}
    rendered: list[str] = []
    stale_chapters: list[tuple[EpisodeEntry, RenderRequest]] = []
    with progress.task("episodes", len(show.episodes), "checked") as advance:
        for entry in show.episodes:
            episode_dir = out / entry.episode_folder
            locks.enter_context(episode_lock(episode_dir))
            request = render_request(show, entry) if entry.chapter is None else \
                _chapter_cover(show, chapter_request(show, entry), out)
            reason = stale_reason(entry.script, episode_dir, request)
            if reason:
                if not render:
                    raise PublishError(f"episode '{entry.slug}' is stale ({reason}); render it "
                                       "or publish without --no-render", episode_dir)
                log(f"rendering {entry.slug}: {reason}")
                if entry.chapter is not None:  # a book's chapters: one season render below
                    stale_chapters.append((entry, request))
                    advance(1, entry.slug)
                    continue
                episode_dir = _render(show, entry, request, out, jobs, cluster)
                if episode_dir.name != entry.slug:
                    log(f"warning: render wrote {episode_dir}, publish expects "
                        f"{out / entry.slug}")
                rendered.append(entry.slug)
            folders[entry.slug] = read_episode(episode_dir)
            advance(1, entry.slug)
    if stale_chapters:
        _render_chapters(show, stale_chapters, out, jobs, cluster)
        for entry, _ in stale_chapters:
            rendered.append(entry.slug)
            folders[entry.slug] = read_episode(out / entry.episode_folder)

    out.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(out)
    with Catalog(out / CATALOG) as catalog, catalog.transaction():
        podcast_guid = catalog.meta("podcast_guid", show.derived_guid())
        if show.guid and show.guid != podcast_guid:
            catalog.set_meta("podcast_guid", show.guid)  # an explicit override wins, and sticks
            podcast_guid = show.guid
        created = datetime.fromisoformat(catalog.meta("created", now.isoformat()))

        live: list[FeedEpisode] = []
        scheduled: list[EpisodeRecord] = []
        changed: list[str] = []
        reusable: dict[str, Path] = {}  # slug -> unchanged MP3 already in the current feed
        for entry in show.episodes:
            folder = folders[entry.slug]
            mp3_sha = file_sha256(folder.mp3)
            names = feed_file_names(entry.slug, folder, mp3_sha)
            if entry.artwork is not None:
                names["artwork"] = hashed(f"{entry.slug}-cover", entry.artwork.suffix.lower(),
                                          file_sha256(entry.artwork))
            new = EpisodeRecord(
                slug=entry.slug,
                guid=episode_guid(podcast_guid, entry.slug),
                number=entry.number,
                season=entry.season,
                title=entry.title or folder.title or entry.slug,
                episode_type=entry.episode_type,
                file_name=names["mp3"],
                length=folder.mp3.stat().st_size,
                duration=round(audio_duration(folder.mp3, folder.duration), 3),
                sha256=mp3_sha,
                published=entry.date or _first_date(entry, show, now),
                updated=now,
            )
            before = catalog.get(entry.slug)
            rec, was_changed = catalog.record(new, now, date_fixed=entry.date is not None)
            if was_changed:
                changed.append(entry.slug)
            if rec.published > now:
                scheduled.append(rec)
                log(f"scheduled {entry.slug} for {rec.published.isoformat()}")
            else:
                live.append(FeedEpisode(
                    rec, folder, names, notes_html=read_notes(entry.notes) if entry.notes
                    else "", artwork=entry.artwork, explicit=entry.explicit,
                    people=entry.people))
                current = out / FEED_DIR / names["mp3"]
                if before is not None and before.sha256 == rec.sha256 and current.is_file() \
                        and current.stat().st_size == rec.length:
                    reusable[entry.slug] = current

        # No "now" in the output: the build date is the newest change to a published episode.
        last_build = max((e.record.updated for e in live), default=created)
        tmp = Path(tempfile.mkdtemp(prefix=f".{FEED_DIR}.tmp-", dir=out))
        tmp.chmod(0o755)  # mkdtemp makes it 0700; the feed is meant to be served
        try:
            cover_name = _write_cover(show, tmp)
            for ep in live:
                for kind, name in ep.files.items():
                    previous = reusable.get(ep.record.slug) if kind == "mp3" else None
                    source = ep.artwork if kind == "artwork" else ep.folder.files[kind]
                    _copy_or_reuse(source, tmp / name, previous)
                if (tmp / ep.files["mp3"]).stat().st_size != ep.record.length:
                    raise PublishError("the MP3 changed while publishing (a render running?); "
                                       "publish again", ep.folder.mp3)
            kept = keep_retired(catalog, out / FEED_DIR, tmp, now)
            if kept:
                log(f"kept {len(kept)} replaced file(s) for apps that still have the old feed")
            _write(tmp / "feed.xml", build_feed(show, live, podcast_guid=podcast_guid,
                                                cover_name=cover_name, last_build=last_build))
            _write(tmp / "index.html", build_page(show, live, cover_name=cover_name).encode())
            _swap_in(tmp, out / FEED_DIR)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    ordered = sorted((e.record for e in live), key=lambda r: (r.published, r.number),
                     reverse=True)
    return PublishResult(out / FEED_DIR, podcast_guid, ordered, scheduled, rendered, changed)
