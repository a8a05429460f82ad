"""Render a whole episode: parse -> cast -> plan -> synthesize missing takes -> mix -> files."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.atomic import sweep_temp_files, sweep_work_dirs
from pipeline.casting import (
    Cast,
    CastFile,
    cast_script,
    find_cast_file,
    is_folder_cast,
    layer_casts,
    load_cast_file,
    parse_cast,
    recast,
)
from pipeline.catalog import default_voices_dir, load_catalog
from pipeline.engines.base import VoiceSpec
from pipeline.files import slug_for_script
from pipeline.lexicon import Lexicon, load_lexicon, show_pronounce
from pipeline.model import Script
from pipeline.parsing import parse_script
from pipeline.render.cache import TakeCache
from pipeline.render.choices import LineChoice, load_choices
from pipeline.render.folder import claimed_episode_dir
from pipeline.render.plan import LinePlan, build_plan, notice_plan
from pipeline.render.synth import missing_jobs, synthesize_jobs

if TYPE_CHECKING:
    from pipeline.cluster.session import ClusterSession

CACHE_DIR = ".cache/takes"
SOUNDS_DIR = ".cache/sounds"  # synthesized music and effects (see mix.soundcache)


@dataclass
class EpisodeContext:
    """Everything derived from the script, cast file and catalog: cheap to rebuild each time."""

    script_path: Path
    script: Script
    catalog: dict[str, VoiceSpec]
    cast: Cast
    cast_path: Path | None
    voices_dir: Path
    out_dir: Path
    episode_dir: Path
    cache: TakeCache
    mix: dict
    warnings: list[str] = field(default_factory=list)
    show_cast: dict = field(default_factory=dict)  # kept in the manifest, so regen casts alike
    lexicon: Lexicon = field(default_factory=Lexicon)  # project lexicon + the show's [pronounce]
    name: str | None = None  # the episode's slug when it is not its folder's name (a chapter)
    book: dict = field(default_factory=dict)  # a book's chapter: kept in the manifest (regen)
    show_file: Path | None = None  # whose [pronounce] was read: kept in the manifest (regen)

    @property
    def slug(self) -> str:
        return self.name or self.episode_dir.name

    @property
    def sounds_dir(self) -> Path:
        return self.out_dir / SOUNDS_DIR

    def plans(self, choices: dict[str, LineChoice]) -> list[LinePlan]:
        return build_plan(self.script, self.cast, choices, self.catalog, self.warnings,
                          self.lexicon)

    def notice(self) -> LinePlan | None:
        """The spoken AI-voice notice the show asks for (``ai_notice``), if any."""
        text = self.mix.get("ai_notice")
        if not isinstance(text, str) or not text.strip():
            return None
        return notice_plan(" ".join(text.split()), self.cast, self.catalog)


@dataclass
class EpisodeResult:
    episode_dir: Path
    manifest: dict
    synthesized: int
    reused: int
    warnings: list[str]
    seconds: dict[str, float]


def load_context(script_path: str | Path, out_dir: str | Path = "output",
                 cast_path: str | Path | None = None, voices_dir: str | Path | None = None,
                 mix: dict | None = None, slug: str | None = None,
                 show_cast: dict | None = None, pronounce: dict | None = None,
                 script: Script | None = None,
                 cast_voices: dict[str, VoiceSpec] | None = None,
                 show_file: str | Path | None = None) -> EpisodeContext:
    """``show_cast`` is a show file's ``[cast]`` table: the episode's cast file layers on top.
    ``pronounce`` is a show file's ``[pronounce]``; without it, ``show_file``'s is read
    (default: the project's ``show.toml``'s).
    A book's chapter comes with its ``script`` already cut from the book and the voices the
    whole book was cast with (``cast_voices``)."""
    script_path = Path(script_path)
    script = script if script is not None else parse_script(script_path)
    voices = Path(voices_dir) if voices_dir else default_voices_dir()
    catalog = load_catalog(voices)
    cast_file_path = Path(cast_path) if cast_path else find_cast_file(script_path, voices)
    cast_file = load_cast_file(cast_file_path)
    if show_cast:
        cast_file = _with_show_cast(cast_file, parse_cast(show_cast, where="cast."), voices)
    cast = cast_script(script, catalog, cast_file)
    if cast_voices:
        cast = recast(cast, cast_voices)
    out = Path(out_dir)
    show_path = Path(show_file).resolve() if show_file else None
    if pronounce is None:
        pronounce, show_path = show_pronounce(voices.parent, show_path)
        show_path = show_path.resolve() if show_path else None
    return EpisodeContext(
        script_path=script_path, script=script, catalog=catalog, cast=cast,
        cast_path=cast_file_path, voices_dir=voices, out_dir=out,
        episode_dir=out / (slug or slug_for_script(script_path)),
        cache=TakeCache(out / CACHE_DIR), mix={**_files_resolved(cast_file), **(mix or {})},
        warnings=[*script.warnings, *cast.warnings], show_cast=dict(show_cast or {}),
        lexicon=load_lexicon(voices, pronounce, show_path), show_file=show_path)


def _files_resolved(cast_file: CastFile) -> dict:
    """The cast file's [mix], its music files made absolute (they are named relative to it)."""
    from pipeline.mix.settings import MUSIC_FILE_KEYS

    mix = dict(cast_file.mix)
    if cast_file.path is not None:
        for key in MUSIC_FILE_KEYS:
            if isinstance(mix.get(key), str) and mix[key]:
                mix[key] = str((cast_file.path.parent / mix[key]).resolve())
    return mix


