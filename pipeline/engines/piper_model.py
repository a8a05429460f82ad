"""Load a Piper voice so that its readings are reproducible and carry phoneme timings.

A stock Piper (VITS) ONNX model draws its noise with ``RandomNormalLike`` from an onnxruntime
generator that is seeded once per session and advances on every call, so the same text read twice
gives different samples (and durations). When the ``onnx`` package is installed we patch the graph
in memory: each ``RandomNormalLike`` becomes a slice of a noise bank that we feed as an input,
generated from a seed (the take number). We also expose piper's per-phoneme sample counts
(``piper.patch_voice_with_alignment``) for word timings. Without ``onnx`` the stock model is used:
audio is then not sample-identical across calls and there are no word timings.

Patching and optimizing a 60 MB model takes ~0.7 s, several times longer than reading a line, so
the patched graph, as optimized by onnxruntime, is kept on disk (``prepared_model_dir``) and
later loads skip both steps (~0.12 s). It is keyed by the model file, the patch version and the
onnxruntime build, and gives the same samples as patching in memory.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import logging
import os
import platform
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.atomic import sweep_temp_files, temp_prefix

NOISE_INPUT = "castwright_noise"
# Large enough for the latent noise of a 300-character chunk (~192 x 2000 frames) without wrapping.
BANK_SIZE = 1 << 20
PATCH_VERSION = "seeded-noise-1"
STALE_DAYS = 30  # a prepared model unused this long is deleted (each is ~60 MB)
MAX_PREPARED = 12  # and at most this many are kept

_LOG = logging.getLogger(__name__)


@dataclass
class LoadedPiper:
    voice: Any  # piper.PiperVoice
    seeded: bool  # noise comes from our seeded bank: same take -> same samples
    lock: threading.Lock


@functools.lru_cache(maxsize=4)
def noise_bank(seed: int) -> np.ndarray:
    return np.random.default_rng([seed, 0x7069706572]).standard_normal(BANK_SIZE, dtype=np.float32)


class SeededSession:
    """Stands in for the onnxruntime session inside ``PiperVoice``; adds the noise bank input."""

    def __init__(self, session: Any):
        self.session = session
        self.seed = 1

    def run(self, output_names: Any, feeds: dict, *args: Any, **kwargs: Any) -> Any:
        feeds = {**feeds, NOISE_INPUT: noise_bank(self.seed)}
        return self.session.run(output_names, feeds, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


def _patch_random_nodes(model: Any) -> int:
    """Replace every RandomNormalLike with ``reshape(bank[(arange(size) + offset) % len])``."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    nodes = []
    count = 0
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        p = f"castwright_rnd{count}"
        like, out = node.input[0], node.output[0]
        # Different offsets so the duration noise and the latent noise are not the same numbers.
        offset = (count * 611_953) % BANK_SIZE
        graph.initializer.extend([
            numpy_helper.from_array(np.array(0, dtype=np.int64), f"{p}_zero"),
            numpy_helper.from_array(np.array(1, dtype=np.int64), f"{p}_one"),
            numpy_helper.from_array(np.array(offset, dtype=np.int64), f"{p}_offset"),
        ])
        nodes.extend([
            helper.make_node("Shape", [like], [f"{p}_shape"]),
            helper.make_node("Size", [like], [f"{p}_size"]),
            helper.make_node("Range", [f"{p}_zero", f"{p}_size", f"{p}_one"], [f"{p}_idx"]),
            helper.make_node("Add", [f"{p}_idx", f"{p}_offset"], [f"{p}_shifted"]),
            helper.make_node("Shape", [NOISE_INPUT], [f"{p}_banklen"]),
            helper.make_node("Mod", [f"{p}_shifted", f"{p}_banklen"], [f"{p}_mod"]),
            helper.make_node("Gather", [NOISE_INPUT, f"{p}_mod"], [f"{p}_flat"], axis=0),
            helper.make_node("Reshape", [f"{p}_flat", f"{p}_shape"], [out]),
        ])
        count += 1
    if count:
        del graph.node[:]
        graph.node.extend(nodes)
        graph.input.append(helper.make_tensor_value_info(NOISE_INPUT, TensorProto.FLOAT, [None]))
    return count


def _session_options() -> Any:
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


def _prepared_path(model_path: Path) -> Path:
    """The prepared copy of ``model_path``: keyed by the file, our patch and onnxruntime."""
    import onnxruntime

    st = model_path.stat()
    where = str(model_path.resolve())
    ident = (f"{where}|{st.st_size}|{st.st_mtime_ns}|{PATCH_VERSION}|"
             f"{onnxruntime.__version__}|{platform.machine()}")
    return prepared_model_dir() / f"{_model_prefix(model_path)}{_digest(ident, 16)}.onnx"


def _model_prefix(model_path: Path) -> str:
    """Shared by every prepared copy of one model file, current or stale."""
    return f"{model_path.stem}-{_digest(str(model_path.resolve()), 8)}-"


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def _drop_stale_copies(model_path: Path, keep: Path) -> None:
    """A replaced model file or a new onnxruntime leaves its old copy behind (~60 MB): drop it.
    Copies of other model files (other voices, other virtualenvs' copies of one voice) go when
    unused for ``STALE_DAYS``, or beyond the ``MAX_PREPARED`` most recently used."""
    for old in keep.parent.glob(f"{_model_prefix(model_path)}*.onnx"):
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


def _open_prepared(path: Path) -> Any | None:
    """A session on an already prepared model, or None (missing or unreadable: rebuild it)."""
    import onnxruntime

    if not path.is_file():
        return None
    opts = _session_options()
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


def _prepare(model_path: Path, target: Path | None) -> tuple[Any, bool]:
    """Patch the model in memory and open it; save ORT's optimized graph to ``target``.

    Saved at the "extended" level: portable across CPUs of one architecture, and measured
    to give bit-identical audio to the fully optimized in-memory graph at the same speed."""
    import onnxruntime

    model_or_path: str | bytes = str(model_path)
    seeded = False
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output

        model = onnx.load(str(model_path))
        try:
            add_alignment_output(model)
        except ValueError as err:  # already patched, or no Ceil tensor: timings unavailable
            _LOG.debug("no alignment output: %s", err)
        seeded = _patch_random_nodes(model) > 0
        model_or_path = model.SerializeToString()
    except ImportError:
        _LOG.info("onnx not installed: Piper readings will vary between calls")
        target = None  # nothing of ours to keep
    opts = _session_options()
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
        session = onnxruntime.InferenceSession(model_or_path, sess_options=opts,
                                               providers=["CPUExecutionProvider"])
        if tmp is not None and target is not None and tmp.stat().st_size > 0:
            os.replace(tmp, target)
            _drop_stale_copies(model_path, target)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return session, seeded


def load_piper(model_path: Path, config_path: Path) -> LoadedPiper:
    """Open a Piper voice, from its prepared copy when one exists (about 5x faster)."""
    from piper import PiperVoice
    from piper.config import PiperConfig

    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    # Without onnx there is no patch, so nothing to prepare (found, not imported: 40 ms).
    target = _prepared_path(model_path) if importlib.util.find_spec("onnx") else None
    session = _open_prepared(target) if target is not None else None
    if session is not None:
        seeded = any(i.name == NOISE_INPUT for i in session.get_inputs())
    else:
        session, seeded = _prepare(model_path, target)
    voice = PiperVoice(config=config, session=SeededSession(session) if seeded else session)
    return LoadedPiper(voice=voice, seeded=seeded, lock=threading.Lock())
