"""Render a book as a season: one episode per chapter, one cast, one progress display.

    output/<book>/season.json      the book's metadata and its episodes, in order
    output/<book>/cover.<ext>      the book's cover, when it has one
    output/<book>/01/ … 61/        one episode folder per chapter (manifest, audio, captions)

The book is parsed and cast once, so a character keeps one voice in every chapter. Every
missing take of the chosen chapters goes to one pool of worker processes, chapter by chapter;
a chapter is mixed (on a thread, while the workers go on) as soon as its last take is in the
cache, so the first episodes are ready long before the last. Memory stays flat: takes live in
the cache on disk, and the mixer holds one episode at a time, block by block. A killed render
resumes from the cache; a chapter whose mix inputs did not change is not mixed again.

On a Ray cluster (``cluster=``) the same plan runs there: the takes on the cluster's synthesis
actors, chapter by chapter, and the finished chapters' mixes as Ray tasks, several at once.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.atomic import sweep_temp_files, write_bytes, write_text
from pipeline.books.book import Book, chapter_script, load_book
from pipeline.casting import cast_script, find_cast_file, layer_casts, load_cast_file, parse_cast
from pipeline.catalog import default_voices_dir, load_catalog
from pipeline.errors import RenderError, ScriptError
from pipeline.files import file_sha256, slug_for_script
from pipeline.locks import episode_lock
from pipeline.render.cache import TakeCache
from pipeline.render.choices import load_choices
from pipeline.render.episode import CACHE_DIR, EpisodeContext, load_context
from pipeline.render.folder import SEASON_FILE, folder_holder, is_season, same_file
from pipeline.render.plan import LinePlan
from pipeline.render.synth import SynthJob, missing_jobs, run_job

if TYPE_CHECKING:
    from pipeline.cluster.mixing import RemoteMixer
    from pipeline.cluster.session import ClusterSession
    from pipeline.mix.delivery import Calibration

CLUSTER_MIXES = 8  # chapters mixed at once on a cluster (each ships its takes to a node)
_RANGE = re.compile(r"^\s*(\d+)\s*(?:(-|\.\.|\u2013)\s*(\d*)\s*)?$")


@dataclass
class ChapterResult:
    number: int
    title: str
    slug: str
    episode_dir: Path
    manifest: dict
    lines: int
    synthesized: int  # takes this chapter needed that were not in the cache
    mixed: bool = True  # False: the episode was already up to date
    mixed_on: str = ""  # the cluster node that mixed it ("" here)


@dataclass
class SeasonResult:
    book: Book
    season_dir: Path
    episodes: list[ChapterResult]
    synthesized: int
    reused: int
    mixed: int  # chapters mixed by this run (the rest were already up to date)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def parse_chapters(spec: str | None, count: int, where: str | Path) -> list[int]:
    """``"3-5"``, ``"7"``, ``"1,4-6"``, ``"58-"`` (to the end) -> chapter numbers, checked."""
    if spec is None or not spec.strip():
        return list(range(1, count + 1))
    chosen: list[int] = []
    for part in spec.split(","):
        match = _RANGE.match(part)
        if not match:
            raise ScriptError(f"--chapters {spec!r}: use numbers and ranges like 3-5, 7 or "
                              "1,4-6", where)
        first = int(match.group(1))
        last = first if not match.group(2) else int(match.group(3) or count)
        if first < 1 or last > count or first > last:
            raise ScriptError(f"--chapters {spec}: outside the book, which has chapters 1-"
                              f"{count}", where)
        chosen += [n for n in range(first, last + 1) if n not in chosen]
    return chosen


def season_dir_for(book_path: Path, out_dir: Path) -> Path:
    return out_dir / slug_for_script(book_path)


def check_season_dir(season_dir: Path, book_path: Path) -> None:
    """A season folder is its book's alone: another book (or script) of the same name there
    is a clear error, never chapters (and choices) of one story mixed with another's."""
    holder = folder_holder(season_dir)
    if holder is None or same_file(holder, book_path):
        return
    season = is_season(season_dir)
    if season and not holder.exists():  # the book was moved or renamed: its season follows
        return
    what = "the season of the book" if season else "the episode of"
    raise RenderError(f"{season_dir} holds {what} {holder}; rename one of them or render "
                      "into another --out", book_path)


