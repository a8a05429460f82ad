"""A local preview server for ``output/feed/`` that answers HTTP range requests.

Browsers and podcast players seek by asking for byte ranges; the stdlib's SimpleHTTPRequestHandler
ignores ``Range``, so seeking in a long episode would restart the download. This handler serves one
range per request (206 + Content-Range), 416 for a range past the end, and the whole file otherwise
(RFC 9110 lets a server ignore multi-range requests). It binds 127.0.0.1 unless told another
host (``0.0.0.0``: every interface, so a phone on the LAN can subscribe).

The feed in ``output/feed/`` names the show file's ``base_url`` in every URL, where the feed will
eventually live; a preview's URLs must point at the preview. So ``feed.xml`` and ``index.html``
are served with that base replaced by the server's own (``base_url``, by default
``http://<host>:<port>/`` with the machine's LAN address for ``0.0.0.0``); every other file is
served as it is.

It serves the files of its folder and nothing else: no directory listings, no symlink that leads
out of the folder, no path with a NUL byte (all 404); an idle connection is closed after
``IDLE_TIMEOUT`` seconds, and a client that goes away mid-download is not an error worth a
traceback.
"""

from __future__ import annotations

import functools
import html
import io
import os
import re
import socket
import sys
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

HOST = "127.0.0.1"
IDLE_TIMEOUT = 30.0  # seconds a keep-alive connection (and its thread) may wait for a request
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: players make many small range requests
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".mp3": "audio/mpeg",
        ".vtt": "text/vtt",
        ".srt": "application/x-subrip",
        ".json": "application/json",
        ".xml": "application/xml",  # browsers show it rather than download rss+xml
    }

    _remaining: int | None = None  # bytes left to send for a range response
    timeout = IDLE_TIMEOUT  # socket timeout (StreamRequestHandler): idle connections end

    def _inside(self, path: str) -> bool:
        """Whether ``path`` (symlinks resolved) is the served folder or in it."""
        try:
            real, root = os.path.realpath(path), os.path.realpath(self.directory)
        except (ValueError, OSError):  # a NUL byte, an unresolvable name
            return False
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")  # no listings: a folder is no page
        return None

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)

    def _byte_range(self, size: int, mtime: float) -> tuple[int, int] | None | str:
        """(first, last) to serve, None for the whole file, "unsatisfiable" for a 416."""
        header = self.headers.get("Range")
        if not header:
            return None
        if_range = self.headers.get("If-Range")
        if if_range:  # only honour the range if the client's copy is still current
            try:
                if parsedate_to_datetime(if_range).timestamp() < int(mtime):
                    return None
            except (TypeError, ValueError):
                return None  # an ETag: we send none, so it cannot match
        m = _RANGE.match(header.strip())
        if not m or (not m.group(1) and not m.group(2)):
            return None  # multiple or malformed ranges: serve the whole file
        if m.group(1):
            first = int(m.group(1))
            last = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            if m.group(2) and int(m.group(2)) < first:
                return None
        else:  # suffix range: the last N bytes
            n = int(m.group(2))
            if n == 0:
                return "unsatisfiable"
            first, last = max(0, size - n), size - 1
        if first >= size:
            return "unsatisfiable"
        return first, last

    def send_head(self) -> BinaryIO | None:
        self._remaining = None
        path = self.translate_path(self.path)
        if not self._inside(path):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        if os.path.isdir(path) and os.path.isfile(os.path.join(path, "index.html")) \
                and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        if os.path.basename(path) in REWRITTEN and os.path.isfile(path):
            return self._rewritten(path)
        if os.path.isdir(path) or not os.path.isfile(path) or "Range" not in self.headers:
            return super().send_head()  # directories, 404s and plain GETs as usual
        f = open(path, "rb")  # noqa: SIM115 (handed to copyfile, closed by do_GET)
        try:
            st = os.fstat(f.fileno())
            span = self._byte_range(st.st_size, st.st_mtime)
            if span is None:
                f.close()
                return super().send_head()
            if span == "unsatisfiable":
                f.close()
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{st.st_size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            first, last = span
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Range", f"bytes {first}-{last}/{st.st_size}")
            self.send_header("Content-Length", str(last - first + 1))
            self.send_header("Last-Modified", formatdate(st.st_mtime, usegmt=True))
            self.end_headers()
            f.seek(first)
            self._remaining = last - first + 1
            return f
        except BaseException:
            f.close()
            raise

    def _rewritten(self, path: str) -> BinaryIO:
        """The feed or show page with the published base URL swapped for the server's."""
        with open(path, "rb") as fh:
            data = fh.read()
        published = published_base(os.path.dirname(path))
        base = getattr(self.server, "base_url", None)
        if published and base and published != base:
            for old, new in ((published, base), (html.escape(published), html.escape(base))):
                data = data.replace(old.encode(), new.encode())
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Last-Modified", formatdate(os.path.getmtime(path), usegmt=True))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        return io.BytesIO(data)

    def copyfile(self, source, outputfile) -> None:
        if self._remaining is None:
            return super().copyfile(source, outputfile)
        remaining = self._remaining
        while remaining > 0:
            block = source.read(min(64 * 1024, remaining))
            if not block:
                break
            outputfile.write(block)
            remaining -= len(block)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """One line, not a traceback: a player that closes the connection while seeking is
        normal, and anything else should not flood the terminal either."""
        err = sys.exc_info()[1]
        if isinstance(err, ConnectionError | TimeoutError) or getattr(self, "quiet", False):
            return
        print(f"serve: request from {client_address[0]} failed: {err!r}", file=sys.stderr)


def make_server(directory: str | Path, port: int = 8000, *, quiet: bool = False,
                host: str = HOST, base_url: str | None = None) -> ThreadingHTTPServer:
    """A ready server on ``host`` (``port=0`` picks a free port: see ``server.server_port``).
    The feed's URLs use ``base_url``, by default ``http://<host>:<port>/`` (see the module)."""
    handler = functools.partial(RangeRequestHandler, directory=str(directory))
    server = PreviewServer((host, port), handler)
    server.quiet = quiet  # type: ignore[attr-defined]
    if base_url is None:
        base_url = f"http://{url_host(host)}:{server.server_port}/"
    server.base_url = base_url if base_url.endswith("/") else base_url + "/"  # type: ignore
    return server


REWRITTEN = frozenset({"feed.xml", "index.html"})
_SELF = re.compile(rb'<atom:link[^>]*href="([^"]+)feed\.xml"[^>]*rel="self"'
                   rb'|<atom:link[^>]*rel="self"[^>]*href="([^"]+)feed\.xml"')


def published_base(folder: str) -> str | None:
    """The base URL the feed in ``folder`` was published for (its self link, minus feed.xml)."""
    try:
        with open(os.path.join(folder, "feed.xml"), "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return None
    m = _SELF.search(head)
    if not m:
        return None
    return html.unescape((m.group(1) or m.group(2)).decode("utf-8", "replace"))


def url_host(host: str) -> str:
    """The host to put in URLs for a server bound to ``host``: its LAN address when it listens
    on every interface (what a phone on the same network can reach)."""
    if host in ("", "0.0.0.0"):
        return lan_address()
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def lan_address() -> str:
    """This machine's address on its local network (no packet is sent: a UDP "connect" only
    picks the route), or 127.0.0.1 when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
