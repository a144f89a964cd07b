"""Pieces the benchmarks and the production tests share: gunicorn on a loopback port, a key to
sign consent receipts with, and a client that opens the request-info form and sends it, as a
browser would.

Everything here talks to 127.0.0.1 only.
"""

import atexit
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.forms import form_inputs

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SESSION_COOKIE = re.compile(r"session=([^;]+)")
NETWORK_ERRORS = (OSError, http.client.HTTPException)


def signing_key_file() -> str:
    """A consent receipt signing key for production mode (which needs one), made once per
    process in a temporary folder removed at exit."""
    global _KEY_FILE
    if _KEY_FILE is None:
        from portal.services.consent_keys import write_new_key

        folder = Path(tempfile.mkdtemp(prefix="portal-signing-key-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _KEY_FILE = str(folder / "consent_signing_key.pem")
        write_new_key(Path(_KEY_FILE))
    return _KEY_FILE


_KEY_FILE: str | None = None


@contextmanager
def scratch_postgres(server_url: str, prefix: str) -> Iterator[str]:
    """A new, uniquely named database on the PostgreSQL server at `server_url`, dropped after."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    """A TCP port on the loopback interface that nobody is listening on."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 5) -> int | None:
    """The status of a GET, or None when no answer came."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    except NETWORK_ERRORS:
        return None
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    """The ids of the processes whose parent is pid (gunicorn's workers), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # fields[1] is the parent's pid
            found.append(int(stat.parent.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Gunicorn:
    """`gunicorn wsgi:app` on 127.0.0.1:port in its own process group, started and stopped
    (or killed) on demand; the same port and environment on every start."""

    def __init__(self, env: dict, port: int | None = None, workers: int = 2, log=None, args=()):
        self.env = env
        self.port = port or free_port()
        self.workers = workers
        self.log = log  # a path: gunicorn's stdout and stderr (the access and error logs)
        self.args = list(args)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 30) -> None:
        """Start gunicorn and wait until /healthz answers 200."""
        command = [
            sys.executable, "-m", "gunicorn", "wsgi:app",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers),
            *self.args,
        ]  # fmt: skip
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() reaches the workers
            )
        finally:
            if self.log:
                output.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            if get(self.port, "/healthz", timeout=2) == 200:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:g} seconds")

    def worker_pids(self) -> list[int]:
        """The worker processes of the running master."""
        return children(self.process.pid) if self.process else []

    def kill9(self) -> list[int]:
        """SIGKILL the master and every worker at once; return the pids that were killed."""
        pids = [self.process.pid, *self.worker_pids()]
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.process = None
        return pids

    def stop(self) -> None:
        """Shut down gracefully (SIGTERM to the group), by SIGKILL after 20 seconds."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class Form:
    """An opened request-info form: what must go back with it."""

    cookie: str
    fields: dict


def lead_answers(email: str, zip_code: str) -> dict:
    """A valid set of answers to the request-info form."""
    return {
        "first_name": "Load",
        "last_name": "Test",
        "email": email,
        "phone": "(312) 555-0142",
        "zip_code": zip_code,
        "education_level": "high_school",
        "start_timeframe": "immediately",
        "consent": "y",
        "radius": "50",
    }


class LeadClient:
    """One visitor's connection: opens the request-info form of a listing and sends it."""

    def __init__(self, port: int, program_id: int, zip_code: str, timeout: float = 30):
        self.port = port
        self.zip_code = zip_code
        self.timeout = timeout
        self.path = f"/programs/{program_id}/request-info?zip={zip_code}"
        self.conn = self._connect()
        self.form_status: int | None = None  # the last GET of the form (None: no answer)

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)

    def reconnect(self) -> None:
        """Drop the connection (the server closed or lost it); the next request opens one."""
        self.conn.close()
        self.conn = self._connect()

    def open_form(self) -> Form | None:
        """GET the form: its session cookie, CSRF token and time stamp (None on any failure)."""
        self.form_status = None
        try:
            self.conn.request("GET", self.path)
            page = self.conn.getresponse()
            body = page.read().decode()
        except NETWORK_ERRORS:
            self.reconnect()
            return None
        self.form_status = page.status
        cookie = SESSION_COOKIE.search(page.getheader("Set-Cookie") or "")
        inputs = form_inputs(body)
        fields = {name: inputs[name] for name in ("csrf_token", "started") if name in inputs}
        if page.status != 200 or not cookie or len(fields) != 2:
            return None
        return Form(cookie.group(1), fields)

    def send(self, form: Form, email: str, headers: dict | None = None) -> tuple[str, int | None]:
        """POST the form with these answers. Returns (outcome, status), the outcome being:

        - "acknowledged": a 303 to the thank-you page;
        - "refused": any other answer (503, 429, 422, ...): nothing should be stored;
        - "unsent": no connection, so the request never reached the server;
        - "unanswered": sent, but no answer came: it may or may not have been stored.
        """
        body = urllib.parse.urlencode(form.fields | lead_answers(email, self.zip_code))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"session={form.cookie}",
            **(headers or {}),
        }
        try:
            self.conn.request("POST", self.path, body=body, headers=headers)
        except NETWORK_ERRORS:
            self.reconnect()
            return "unsent", None
        try:
            answer = self.conn.getresponse()
            answer.read()
        except NETWORK_ERRORS:
            # Never resent: a POST whose answer was lost may still have been stored.
            self.reconnect()
            return "unanswered", None
        if answer.status == 303 and "/thanks" in (answer.getheader("Location") or ""):
            return "acknowledged", answer.status
        return "refused", answer.status


