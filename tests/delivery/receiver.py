"""Real peers for the delivery tests, on loopback: an HTTP server that receives webhooks and
answers as the test tells it, and an SMTP server (aiosmtpd) that keeps what it is sent."""

import email
import email.policy
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

HOST = "127.0.0.1"


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict
    body: bytes
    at: float


@dataclass
class Reply:
    """How the receiver answers one request: status, body, extra headers, delay first."""

    status: int = 200
    body: bytes = b'{"ok":true}'
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    """A webhook receiver: records every request, answers from a script (then `default`).

    With a `secret`, `verified()` checks each request's signature with standardwebhooks, as a
    school's endpoint would.
    """

    def __init__(self, port: int = 0, default: Reply | None = None):
        self.requests: list[Received] = []
        self.script: deque[Reply] = deque()
        self.default = default or Reply()
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802  (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                reply = receiver._next(self.path, dict(self.headers.items()), body)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up waiting (the slow-receiver test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.server.server_address[1]

    def url(self, path: str = "/hooks/leads") -> str:
        """The URL of a path on the receiver."""
        return f"http://{HOST}:{self.port}{path}"

    def answer(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order."""
        with self.lock:
            self.script.extend(replies)

    def _next(self, path, headers, body) -> Reply:
        with self.lock:
            self.requests.append(Received(path, headers, body, time.monotonic()))
            self.arrived.notify_all()
            return self.script.popleft() if self.script else self.default

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        """Wait (boundedly) until `count` requests arrived; return them all."""
        with self.lock:
            self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests)

    def stop(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def verify(request: Received, *secrets: str) -> dict:
    """The event in a request, after checking its signature with each secret as a receiver
    would (standardwebhooks raises WebhookVerificationError on a bad one)."""
    event = None
    for secret in secrets:
        event = Webhook(secret).verify(request.body, request.headers)
    return event


class Mailbox:
    """aiosmtpd on a free loopback port, keeping each message it is sent (optionally
    requiring a user name and password)."""

    def __init__(self, login: tuple[str, str] | None = None):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[str] = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                mailbox.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
                return "250 Message accepted for delivery"

        def authenticator(server, session, envelope, mechanism, auth_data):
            user = auth_data.login.decode()
            ok = login is not None and (user, auth_data.password.decode()) == login
            if ok:
                mailbox.logins.append(user)
            return AuthResult(success=ok)

        from tests.support.servers import free_port

        kwargs = {}
        if login is not None:
            kwargs = {"authenticator": authenticator, "auth_require_tls": False}
        self.port = free_port()
        self.controller = Controller(Handler(), hostname=HOST, port=self.port, **kwargs)
        self.controller.start()

    def settings(self, **extra) -> dict:
        """App settings that send mail to this server."""
        return {"MAIL_SERVER": HOST, "MAIL_PORT": self.port, "MAIL_USE_TLS": False, **extra}

    def stop(self) -> None:
        """Stop the server."""
        self.controller.stop()
