"""One connection to a Ray cluster for the length of a command (Ray is imported here only).

``ClusterSession(address)`` checks that the head answers at once (one line and exit 2 if not)
but connects only when there is work: a re-render with every take cached never waits for Ray.
Ray's own chatter (connection banners, "a worker died" notices, the core's warnings) stays off
the terminal; usage statistics and the dashboard are off, so nothing tries the network.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pipeline.cluster.address import (
    ClusterAddress,
    ClusterError,
    parse_address,
    probe,
    reachable,
    timeout,
)

if TYPE_CHECKING:
    from pipeline.cluster.mixing import RemoteMixer
    from pipeline.cluster.pool import SynthPool

QUIET_RAY = {
    "RAY_USAGE_STATS_ENABLED": "0",  # no usage report to Ray's servers
    "RAY_DEDUP_LOGS": "0",
}


def import_ray() -> Any:
    for name, value in QUIET_RAY.items():
        os.environ.setdefault(name, value)
    try:
        import ray
    except ImportError:
        raise ClusterError("--cluster needs Ray: pip install 'castwright[cluster]'") from None
    return ray


def _silent(message: str) -> None:
    return None


class ClusterSession:
    """``note`` and ``warn`` receive one-line messages for the user (the CLI's own)."""

    def __init__(self, address: ClusterAddress, note: Callable[[str], None] = _silent,
                 warn: Callable[[str], None] = _silent):
        probe(address)
        self.address, self.note, self.warn = address, note, warn
        self.head: ClusterAddress = address  # where to check the head is still there
        self.ray: Any = None
        self.lost = False
        self._pool: SynthPool | None = None
        self._mixer: RemoteMixer | None = None
        self._connecting = threading.Lock()  # a season's mixer threads connect too

    def connect(self) -> Any:
        """Ray, connected to the cluster (connects on the first call)."""
        with self._connecting:
            return self.ray if self.ray is not None else self._open()

    def _open(self) -> Any:
        ray = import_ray()
        _connect(ray, self.address)
        _silence_worker_notices(ray)
        self.ray = ray
        with contextlib.suppress(Exception):  # "auto": the GCS address Ray found
            if not self.address.client:
                gcs = ray.get_runtime_context().gcs_address
                self.head = parse_address(gcs, self.address.source)
        return ray

    def resources(self) -> tuple[float, float]:
        """(CPUs, GPUs) of the whole cluster."""
        found = self.connect().cluster_resources()
        return float(found.get("CPU", 0.0)), float(found.get("GPU", 0.0))

    def pool(self) -> SynthPool:
        """The synthesis actors, kept across the episodes of a command."""
        from pipeline.cluster.pool import SynthPool

        if self._pool is None:
            self._pool = SynthPool(self)
        return self._pool

    def mixer(self) -> RemoteMixer:
        """Mixes episodes as Ray tasks (connects on its first mix)."""
        from pipeline.cluster.mixing import RemoteMixer

        if self._mixer is None:
            self._mixer = RemoteMixer(self)
        return self._mixer

    @property
    def made(self) -> int:
        """Takes the cluster made (and the cache kept) during this command."""
        return self._pool.made if self._pool is not None else 0

    def head_alive(self) -> bool:
        return self.head.host is None or reachable(self.head)

    def lost_error(self, cached: int) -> ClusterError:
        self.lost = True
        kept = (f"the {cached} take(s) it made are in the cache; " if cached else "")
        return ClusterError(f"{self.address.source}: lost the Ray head at {self.head.where}; "
                            f"{kept}run the render again to resume")

    def close(self) -> None:
        if self.ray is None:
            return
        if self._pool is not None and not self.lost:
            self._pool.close()
        if not self.lost:
            with contextlib.suppress(Exception):
                self.ray.shutdown()
        else:  # with the head gone, Ray's shutdown waits on it (its own exit handler too)
            atexit.unregister(self.ray.shutdown)

    def __enter__(self) -> ClusterSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_session(address: ClusterAddress | None, note: Callable[[str], None] = _silent,
                 warn: Callable[[str], None] = _silent) -> contextlib.AbstractContextManager:
    """A session for ``address``, or a no-op context (None) when rendering here."""
    if address is None:
        return contextlib.nullcontext()
    return ClusterSession(address, note, warn)


def _connect(ray: Any, address: ClusterAddress) -> None:
    """``ray.init`` with a deadline: Ray retries an absent head for minutes."""
    kwargs: dict[str, Any] = {"address": address.text, "log_to_driver": False,
                              "logging_level": logging.ERROR, "namespace": "castwright"}
    if not address.client:
        kwargs["include_dashboard"] = False
    failure: list[BaseException] = []

    def init() -> None:
        try:
            ray.init(**kwargs)
        except BaseException as err:  # noqa: BLE001 - reported on the calling thread
            failure.append(err)

    thread = threading.Thread(target=init, name="ray-connect", daemon=True)
    thread.start()
    thread.join(timeout() * 3)  # a local start ("local") takes several seconds on its own
    if thread.is_alive():
        raise ClusterError(f"{address.source}: the Ray head at {address.where} did not "
                           f"accept this client within {timeout() * 3:g} s")
    if failure:
        problem = " ".join(str(failure[0]).split()) or type(failure[0]).__name__
        raise ClusterError(f"{address.source}: cannot connect to Ray at {address.where}: "
                           f"{problem[:300]}")


def _silence_worker_notices(ray: Any) -> None:
    """Ray prints cluster notices ("a worker died ...") straight to stderr; a retried line is
    ours to report, so they go to the log (``-v``) instead."""
    with contextlib.suppress(Exception):
        from ray._private import worker as ray_worker

        log = logging.getLogger("castwright.cluster")

        def to_log(data: dict, ignore_prefix: bool = False) -> None:
            for line in data.get("lines", []):
                log.info("%s", line)

        ray_worker.print_to_stdstream = to_log
