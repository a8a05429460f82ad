"""Patched, ORT-optimized copies of ONNX models kept on disk, so later processes load fast.

Engines patch their models in memory (Piper: seeded noise and alignments; Kokoro: phoneme
durations). Patching and optimizing takes several times longer than loading, so the optimized
graph is saved once (``prepared_model_dir``) and later loads skip both steps. A copy is keyed
by the model's source, the patch version and the onnxruntime build, and gives the same samples
as the in-memory graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.atomic import sweep_temp_files, temp_prefix

STALE_DAYS = 30  # a prepared model unused this long is deleted (each is 60-100 MB)
MAX_PREPARED = 12  # and at most this many are kept

_LOG = logging.getLogger(__name__)


def session_options() -> Any:
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    # Idle pool threads would spin for the next op, taking the core a parallel import or
    # worker needs; measured no slower without.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # ONNX Runtime's CPU arena keeps (and grows in powers of two past) the largest sentence's
    # tensors for the process's lifetime: a book-length render's worker sat at 1.0-1.3 GB.
    # Without it tensors are freed after each call (same samples, measured no slower).
    opts.enable_cpu_mem_arena = False
    # A memory pattern plans one block for all of a call's tensors at once; with every sentence
    # a new shape, freeing each tensor when its last reader is done halves the peak (a
    # 150-character sentence: +250 MB -> +130 MB).
    opts.enable_mem_pattern = False
    # Parallel renders run one process per core; let them cap engine threads to avoid thrashing.
    threads = os.environ.get("CASTWRIGHT_ENGINE_THREADS", "").strip()
    if threads.isdigit() and int(threads) > 0:  # anything else: the engine's own choice
        opts.intra_op_num_threads = min(int(threads), os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
    return opts


def prepared_model_dir() -> Path:
    """Where patched, pre-optimized models are kept (``CASTWRIGHT_MODEL_CACHE`` overrides)."""
    override = os.environ.get("CASTWRIGHT_MODEL_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "castwright" / "onnx"


def digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def model_prefix(stem: str, source: str) -> str:
    """Shared by every prepared copy of one model source, current or stale."""
    return f"{stem}-{digest(source, 8)}-"


def prepared_path(stem: str, source: str, ident: str) -> Path:
    """The prepared copy of a model: ``ident`` changes when the model or our patch changes."""
    import onnxruntime

    full = f"{ident}|{onnxruntime.__version__}|{platform.machine()}"
    return prepared_model_dir() / f"{model_prefix(stem, source)}{digest(full, 16)}.onnx"


def drop_stale_copies(prefix: str, keep: Path) -> None:
    """A replaced model file or a new onnxruntime leaves its old copy behind: drop it. Copies
    of other models go when unused for ``STALE_DAYS``, or beyond the ``MAX_PREPARED`` most
    recently used."""
    for old in keep.parent.glob(f"{prefix}*.onnx"):
        if old != keep:
            old.unlink(missing_ok=True)
    copies = []
    for path in keep.parent.glob("*.onnx"):
        with contextlib.suppress(OSError):
            copies.append((path.stat().st_mtime, path))
    copies.sort(reverse=True)
    horizon = time.time() - STALE_DAYS * 86400
    for rank, (used, path) in enumerate(copies):
        if path != keep and (rank >= MAX_PREPARED or used < horizon):
            path.unlink(missing_ok=True)
    sweep_temp_files(keep.parent, recursive=False)  # prepares that were killed half-way


def open_prepared(path: Path) -> Any | None:
    """A session on an already prepared model, or None (missing or unreadable: rebuild it)."""
    import onnxruntime

    if not path.is_file():
        return None
    opts = session_options()
    # Already optimized when it was saved: skipping the optimizer is most of the load time.
    opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        session = onnxruntime.InferenceSession(str(path), sess_options=opts,
                                               providers=["CPUExecutionProvider"])
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept when old copies are dropped
        return session
    except Exception as err:  # torn or from an incompatible build: rebuild
        _LOG.info("prepared model %s unusable (%s); rebuilding", path, err)
        path.unlink(missing_ok=True)
        return None


def open_session(model: str | bytes, target: Path | None = None, prefix: str = "") -> Any:
    """Open ``model`` (a path or serialized bytes), saving ORT's optimized graph to ``target``.

    Saved at the "extended" level: portable across CPUs of one architecture, and measured
    to give bit-identical audio to the fully optimized in-memory graph at the same speed."""
    import onnxruntime

    opts = session_options()
    opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    tmp = None
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp",
                                        dir=target.parent)
            os.close(fd)
            tmp = Path(name)
            opts.optimized_model_filepath = str(tmp)
        except OSError as err:  # read-only home, full disk: load without keeping a copy
            _LOG.info("cannot keep a prepared model in %s: %s", target.parent, err)
    try:
        session = onnxruntime.InferenceSession(model, sess_options=opts,
                                               providers=["CPUExecutionProvider"])
        if tmp is not None and target is not None and tmp.stat().st_size > 0:
            os.replace(tmp, target)
            drop_stale_copies(prefix, target)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return session


def load_prepared(stem: str, source: str, ident: str, build: Callable[[], bytes]) -> Any:
    """A session on the prepared copy of a model, preparing it first (``build`` returns the
    patched model's bytes) when there is none or it is unreadable."""
    target = prepared_path(stem, source, ident)
    session = open_prepared(target)
    if session is None:
        session = open_session(build(), target, model_prefix(stem, source))
    return session