def _with_show_cast(cast_file: CastFile, show: CastFile, voices: Path) -> CastFile:
    """The most specific cast wins: an episode's own cast file (``--cast`` or beside the
    script) over the show's ``[cast]``, and that over the catalog folder's (or default) cast."""
    generic = is_folder_cast(cast_file.path, voices)
    return layer_casts(cast_file, show) if generic else layer_casts(show, cast_file)


def sweep_leftovers(ctx: EpisodeContext) -> None:
    """Temp files and scratch folders of killed runs (a live run's are left alone)."""
    for folder in (ctx.cache.root, ctx.sounds_dir):
        sweep_temp_files(folder)
    sweep_work_dirs(ctx.out_dir, None)


def render_episode(script_path: str | Path, out_dir: str | Path = "output",
                   cast_path: str | Path | None = None, jobs: int = 1,
                   voices_dir: str | Path | None = None, mix: dict | None = None,
                   show_progress: bool = True, slug: str | None = None,
                   meta: dict | None = None, show_cast: dict | None = None,
                   pronounce: dict | None = None,
                   cluster: ClusterSession | None = None,
                   stems: bool = False, show_file: str | Path | None = None) -> EpisodeResult:
    """Render (or re-render from cache) one episode into its folder under ``out_dir``: the
    script's slug, or ``slug`` (see ``render.folder``); the folder is locked meanwhile.
    With a ``cluster`` session the missing takes are made on its Ray actors; ``stems`` also
    writes dialogue, music, effects and ambience stems for a DAW."""
    t0 = time.perf_counter()
    ctx = load_context(script_path, out_dir, cast_path, voices_dir, mix, slug, show_cast,
                       pronounce, show_file=show_file)
    with claimed_episode_dir(ctx.out_dir, ctx.script_path, slug,
                             note=ctx.warnings.append) as episode_dir:
        ctx.episode_dir = episode_dir
        sweep_leftovers(ctx)
        plans = ctx.plans(load_choices(ctx.episode_dir))
        notice = ctx.notice()
        todo = missing_jobs(plans + ([notice] if notice else []), ctx.cache)
        t1 = time.perf_counter()
        synthesize_jobs(todo, ctx.cache.root, workers=jobs, show_progress=show_progress,
                        cluster=cluster)
        t2 = time.perf_counter()
        from pipeline.render.assemble import assemble_episode  # the mixer: scipy, ~1.5 s

        manifest = assemble_episode(ctx, plans, meta=meta, stems=stems)
    t3 = time.perf_counter()
    return EpisodeResult(
        episode_dir=ctx.episode_dir, manifest=manifest, synthesized=len(todo),
        reused=len({p.key for p in plans}) - len(todo), warnings=ctx.warnings,
        seconds={"prepare": t1 - t0, "synthesize": t2 - t1, "mix": t3 - t2, "total": t3 - t0})
