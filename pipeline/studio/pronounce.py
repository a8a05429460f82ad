"""Pronunciations from the studio: hear a line with a word said another way (nothing kept), or
keep it, which reads again every line of the episode that has the word and no other.

A kept entry goes where the episode's renders read it: the ``[pronounce]`` table of the show
file the episode was rendered from (whatever its name; the manifest names it), else the
project's ``voices/lexicon.toml``. Other episodes of the show pick it up on their next render.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.engines.pronounce import unsayable, word_ipa
from pipeline.lexicon import Entry, LexiconError, entry_from, word_pattern
from pipeline.lexicon_edit import add_entry, add_show_entry, project_lexicon
from pipeline.locks import episode_lock
from pipeline.render.choices import load_choices
from pipeline.render.episode import EpisodeContext
from pipeline.render.regen import episode_context
from pipeline.render.synth import missing_jobs
from pipeline.studio.actions import cut_event, schedule_remix, synthesize_reporting
from pipeline.studio.jobs import Job, JobContext
from pipeline.studio.preview import context_cut
from pipeline.studio.state import StudioState


@dataclass(frozen=True)
class Target:
    """Where a kept pronunciation is written."""

    path: Path
    show: bool  # a show file's [pronounce] (else a lexicon file)

    def describe(self) -> str:
        return f"[pronounce] of {self.path.name}" if self.show else self.path.name


def describe(entry: Entry) -> str:
    parts = ([f"“{entry.say}”"] if entry.say else []) + ([f"/{entry.ipa}/"] if entry.ipa else [])
    return f"{entry.word} as {' '.join(parts)}"


def target_of(ctx: EpisodeContext) -> Target:
    """The show file the episode was rendered from, else the project's lexicon."""
    if ctx.show_file is not None and ctx.show_file.is_file():
        return Target(ctx.show_file, show=True)
    return Target(project_lexicon(ctx.voices_dir), show=False)


def checked_entry(episode: Path, line_id: str, word: str, say: str | None,
                  ipa: str | None) -> Entry:
    """The entry asked for, checked: a word of the line, a respelling or phonemes that every
    voice reading the word can say. Raises ``LexiconError`` (one line) otherwise."""
    value = {k: v for k, v in (("say", say), ("ipa", ipa)) if v is not None}
    entry = entry_from(word, value, "")
    ctx, _ = episode_context(episode)
    plans = ctx.plans(load_choices(episode))
    line = next((p for p in plans if p.line_id == line_id), None)
    if line is None or not word_pattern(entry.word).search(line.spoken_text):
        raise LexiconError(f"'{entry.word}' is not a word of {line_id}")
    for plan in plans:
        if not word_pattern(entry.word).search(plan.spoken_text):
            continue
        wrong = unsayable(entry.ipa, plan.voice) if entry.ipa else ""
        if wrong:
            raise LexiconError(f"'{entry.word}': /{entry.ipa}/ has {', '.join(wrong)}, not a "
                               f"phoneme voice {plan.voice.name} ({plan.voice.engine}) knows")
    target_of(ctx)  # nowhere to keep it: say so now, not after a synthesis
    return entry


def try_pronunciation(state: StudioState, slug: str, line_id: str, entry: Entry) -> Job:
    """The line read with ``entry``, heard in context; nothing is written."""
    def work(ctx: JobContext) -> dict:
        ctx.progress(0.1, f"reading {line_id} with {describe(entry)}")
        cut = context_cut(state.episode_dir(slug), line_id, synthesize=True,
                          pronounce=(entry,))
        heard = cut_event(state, slug, line_id, cut, f"Trying {describe(entry)}")
        heard["espeak_ipa"] = word_ipa(entry.word)  # how the engines read it unaided
        ctx.emit("heard", heard)
        return heard

    return state.runner.submit("pronounce", f"{line_id}: try {entry.word}", work, episode=slug,
                               line_id=line_id)


def keep_pronunciation(state: StudioState, slug: str, line_id: str, entry: Entry) -> Job:
    """``entry`` written where the episode's renders read it; the episode's lines with the
    word read again, the line heard in context, then one re-mix."""
    def work(ctx: JobContext) -> dict:
        episode = state.episode_dir(slug)
        with episode_lock(episode):  # the file and the takes, against a CLI regen or a tab
            before, _ = episode_context(episode)
            target = target_of(before)
            (add_show_entry if target.show else add_entry)(target.path, entry)
            epctx, _ = episode_context(episode)
            plans = epctx.plans(load_choices(episode))
            todo = missing_jobs(plans, epctx.cache)
            ctx.progress(0.1, f"{entry.word} kept in {target.describe()}: reading "
                         f"{len(todo)} line(s) again")
            synthesize_reporting(ctx, todo, epctx.cache.root, 0.1, 0.7, "re-read")
        cut = context_cut(episode, line_id)
        heard = cut_event(state, slug, line_id, cut, f"Kept {describe(entry)}")
        ctx.emit("heard", heard)
        schedule_remix(state, slug)
        lines = [p.line_id for p in plans if entry.word.lower() in
                 {e.word.lower() for e in p.pronounce}]
        return {**heard, "word": entry.word, "file": str(target.path), "lines": lines,
                "synthesized": len(todo)}

    return state.runner.submit("pronounce", f"{entry.word}: keep the pronunciation", work,
                               episode=slug, line_id=line_id)
