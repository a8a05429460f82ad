"""Mix one stretch of an episode, as the whole-episode mix sounds there.

The studio plays a retaken line in context before the whole episode is re-mixed and encoded
(and lets a producer compare takes in context without re-mixing at all): only the placements
and beds near the window are prepared, blocks are mixed from the mixer's frame grid just before
it with the same code as the full mix, and the fixed master (the last render's gain and limiter
threshold) is applied. It can differ from the full mix only where the limiter's memory reaches
back before the window (its first milliseconds) and where ducking follows lines more than
``LEAD`` seconds before it (it has long settled by then).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from pipeline.errors import MixError
from pipeline.mix.limiter import GROUP, Limiter
from pipeline.mix.render import TakeLoader, _Mixer
from pipeline.mix.settings import MixSettings
from pipeline.mix.soundcache import SoundCache
from pipeline.mix.timeline import Timeline

LEAD = 8.0  # seconds of speech before the window that still shape its ducking


def mix_window(timeline: Timeline, load_take: TakeLoader, settings: MixSettings,
               start: float, end: float, fixed_master: tuple[float, float],
               sound_cache: str | Path | None = None) -> np.ndarray:
    """The mastered episode between ``start`` and ``end`` seconds: (frames, channels) float32.
    ``fixed_master`` = (gain dB, limiter threshold dB) of the episode's last master."""
    start, end = max(0.0, float(start)), min(float(end), timeline.duration)
    if not end > start:
        raise MixError(f"nothing to mix between {start:.2f} s and {end:.2f} s "
                       f"(the episode is {timeline.duration:.2f} s long)")
    near = _near(timeline, start - LEAD, end + 1.0)
    mixer = _Mixer(near, load_take, settings, Path("."), fixed_master, None,
                   SoundCache(sound_cache))
    mixer.prepare()
    sr = timeline.sample_rate
    gain_db, threshold_db = fixed_master
    limiter = Limiter(sr, threshold_db)
    grid = math.lcm(mixer.frame, GROUP)  # blocks start on the meters' and limiter's grids
    first = int(start * sr) // grid * grid
    last = min(mixer.total, int(math.ceil(end * sr)))
    stop = min(mixer.total, last + limiter.margin[1])  # the limiter looks ahead
    blocks = [mixer.mix_block(b0, min(mixer.block, stop - b0))
              for b0 in range(first, stop, mixer.block)]
    pre = np.concatenate(blocks) if blocks else np.zeros((0, mixer.ch), np.float32)

    def read(a: int, b: int) -> np.ndarray:
        out = np.zeros((b - a, mixer.ch), dtype=np.float32)
        lo, hi = max(a, 0), min(b, len(pre))
        if lo < hi:
            out[lo - a:hi - a] = pre[lo:hi]
        return out

    mastered = limiter.process(read, 0, last - first, 10 ** (gain_db / 20))
    return np.ascontiguousarray(mastered[int(round(start * sr)) - first:], dtype=np.float32)


def _near(tl: Timeline, lo: float, hi: float) -> Timeline:
    """The timeline with only what sounds between ``lo`` and ``hi`` seconds."""
    placements = [p for p in tl.placements if p.end > lo and p.start < hi]
    beds = [b for b in tl.beds if b.end > lo and b.start < hi]
    return replace(tl, placements=placements, beds=beds)
