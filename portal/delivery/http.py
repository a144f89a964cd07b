"""One HTTP POST to a school's endpoint, guarded against server-side request forgery.

The host name is resolved here, every address it resolves to is checked, and the connection
goes to a checked address (TLS still verifies the certificate against the host name), so a
DNS answer that changes between the check and the connection cannot slip through. Redirects
are never followed. The whole exchange has one deadline: a timer closes the socket when it
passes, so a server that drips its answer a byte at a time cannot hold a worker longer.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

EXCERPT_BYTES = 500
USER_AGENT = "career-portal-webhooks/1"


class TargetRefused(Exception):
    """The URL may not be called: its scheme, or an address its host resolves to."""


@dataclass(frozen=True)
class Answer:
    """What one POST got: a status and the start of the body, or an error; and how long."""

    status: int | None
    excerpt: str
    error: str | None
    duration_ms: int
    location: str | None = None
    # Set when success is not a status (an email written to a file).
    accepted: bool | None = None

    @property
    def succeeded(self) -> bool:
        """Any 2xx answer (for email, SMTP's 250 to the message)."""
        if self.accepted is not None:
            return self.accepted
        return self.error is None and self.status is not None and 200 <= self.status < 300


# IANA's special-purpose blocks that are not globally reachable, which some Python versions'
# ipaddress still calls global (3.11.7: 192.88.99.0/24, fec0::/10, multicast...). An address
# in one is refused whatever ipaddress says, so the rule does not move with the Python.
NOT_GLOBAL = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",  # IPv4-compatible (deprecated): refused whatever it holds
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d),
    IPv4-compatible (::a.b.c.d), 6to4 (2002::/16), Teredo (2001::/32, server and client) and
    NAT64 (64:ff9b::/96). A packet to it may reach any of them."""
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        found.append(low32)
    return [address for address in found if address is not None]


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why this one address is not public (None: it is global)."""
    for name in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    if getattr(ip, "is_site_local", False):
        return "site-local"
    if not ip.is_global or any(ip in block for block in NOT_GLOBAL):
        return "not public"
    return None


def forbidden_reason(address: str) -> str | None:
    """Why an IP address may not be called from the worker (None: it may).

    An allow-list: an address may be called only if it is globally reachable (ipaddress's
    is_global, and in none of NOT_GLOBAL's blocks), and, for IPv6 forms that carry an IPv4
    address (compatible, 6to4, Teredo, NAT64), only if every IPv4 address in it is too; an
    IPv4-mapped address is its IPv4 address. (ipaddress calls all of NAT64's 64:ff9b::/96
    reserved, so it is refused even around a public address.) The reason names the first
    address found not public: loopback, private, link-local (which holds the cloud metadata
    address 169.254.169.254), multicast, unspecified, reserved, site-local, or "not public".
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _kind(ip.ipv4_mapped)  # only ever the IPv4 address on the wire
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in embedded_ipv4(ip):
            reason = _kind(inner)
            if reason:
                return reason
    return _kind(ip)


def resolve(host: str, port: int, allow_private: bool) -> list[tuple]:
    """The host's addresses (getaddrinfo tuples); TargetRefused if any may not be called."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise ConnectionError(f"cannot resolve the host name ({error})") from error
    if not found:
        raise ConnectionError("the host name has no address")
    if not allow_private:
        for *_, sockaddr in found:
            reason = forbidden_reason(sockaddr[0])
            if reason:
                raise TargetRefused(
                    f"the host resolves to {sockaddr[0]}, a {reason} address "
                    "(DELIVERY_ALLOW_PRIVATE_TARGETS is off)"
                )
    return found


MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class Target:
    """Where a webhook URL points: scheme, host, port, and the path with its query."""

    scheme: str
    host: str
    port: int
    path: str


