"""``episode.png``: waveform, speech vs bed levels, short-term loudness, section boundaries.

Drawn with matplotlib's object API on an Agg canvas (no pyplot state, safe in threads and
without a display).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.lifetime import die_with_parent

_helper: ProcessPoolExecutor | None = None
_forking = sys.platform.startswith("linux")  # off: draw in this process (see ``no_helper``)
HELPER_TIMEOUT = 120.0  # seconds; a picture takes well under one


def start_helper() -> None:
    """Fork a helper process that imports matplotlib now, on the other core, and draws the next
    plot; matplotlib then costs the calling process nothing (~0.5 s of a one-line regen).
    Call it before starting any thread (a fork copies import locks). No-op off Linux."""
    global _helper
    # Linux only: macOS has fork, but forking a process that loaded system frameworks is unsafe.
    if _helper is not None or not _forking:
        return
    for stream in (sys.stdout, sys.stderr):  # else the child flushes the parent's buffer again
        stream.flush()
    _helper = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                  initializer=die_with_parent, initargs=(os.getpid(),))
    _helper.submit(_import_matplotlib)


def no_helper() -> None:
    """Never fork a helper again: for long-lived, threaded processes (the studio), where a
    fork could copy a lock another thread holds, and matplotlib is imported once anyway."""
    global _forking
    _forking = False


@contextlib.contextmanager
def drawn_here() -> Iterator[None]:
    """No helper while inside: for threaded stretches of a process (a season's mixer threads),
    where a fork could copy a lock another thread holds."""
    global _forking
    saved, _forking = _forking, False
    try:
        yield
    finally:
        _forking = saved


def warm_up() -> None:
    """Without a helper, import matplotlib (~0.4 s) on a thread, e.g. while mixing."""
    if _helper is None:
        threading.Thread(target=_import_matplotlib, name="import-matplotlib",
                         daemon=True).start()


def _import_matplotlib() -> None:
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401


def draw_later(*args: Any) -> Callable[[], None]:
    """Start ``plot_episode(*args)``, in the helper if there is one; returns the wait for it."""
    global _helper
    helper, _helper = _helper, None
    try:
        future = helper.submit(plot_episode, *args) if helper is not None else None
    except BrokenProcessPool:  # the helper died (killed, out of memory): draw here
        helper.shutdown(wait=False)
        future = None
    if future is None:
        plot_episode(*args)
        return lambda: None
    assert helper is not None

    def wait() -> None:
        try:
            future.result(timeout=HELPER_TIMEOUT)
        except (BrokenProcessPool, TimeoutError):  # the helper died or hung: draw here
            for process in list(getattr(helper, "_processes", {}).values()):
                process.kill()
            plot_episode(*args)
        finally:
            helper.shutdown(wait=True)

    return wait


def plot_episode(path: Path, title: str, frame_seconds: float, peaks: np.ndarray,
                 short_term: np.ndarray, speech_db: np.ndarray | None,
                 bed_db: np.ndarray | None, sections: list[tuple[float, str]],
                 target_lufs: float, integrated: float, true_peak: float) -> None:
    """``sections`` are (start seconds, heading) pairs: plain data, cheap to send to a helper."""
    # Imported here, not at the top: matplotlib costs ~0.4 s (see ``start_helper``).
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
    for start, heading in sections:
        for ax in axes:
            ax.axvline(start / scale, color="#999", lw=0.7)
        wave.text(start / scale, 1.02, " " + heading[:40], fontsize=7, va="bottom",
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
