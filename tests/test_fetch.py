"""Safe fetching (issue 9): only http(s), only public addresses for links, every redirect checked,
an overall deadline and a size cap; against a real local server started by the test."""

import http.server
import ipaddress
import threading
import time

import pytest

from tieline import fetch as fetching
from tieline.fetch import address_kind, fetch, parse_ip


@pytest.mark.parametrize("host, address", [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),     # one integer
    ("0177.0.0.1", "127.0.0.1"),     # octal
    ("0x7f.0.0.1", "127.0.0.1"),     # hex part
    ("0x7f000001", "127.0.0.1"),     # one hex integer
    ("127.1", "127.0.0.1"),          # short form: the last part fills the remaining bytes
    ("127.0.1", "127.0.0.1"),
    ("10.1", "10.0.0.1"),
    ("127.0.0.1.", "127.0.0.1"),     # trailing dot
    ("::1", "::1"),
    ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
    ("93.184.216.34", "93.184.216.34"),
    ("example.org", None),
    ("1.2.3.4.5", None),
    ("256.1.1.1", None),
    ("0x", None),
    ("08.0.0.1", None),              # 08 is not octal: a name, left to the resolver
    ("1_0.0.0.1", None),
    ("+1.0.0.1", None),
])
def test_fetch_parse_ip_spellings(host, address):
    assert parse_ip(host) == (ipaddress.ip_address(address) if address else None)


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),   # cloud metadata service
    ("100.64.0.1", "shared (carrier-grade NAT)"),
    ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.1", "private"),            # documentation range
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback"),    # IPv4-mapped
    ("::ffff:10.0.0.1", "private"),
    ("::127.0.0.1", "reserved"),         # IPv4-compatible (deprecated)
    ("2002:7f00:1::", "loopback"),       # 6to4 of 127.0.0.1
    ("2002:a00:1::1", "private"),        # 6to4 of 10.0.0.1
    ("64:ff9b::7f00:1", "loopback"),     # NAT64 of 127.0.0.1
    ("64:ff9b:1::1", "private"),         # local-use NAT64
    ("2001:db8::1", "private"),          # documentation range
    ("93.184.216.34", None),
    ("8.8.8.8", None),
    ("2606:4700:4700::1111", None),
    ("::ffff:8.8.8.8", None),
    ("2002:808:808::1", None),
])
def test_fetch_address_kind_table(address, kind):
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "file:/etc/passwd",
    "ftp://example.org/x",
    "data:text/html,<p>Iran</p>",
    "javascript:alert(1)",
    "gopher://127.0.0.1:70/x",
    "/relative/page.html",
    "http:///no-host",
])
def test_fetch_refuses_other_schemes_even_when_allowed(url):
    for allow in (False, True):
        with pytest.raises(OSError, match="not fetched"):
            fetch(url, allow_private=allow)


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes of the test server; every request is recorded as (path, Host header)."""

    requests: list  # set per server

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.requests.append((self.path, self.headers.get("Host")))
        port = self.server.server_address[1]
        if self.path == "/page":
            self._send(200, b"<p>the page</p>")
        elif self.path.startswith("/redirect-to/"):
            target = self.path[len("/redirect-to/"):].replace("PORT", str(port))
            self._send(302, headers=[("Location", target)])
        elif self.path == "/loop":
            self._send(301, headers=[("Location", "/loop")])
        elif self.path == "/big":
            self._send(200, b"x" * 50_000)
        elif self.path == "/trickle":  # a body of 2 bytes at a time, for up to 30 s
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self._trickle(b"ab")
        elif self.path == "/trickle-headers":  # headers that never end, for up to 30 s
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self._trickle(b"X: y\r\n")
        else:
            self._send(404, b"no")

    def _trickle(self, piece):
        end = time.monotonic() + 30
        try:
            while time.monotonic() < end:
                self.wfile.write(piece)
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:  # the client gave up, as it should
            return


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1; yields (base URL, list of requests seen)."""
    requests: list = []
    handler = type("RecordingHandler", (Handler,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


def test_fetch_users_local_url_is_fetched(server):
    base, _ = server
    body, final = fetch(f"{base}/page", user_chosen=True)
    assert body == b"<p>the page</p>" and final == f"{base}/page"


def test_fetch_link_to_loopback_is_refused_unless_allowed(server):
    base, requests = server
    port = base.rsplit(":", 1)[1]
    for spelling in ("127.0.0.1", "2130706433", "0177.0.0.1", "127.1", "0x7f000001", "localhost"):
        with pytest.raises(OSError, match="not a public address"):
            fetch(f"http://{spelling}:{port}/page")
    assert requests == []  # nothing reached the server
    for spelling in ("127.0.0.1", "2130706433", "0177.0.0.1", "127.1"):
        body, _ = fetch(f"http://{spelling}:{port}/page", allow_private=True)
        assert body == b"<p>the page</p>"


def test_fetch_redirect_on_the_users_host_is_followed(server):
    base, _ = server
    body, final = fetch(f"{base}/redirect-to/{base}/page", user_chosen=True)
    assert body == b"<p>the page</p>" and final == f"{base}/page"
    body, final = fetch(f"{base}/redirect-to//page", user_chosen=True)  # relative Location
    assert final == f"{base}/page"


@pytest.mark.parametrize("target, reason", [
    ("http://localhost:PORT/page", "not a public address"),   # another name for loopback
    ("http://2130706433:PORT/page", "not a public address"),
    ("file:///etc/passwd", "not fetched: only http"),
])
def test_fetch_redirect_off_the_users_host_is_checked(server, target, reason):
    base, requests = server
    with pytest.raises(OSError, match=reason):
        fetch(f"{base}/redirect-to/{target}", user_chosen=True)
    assert [path for path, _ in requests] == [f"/redirect-to/{target}"]  # the target was never asked


def test_fetch_redirect_from_a_link_to_loopback_is_refused(server, monkeypatch):
    # The test server can only be on loopback: let 127.0.0.1 pass as if public, so the link's
    # first hop is fetched and its redirect to another loopback address is what gets refused.
    real_kind = fetching.address_kind
    monkeypatch.setattr(fetching, "address_kind",
                        lambda address: None if str(address) == "127.0.0.1" else real_kind(address))
    base, requests = server
    with pytest.raises(OSError, match="127.0.0.2 is a loopback address"):
        fetch(f"{base}/redirect-to/http://127.0.0.2:PORT/page")
    assert len(requests) == 1


def test_fetch_redirects_are_capped(server):
    base, requests = server
    with pytest.raises(OSError, match="more than 3 redirects"):
        fetch(f"{base}/loop", user_chosen=True, max_redirects=3)
    assert len(requests) == 4


def test_fetch_connects_to_the_address_it_checked(server, monkeypatch):
    """The name is resolved once and the connection goes to that address (no second look-up for
    DNS rebinding to win), with the name kept in the Host header."""
    base, requests = server
    port = base.rsplit(":", 1)[1]
    looked_up = []

    def resolve(host, port_number, timeout):
        looked_up.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(fetching, "_look_up", resolve)
    body, _ = fetch(f"http://news.example:{port}/page", allow_private=True)
    assert body == b"<p>the page</p>"
    assert looked_up == ["news.example"] and requests == [("/page", f"news.example:{port}")]
    with pytest.raises(OSError, match=r"news.example \(127.0.0.1\) is a loopback address"):
        fetch(f"http://news.example:{port}/page")


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_fetch_deadline_cuts_off_a_trickling_server(server, path):
    base, _ = server
    start = time.monotonic()
    with pytest.raises(OSError, match="no complete answer within 1 s"):
        fetch(f"{base}{path}", user_chosen=True, deadline=1)
    assert time.monotonic() - start < 10  # the server would trickle for 30 s


def test_fetch_size_cap_and_http_errors(server):
    base, _ = server
    with pytest.raises(OSError, match="larger than 10,000 bytes"):
        fetch(f"{base}/big", user_chosen=True, max_bytes=10_000)
    with pytest.raises(OSError, match="HTTP 404"):
        fetch(f"{base}/missing", user_chosen=True)