def folder_name(number: int, count: int) -> str:
    return f"{number:0{max(2, len(str(count)))}d}"


def book_voices(book: Book, voices_dir: Path | None, cast_path: Path | None,
                show_cast: dict | None):
    """The whole book cast once: every speaker's voice, for every chapter."""
    voices = Path(voices_dir) if voices_dir else default_voices_dir()
    catalog = load_catalog(voices)
    cast_file_path = Path(cast_path) if cast_path else find_cast_file(book.path, voices)
    cast_file = load_cast_file(cast_file_path)
    if show_cast:
        show = parse_cast(show_cast, where="cast.")
        generic = cast_file.path is not None and (
            cast_file.path.resolve() == (voices / "cast.toml").resolve())
        cast_file = layer_casts(cast_file, show) if generic else layer_casts(show, cast_file)
    return cast_script(book.script, catalog, cast_file).voices


@dataclass
class _Chapter:
    number: int
    ctx: EpisodeContext
    plans: list[LinePlan]
    todo: list[SynthJob]
    meta: dict


def chapter_context(book: Book, number: int, out_dir: Path, voices: dict,
                    cast_path: Path | None = None, voices_dir: Path | None = None,
                    mix: dict | None = None, show_cast: dict | None = None,
                    options: dict | None = None, pronounce: dict | None = None,
                    show_file: Path | None = None) -> EpisodeContext:
    season_dir = season_dir_for(book.path, out_dir)
    count = len(book.chapters)
    chapter = book.chapter(number)
    ctx = load_context(book.path, out_dir, cast_path, voices_dir, mix,
                       slug=f"{season_dir.name}-{folder_name(number, count)}",
                       show_cast=show_cast, pronounce=pronounce, show_file=show_file,
                       script=chapter_script(book, number),
                       cast_voices=voices)
    ctx.episode_dir = season_dir / folder_name(number, count)
    ctx.name = f"{season_dir.name}-{folder_name(number, count)}"
    ctx.book = {"chapter": number, "chapters": count, "title": book.meta.title,
                "author": book.meta.author, "chapter_title": chapter.title,
                "season_dir": season_dir.name, **(options or {})}
    return ctx


def cover_file(book: Book, season_dir: Path) -> Path | None:
    """Where the book's cover goes (JPEG or PNG only: what episode files can embed)."""
    cover = book.meta.cover
    if cover is None or cover.suffix not in (".jpg", ".png"):
        return None
    return (season_dir / f"cover{cover.suffix}").resolve()


def chapter_meta(book: Book, number: int, season_dir: Path, extra: dict | None) -> dict:
    """Episode tags: the chapter's title, the book as the show, its cover and author."""
    chapter = book.chapter(number)
    cover = cover_file(book, season_dir)
    meta = {"title": chapter.title, "show": book.meta.title, "episode_number": number,
            "season": 1, "author": book.meta.author,
            "summary": chapter.summary or (book.meta.description if number == 1 else ""),
            "cover": str(cover) if cover else None}
    meta.update(extra or {})
    return meta


def _cover_path(season_dir: Path) -> Path | None:
    for suffix in (".jpg", ".png"):
        if (season_dir / f"cover{suffix}").is_file():
            return season_dir / f"cover{suffix}"
    return None


def write_cover(book: Book, season_dir: Path) -> Path | None:
    path = cover_file(book, season_dir)
    if path is not None and (not path.exists() or path.read_bytes() != book.meta.cover.data):
        write_bytes(path, book.meta.cover.data)
    return path


