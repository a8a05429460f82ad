"""The mix stage: timeline layout, beds, sound effects, music, ducking, mastering, export.

``build_timeline`` -> ``mix_timeline`` -> ``export_episode`` (contracts in docs/ARCHITECTURE.md).

- Audio is 44.1 kHz float32, stereo by default (narration centred, characters placed left and
  right by `voice_spread`, beds and music wide);
  ``MixSettings(channels=1)`` mixes mono (and ``from_table`` then targets -19 LUFS).
- ``load_take(cache_key)`` returns mono float32 at ``timeline.sample_rate``; the renderer
  resamples its 22.05 kHz Piper takes with soxr. A ``(samples, rate)`` tuple is resampled here.
- Mixing runs in 10 s blocks into a raw pre-master on disk, mastering streams it into the master:
  memory stays flat whatever the length. ``MixResult.audio`` maps the master read-only.
- Modules: ``timeline`` (layout), ``sounds`` (cue words), ``beds`` / ``sfx`` / ``music``
  (synthesis and user files via ``decode``), ``duck``, ``levels`` (meters), ``limiter``,
  ``master``, ``render`` (the block mixer), ``export`` with ``tags``, ``transcripts``, ``plot``.
"""

import importlib
from typing import TYPE_CHECKING

# Loaded on first use (PEP 562): the mixer pulls in scipy (~1 s), and light modules such as
# ``pipeline.mix.plot`` or ``pipeline.mix.settings`` must not pay for it.
_HOMES = {
    "EpisodeMeta": "meta", "EpisodeWriter": "export", "export_episode": "export",
    "LoudnessReport": "render", "MixAnalysis": "render", "MixResult": "render",
    "mix_timeline": "render", "MixSettings": "settings", "BedSpan": "timeline",
    "Chapter": "timeline", "Placement": "timeline", "RenderedLine": "timeline",
    "Timeline": "timeline", "build_timeline": "timeline",
}
__all__ = [
    "BedSpan", "Chapter", "EpisodeMeta", "EpisodeWriter", "LoudnessReport", "MixAnalysis",
    "MixResult", "MixSettings", "Placement", "RenderedLine", "Timeline", "build_timeline",
    "export_episode", "mix_timeline",
]

if TYPE_CHECKING:
    from pipeline.mix.export import EpisodeWriter, export_episode
    from pipeline.mix.meta import EpisodeMeta
    from pipeline.mix.render import LoudnessReport, MixAnalysis, MixResult, mix_timeline
    from pipeline.mix.settings import MixSettings
    from pipeline.mix.timeline import (
        BedSpan,
        Chapter,
        Placement,
        RenderedLine,
        Timeline,
        build_timeline,
    )


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'pipeline.mix' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pipeline.mix.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
