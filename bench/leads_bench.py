"""Benchmark: accepted leads per second through gunicorn, on SQLite and PostgreSQL.

For each database this makes a fresh one (a temporary SQLite file; a uniquely named PostgreSQL
database, dropped afterwards), migrates it, loads the ZIP codes and one demo listing without
caps, starts gunicorn (2 workers) on a free loopback port, and runs 16 client threads for a
fixed time. Each client opens the request-info form (session cookie, CSRF token, time stamp),
then sends it with a new email address. A 303 to the thank-you page counts as accepted. Then
the leads in the database are counted: every accepted request must be there.

    python bench/leads_bench.py [--seconds 10] [--clients 16] [--db sqlite --db postgresql]

PostgreSQL is reached through --pg-url (default: $TEST_DATABASE_URL, else
postgresql+psycopg://postgres@127.0.0.1:5432/test). Everything talks to 127.0.0.1 only.
"""

import argparse
import html
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

HOST = "127.0.0.1"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
INPUT = re.compile(r'<input[^>]*name="(csrf_token|started)"[^>]*value="([^"]*)"')
SESSION_COOKIE = re.compile(r"session=([^;]+)")


@dataclass
class Tally:
    """What the clients saw, shared between their threads."""

    accepted: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int | None, accepted: bool, failure: str | None = None) -> None:
        """Record one POST's outcome."""
        with self.lock:
            self.accepted += accepted
            if status is not None:
                self.statuses[status] += 1
            if failure:
                self.failures[failure] += 1


def prepare_database(url: str) -> int:
    """Migrate the database, load the ZIP codes and one uncapped demo listing; return its id."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.models import Campus, Program, School, Sponsorship, ZipCode
    from portal.services.geo import load_zip_codes

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        load_zip_codes()
        chicago = db.session.get(ZipCode, "60601")
        school = School(name="Benchmark Demo School (fictional)")
        campus = Campus(
            school=school,
            name="Loop campus",
            address="1 Demo Plaza",
            city=chicago.city,
            state=chicago.state,
            zip_code=chicago.code,
            latitude=chicago.latitude,
            longitude=chicago.longitude,
        )
        program = Program(
            external_id="BENCH-1",
            school=school,
            campus=campus,
            career="medical-office-manager",
            title="Medical Office Management Certificate",
            credential_level="certificate",
            modality="campus",
            duration="6 months",
        )
        program.sponsorship = Sponsorship(bid_cents=2500, starts_on=date(2020, 1, 1))
        db.session.add(program)
        db.session.commit()
        program_id = program.id
        db.engine.dispose()
    return program_id


def count_leads(url: str) -> int:
    """How many leads the database holds."""
    from portal.models import Lead

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Lead.__table__))
    finally:
        engine.dispose()


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # fields[1] is the parent's pid
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def free_port() -> int:
    """A TCP port on the loopback interface that nobody is listening on."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, port: int, args) -> subprocess.Popen:
    """gunicorn serving wsgi:app in production mode on 127.0.0.1:port, ready to answer."""
    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "RATELIMIT_ENABLED": "false",
        "LEAD_MIN_FILL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable, "-m", "gunicorn", "wsgi:app",
        "--bind", f"{HOST}:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--threads", str(args.threads),
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 30 seconds")