def render_season(book_path: str | Path, out_dir: str | Path = "output",
                  chapters: str | None = None, cast_path: str | Path | None = None,
                  jobs: int = 1, voices_dir: str | Path | None = None, mix: dict | None = None,
                  show_progress: bool = True, show_cast: dict | None = None,
                  meta_for: Callable[[int], dict] | None = None,
                  include_matter: bool = False, read_notes: bool = False,
                  book: Book | None = None,
                  cluster: ClusterSession | None = None,
                  pronounce: dict | None = None,
                  show_file: Path | None = None) -> SeasonResult:
    """Render the chosen chapters (all by default) of a book as episodes of one season, here
    or on a Ray ``cluster``. ``pronounce`` is a show file's ``[pronounce]`` (default: the
    ``show.toml`` beside voices)."""
    started = time.perf_counter()
    book_path, out = Path(book_path), Path(out_dir)
    book = book or load_book(book_path, include_matter, read_notes)
    numbers = parse_chapters(chapters, len(book.chapters), book_path)
    season_dir = season_dir_for(book_path, out)
    check_season_dir(season_dir, book_path)
    count = len(book.chapters)
    with contextlib.ExitStack() as locks:
        # Every chosen chapter's folder is ours until the season is done (taken here, on the
        # calling thread: publish, which already holds them, re-enters; the mixer thread writes).
        for number in numbers:
            locks.enter_context(episode_lock(season_dir / folder_name(number, count)))
        for folder in (out / CACHE_DIR, *(season_dir / folder_name(n, count) for n in numbers)):
            if folder.exists():
                sweep_temp_files(folder)
        season_dir.mkdir(parents=True, exist_ok=True)
        write_cover(book, season_dir)
        work = _plan_chapters(book, numbers, out, season_dir, cast_path, voices_dir, mix,
                              show_cast, meta_for, {"include_matter": include_matter,
                                                    "read_notes": read_notes}, pronounce,
                              show_file)
        results = _run(work, out / CACHE_DIR, jobs, show_progress, cluster)
    write_season(book, season_dir, results)
    total_keys = {p.key for w in work for p in w.plans}
    synthesized = sum(len(w.todo) for w in work)
    return SeasonResult(book=book, season_dir=season_dir, episodes=results,
                        synthesized=synthesized, reused=len(total_keys) - synthesized,
                        mixed=sum(1 for r in results if r.mixed),
                        warnings=[w for c in work for w in c.ctx.warnings],
                        seconds=time.perf_counter() - started)


def _plan_chapters(book: Book, numbers: list[int], out: Path, season_dir: Path,
                   cast_path, voices_dir, mix, show_cast, meta_for, options: dict,
                   pronounce: dict | None = None,
                   show_file: Path | None = None) -> list[_Chapter]:
    voices = book_voices(book, voices_dir, cast_path, show_cast)
    work: list[_Chapter] = []
    seen: set[str] = set()
    for number in numbers:
        ctx = chapter_context(book, number, out, voices, cast_path, voices_dir, mix, show_cast,
                              options, pronounce, show_file)
        plans = ctx.plans(load_choices(ctx.episode_dir))
        todo = [j for j in missing_jobs(plans, ctx.cache) if j.key not in seen]
        seen.update(j.key for j in todo)
        meta = chapter_meta(book, number, season_dir, meta_for(number) if meta_for else None)
        work.append(_Chapter(number, ctx, plans, todo, meta))
    return work