@dataclass
class Sent:
    """One POST of the form: when, for which email, and what came of it."""

    at: float
    email: str
    outcome: str
    status: int | None


@dataclass
class LeadLoad:
    """Clients sending the form again and again until stopped; every POST is recorded.

    Each POST carries a new email address and, as a load balancer would add it, an
    X-Forwarded-For address of its own (so per-IP limits count each visitor apart when the
    server trusts one proxy). When a fresh form cannot be opened (the server is down or
    answers 503), the client sends its last form again, with a new email, so that requests
    keep arriving during an outage; but only a form that has stored nothing yet (refused or
    never sent), since a form stores one lead and a resent one is quietly dropped.
    """

    port: int
    program_id: int
    zip_code: str
    clients: int = 16
    tag: str = "load"
    sent: list[Sent] = field(default_factory=list)
    form_failures: Counter = field(default_factory=Counter)
    stop_event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, max_seconds: float = 60) -> None:
        """Start the client threads; they stop at stop() or after max_seconds."""
        deadline = time.monotonic() + max_seconds
        self.threads = [
            threading.Thread(target=self._client, args=(n, deadline), daemon=True)
            for n in range(self.clients)
        ]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        """Stop the clients and wait for their last requests."""
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def run(self, seconds: float) -> "LeadLoad":
        """Send for this many seconds, then stop."""
        self.start(max_seconds=seconds + 5)
        time.sleep(seconds)
        self.stop()
        return self

    def _client(self, number: int, deadline: float) -> None:
        client = LeadClient(self.port, self.program_id, self.zip_code)
        form = None
        count = 0
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            fresh = client.open_form()
            if fresh is None:
                with self.lock:
                    self.form_failures[f"form GET {client.form_status or 'unanswered'}"] += 1
                if form is None:
                    time.sleep(0.05)
                    continue
            form = fresh or form
            count += 1
            email = f"{self.tag}-{number}-{count}@example.com"
            ip = f"10.{number % 256}.{count // 256 % 256}.{count % 256}"
            outcome, status = client.send(form, email, {"X-Forwarded-For": ip})
            with self.lock:
                self.sent.append(Sent(time.monotonic(), email, outcome, status))
            if outcome in ("acknowledged", "unanswered"):
                form = None  # it may have stored its lead: never send it again
            if outcome in ("unsent", "unanswered"):
                time.sleep(0.05)  # the server is down: do not spin
        client.conn.close()

    def emails(self, outcome: str) -> set[str]:
        """The emails of the POSTs that had this outcome."""
        return {s.email for s in self.sent if s.outcome == outcome}

    def statuses(self) -> Counter:
        """How many POSTs got each status (None: no answer)."""
        return Counter(s.status for s in self.sent)
