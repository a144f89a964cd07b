#!/usr/bin/env python3
"""Benchmark the program search: full GET /programs requests, in-process, at several sizes.

For each backend and size it makes a fresh database (a temporary SQLite file; a new, uniquely
named PostgreSQL database that is dropped at the end), migrates it, loads the ZIP table,
generates listings over real ZIP codes and vacuums it, as autovacuum would after a bulk load.
Then it times `GET /programs?zip=...` (routing, form, query, template, search log) for random
real ZIPs, the sizes taking turns ZIP by ZIP, and prints p50/p95 and the query plans.

    python bench/search_bench.py                        # 1,000 and 100,000 campus listings
    python bench/search_bench.py --sizes 1000 --backends sqlite --searches 200
    PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test python bench/search_bench.py
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db, dispose_engines  # noqa: E402
from portal.models import (  # noqa: E402
    CREDENTIAL_LEVELS,
    Campus,
    Program,
    ProgramState,
    School,
    Sponsorship,
    ZipCode,
    today_utc,
)
from portal.services.geo import load_zip_codes  # noqa: E402
from portal.services.imports import US_STATES  # noqa: E402
from portal.services.matching import (  # noqa: E402
    Filters,
    _parameters,
    _shape,
    _statements,
)
from tests.support.servers import scratch_postgres  # noqa: E402

CAREERS = (
    "medical-office-manager",
    "medical-assistant",
    "medical-biller-and-coder",
    "pharmacy-technician",
    "phlebotomist",
    "certified-nursing-assistant",
    "dental-assistant",
    "ekg-technician",
)
PROGRAMS_PER_CAMPUS = 3
SCHOOLS = 500
BATCH = 5000


def generate(size: int, online: int, seed: int = 7) -> dict:
    """Insert `size` campus/hybrid listings over real ZIPs and `online` online ones."""
    rng = random.Random(seed)
    zips = db.session.execute(
        select(ZipCode.code, ZipCode.city, ZipCode.state, ZipCode.latitude, ZipCode.longitude)
        .where(ZipCode.state.in_(sorted(US_STATES)))
        .order_by(ZipCode.code)
    ).all()
    now = today_utc()
    rows = [{"id": n, "name": f"Bench School {n}"} for n in range(1, SCHOOLS + 1)]
    _insert(School, [{**r, "created_at": _now()} for r in rows])
    campuses = []
    for n in range(1, size // PROGRAMS_PER_CAMPUS + 2):
        code, city, state, lat, lon = rng.choice(zips)
        campuses.append(
            {
                "id": n,
                "school_id": rng.randint(1, SCHOOLS),
                "name": f"{city} campus",
                "address": f"{n} Bench Rd",
                "city": city,
                "state": state,
                "zip_code": code,
                "latitude": lat,
                "longitude": lon,
            }
        )
    _insert(Campus, campuses)
    programs, sponsorships, states = [], [], []
    for n in range(1, size + online + 1):
        is_online = n > size
        campus = None if is_online else campuses[(n - 1) // PROGRAMS_PER_CAMPUS]
        programs.append(
            {
                "id": n,
                "external_id": f"BENCH-{n}",
                "school_id": rng.randint(1, SCHOOLS) if is_online else campus["school_id"],
                "campus_id": None if is_online else campus["id"],
                "career": rng.choice(CAREERS),
                "title": f"Bench Program {n}",
                "credential_level": rng.choice(CREDENTIAL_LEVELS),
                "modality": "online" if is_online else rng.choice(("campus",) * 4 + ("hybrid",)),
                "duration": f"{rng.randint(2, 24)} months",
                "description": "A generated listing for the search benchmark.",
                "is_active": rng.random() > 0.05,
                "created_at": _now(),
                "updated_at": _now(),
            }
        )
        capped = rng.random() < 0.05
        sponsorships.append(
            {
                "id": n,
                "program_id": n,
                "bid_cents": rng.randrange(500, 6000, 50),
                "starts_on": date(2025, 1, 1),
                "ends_on": date(2025, 6, 30) if rng.random() < 0.05 else None,
                "daily_cap": 5 if capped else None,
                "monthly_cap": None,
                "count_day": now if capped else None,
                "day_count": 5 if capped else 0,
                "count_month": None,
                "month_count": 0,
            }
        )
        if is_online:
            chosen = (
                sorted(US_STATES)
                if rng.random() < 0.3
                else rng.sample(sorted(US_STATES), rng.randint(1, 20))
            )
            states.extend({"program_id": n, "state": s} for s in chosen)
    _insert(Program, programs)
    _insert(Sponsorship, sponsorships)
    _insert(ProgramState, states)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"campuses": len(campuses), "programs": len(programs), "program_states": len(states)}


def _now():
    from portal.models import utcnow

    return utcnow()


def _insert(model, rows: list[dict]) -> None:
    """Bulk insert, in batches."""
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])


def time_searches(apps: list, searches: int, seed: int = 11) -> list[tuple[list, list]]:
    """Wall-clock and CPU milliseconds per GET /programs?zip=... on each app, interleaved.

    The same random real ZIPs go to every app, one app after the other for each ZIP (in turn
    order rotating), so a change in the machine's speed during the run (a shared VM's steal
    time, a frequency step) lands on every size alike and the ratio between sizes stays fair.
    """
    with apps[0].app_context():
        codes = db.session.scalars(
            select(ZipCode.code).where(ZipCode.state.in_(sorted(US_STATES))).order_by(ZipCode.code)
        ).all()
    rng = random.Random(seed)
    clients = [app.test_client() for app in apps]
    for code in rng.sample(codes, 50):
        for client in clients:
            assert client.get(f"/programs?zip={code}").status_code == 200
    figures = [([], []) for _ in apps]
    for n, code in enumerate(rng.sample(codes, searches)):
        for i in sorted(range(len(apps)), key=lambda i: (i + n) % len(apps)):
            wall, cpu = figures[i]
            started, cpu_started = time.perf_counter(), time.process_time()
            response = clients[i].get(f"/programs?zip={code}")
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, (code, response.status_code)
    return figures


def plans(app, zip_code: str = "10001") -> list[str]:
    """The query plan of the ranked page query for a busy ZIP."""
    with app.app_context():
        origin = db.session.get(ZipCode, zip_code)
        values = _parameters(origin, Filters(), today_utc(), None)
        stmt = _statements(_shape(Filters(), None)).page.params(values, offset=0, limit=10)
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "sqlite":
            rows = db.session.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
            return [f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows]
        rows = db.session.execute(text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql))
        return [r[0] for r in rows]


def _depth(rows, row) -> int:
    """Indent of an EXPLAIN QUERY PLAN row (its parent chain length)."""
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def build(url: str, size: int, online: int):
    """An app on `url`, migrated, with the ZIP table and `size` generated campus listings."""
    # The search log and the listings' impressions are written as in production: buffered,
    # one INSERT a second (SEARCH_LOG_BATCH_SECONDS' default), not a commit per search.
    settings = {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
    app = create_app(settings | {"SEARCH_LOG_BATCH_SECONDS": 1})
    # Each request still writes its one log line (and pays for it), but not to the terminal.
    for handler in app.logger.handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115  (kept for the process)
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        load_zip_codes()
        counts = generate(size, online)
        built = time.perf_counter() - started
    return app, counts, built


def run(backend: str, sizes: list[int], args) -> list[dict]:
    """Build one database per size, time the searches on all of them, return the figures."""
    with ExitStack() as stack:
        urls = []
        for _ in sizes:
            if backend == "sqlite":
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="search-bench-"))
                urls.append(f"sqlite:///{folder}/bench.sqlite3")
            else:
                urls.append(stack.enter_context(scratch_postgres(args.pg_url, "search_bench")))
        built = [build(url, size, args.online) for url, size in zip(urls, sizes, strict=True)]
        apps = [app for app, _, _ in built]
        load_before = os.getloadavg()[0]
        figures = time_searches(apps, args.searches)
        load_after = os.getloadavg()[0]
        results = []
        for size, (app, counts, seconds), (timings, cpu) in zip(sizes, built, figures, strict=True):
            results.append(
                {
                    "backend": backend,
                    "size": size,
                    "counts": counts,
                    "built_s": seconds,
                    "p50": statistics.median(timings),
                    "p95": percentile(timings, 95),
                    "max": max(timings),
                    "cpu_p50": statistics.median(cpu),
                    "cpu_p95": percentile(cpu, 95),
                    "load": (load_before, load_after),
                    "plan": plans(app),
                }
            )
            with app.app_context():
                db.session.remove()
                dispose_engines()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000", help="campus listings, comma-separated")
    parser.add_argument("--online", type=int, default=2000, help="online listings")
    parser.add_argument("--searches", type=int, default=1000, help="timed searches per size")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "PG_URL",
            os.environ.get(
                "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
            ),
        ),
        help="a PostgreSQL server URL (a new database is made there and dropped)",
    )
    parser.add_argument("--plans", action="store_true", help="print the query plans")
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_ENV", "testing")
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{args.searches} searches per size, GET /programs?zip=<random real ZIP>, radius 50")
    for backend in args.backends.split(","):
        results = run(backend, sizes, args)
        for result in results:
            size = result["size"]
            print(
                f"{backend:10} {size:>7} campus + {args.online} online listings: "
                f"p50 {result['p50']:5.1f} ms  p95 {result['p95']:5.1f} ms  "
                f"max {result['max']:6.1f} ms | app CPU p50 {result['cpu_p50']:5.1f} ms  "
                f"p95 {result['cpu_p95']:5.1f} ms | load {result['load'][0]:.1f}/"
                f"{result['load'][1]:.1f} (built in {result['built_s']:.0f} s)",
                flush=True,
            )
            if args.plans:
                print("\n".join("    " + re.sub(r"\s+$", "", line) for line in result["plan"]))
        if len(results) > 1:
            ratio = results[-1]["p95"] / results[0]["p95"]
            print(f"{backend:10} p95 ratio {sizes[-1]} / {sizes[0]}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
