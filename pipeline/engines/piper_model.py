"""Load a Piper voice so that its readings are reproducible and carry phoneme timings.

A stock Piper (VITS) ONNX model draws its noise with ``RandomNormalLike`` from an onnxruntime
generator that is seeded once per session and advances on every call, so the same text read twice
gives different samples (and durations). When the ``onnx`` package is installed we patch the graph
in memory: each ``RandomNormalLike`` becomes a slice of a noise bank that we feed as an input,
generated from a seed (the take number). We also expose piper's per-phoneme sample counts
(``piper.patch_voice_with_alignment``) for word timings. Without ``onnx`` the stock model is used:
audio is then not sample-identical across calls and there are no word timings.

Patching and optimizing a 60 MB model takes ~0.7 s, several times longer than reading a line, so
the patched graph is kept on disk (``onnx_prepared``) and later loads take ~0.12 s.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines import onnx_prepared

NOISE_INPUT = "castwright_noise"
# Large enough for the latent noise of a 300-character chunk (~192 x 2000 frames) without wrapping.
BANK_SIZE = 1 << 20
PATCH_VERSION = "seeded-noise-1"

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


def _patched_model(model_path: Path) -> bytes:
    """The model with seeded noise and per-phoneme alignments, serialized."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(str(model_path))
    try:
        add_alignment_output(model)
    except ValueError as err:  # already patched, or no Ceil tensor: timings unavailable
        _LOG.debug("no alignment output: %s", err)
    _patch_random_nodes(model)
    return model.SerializeToString()


def _session(model_path: Path) -> Any:
    """The patched model from its prepared copy (about 5x faster than patching), or the stock
    model when ``onnx`` is not installed (found, not imported: 40 ms)."""
    if not importlib.util.find_spec("onnx"):
        _LOG.info("onnx not installed: Piper readings will vary between calls")
        return onnx_prepared.open_session(str(model_path))
    st = model_path.stat()
    where = str(model_path.resolve())
    ident = f"{where}|{st.st_size}|{st.st_mtime_ns}|{PATCH_VERSION}"
    return onnx_prepared.load_prepared(model_path.stem, where, ident,
                                       lambda: _patched_model(model_path))


def load_piper(model_path: Path, config_path: Path) -> LoadedPiper:
    """Open a Piper voice, from its prepared copy when one exists."""
    from piper import PiperVoice
    from piper.config import PiperConfig

    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    session = _session(model_path)
    seeded = any(i.name == NOISE_INPUT for i in session.get_inputs())
    voice = PiperVoice(config=config, session=SeededSession(session) if seeded else session)
    return LoadedPiper(voice=voice, seeded=seeded, lock=threading.Lock())
