"""The preview server answers byte-range requests, so players can seek."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.publish.serve import make_server

DATA = bytes(range(256)) * 8  # 2048 bytes, every offset recognisable


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    (tmp_path / "episode.mp3").write_bytes(DATA)
    (tmp_path / "index.html").write_text("<h1>hi</h1>")
    srv = make_server(tmp_path, 0, quiet=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield srv.server_address[0], srv.server_port
    srv.shutdown()
    srv.server_close()


def _get(addr: tuple[str, int], path: str, method: str = "GET", **headers: str):
    conn = http.client.HTTPConnection(*addr, timeout=5)
    conn.request(method, path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


def test_binds_to_localhost_only(server) -> None:
    assert server[0] == "127.0.0.1"


def test_range_request_gets_206_and_exactly_those_bytes(server) -> None:
    resp, body = _get(server, "/episode.mp3", Range="bytes=10-99")
    assert resp.status == 206
    assert body == DATA[10:100] and len(body) == 90
    assert resp.getheader("Content-Range") == f"bytes 10-99/{len(DATA)}"
    assert resp.getheader("Content-Length") == "90"
    assert resp.getheader("Accept-Ranges") == "bytes"
    assert resp.getheader("Content-Type") == "audio/mpeg"


@pytest.mark.parametrize(("header", "first", "last"), [
    ("bytes=2000-", 2000, 2047),  # open-ended
    ("bytes=-48", 2000, 2047),  # suffix
    ("bytes=2040-9999", 2040, 2047),  # end past the file is clamped
    ("bytes=0-0", 0, 0),
])
def test_range_forms(server, header: str, first: int, last: int) -> None:
    resp, body = _get(server, "/episode.mp3", Range=header)
    assert resp.status == 206
    assert body == DATA[first:last + 1]
    assert resp.getheader("Content-Range") == f"bytes {first}-{last}/{len(DATA)}"


def test_range_past_the_end_is_416(server) -> None:
    resp, body = _get(server, "/episode.mp3", Range="bytes=5000-")
    assert resp.status == 416
    assert resp.getheader("Content-Range") == f"bytes */{len(DATA)}"
    assert body == b""


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "lines=1-2", "bytes=50-10"])
def test_unsupported_ranges_get_the_whole_file(server, header: str) -> None:
    resp, body = _get(server, "/episode.mp3", Range=header)
    assert resp.status == 200 and body == DATA


def test_plain_get_and_head_advertise_ranges(server) -> None:
    resp, body = _get(server, "/episode.mp3")
    assert resp.status == 200 and body == DATA
    assert resp.getheader("Accept-Ranges") == "bytes"
    resp, body = _get(server, "/episode.mp3", method="HEAD", Range="bytes=10-99")
    assert resp.status == 206 and body == b"" and resp.getheader("Content-Length") == "90"
    resp, body = _get(server, "/")
    assert resp.status == 200 and body == b"<h1>hi</h1>"


def test_stale_if_range_gets_the_whole_file(server) -> None:
    resp, body = _get(server, "/episode.mp3", Range="bytes=10-99",
                      **{"If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert resp.status == 200 and body == DATA


def test_castwright_serve_command(tmp_path: Path) -> None:
    """The real CLI, in a subprocess on a free port."""
    (tmp_path / "episode.mp3").write_bytes(DATA)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import app; app()", "serve", "--dir",
         str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        url = next(w for w in line.split() if w.startswith("http://127.0.0.1:"))
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        resp, body = _get(("127.0.0.1", port), "/episode.mp3", Range="bytes=10-99")
        assert resp.status == 206 and body == DATA[10:100]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_refuses_a_missing_folder(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["serve", "--dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "nothing to serve: run castwright publish first" in result.output


# -- a phone on the LAN: --host and --base-url -------------------------------------------------

@pytest.fixture
def published_feed(tmp_path: Path) -> Path:
    from datetime import UTC, datetime

    from test_publish_fakes import make_rendered_show

    from pipeline.publish.publish import publish

    show, out = make_rendered_show(tmp_path)
    publish(show, out, render=False, now=datetime(2026, 1, 1, tzinfo=UTC))
    return out / "feed"


def _serve(folder: Path, **kw):
    srv = make_server(folder, 0, quiet=True, **kw)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return srv


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_the_served_feed_points_at_the_server(published_feed: Path, host: str) -> None:
    import feedparser
    import podcastparser

    srv = _serve(published_feed, host=host)
    try:
        base = srv.base_url
        if host == "0.0.0.0":  # every interface: the URLs carry the machine's LAN address
            assert not base.startswith("http://0.0.0.0") and base.endswith(f":{srv.server_port}/")
        else:
            assert base == f"http://127.0.0.1:{srv.server_port}/"
        resp, body = _get(("127.0.0.1", srv.server_port), "/feed.xml")
        assert resp.status == 200 and int(resp.getheader("Content-Length")) == len(body)
        feed = feedparser.parse(body)
        assert not feed.bozo and b"https://example.com/show/" not in body
        assert {"href": base + "feed.xml", "rel": "self",
                "type": "application/rss+xml"} in feed.feed.links
        parsed = podcastparser.parse(base + "feed.xml", __import__("io").BytesIO(body))
        for episode in parsed["episodes"]:
            url = episode["enclosures"][0]["url"]
            assert url.startswith(base)
            got, audio = _get(("127.0.0.1", srv.server_port), "/" + url[len(base):],
                              Range="bytes=0-99")
            assert got.status == 206 and audio == (published_feed / url[len(base):]
                                                   ).read_bytes()[:100]
        _, page = _get(("127.0.0.1", srv.server_port), "/")
        assert f"<code>{base}feed.xml</code>".encode() in page
        # The files on disk still name the published base_url.
        assert b"https://example.com/show/" in (published_feed / "feed.xml").read_bytes()
    finally:
        srv.shutdown()
        srv.server_close()


def test_base_url_names_the_address_a_phone_uses(published_feed: Path) -> None:
    import feedparser

    srv = _serve(published_feed, host="0.0.0.0", base_url="http://studio.local:8123/preview")
    try:
        _, body = _get(("127.0.0.1", srv.server_port), "/feed.xml")
        feed = feedparser.parse(body)
        assert all(e.enclosures[0].href.startswith("http://studio.local:8123/preview/")
                   for e in feed.entries)
    finally:
        srv.shutdown()
        srv.server_close()


def test_serve_command_host_and_base_url(published_feed: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import app; app()", "serve", "--dir",
         str(published_feed), "--port", "0", "--host", "0.0.0.0", "--base-url",
         "http://192.0.2.7:8000/"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        first, second = proc.stdout.readline(), proc.stdout.readline()
        assert "http://192.0.2.7:8000/feed.xml" in first
        assert "subscribe from another device on this network: " \
            "http://192.0.2.7:8000/feed.xml" in second
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    from typer.testing import CliRunner

    from pipeline.cli import app

    bad = CliRunner().invoke(app, ["serve", "--dir", str(published_feed), "--base-url",
                                   "ftp://x/"])
    assert bad.exit_code == 2 and "must be an http:// or https:// URL" in bad.output
