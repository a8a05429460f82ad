"""Which Ray head a render uses, and whether anything answers there (no Ray import here).

The address comes from ``--cluster``, else ``RAY_ADDRESS``, else a show file's
``[render] cluster``. Forms: ``HOST:PORT`` (the head's GCS port, for a castwright running on a
node of the cluster), ``ray://HOST:PORT`` (Ray Client, from any machine), ``auto`` (the cluster
``ray start`` runs on this machine), ``local`` (a Ray started for this run on this machine) and
``off`` (render here, whatever ``RAY_ADDRESS`` says). A head that does not answer fails in
seconds with one line, before Ray (whose own connect retries for minutes) is involved.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.errors import CastwrightError

ENV = "RAY_ADDRESS"
TIMEOUT_ENV = "CASTWRIGHT_CLUSTER_TIMEOUT"
DEFAULT_TIMEOUT = 10.0  # seconds to reach the head (TCP) and then to connect Ray
OFF = ("off", "none", "no")
SPECIAL = ("auto", "local")
GCS_PORT, CLIENT_PORT = 6379, 10001  # Ray's defaults


class ClusterError(CastwrightError):
    """The cluster cannot be used: bad address, no head, head lost, workers unfit."""


@dataclass(frozen=True)
class ClusterAddress:
    text: str  # what ray.init gets
    source: str  # where it came from, for messages: "--cluster", "RAY_ADDRESS", a show file
    host: str | None = None  # None for auto/local
    port: int | None = None
    client: bool = False  # ray:// (Ray Client)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}" if self.host else self.text


def timeout() -> float:
    try:
        return max(0.5, float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def resolve(option: str | None, show_value: str | None = None,
            show_file: str | None = None) -> ClusterAddress | None:
    """The address to render on, or None to render on this machine."""
    if option is not None:
        value, source = option, "--cluster"
    elif os.environ.get(ENV, "").strip():
        value, source = os.environ[ENV], ENV
    elif show_value:
        value, source = show_value, f"{show_file or 'show file'}: [render] cluster"
    else:
        return None
    value = value.strip()
    if value.lower() in OFF:
        return None
    return parse_address(value, source)


def parse_address(value: str, source: str = "--cluster") -> ClusterAddress:
    if value.lower() in SPECIAL:
        return ClusterAddress(value.lower(), source)
    client = value.startswith("ray://")
    rest = value[len("ray://"):] if client else value
    bad = ClusterError(f"{source} {value!r}: not a Ray address (use HOST:PORT, "
                       "ray://HOST:PORT, auto, local or off)")
    if not rest or "/" in rest.rstrip("/") or "://" in rest:
        raise bad
    try:
        parts = urlsplit("//" + rest.rstrip("/"))
        port = parts.port
    except ValueError:
        raise bad from None
    if not parts.hostname:
        raise bad
    port = port or (CLIENT_PORT if client else GCS_PORT)
    host = parts.hostname
    text = f"ray://{_join(host, port)}" if client else _join(host, port)
    return ClusterAddress(text, source, host, port, client)


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def probe(address: ClusterAddress, seconds: float | None = None) -> None:
    """Fail with one line unless something accepts connections at the head's port."""
    if address.host is None or address.port is None:
        return
    try:
        with socket.create_connection((address.host, address.port), seconds or timeout()):
            return
    except OSError as err:
        why = err.strerror or type(err).__name__
        if isinstance(err, TimeoutError | socket.timeout):
            why = f"no answer within {seconds or timeout():g} s"
        raise ClusterError(f"{address.source}: cannot reach the Ray head at {address.where} "
                           f"({why.lower()}); start one with `ray start --head` or check the "
                           "address") from None


HEAD_CHECK_SECONDS = 2.0  # a head that is still there answers a TCP connect at once


def reachable(address: ClusterAddress, seconds: float = HEAD_CHECK_SECONDS) -> bool:
    try:
        probe(address, seconds)
    except ClusterError:
        return False
    return True
