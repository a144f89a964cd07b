"""Benchmark: time from a lead's commit to the school's 2xx, with leads arriving through
gunicorn at a steady rate and one delivery worker.

It makes a fresh database (a uniquely named PostgreSQL database, dropped afterwards; or a
temporary SQLite file), migrates it, loads the ZIP codes and one uncapped listing, gives its
school a webhook pointing at a receiver in this process (http.server on loopback, answering
200 at once), starts gunicorn (production mode, 2 workers) and one `flask --app wsgi deliver`,
then sends leads through the request-info form (GET, then POST) at --rate per second for
--seconds. A lead's commit time is when its 303 came back (the capture answers right after
its commit); its delivery time is when the receiver answered its first 2xx. Both clocks are
this process's.

Then, with --backlog N, the worker's top speed: N leads are queued with the worker stopped,
and a new worker's time to send them all is measured.

    python bench/delivery_bench.py [--rate 100] [--seconds 20] [--backlog 2000] [--db sqlite]

The worker runs in development mode on the same database, which allows plain http:// to a
loopback receiver (production refuses both). Everything talks to 127.0.0.1 only.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.leads_bench import DEFAULT_PG, prepare_database, server_env  # noqa: E402
from tests.support.servers import HOST, Gunicorn, LeadClient, cpu_seconds, scratch_postgres  # noqa: E402


class Receiver:
    """A webhook endpoint on loopback: notes when it answered 2xx to each webhook-id first."""

    def __init__(self):
        self.first_2xx: dict[str, float] = {}
        self.requests = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                answered = time.monotonic()
                with receiver.lock:
                    receiver.requests += 1
                    receiver.first_2xx.setdefault(self.headers["webhook-id"], answered)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        """The webhook URL."""
        return f"http://{HOST}:{self.server.server_address[1]}/hooks/leads"

    def stop(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()


def add_webhook(url: str, receiver_url: str) -> None:
    """Give the benchmark's school a webhook to the receiver."""
    from portal import create_app
    from portal.extensions import db, dispose_engines
    from portal.models import School
    from portal.services.destinations import add_webhook as add

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        school_id = db.session.scalar(select(School.id))
        add(school_id, receiver_url, production=False)
        dispose_engines()


