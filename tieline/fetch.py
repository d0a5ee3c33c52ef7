"""Fetch web pages and feeds without letting their content reach local files or internal hosts.

A URL the user gives (on the command line or to ``read_documents``) is fetched wherever it
points: the user chose it. A link found in fetched or read content (a feed entry's link with
``--follow-links``, the target of any redirect) is fetched only when (issue 9):

- its scheme is http or https (``file:``, ``ftp:``, ``data:``... are refused);
- every address its host resolves to is public: not loopback, private, link-local, shared
  (carrier-grade NAT), multicast, reserved or unspecified, in IPv4 or IPv6, nor an IPv6 address
  that carries such an IPv4 address (mapped, 6to4, NAT64). Integer, octal, hex and short
  spellings of IPv4 (``2130706433``, ``0177.0.0.1``, ``127.1``) are read as resolvers read them.

A redirect from the user's URL may stay on that URL's host (same name, any port); elsewhere it
is held to the rules for links. ``allow_private`` lifts the address rule (for intranets), never
the scheme rule. Redirects are followed here, one hop at a time, each checked, at most
``MAX_REDIRECTS``. The host is resolved once and the connection goes to the address that was
checked, so a second DNS answer cannot swap in a private address (DNS rebinding); the Host
header and the TLS certificate check still use the name. Every fetch, redirects included,
ends within ``FETCH_DEADLINE_SECONDS`` however slowly the server answers, and reads at most
``MAX_FETCH_BYTES``. Proxy settings in the environment are not used.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from tieline.about import __version__

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Largest page or feed read from the web, so a wrong URL cannot fill the memory.
MAX_FETCH_BYTES = 20_000_000
#: Seconds a fetch may take in all (look-up, connection, redirects, headers and body), so a server
#: trickling bytes cannot hold a run (issue 9: 2 bytes every 2 s held it 82 s, unbounded in principle).
FETCH_DEADLINE_SECONDS = 30.0
MAX_REDIRECTS = 5
USER_AGENT = f"tieline/{__version__} (+https://pypi.org/project/tieline/)"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 65_536
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")
# Blocks ipaddress (Python 3.11) does not flag: local-use NAT64 (RFC 8215) and IPv6 site-local.
_PRIVATE_V6 = (ipaddress.IPv6Network("64:ff9b:1::/48"),)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED_V4 = ipaddress.IPv4Network("100.64.0.0/10")


def parse_ip(host: str) -> IPAddress | None:
    """The IP address a URL's host spells, in every form a resolver accepts, or None for a name.

    Besides dotted quads and IPv6, the BSD forms: one integer (``2130706433``), octal or hex parts
    (``0177.0.0.1``, ``0x7f.1``) and short forms whose last part fills the remaining bytes
    (``127.1`` is 127.0.0.1). A trailing dot is ignored.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(part) for part in parts):
        return None
    values = [int(p, 16) if p[:2].lower() == "0x" else int(p, 8) if p.startswith("0") else int(p) for p in parts]
    *leading, last = values
    if any(value > 255 for value in leading) or last >= 256 ** (5 - len(values)):
        return None
    number = last
    for index, value in enumerate(leading):
        number += value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def address_kind(address: IPAddress) -> str | None:
    """Why an address is not public ("loopback", "private", "link-local"...), or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address_kind(address.ipv4_mapped)
        if any(address in network for network in _PRIVATE_V6):
            return "private"
        embedded = address.sixtofour or (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None)
        if embedded is not None and (kind := address_kind(embedded)) is not None:
            return kind
        if address.is_site_local:
            return "site-local"
    checks = (("loopback", address.is_loopback), ("unspecified", address.is_unspecified),
              ("link-local", address.is_link_local), ("multicast", address.is_multicast),
              ("reserved", address.is_reserved), ("private", address.is_private),
              ("shared (carrier-grade NAT)", isinstance(address, ipaddress.IPv4Address) and address in _SHARED_V4))
    kind = next((name for name, flagged in checks if flagged), None)
    return kind if kind is not None or address.is_global else "non-global"


def _look_up(host: str, port: int, timeout: float) -> list[IPAddress]:
    """The addresses a host name resolves to, within timeout seconds (the resolver's own waits
    can be longer than the fetch's deadline, so the look-up runs in a thread that is let go)."""
    found: list[IPAddress] = []
    failure: list[BaseException] = []

    def resolve() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:  # gaierror; a name the IDNA codec cannot encode
            failure.append(exc)
            return
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if address not in found:
                found.append(address)

    thread = threading.Thread(target=resolve, name=f"tieline-resolve-{host}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"{host} not resolved in time")
    if failure:
        raise OSError(f"cannot resolve {host}: {failure[0]}")
    if not found:
        raise OSError(f"cannot resolve {host}")
    return found


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to addresses already checked, not to whatever the name resolves to
    now; the name still goes into the Host header, TLS SNI and the certificate check. ``abort``
    ends it from another thread, which unblocks a read stuck on a trickling server."""

    def __init__(self, host: str, port: int, addresses: list[IPAddress], timeout: float,
                 tls: ssl.SSLContext | None) -> None:
        super().__init__(host, port, timeout=timeout)
        self.default_port = 443 if tls is not None else 80  # so the Host header leaves it out
        self._addresses = addresses
        self._tls = tls
        self._lock = threading.Lock()
        self._handle: socket.socket | None = None  # a duplicate of the socket, for abort
        self.aborted = False

    def connect(self) -> None:
        sock = _connect_any(self._addresses, self.port, self.timeout)
        with self._lock:
            self._handle = sock.dup()
            if self.aborted:
                _shut(self._handle)
        if self._tls is not None:
            try:
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            except (OSError, ValueError):
                sock.close()
                raise
        self.sock = sock

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            if self._handle is not None:
                _shut(self._handle)

    def release(self) -> None:
        """Close the connection and the duplicate kept for abort (http.client closes the
        connection itself when the server says it will close, so abort needs its own handle)."""
        self.close()
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


def _shut(sock: socket.socket) -> None:
    """Shut a connection down both ways; a blocked read on any of its descriptors returns."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by the peer: nothing left to unblock
        pass


def _connect_any(addresses: list[IPAddress], port: int, timeout: float | None) -> socket.socket:
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((str(address), port), timeout=timeout)
        except OSError as exc:
            error = exc
    raise error if error is not None else OSError("no address to connect to")


def _exchange(connection: _PinnedConnection, target: str, max_bytes: int) -> tuple[int, str, str | None, bytes | None]:
    """Status, reason, redirect location and body of one GET; the body is None when it is over
    max_bytes (not read further)."""
    connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Connection": "close"})
    with connection.getresponse() as response:
        status, reason, location = response.status, response.reason, response.getheader("Location")
        if status in _REDIRECT_STATUSES and location:
            return status, reason, location.strip(), b""
        if status >= 400:
            return status, reason, None, b""
        length = response.getheader("Content-Length", "")
        if length.isdigit() and int(length) > max_bytes:
            return status, reason, None, None
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(_CHUNK_BYTES):  # one receive at a time, never waiting to fill
            size += len(chunk)
            if size > max_bytes:
                return status, reason, None, None
            chunks.append(chunk)
    return status, reason, None, b"".join(chunks)


def _refusal(url: str) -> str | None:
    """Why a URL may not be fetched on its scheme or form alone, or None."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "only http(s) links are fetched"
    if not parts.hostname:
        return "the link names no host"
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
        parts.hostname.encode("idna")
    except ValueError:  # UnicodeError is a ValueError
        return "the link's host or port is malformed"
    return None


def _host(parts: SplitResult) -> str:
    """The host of a URL checked by ``_refusal``, in the ASCII form a connection uses."""
    return (parts.hostname or "").encode("idna").decode("ascii")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The default TLS context (system CAs, certificate and host name checked), built once."""
    return ssl.create_default_context()


def fetch(url: str, *, user_chosen: bool = False, allow_private: bool = False,
          deadline: float = FETCH_DEADLINE_SECONDS, max_bytes: int = MAX_FETCH_BYTES,
          max_redirects: int = MAX_REDIRECTS) -> tuple[bytes, str]:
    """The body and final URL of a web resource, fetched under the rules in the module docstring.

    Args:
        url: the http(s) address.
        user_chosen: the user gave this URL, so it (and redirects on its host) may be private.
        allow_private: fetch private, loopback and link-local addresses too (an intranet).
        deadline: seconds the whole fetch may take, redirects included.
        max_bytes: largest body read.
        max_redirects: redirects followed at most.

    Raises:
        OSError: with a readable reason; "not fetched: ..." when the rules refuse the URL.
    """
    end = time.monotonic() + deadline
    users_host = _host(urlsplit(url)) if user_chosen and _refusal(url) is None else None
    for _ in range(max_redirects + 1):
        if (refusal := _refusal(url)) is not None:
            raise OSError(f"not fetched: {refusal}")
        parts = urlsplit(url)
        host = _host(parts)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        literal = parse_ip(host)
        try:
            addresses = [literal] if literal is not None else _look_up(host, port, end - time.monotonic())
        except TimeoutError as exc:
            raise OSError(f"no complete answer within {deadline:g} s ({exc})") from exc
        if not allow_private and host != users_host:
            for address in addresses:
                if (kind := address_kind(address)) is not None:
                    named = host if host == str(address) else f"{host} ({address})"
                    article = "an" if kind[0] in "aeiou" else "a"
                    raise OSError(f"not fetched: {named} is {article} {kind} address, not a public address "
                                  "(links to private addresses need --allow-private-links)")
        status, reason, location, body = _get(parts, host, port, addresses, end, deadline, max_bytes)
        if location is None:
            if status >= 400:
                raise OSError(f"HTTP {status} {reason}")
            if body is None:
                raise OSError(f"larger than {max_bytes:,} bytes")
            return body, url
        url = urljoin(url, location)
    raise OSError(f"not fetched: more than {max_redirects} redirects")


def _get(parts: SplitResult, host: str, port: int, addresses: list[IPAddress], end: float,
         deadline: float, max_bytes: int) -> tuple[int, str, str | None, bytes | None]:
    """One GET to checked addresses, ended at the deadline whatever the server does."""
    remaining = end - time.monotonic()
    if remaining <= 0:
        raise OSError(f"no complete answer within {deadline:g} s")
    tls = _tls_context() if parts.scheme.lower() == "https" else None
    connection = _PinnedConnection(host, port, addresses, remaining, tls)
    # non-ASCII and spaces percent-encoded; what is already escaped stays as it is
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), safe=_URL_SAFE)
    watchdog = threading.Timer(remaining, connection.abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        answer = _exchange(connection, target, max_bytes)
    except (OSError, http.client.HTTPException) as exc:
        if connection.aborted or time.monotonic() >= end:  # cut off by the watchdog or the socket timeout
            raise OSError(f"no complete answer within {deadline:g} s") from exc
        raise OSError(f"cannot fetch: {exc}") from exc
    finally:
        watchdog.cancel()
        connection.release()
    if connection.aborted:  # the cut can also look like the end of the headers or of the body
        raise OSError(f"no complete answer within {deadline:g} s")
    return answer


def is_web_url(url: object) -> bool:
    """Whether ``url`` may be a link: http(s) with a host. A document's url comes from its source
    (a JSON line, a feed), so ``javascript:`` and the like are shown as text (issue 9)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