def check_url(url: str, *, allow_http: bool, allow_private: bool = True) -> Target:
    """The one rule for webhook URLs, when one is saved and when one is called: https (http
    too when `allow_http`), a host, no user name or password, a numeric port; and, unless
    `allow_private`, a host given as an IP address must be public (a name is checked when it
    is resolved, at each call). TargetRefused says what is wrong, for a person."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"The URL is longer than {MAX_URL_LENGTH:,} characters.")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise TargetRefused("The URL may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as error:
        raise TargetRefused(
            "The URL is not valid (check the brackets of an IPv6 address)."
        ) from error
    scheme = parts.scheme.lower()
    if scheme == "http" and not allow_http:
        raise TargetRefused("Use an https:// URL: plain http:// is refused in production.")
    if scheme not in ("https", "http"):
        raise TargetRefused("Use an https:// URL.")
    if not host:
        raise TargetRefused("The URL needs a host name, e.g. https://crm.example.edu/leads.")
    if parts.username or parts.password:
        raise TargetRefused("Leave the user name and password out of the URL.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise TargetRefused("The URL's port must be a number from 1 to 65535.") from error
    if not allow_private and _is_ip(host):
        reason = forbidden_reason(host)
        if reason:
            raise TargetRefused(
                f"the URL's host is {host}, a {reason} address "
                "(DELIVERY_ALLOW_PRIVATE_TARGETS is off)"
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, path)


def _is_ip(host: str) -> bool:
    """Whether the URL's host is an IP address rather than a name."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked in advance, not to whatever DNS says later."""

    def __init__(self, host, port, addresses, deadline, tls: ssl.SSLContext | None):
        super().__init__(host, port, timeout=max(0.01, deadline - time.monotonic()))
        self._addresses = addresses
        self._tls = tls

    def connect(self):
        """Connect to the first checked address that answers (TLS checked against the host)."""
        last_error: OSError | None = None
        for family, socktype, proto, _, sockaddr in self._addresses:
            sock = socket.socket(family, socktype, proto)
            sock.settimeout(self.timeout)
            try:
                sock.connect(sockaddr)
            except OSError as error:
                sock.close()
                last_error = error
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock = (
                self._tls.wrap_socket(sock, server_hostname=self.host) if self._tls else sock
            )
            return
        raise last_error or ConnectionError("no address to connect to")


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_private: bool,
    allow_http: bool,
) -> Answer:
    """POST `body` to `url` and report the answer; never raises for network trouble."""
    started = time.monotonic()
    deadline = started + timeout
    conn = None
    timer = None

    def answer(status=None, excerpt="", error=None, location=None) -> Answer:
        duration = int((time.monotonic() - started) * 1000)
        return Answer(status, excerpt, error, duration, location)

    try:
        target = check_url(url, allow_http=allow_http, allow_private=allow_private)
        addresses = resolve(target.host, target.port, allow_private)
        tls = ssl.create_default_context() if target.scheme == "https" else None
        conn = _PinnedConnection(target.host, target.port, addresses, deadline, tls)
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, args=(conn,))
        timer.daemon = True
        timer.start()
        conn.request(
            "POST",
            target.path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers},
        )
        response = conn.getresponse()
        if time.monotonic() > deadline:
            return answer(error=f"timed out after {timeout:g} s")
        # The status came in time; the body is read only as far as the excerpt, and a body
        # cut off by the deadline leaves a shorter excerpt, not a failure.
        excerpt = _read_excerpt(response)
        location = response.getheader("Location") if 300 <= response.status < 400 else None
        return answer(response.status, excerpt, location=location)
    except TargetRefused as error:
        return answer(error=f"refused: {error}")
    except TimeoutError:
        return answer(error=f"timed out after {timeout:g} s")
    except ssl.SSLError as error:
        return answer(error=f"TLS error: {error.reason or error}")
    except (OSError, http.client.HTTPException) as error:
        if time.monotonic() >= deadline:
            return answer(error=f"timed out after {timeout:g} s")
        return answer(error=_describe(error))
    finally:
        if timer is not None:
            timer.cancel()
        if conn is not None:
            conn.close()


def _read_excerpt(response: http.client.HTTPResponse) -> str:
    """The first EXCERPT_BYTES of the body, as text (the rest is not read)."""
    try:
        data = response.read(EXCERPT_BYTES)
    except (OSError, http.client.HTTPException):
        data = b""
    return data.decode("utf-8", errors="replace")


def _cut(conn: http.client.HTTPConnection) -> None:
    """The deadline passed: shut the socket, so a blocked read or write returns at once."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _describe(error: Exception) -> str:
    """A short, data-free description of a network error."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(error, ConnectionError) and error.args:
        return str(error.args[0])
    return f"{type(error).__name__}: {error}"[:300]
