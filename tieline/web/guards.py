"""ASGI middleware that guards every response: body size, Host header, security headers, errors.

The app stacks them, outermost first: SecurityHeaders, HostCheck, CatchErrors, BodySizeLimit.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable, Mapping

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("tieline.web")

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("0.0.0.0", "::", "")
# The pages use no script at all; the SVG charts (matplotlib's) carry a <style> element and
# style attributes, so inline styles are allowed, inline and outside script are not (issue 9).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'; style-src 'self' 'unsafe-inline'")
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


def error_json(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one JSON error shape: ``{"error": {"status": ..., "message": ...}}``."""
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status, headers=headers)


class SecurityHeaders:
    """Adds a Content-Security-Policy forbidding script, nosniff, no framing and no referrer to
    every HTTP response, errors included (issue 9)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                   *((n, v) for n, v in SECURITY_HEADERS if n not in present)]}
            await send(message)

        await self.app(scope, receive, with_headers)


def host_key(value: str) -> str:
    """A Host header or host name as compared: no port, brackets, case or final dot
    (``'[::1]:8000'`` -> ``'::1'``, ``'LocalHost:80'`` -> ``'localhost'``)."""
    value = value.strip().lower()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    value = value.rstrip(".")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def hosts_for(bind: str) -> tuple[str, ...]:
    """The host names a server listening on address ``bind`` answers to.

    Loopback addresses (and ``localhost``) answer to the loopback names; another address to
    itself; a wildcard (``0.0.0.0``, ``::``) to the loopback names and this machine's name
    (other names or addresses clients use must be allowed explicitly)."""
    key = host_key(bind)
    if key in WILDCARD_BINDS:
        return (*LOOPBACK_HOSTS, host_key(socket.gethostname()))
    if key in LOOPBACK_HOSTS:
        return LOOPBACK_HOSTS
    try:
        if ipaddress.ip_address(key).is_loopback:
            return (*LOOPBACK_HOSTS, key)
    except ValueError:
        pass  # a name, not an address
    return (key,)


class HostCheck:
    """Refuses requests whose Host header names a host not served here, with 400: so a page on
    another site cannot reach a server bound to localhost through DNS rebinding (issue 9).
    ``'*'`` among the hosts turns the check off."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(host_key(h) for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and "*" not in self.hosts:
            host = Headers(scope=scope).get("host", "")
            if host_key(host) not in self.hosts:
                message = (f"host {host[:100]!r} is not served here; if it should be, start the server "
                           "with --allow-host NAME")
                await error_json(400, message)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class CatchErrors:
    """Answers an unexpected error with a 500 (``render(request, 500, message)``) and logs it
    once. Starlette's own handler re-raises after answering, and the server then closes the
    keep-alive connection and logs the error again (issue 9)."""

    def __init__(self, app: ASGIApp, render: Callable[[Request, int, str], Response]) -> None:
        self.app, self.render = app, render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:  # the boundary: any error becomes a 500, logged here
            log.exception("error serving %s %s", scope.get("method"), scope.get("path"))
            if started:  # half a response has gone: the server closes the connection, as it must
                return
            response = self.render(Request(scope), 500, "internal error; the server log has the details")
            await response(scope, receive, send)


class BodySizeLimit:
    """Refuses request bodies over ``limit`` bytes with 413, whether or not they announce their length.

    A body found too large while it is read (chunked) is answered here, at once; whatever the
    app then makes of the interrupted read (FastAPI makes it a 400) is dropped (issue 9)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen, started, refused = 0, False, False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    if not started:
                        await self._refuse(scope, receive, send)
                    refused = True
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, guarded_send)
        except _BodyTooLarge:
            pass  # answered with 413 above

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_json(413, f"request body larger than {self.limit} bytes")(scope, receive, send)


class _BodyTooLarge(Exception):
    """Raised into the app when the body it is reading passes the limit."""