class Worker:
    """`flask --app wsgi deliver` on the benchmark's database."""

    def __init__(self, url: str, threads: int):
        env = {
            **os.environ,
            "PORTAL_ENV": "development",
            "DATABASE_URL": url,
            "DELIVERY_ALLOW_PRIVATE_TARGETS": "true",
            "DELIVERY_WORKER_THREADS": str(threads),
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "deliver"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def cpu(self) -> float:
        """CPU seconds it used so far."""
        return cpu_seconds([self.process.pid])

    def stop(self) -> None:
        """SIGTERM and wait."""
        self.process.terminate()
        self.process.wait(timeout=60)


class PacedLeads:
    """Client threads sending the form at a steady total rate (open loop: a slow answer does
    not delay the next lead's start)."""

    def __init__(self, port: int, program_id: int, rate: float, seconds: float, tag: str):
        self.port, self.program_id, self.tag = port, program_id, tag
        self.interval = 1 / rate
        self.count = int(rate * seconds)
        self.next_slot = 0
        self.start_at = 0.0
        self.lock = threading.Lock()
        self.acknowledged: dict[str, float] = {}  # email -> when the 303 came back
        self.refused = 0

    def run(self, clients: int = 12) -> float:
        """Send every lead; return the seconds it took."""
        self.start_at = time.monotonic() + 0.2
        threads = [threading.Thread(target=self._client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - self.start_at

    def _client(self, number: int) -> None:
        client = LeadClient(self.port, self.program_id, "60601")
        while True:
            with self.lock:
                slot = self.next_slot
                self.next_slot += 1
            if slot >= self.count:
                break
            form = client.open_form()
            wait = self.start_at + slot * self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            email = f"{self.tag}-{slot}@example.com"
            outcome, _ = client.send(form, email) if form else ("refused", None)
            done = time.monotonic()
            with self.lock:
                if outcome == "acknowledged":
                    self.acknowledged[email] = done
                else:
                    self.refused += 1
        client.conn.close()


def webhook_ids(url: str) -> dict[str, str]:
    """Each lead's email -> its delivery's webhook-id."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT l.email, d.webhook_id FROM delivery d JOIN lead l ON l.id = d.lead_id")
            )
            return dict(rows.all())
    finally:
        engine.dispose()


def wait_for(condition, timeout: float) -> None:
    """Poll until condition() holds or the time is up."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, int(-(-len(values) * pct // 100)) - 1)]


def run(label: str, url: str, args) -> dict:
    """One database: the paced run, then the backlog drain."""
    program_id = prepare_database(url)
    receiver = Receiver()
    add_webhook(url, receiver.url)
    server = Gunicorn(server_env(url), workers=2, args=["--max-requests", "0"])
    server.start()
    worker = Worker(url, args.threads)
    result: dict = {"db": label}
    try:
        time.sleep(1.0)  # the worker is up and listening
        load = PacedLeads(server.port, program_id, args.rate, args.seconds, "paced")
        cpu_before = worker.cpu()
        elapsed = load.run()
        acknowledged = load.acknowledged
        wait_for(lambda: len(receiver.first_2xx) >= len(acknowledged), 60)
        ids = webhook_ids(url)
        latencies = sorted(
            receiver.first_2xx[ids[email]] - acked
            for email, acked in acknowledged.items()
            if email in ids and ids[email] in receiver.first_2xx
        )
        lost = sum(1 for e in acknowledged if e not in ids or ids[e] not in receiver.first_2xx)
        delivered_times = sorted(receiver.first_2xx.values())
        span = delivered_times[-1] - delivered_times[0] if len(delivered_times) > 1 else 0
        result.update(
            sent_rate=len(acknowledged) / elapsed,
            acknowledged=len(acknowledged),
            refused=load.refused,
            lost=lost,
            median=statistics.median(latencies) if latencies else float("nan"),
            p95=percentile(latencies, 95) if latencies else float("nan"),
            max=latencies[-1] if latencies else float("nan"),
            paced_rate=len(delivered_times) / span if span else float("nan"),
            worker_ms=1000 * (worker.cpu() - cpu_before) / max(1, len(latencies)),
            repeats=receiver.requests - len(receiver.first_2xx),
        )
        if args.backlog:
            worker.stop()
            backlog = PacedLeads(server.port, program_id, 1000, args.backlog / 1000, "backlog")
            backlog.run(clients=16)
            before = len(receiver.first_2xx)
            started = time.monotonic()
            worker = Worker(url, args.threads)
            cpu_before = 0.0
            target = before + len(backlog.acknowledged)
            wait_for(lambda: len(receiver.first_2xx) >= target, 300)
            drained = time.monotonic() - started  # includes the worker's start-up (~1 s)
            result.update(
                backlog=len(backlog.acknowledged),
                drain_seconds=drained,
                drain_rate=(len(receiver.first_2xx) - before) / drained,
                backlog_lost=target - len(receiver.first_2xx),
                drain_worker_ms=1000 * (worker.cpu() - cpu_before) / max(1, target - before),
            )
    finally:
        worker.stop()
        server.stop()
        receiver.stop()
    return result


def with_sqlite(args) -> dict:
    """Run against a fresh SQLite file in a temporary directory."""
    folder = tempfile.mkdtemp(prefix="delivery-bench-")
    try:
        return run("SQLite", f"sqlite:///{folder}/bench.sqlite3", args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def with_postgresql(args) -> dict:
    """Run against a new, uniquely named PostgreSQL database, dropped afterwards."""
    if make_url(args.pg_url).host not in (HOST, "localhost"):
        raise SystemExit(f"--pg-url must point at {HOST}")
    with scratch_postgres(args.pg_url, "delivery_bench") as url:
        return run("PostgreSQL", url, args)


def main() -> int:
    """Parse the options, run, print the figures; non-zero if any lead was lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="leads per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--backlog", type=int, default=2000, help="0 skips the drain")
    parser.add_argument("--threads", type=int, default=8, help="the worker's threads")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_ENV", "development")
    results = [
        with_sqlite(args) if name == "sqlite" else with_postgresql(args)
        for name in args.db or ["postgresql"]
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{os.cpu_count()} CPUs, load average {load} (other work on the machine slows this)")
    print(
        f"leads through gunicorn (2 workers) at {args.rate:g}/s for {args.seconds:g} s; "
        f"one delivery worker ({args.threads} threads); receiver on loopback"
    )
    for r in results:
        print(
            f"{r['db']}: {r['acknowledged']} leads acknowledged ({r['sent_rate']:.1f}/s, "
            f"{r['refused']} refused); commit -> 2xx median {1000 * r['median']:.0f} ms, "
            f"p95 {1000 * r['p95']:.0f} ms, max {1000 * r['max']:.0f} ms; delivered at "
            f"{r['paced_rate']:.1f}/s; worker CPU {r['worker_ms']:.1f} ms per delivery; "
            f"lost {r['lost']}; repeats {r['repeats']}"
        )
        if "backlog" in r:
            print(
                f"{r['db']} backlog: {r['backlog']} leads queued with no worker, then one "
                f"worker sent them in {r['drain_seconds']:.1f} s = {r['drain_rate']:.0f} "
                f"deliveries/s (start-up included); worker CPU {r['drain_worker_ms']:.1f} ms "
                f"per delivery; lost {r['backlog_lost']}"
            )
    return 1 if any(r["lost"] or r.get("backlog_lost") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
