"""The preview server serves its folder's files and nothing else: no symlink out of it, no
directory listing, no traceback for a NUL byte, and idle connections are closed."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.publish import serve
from pipeline.publish.serve import make_server


@pytest.fixture
def served(tmp_path: Path, monkeypatch) -> Iterator[tuple[tuple[str, int], Path]]:
    monkeypatch.setattr(serve.RangeRequestHandler, "timeout", 0.5)
    root = tmp_path / "feed"
    (root / "art").mkdir(parents=True)
    (root / "episode.mp3").write_bytes(b"mp3")
    (root / "art" / "cover.png").write_bytes(b"png")
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (root / "leak.txt").symlink_to(secret)
    (root / "up").symlink_to(tmp_path)
    (root / "inside.mp3").symlink_to(root / "episode.mp3")  # a link within the folder is fine
    srv = make_server(root, 0, quiet=False)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield (srv.server_address[0], srv.server_port), root
    srv.shutdown()
    srv.server_close()


def get(addr: tuple[str, int], path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*addr, timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


@pytest.mark.parametrize("path", ["/leak.txt", "/up/secret.txt", "/up/", "/", "/art/", "/art",
                                  "/%00", "/episode.mp3%00.txt", "/../secret.txt"])
def test_nothing_outside_the_files_of_the_folder(served, capfd, path):
    addr, _ = served
    status, body = get(addr, path)
    assert status in (301, 404), (path, status)
    assert b"private" not in body and b"Directory listing" not in body
    assert "Traceback" not in capfd.readouterr().err


def test_files_and_links_inside_are_served(served):
    addr, _ = served
    assert get(addr, "/episode.mp3") == (200, b"mp3")
    assert get(addr, "/inside.mp3") == (200, b"mp3")
    assert get(addr, "/art/cover.png") == (200, b"png")


def test_an_idle_connection_is_closed(served):
    assert 0 < serve.IDLE_TIMEOUT <= 120  # the default (the fixture shortens it)
    addr, _ = served
    with socket.create_connection(addr, timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""  # the server hung up on a client that sent nothing
        assert time.monotonic() - started < 5
