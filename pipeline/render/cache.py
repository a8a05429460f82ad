"""Content-addressed take cache.

A take is stored as ``<root>/<k[:2]>/<k>.wav`` (float32) plus ``<k>.json`` holding the WAV's
sha256. The sidecar is written last, so an entry without one, or whose WAV does not match it,
is a torn or corrupt write: it is treated as missing and synthesized again, never mixed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import soundfile as sf

from pipeline.atomic import write_bytes, write_text
from pipeline.engines.base import Delivery, Take, VoiceSpec
from pipeline.errors import RenderError
from pipeline.files import file_sha256
from pipeline.jsoncheck import TABLE, TEXT, list_of, number, optional, problem, whole
from pipeline.lexicon import Entry, entries_key

KEY_VERSION = "castwright-take-v1"
SIDECAR_RULES = {"sha256": TEXT, "duration": number(0), "sample_rate": whole(1, 10**6),
                 "words": optional(list_of(TABLE))}
REQUIRED = ("sha256", "duration", "sample_rate")

# Entries whose WAV this process already hashed, by file identity (path, mtime, size of the WAV
# and its sidecar): a long-lived process (the studio) re-mixes a long episode without hashing
# every take again each time; any rewrite of either file changes the stamp and hashes anew.
_verified: dict[tuple, dict] = {}
_verified_lock = threading.Lock()
MAX_VERIFIED = 50_000


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def take_key(engine_identity: str, voice: VoiceSpec, spoken_text: str, delivery: Delivery,
             take: int, pronounce: Sequence[Entry] = ()) -> str:
    """Everything that changes the audio goes into the key; nothing else does. Of the lexicon,
    only the entries that match this line count: editing one re-reads only its lines."""
    voice_fields = asdict(voice)
    for cosmetic in ("name", "description", "gender", "age", "role"):
        voice_fields.pop(cosmetic)
    parts: list = [KEY_VERSION, engine_identity, voice_fields, spoken_text, asdict(delivery),
                   take]
    if pronounce:
        parts.append(entries_key(pronounce))
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def encode_take(take: Take) -> bytes:
    """A take as the cache stores it: a float32 WAV, the same bytes for the same samples
    wherever and whenever it is made (a take from a cluster worker equals a local one)."""
    buffer = io.BytesIO()
    with sf.SoundFile(buffer, "w", take.sample_rate, 1, subtype="FLOAT", format="WAV") as out:
        _no_peak_chunk(out)
        out.write(take.samples.astype(np.float32))
    return buffer.getvalue()


SFC_SET_ADD_PEAK_CHUNK = 0x1050


def _no_peak_chunk(out: sf.SoundFile) -> None:
    """libsndfile stamps float WAVs with a PEAK chunk holding the time of writing; without
    it the file depends on the samples only."""
    with contextlib.suppress(AttributeError):  # soundfile's C handle (stable since 0.9)
        sf._snd.sf_command(out._file, SFC_SET_ADD_PEAK_CHUNK, sf._ffi.NULL, 0)


def take_fields(take: Take) -> dict:
    """The sidecar's description of a take's audio."""
    return {"sample_rate": take.sample_rate, "frames": len(take.samples),
            "duration": take.duration,
            "words": [asdict(w) for w in take.words] if take.words else None}


def wav_fields(wav: bytes) -> dict:
    """The sidecar's description of a take read from its WAV (no word timings)."""
    with sf.SoundFile(io.BytesIO(wav)) as audio:
        return {"sample_rate": audio.samplerate, "frames": audio.frames,
                "duration": audio.frames / audio.samplerate, "words": None}


class TakeCache:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def wav_path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def meta_path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def meta(self, key: str) -> dict | None:
        """The entry's metadata if the entry is complete and intact, else None (a damaged or
        hand-edited sidecar included: the take is then made again)."""
        meta_path, wav_path = self.meta_path(key), self.wav_path(key)
        try:
            stamp = (str(wav_path), *_stamp(wav_path), *_stamp(meta_path))
        except OSError:
            return None
        with _verified_lock:
            known = _verified.get(stamp)
        if known is not None:
            return dict(known)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if problem(meta, SIDECAR_RULES, required=REQUIRED) is not None:
                return None
            if meta["sha256"] != file_sha256(wav_path):
                return None
        except (OSError, ValueError):
            return None
        with _verified_lock:
            if len(_verified) >= MAX_VERIFIED:
                _verified.clear()
            _verified[stamp] = dict(meta)
        return meta

    def has(self, key: str) -> bool:
        return self.meta(key) is not None

    def store(self, key: str, take: Take, info: dict | None = None) -> dict:
        return self.store_encoded(key, encode_take(take), take_fields(take), info)

    def store_encoded(self, key: str, wav: bytes, fields: dict,
                      info: dict | None = None) -> dict:
        """Store a take already encoded by ``encode_take`` (a cluster worker's): the same
        bytes and sidecar a local synthesis writes."""
        wav_path = self.wav_path(key)
        try:
            write_bytes(wav_path, wav)
        except OSError as err:  # disk full, quota: the temp file is gone already
            raise RenderError(f"cannot write a take ({err.strerror or err}; is the disk full?)",
                              wav_path) from None
        if any(name not in fields for name in REQUIRED if name != "sha256"):
            fields = {**wav_fields(wav), **fields}  # a bare WAV (a cluster mixer's copy)
        meta = {"key": key, "sha256": hashlib.sha256(wav).hexdigest(), **fields, **(info or {})}
        write_text(self.meta_path(key), json.dumps(meta, indent=1, ensure_ascii=False))
        return meta

    def load(self, key: str) -> Take:
        if not self.has(key):
            raise KeyError(f"take {key} is not in the cache (or is corrupt)")
        samples, rate = sf.read(self.wav_path(key), dtype="float32", always_2d=False)
        return Take(samples=samples, sample_rate=rate)

    def discard(self, key: str) -> None:
        self.meta_path(key).unlink(missing_ok=True)
        self.wav_path(key).unlink(missing_ok=True)
