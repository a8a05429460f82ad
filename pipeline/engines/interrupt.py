"""Stop a background synthesis part-way when something more urgent comes (the studio's
pre-emption): work started inside ``interruptible()`` can be stopped from another thread.

Kokoro's model runs take seconds on a busy machine; onnxruntime stops a run whose
``RunOptions.terminate`` is set, so the studio's preparation of takes nobody asked for yet
gives way to a producer's retake at once instead of after the line it was making.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Interrupted(Exception):
    """The work was stopped by ``Scope.interrupt()``."""


class Scope:
    def __init__(self) -> None:
        self.stopped = threading.Event()
        self._runs: set[Any] = set()
        self._lock = threading.Lock()

    def interrupt(self) -> None:
        with self._lock:
            self.stopped.set()
            for options in self._runs:
                options.terminate = True

    def check(self) -> None:
        if self.stopped.is_set():
            raise Interrupted()

    def add(self, options: Any) -> None:
        with self._lock:
            if self.stopped.is_set():
                raise Interrupted()
            self._runs.add(options)

    def discard(self, options: Any) -> None:
        with self._lock:
            self._runs.discard(options)


_scopes: dict[int, Scope] = {}  # thread id -> the scope it runs in


@contextmanager
def interruptible(scope: Scope | None = None) -> Iterator[Scope]:
    """Model runs on this thread inside the block stop when ``scope`` (a new one if None) is
    interrupted; the block then raises ``Interrupted`` (whatever error the engine made of the
    stopped run)."""
    scope = scope or Scope()
    _scopes[threading.get_ident()] = scope
    try:
        yield scope
    except Exception:
        if scope.stopped.is_set():
            raise Interrupted() from None
        raise
    finally:
        _scopes.pop(threading.get_ident(), None)


@contextmanager
def run_options() -> Iterator[Any]:
    """onnxruntime ``RunOptions`` for one model run on this thread (None outside a scope)."""
    scope = _scopes.get(threading.get_ident())
    if scope is None:
        yield None
        return
    import onnxruntime

    options = onnxruntime.RunOptions()
    scope.add(options)
    try:
        yield options
    finally:
        scope.discard(options)
