"""``episode.png``: waveform, speech vs bed levels, short-term loudness, section boundaries.

Drawn with matplotlib's object API on an Agg canvas (no pyplot state, safe in threads and
without a display).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from pipeline.mix.timeline import Chapter


def warm_up() -> threading.Thread:
    """Import matplotlib (~0.4 s) on a thread, e.g. while the episode is being mixed."""
    thread = threading.Thread(target=_import_matplotlib, name="import-matplotlib", daemon=True)
    thread.start()
    return thread


def _import_matplotlib() -> None:
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401


def plot_episode(path: Path, title: str, frame_seconds: float, peaks: np.ndarray,
                 short_term: np.ndarray, speech_db: np.ndarray | None,
                 bed_db: np.ndarray | None, chapters: list[Chapter], target_lufs: float,
                 integrated: float, true_peak: float) -> None:
    # Imported here: matplotlib costs ~0.4 s to import, paid while the encoders finish.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = len(peaks)
    minutes = n * frame_seconds > 120
    scale = 60.0 if minutes else 1.0
    t = np.arange(n) * frame_seconds / scale
    fig = Figure(figsize=(12, 7), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1.2, 1, 1]})
    wave, levels, loud = axes
    wave.fill_between(t, -peaks, peaks, color="#3b6ea5", linewidth=0)
    wave.set_ylim(-1.05, 1.05)
    wave.set_ylabel("waveform")
    if speech_db is not None and bed_db is not None:
        m = min(n, len(speech_db), len(bed_db))
        levels.plot(t[:m], _smooth(speech_db[:m]), color="#c0392b", lw=0.8, label="speech")
        levels.plot(t[:m], _smooth(bed_db[:m]), color="#27ae60", lw=0.8,
                    label="beds + music + effects")
        levels.legend(loc="lower right", fontsize=8)
    levels.set_ylim(-75, 0)
    levels.set_ylabel("RMS dBFS")
    m = min(n, len(short_term))
    loud.plot(t[:m], short_term[:m], color="#8e44ad", lw=0.8)
    loud.axhline(target_lufs, color="#555", ls="--", lw=0.8)
    loud.set_ylim(target_lufs - 30, target_lufs + 10)
    loud.set_ylabel("short-term LUFS")
    loud.set_xlabel("minutes" if minutes else "seconds")
    for ch in chapters:
        for ax in axes:
            ax.axvline(ch.start / scale, color="#999", lw=0.7)
        wave.text(ch.start / scale, 1.02, " " + ch.title[:40], fontsize=7, va="bottom",
                  ha="left", clip_on=False)
    fig.suptitle(f"{title}  —  {integrated:.1f} LUFS integrated, {true_peak:.1f} dBTP peak",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, format="png")


def _smooth(x: np.ndarray, width: int = 5) -> np.ndarray:
    """Average 0.5 s of energy so the level lines read as levels, not noise."""
    if len(x) < width:
        return x
    p = 10 ** (x / 10)
    k = np.ones(width) / width
    return 10 * np.log10(np.maximum(np.convolve(p, k, mode="same"), 1e-12))