def _run(work: list[_Chapter], cache_root: Path, jobs: int, show_progress: bool,
         cluster: ClusterSession | None = None) -> list[ChapterResult]:
    """Synthesize every missing take (workers) while finished chapters are mixed (a thread;
    on a cluster, several threads each waiting on a Ray task)."""
    from pipeline.books.progress import SeasonProgress
    from pipeline.mix import plot
    from pipeline.mix.delivery import Calibration  # the mixer's imports: only when mixing

    results: dict[int, ChapterResult] = {}
    ready: queue.Queue[_Chapter | None] = queue.Queue()
    failure: list[BaseException] = []
    total_chars = sum(len(j.spoken_text) for w in work for j in w.todo)
    # Chapters are mixed on threads while this one drives the workers: a fork then could copy
    # a lock another thread holds, and each forked plot helper held its own copy of this
    # process (~0.2 GB). A chapter's picture is drawn on its mixer thread instead.
    with plot.drawn_here(), SeasonProgress(show_progress, sum(len(w.todo) for w in work),
                                           total_chars, len(work)) as progress:
        mixer = cluster.mixer() if cluster is not None else None
        # Every chapter's encoders start from the calibration as it is now, so the files are
        # the same whichever chapters are mixed first, one by one here or at once on a cluster.
        calibration = Calibration(work[0].ctx.sounds_dir.parent).frozen() if work else None
        count = min(len(work), CLUSTER_MIXES) if cluster is not None else 1
        mixers = [threading.Thread(target=_mix_loop, name=f"season-mixer-{n}", daemon=True,
                                   args=(ready, results, failure, progress, mixer,
                                         calibration))
                  for n in range(count)]
        for thread in mixers:
            thread.start()
        try:
            _synthesize(work, cache_root, jobs, progress, ready, failure, cluster)
        finally:
            for _ in mixers:
                ready.put(None)
            for thread in mixers:
                while thread.is_alive():
                    thread.join(0.2)  # a short wait keeps Ctrl-C working on the main thread
        if failure:
            raise failure[0]
    return [results[w.number] for w in work]


def _synthesize(work: list[_Chapter], cache_root: Path, jobs: int, progress,
                ready: queue.Queue, failure: list[BaseException],
                cluster: ClusterSession | None = None) -> None:
    missing = {j.key for w in work for j in w.todo}
    # A chapter waits for every missing take it plays, also one a chapter before it asked for.
    left = {w.number: {p.key for p in w.plans} & missing for w in work}
    for chapter in work:
        if not left[chapter.number]:
            ready.put(chapter)
    ordered = [j for w in work for j in sorted(w.todo, key=lambda j: -len(j.spoken_text))]
    if not ordered:
        return

    def done(key: str, seconds: float, chars: int) -> None:
        progress.line_done(seconds, chars)
        for chapter in work:
            keys = left[chapter.number]
            if key in keys:
                keys.discard(key)
                if not keys:
                    ready.put(chapter)

    if cluster is not None:
        chars = {j.key: len(j.spoken_text) for j in ordered}

        def stored(key: str, seconds: float) -> None:
            done(key, seconds, chars[key])
            if failure:  # a chapter's mix failed: stop the cluster's work too
                raise failure[0]

        cluster.pool().synthesize(ordered, TakeCache(cache_root), stored)
        return
    if jobs <= 1:
        for job in ordered:
            if failure:
                raise failure[0]
            key, seconds = run_job(job, str(cache_root))
            done(key, seconds, len(job.spoken_text))
        return
    _pool(ordered, cache_root, jobs, done, failure)


def _pool(ordered: list[SynthJob], cache_root: Path, jobs: int,
          done: Callable[[str, float, int], None], failure: list[BaseException]) -> None:
    from pipeline.render.workers import worker_pool

    count = min(jobs, len(ordered))
    # Workers live for the whole book: their models are shared (workers.py), their heaps
    # handed back after every take (memory.py), so a worker's footprint does not grow with
    # the book; replacing workers cost a reload each, and briefly a third worker.
    with worker_pool(count, [job.voice for job in ordered]) as pool:
        # A bounded window of submitted jobs keeps chapters finishing in order, memory flat.
        window = count * 4
        chars = {j.key: len(j.spoken_text) for j in ordered}
        pending: set[Future] = set()
        index = 0
        while index < len(ordered) or pending:
            while index < len(ordered) and len(pending) < window:
                pending.add(pool.submit(run_job, ordered[index], str(cache_root)))
                index += 1
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                key, seconds = future.result()
                done(key, seconds, chars[key])
            if failure:
                raise failure[0]


