"""Child processes (synthesis workers, the plot helper) die with the castwright that made them.

Without this a ``kill -9`` of ``render --jobs 2`` leaves its workers (~400 MB each) waiting
forever on a queue nobody writes to. On Linux the kernel sends the child SIGKILL when its parent
dies (``PR_SET_PDEATHSIG``); elsewhere, and for a child forked by a fork server, a thread
watches the parent's pid.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a child process (an executor's ``initializer``). ``parent_pid`` is
    the castwright process, which need not be the child's own parent: a fork server between
    them lives as long as any child it forked does, so such a child watches castwright itself."""
    direct = os.getppid() == parent_pid
    if not (direct and sys.platform.startswith("linux") and _ask_kernel()):
        threading.Thread(target=_watch, args=(parent_pid,), name="watch-parent",
                         daemon=True).start()
    if not _alive(parent_pid):  # the parent died before we asked
        os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _ask_kernel() -> bool:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    return False


def _watch(parent_pid: int) -> None:
    with contextlib.suppress(OSError, AttributeError):  # Linux 5.3+: woken the moment it exits
        handle = os.pidfd_open(parent_pid)
        select.select([handle], [], [])
        os._exit(1)
    while _alive(parent_pid):
        time.sleep(WATCH_SECONDS)
    os._exit(1)
