"""The take cache hashes an entry once per process while its files stay as they are."""

from __future__ import annotations

import os

import numpy as np

from pipeline.engines.base import Take
from pipeline.render import cache as cache_module
from pipeline.render.cache import TakeCache


def test_an_entry_is_hashed_once_until_a_file_changes(tmp_path, monkeypatch):
    cache = TakeCache(tmp_path)
    samples = np.linspace(-0.5, 0.5, 22050, dtype=np.float32)
    cache.store("ab" * 16, Take(samples, 22050))
    hashed: list[str] = []
    real = cache_module.file_sha256
    monkeypatch.setattr(cache_module, "file_sha256",
                        lambda path: hashed.append(str(path)) or real(path))
    assert cache.meta("ab" * 16)["duration"] == 1.0
    assert cache.has("ab" * 16) and cache.has("ab" * 16)
    assert len(hashed) == 1
    wav = cache.wav_path("ab" * 16)
    data = bytearray(wav.read_bytes())
    data[-4:] = b"\x00\x00\x80\x7f"  # same size, other samples: a corrupt rewrite
    wav.write_bytes(bytes(data))
    stat = wav.stat()
    os.utime(wav, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000))
    assert not cache.has("ab" * 16)
    assert len(hashed) == 2
    wav.unlink()
    assert cache.meta("ab" * 16) is None
