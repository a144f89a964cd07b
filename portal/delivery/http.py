"""One HTTP POST to a school's endpoint, guarded against server-side request forgery.

The host name is resolved here, every address it resolves to is checked, and the connection
goes to a checked address (TLS still verifies the certificate against the host name), so a
DNS answer that changes between the check and the connection cannot slip through. Redirects
are never followed. The whole exchange has one deadline: a timer closes the socket when it
passes, so a server that drips its answer a byte at a time cannot hold a worker longer.
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time

from portal.services.transport import Answer
from portal.services.webhook_urls import TargetRefused, check_url, forbidden_reason

EXCERPT_BYTES = 500
USER_AGENT = "career-portal-webhooks/1"


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
