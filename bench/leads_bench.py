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
import os
import secrets
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.support.servers import (  # noqa: E402
    HOST,
    Gunicorn,
    LeadLoad,
    cpu_seconds,
    scratch_postgres,
    signing_key_file,
)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def prepare_database(url: str) -> int:
    """Migrate the database, load the ZIP codes and one uncapped demo listing; return its id."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db, dispose_engines
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
        dispose_engines()
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


def server_env(url: str) -> dict:
    """Production mode on this database, without rate limits or the minimum fill time."""
    return {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "CONSENT_SIGNING_KEY_FILE": signing_key_file(),
        "DATABASE_URL": url,
        "RATELIMIT_ENABLED": "false",
        "LEAD_MIN_FILL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESSLOG": "",
    }


def run(label: str, url: str, args) -> dict:
    """Prepare the database, load it through gunicorn for args.seconds, and check the count."""
    program_id = prepare_database(url)
    extra = ["--worker-class", args.worker_class, "--threads", str(args.threads)]
    # No worker recycling during the run: a replaced worker's CPU time would go uncounted.
    extra += ["--max-requests", "0"]
    server = Gunicorn(server_env(url), workers=args.workers, args=extra)
    server.start()
    load = LeadLoad(server.port, program_id, "60601", clients=args.clients, tag="bench")
    try:
        workers = server.worker_pids()
        server_cpu = cpu_seconds(workers)
        client_cpu = time.process_time()
        started = time.monotonic()
        load.run(args.seconds)
        elapsed = time.monotonic() - started
        client_cpu = time.process_time() - client_cpu
        server_cpu = cpu_seconds(workers) - server_cpu
    finally:
        server.stop()
    stored = count_leads(url)
    accepted = len(load.emails("acknowledged"))
    failures = {outcome: len(load.emails(outcome)) for outcome in ("unsent", "unanswered")}
    return {
        "db": label,
        "accepted": accepted,
        "stored": stored,
        "lost": max(0, accepted - stored),
        "unanswered_but_stored": max(0, stored - accepted),
        "seconds": elapsed,
        "leads_per_second": accepted / elapsed,
        "server_cpu_ms": 1000 * server_cpu / max(1, accepted),
        "client_cpu_ms": 1000 * client_cpu / max(1, accepted),
        "statuses": dict(load.statuses()),
        "failures": {k: v for k, v in failures.items() if v} | dict(load.form_failures),
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
    with scratch_postgres(args.pg_url, "leads_bench") as url:
        return run("PostgreSQL", url, args)


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