def client(port: int, program_id: int, deadline: float, number: int, tally: Tally) -> None:
    """Open the form and send it, again and again until the deadline."""
    path = f"/programs/{program_id}/request-info?zip=60601"
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    sent = 0
    while time.monotonic() < deadline:
        try:
            conn.request("GET", path)
            page = conn.getresponse()
            body = page.read().decode()
            cookie = SESSION_COOKIE.search(page.getheader("Set-Cookie") or "")
        except (OSError, http.client.HTTPException):
            conn.close()  # the server closed a kept-alive connection: open the form again
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            continue
        fields = {name: html.unescape(value) for name, value in INPUT.findall(body)}
        if page.status != 200 or not cookie or len(fields) != 2:
            tally.add(None, False, f"form answered {page.status}")
            continue
        sent += 1
        fields.update(
            first_name="Bench",
            last_name="Mark",
            email=f"bench-{number}-{sent}-{uuid.uuid4().hex[:8]}@example.com",
            phone="(312) 555-0142",
            zip_code="60601",
            education_level="high_school",
            start_timeframe="immediately",
            consent="y",
            radius="50",
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"session={cookie.group(1)}",
        }
        try:
            conn.request("POST", path, body=urllib.parse.urlencode(fields), headers=headers)
            answer = conn.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException) as error:
            # Never resent: a POST whose answer was lost may still have been stored.
            tally.add(None, False, f"POST failed: {type(error).__name__}")
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            continue
        accepted = answer.status == 303 and "/thanks" in (answer.getheader("Location") or "")
        tally.add(answer.status, accepted)
    conn.close()


def run(label: str, url: str, args) -> dict:
    """Prepare the database, load it through gunicorn for args.seconds, and check the count."""
    program_id = prepare_database(url)
    port = free_port()
    server = start_gunicorn(url, port, args)
    tally = Tally()
    try:
        server_cpu = workers_cpu_seconds(server.pid)
        client_cpu = time.process_time()
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=client, args=(port, program_id, deadline, n, tally))
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
        elapsed = time.monotonic() - started
        client_cpu = time.process_time() - client_cpu
        server_cpu = workers_cpu_seconds(server.pid) - server_cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = count_leads(url)
    return {
        "db": label,
        "accepted": tally.accepted,
        "stored": stored,
        "lost": max(0, tally.accepted - stored),
        "unanswered_but_stored": max(0, stored - tally.accepted),
        "seconds": elapsed,
        "leads_per_second": tally.accepted / elapsed,
        "server_cpu_ms": 1000 * server_cpu / max(1, tally.accepted),
        "client_cpu_ms": 1000 * client_cpu / max(1, tally.accepted),
        "statuses": dict(tally.statuses),
        "failures": dict(tally.failures),
    }


def with_sqlite(args) -> dict:
    """Run against a fresh SQLite file in a temporary directory."""
    folder = tempfile.mkdtemp(prefix="leads-bench-")
    try:
        return run("SQLite", f"sqlite:///{folder}/bench.sqlite3", args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def with_postgresql(args) -> dict:
    """Run against a new, uniquely named PostgreSQL database, dropped afterwards."""
    server = make_url(args.pg_url)
    if server.host not in (HOST, "localhost"):
        raise SystemExit(f"--pg-url must point at {HOST}, not {server.host}")
    name = f"leads_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        return run("PostgreSQL", url, args)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    """Parse the options, run each database, print the figures; non-zero if any lead was lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_ENV", "development")
    results = []
    for name in args.db or ["sqlite", "postgresql"]:
        results.append(with_sqlite(args) if name == "sqlite" else with_postgresql(args))
    print(
        f"\ngunicorn {args.workers} {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
        + f", "
        f"{args.clients} clients, {args.seconds:g} s each, loopback"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (other work on the machine slows this)")
    print("CPU per accepted lead: server = the gunicorn workers, client = this process")
    print(
        f"{'database':<11} {'leads/s':>8} {'accepted':>9} {'stored':>7} {'lost':>5} "
        f"{'server ms':>10} {'client ms':>10}  answers"
    )
    for r in results:
        print(
            f"{r['db']:<11} {r['leads_per_second']:>8.1f} {r['accepted']:>9} {r['stored']:>7} "
            f"{r['lost']:>5} {r['server_cpu_ms']:>10.1f} {r['client_cpu_ms']:>10.1f}  "
            f"{r['statuses']} {r['failures'] or ''}"
        )
    return 1 if any(r["lost"] or r["unanswered_but_stored"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
