#!/usr/bin/env python3
"""Where an uncached search page spends its CPU: cProfile over in-process GET /programs.

It makes a fresh database (PostgreSQL by default, a temporary SQLite file with --db sqlite),
loads the demo data, and asks for search pages with the page cache off
(PAGE_CACHE_SECONDS=0) and the search log batched as in production, for a fixed-seed mix of
ZIPs (`metro`: the demo's 56 metro areas, where each search finds listings; `all`: a sample of
every ZIP). It prints the CPU per search without the profiler, then, from a profiled run, the
share of the request spent in each part: the search form, the queries (with the round trips
to the database), building the listings, rendering the page, and the rest (routing, headers,
the search log, the test client).

    python bench/search_profile.py [--searches 1000] [--db sqlite] [--zips metro|all] [--top 25]
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["PORTAL_ENV"] = "testing"

import zipcodes  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.services.demo import METRO_ZIPS, seed_demo  # noqa: E402
from tests.support.servers import scratch_postgres  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CAREER = "medical-office-manager"
# The parts of a request, by the function whose cumulative time stands for each.
PARTS = {
    "search form (parse, validate)": ("wtforms/form.py", "validate"),
    "URLs built (url_for)": ("flask/helpers.py", "url_for"),
    "queries and listings": ("portal/services/search.py", "find_programs"),
    "page rendering": ("flask/templating.py", "render_template"),
    "search log": ("portal/services/search_log.py", "record_search"),
    "whole request": ("flask/app.py", "wsgi_app"),
}


def zips_of(mix: str, count: int) -> list[str]:
    """The ZIPs searched, in order: the metro areas in turn, or a fixed sample of all."""
    if mix == "metro":
        metro = [z for z in METRO_ZIPS if z.isdigit()]
        return [metro[i % len(metro)] for i in range(count)]
    every = sorted(z["zip_code"] for z in zipcodes.list_all() if z["lat"] and z["long"])
    return random.Random(2026).sample(every, count)


def part_seconds(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of each PART's function in the profile."""
    found = dict.fromkeys(PARTS, 0.0)
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():
        for part, (file_end, name) in PARTS.items():
            if function == name and filename.endswith(file_end):
                found[part] = max(found[part], cumulative)
    return found


def run(url: str, args) -> None:
    """Build the database, time the searches, profile them, print the figures."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "PAGE_CACHE_SECONDS": 0, "SEARCH_LOG_BATCH_SECONDS": 1}
    )
    for handler in app.logger.handlers:  # each request still formats its log line
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    with app.app_context():
        upgrade()
        seed_demo()
    client = app.test_client()
    paths = [f"/programs?zip={z}&career={CAREER}" for z in zips_of(args.zips, args.searches)]
    for path in paths[:50]:  # warm up: statements built, connections open
        client.get(path)
    passes = []
    for _ in range(3):  # the median of three passes: a busy machine moves single ones
        started = time.process_time()
        for path in paths:
            client.get(path)
        passes.append((time.process_time() - started) * 1000 / len(paths))
    plain_ms = statistics.median(passes)
    profile = cProfile.Profile(time.process_time)  # CPU, not time spent waiting
    profile.enable()
    for path in paths:
        client.get(path)
    profile.disable()
    stats = pstats.Stats(profile)
    parts = part_seconds(stats)
    whole = parts.pop("whole request")
    print(f"\n{args.db}, {len(paths)} uncached searches, ZIPs: {args.zips}")
    print(f"CPU per search (this process, no profiler, median of 3 passes): {plain_ms:.2f} ms")
    print("Share of a request's CPU in the profiled run (URLs are built while rendering):")
    for part, seconds in parts.items():
        print(f"  {part:<32} {100 * seconds / whole:5.1f}%")
    rest = whole - sum(v for k, v in parts.items() if k != "URLs built (url_for)")
    print(f"  {'the rest':<32} {100 * rest / whole:5.1f}%")
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


def main() -> None:
    """Parse the options, then profile on a fresh database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--zips", choices=["metro", "all"], default="metro")
    parser.add_argument("--top", type=int, default=0, help="also list the N costliest functions")
    args = parser.parse_args()
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="search-profile-") as folder:
            run(f"sqlite:///{folder}/profile.sqlite3", args)
        return
    with scratch_postgres(args.pg_url, "search_profile") as url:
        run(url, args)


if __name__ == "__main__":
    main()
