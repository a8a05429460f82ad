"""Give freed heap memory back to the operating system between takes.

A synthesis worker frees a take's buffers (ONNX Runtime's tensors, the audio, the design's
spectra: a few hundred MB for a long line) when the take is stored, but glibc keeps freed heap
pages for reuse, so each worker's resident size would stay at its largest take for the rest of
the book. ``malloc_trim`` hands those pages back (a few milliseconds); elsewhere it is a no-op.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import sys


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError):
        libc = ctypes.CDLL(None)
        if hasattr(libc, "malloc_trim"):  # glibc only (not musl)
            return libc
    return None


def release_free_memory() -> bool:
    """Return freed heap pages to the OS; True if the allocator supports it."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