def _mix_loop(ready: queue.Queue, results: dict[int, ChapterResult],
              failure: list[BaseException], progress, mixer: RemoteMixer | None,
              calibration: Calibration | None) -> None:
    from pipeline.render.assemble import assemble_episode

    while True:
        chapter = ready.get()
        if chapter is None or failure:
            return
        try:
            progress.mixing(chapter.number, chapter.ctx.script.title)
            before = _fingerprint(chapter.ctx.episode_dir)
            manifest = assemble_episode(chapter.ctx, chapter.plans, meta=chapter.meta,
                                        mixer=mixer, calibration=calibration)
            results[chapter.number] = ChapterResult(
                number=chapter.number, title=chapter.ctx.script.title, slug=chapter.ctx.slug,
                episode_dir=chapter.ctx.episode_dir, manifest=manifest,
                lines=len(chapter.plans), synthesized=len(chapter.todo),
                mixed=manifest.get("mix_fingerprint") != before,
                mixed_on=mixer.mixed_on.get(chapter.ctx.slug, "") if mixer else "")
            progress.mixed(manifest.get("duration") or 0.0)
        except BaseException as err:  # noqa: BLE001 (handed to the main thread)
            failure.append(err)
            return


def _fingerprint(episode_dir: Path) -> str | None:
    try:
        return json.loads((episode_dir / "manifest.json").read_text("utf-8")).get(
            "mix_fingerprint")
    except (OSError, ValueError):
        return None


def write_season(book: Book, season_dir: Path, results: list[ChapterResult]) -> None:
    """``season.json``: the book and every rendered chapter, merged with earlier runs."""
    path = season_dir / SEASON_FILE
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    episodes = {int(e["number"]): e for e in previous.get("episodes", [])
                if isinstance(e, dict) and str(e.get("number", "")).isdigit()}
    for result in results:
        episodes[result.number] = {
            "number": result.number, "title": result.title, "slug": result.slug,
            "folder": result.episode_dir.name, "duration": result.manifest.get("duration"),
            "lines": result.lines}
    count = len(book.chapters)
    cover = _cover_path(season_dir)
    data = {
        "book": str(book.path.resolve()), "book_sha256": file_sha256(book.path),
        "title": book.meta.title, "author": book.meta.author, "language": book.meta.language,
        "description": book.meta.description, "tags": book.meta.tags,
        "cover": cover.name if cover else None, "chapters": count,
        "chapter_titles": [c.title for c in book.chapters],
        "skipped": book.skipped,
        "episodes": [episodes[n] for n in sorted(episodes) if n <= count],
    }
    write_text(path, json.dumps(data, indent=1, ensure_ascii=False))


def load_chapter_context(manifest: dict, episode_dir: Path) -> EpisodeContext:
    """Regen and remix of one chapter: the book read and cast again, the chapter cut out."""
    info = manifest["book"]
    book_path = Path(manifest["script"])
    if not book_path.exists():
        raise ScriptError(f"the episode's book is gone: {book_path}",
                          episode_dir / "manifest.json")
    book = load_book(book_path, bool(info.get("include_matter")), bool(info.get("read_notes")))
    out = episode_dir.parent.parent
    voices = book_voices(book, manifest.get("voices_dir"), manifest.get("cast_file"),
                         manifest.get("show_cast"))
    number = int(info["chapter"])
    if number > len(book.chapters):
        raise ScriptError(f"chapter {number} is no longer in the book (it has "
                          f"{len(book.chapters)})", book_path)
    ctx = chapter_context(book, number, out, voices, manifest.get("cast_file"),
                          manifest.get("voices_dir"), manifest.get("mix"),
                          manifest.get("show_cast"),
                          {k: info[k] for k in ("include_matter", "read_notes") if k in info},
                          show_file=manifest.get("show_file"))
    if ctx.episode_dir.resolve() != episode_dir.resolve():  # the folder was moved or renamed
        ctx.episode_dir = episode_dir
    return ctx
