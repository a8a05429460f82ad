"""What keeps the studio to its producer: Host and Origin checks, a per-session token for every
state-changing request, and file serving that never leaves the output folder.

The studio is a local server, so the threats are other web pages open in the same browser
(cross-site requests, DNS rebinding) and other machines when it is bound beyond loopback:
- every request must name the studio in ``Host`` (a rebinding page's Host is its own name);
- a request that changes anything (any method but GET/HEAD) must carry the session token in the
  ``X-Castwright-Token`` header and, when the browser says where it comes from (``Origin``,
  ``Sec-Fetch-Site``), come from the studio's own pages. Other pages cannot read the token (the
  same-origin policy), and a custom header cannot be sent cross-site without a CORS preflight,
  which the studio never grants;
- bound to anything but loopback, even reading needs the token (once, as ``?token=`` in the
  printed link, which sets a cookie), since anyone on the network could connect.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_HEADER = "x-castwright-token"
COOKIE = "castwright_studio"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SAFE_METHODS = ("GET", "HEAD")
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; media-src 'self' blob:; script-src 'self'; "
     b"style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
     b"base-uri 'none'; form-action 'self'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    return host.strip("[]") in LOOPBACK or host.startswith("127.")


@dataclass
class Guard:
    """The studio's identity: its token and the names it answers to."""

    token: str
    host: str = "127.0.0.1"
    port: int = 0  # set once the socket is bound
    names: set[str] = field(default_factory=set)  # extra host names (--host beyond loopback)

    @property
    def private(self) -> bool:
        """Reachable from other machines: reading needs the token too."""
        return not is_loopback(self.host)

    def hosts(self) -> set[str]:
        names = {"127.0.0.1", "localhost", "[::1]", *self.names}
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(f"[{self.host}]" if ":" in self.host else self.host)
        return {f"{name}:{self.port}" for name in names} | (names if self.port == 80 else set())

    def origins(self) -> set[str]:
        return {f"http://{host}" for host in self.hosts()}

    def token_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def url(self, path: str = "/") -> str:
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        shown = f"[{shown}]" if ":" in shown else shown
        query = f"?{urlencode({'token': self.token})}" if self.private else ""
        return f"http://{shown}:{self.port}{path}{query}"


class GuardMiddleware:
    """Pure ASGI middleware: refuses what the module docstring says, adds security headers."""

    def __init__(self, app: ASGIApp, guard: Guard):
        self.app, self.guard = app, guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        problem, status = self.check(scope, headers)
        if problem:
            await _refuse(send, status, problem)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if self.guard.private and self.guard.token_ok((query.get("token") or [""])[0]):
            await _set_cookie_and_redirect(send, scope["path"], self.guard.token)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, secured)

    def check(self, scope: Scope, headers: dict[str, str]) -> tuple[str, int]:
        """("", 0) when the request may go on, else (problem, HTTP status)."""
        guard = self.guard
        host = headers.get("host", "")
        if host not in guard.hosts():
            return (f"this studio answers at {guard.url()} only, not at Host '{host}'", 421)
        cookie = SimpleCookie(headers.get("cookie", ""))
        has_cookie = COOKIE in cookie and guard.token_ok(cookie[COOKIE].value)
        query_token = (parse_qs(scope.get("query_string", b"").decode("latin-1"))
                       .get("token") or [""])[0]
        if guard.private and not (has_cookie or guard.token_ok(query_token)):
            return ("open the studio with the link it printed (it carries the session token)",
                    403)
        if scope["method"] in SAFE_METHODS:
            return "", 0
        origin = headers.get("origin")
        if origin is not None and origin not in guard.origins():
            return f"cross-site request refused (from {origin})", 403
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "cross-site request refused", 403
        if not guard.token_ok(headers.get(TOKEN_HEADER)):
            return ("missing or wrong studio token: reload the studio page (the token changes "
                    "each time the studio starts)", 403)
        return "", 0


async def _refuse(send: Send, status: int, problem: str) -> None:
    body = json.dumps({"error": problem}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


async def _set_cookie_and_redirect(send: Send, path: str, token: str) -> None:
    cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode()
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", path.encode("latin-1") or b"/"),
                            (b"set-cookie", cookie), (b"content-length", b"0"),
                            *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": b""})


class OutsideError(LookupError):
    """A requested file is not inside the folder it must come from."""


def inside(root: Path, *parts: str) -> Path:
    """``root/parts`` as a real file inside ``root``, symlinks resolved: anything that leads
    out of ``root`` (``..``, absolute parts, a symlink to elsewhere) or is not a file raises
    ``OutsideError``."""
    base = root.resolve()
    if any(not part or Path(part).is_absolute() or "\x00" in part for part in parts):
        raise OutsideError("/".join(parts))
    target = base.joinpath(*parts).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise OutsideError("/".join(parts))
    return target
