"""Keep synthesis workers' heaps small: during a take, and between takes.

Between takes: a synthesis worker frees a take's buffers (ONNX Runtime's tensors, the audio,
the design's spectra: a few hundred MB for a long line) when the take is stored, but glibc keeps
freed heap pages for reuse, so each worker's resident size would stay at its largest take for
the rest of the book. ``malloc_trim`` hands those pages back (a few milliseconds); elsewhere it
is a no-op.

During a take (``worker_environment``): glibc serves an allocation under its mmap threshold from
the heap, and raises that threshold (up to 32 MB) each time a larger block is freed. ONNX
Runtime's tensors for one long line are mostly a few MB to a few tens of MB, freed in another
order than made, so the heap fragments: a 300-phoneme Kokoro call held a 1.4-1.6 GB heap, an
80-phoneme one 1.1 GB, and a worker reached 2.5 GB in a book render. A fixed 4 MB threshold
gives every larger block its own mapping, returned when freed (0.63 and 0.32 GB for those
calls), and glibc's transparent huge pages for those mappings (``glibc.malloc.hugetlb=1``) make
them cheaper than the heap was (the 300-phoneme call: 12 CPU-s instead of 18-20). Samples are
identical: only where the memory comes from changes. Tunables are read when a process starts,
so they go into the environment its worker processes inherit; glibc older than 2.35 ignores
the huge pages, other C libraries both.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
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


TUNABLES = "GLIBC_TUNABLES"
WORKER_TUNABLES = {"glibc.malloc.mmap_threshold": "4194304", "glibc.malloc.hugetlb": "1"}


def worker_environment(env: dict[str, str] | None = None) -> None:
    """Give every process started from now on from this one (``env``: ``os.environ``) the
    synthesis workers' heap settings; a setting the user already made is kept."""
    env = os.environ if env is None else env
    current = [part for part in env.get(TUNABLES, "").split(":") if "=" in part]
    named = {part.split("=", 1)[0] for part in current}
    added = [f"{k}={v}" for k, v in WORKER_TUNABLES.items() if k not in named]
    if added:
        env[TUNABLES] = ":".join(current + added)
