"""A real Ray head on this machine for the cluster tests and benchmark (``ray start --head``).

Everything stays on the loopback interface and in a private temp folder, every port is a free
one (two test runs on one machine do not collide), usage stats and the dashboard are off. The
head runs with ``--block`` in its own process group: ``stop`` ends it (SIGTERM, then SIGKILL
for the group) and removes its temp folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAY = Path(sys.executable).with_name("ray")
# Ray maps 127.0.0.1 to the machine's outward address unless it believes it is a laptop:
# this keeps the head, its workers and our driver on loopback.
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
PORT_OPTIONS = ("--port", "--ray-client-server-port", "--dashboard-port",
                "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port",
                "--runtime-env-agent-port", "--metrics-export-port", "--node-manager-port",
                "--object-manager-port")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def cluster_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the head and for castwright talking to it (without the heap
    settings a render in this process may have set for its workers: a user's head has none)."""
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "GLIBC_TUNABLES")}
    env.update(LOOPBACK_ENV)
    repo = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (repo, env.get("PYTHONPATH")) if p)
    env.update(extra or {})
    return env


class LocalHead:
    """``ray start --head --block`` with ``cpus`` CPUs; ``address`` is its GCS HOST:PORT."""

    def __init__(self, cpus: int = 2, start_seconds: float = 120.0):
        self.temp = Path(tempfile.mkdtemp(prefix="cwray-"))  # short: Ray's socket paths
        ports = free_ports(len(PORT_OPTIONS))
        self.address = f"127.0.0.1:{ports[0]}"
        args = [str(RAY), "start", "--head", "--block", f"--num-cpus={cpus}", "--num-gpus=0",
                f"--temp-dir={self.temp}", "--include-dashboard=false",
                "--disable-usage-stats", "--node-ip-address=127.0.0.1"]
        args += [f"{option}={port}" for option, port in zip(PORT_OPTIONS, ports, strict=True)]
        self.log = self.temp / "head.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(args, env=cluster_env(), stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_ready(start_seconds)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ray start failed:\n{self.log.read_text()[-3000:]}")
            if b"Ray runtime started" in self.log.read_bytes():
                return
            time.sleep(0.3)
        raise RuntimeError(f"ray start did not finish in {seconds} s")

    def pids(self) -> list[int]:
        """Every process of the head's session (the head, GCS, raylet, workers, actors: Ray
        puts workers in process groups of their own, but they stay in our session)."""
        return _session_pids(self.proc.pid)

    def kill(self) -> None:
        """The head machine dies: every process of it, at once."""
        _kill_all(self.pids())
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # ray start --block stops its node's processes on SIGTERM
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(40)
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            _kill_all(self.pids())  # anything left of the session
            time.sleep(0.2)
        shutil.rmtree(self.temp, ignore_errors=True)


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _session_pids(sid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid and fields[0] != "Z":  # field 6 of stat: the session
            found.append(int(entry.name))
    return found


def actor_pids(head: LocalHead, name: str = "SynthWorker") -> list[int]:
    """Live actor processes of ``head`` (Ray titles them ``ray::<Class>``)."""
    found = []
    for pid in head.pids():
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(f"ray::{name}".encode()):
                found.append(pid)
    return found
