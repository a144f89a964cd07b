#!/usr/bin/env python3
"""The query plans behind each page of bench/scale_bench.py, on a database it filled.

    python bench/scale_plans.py DATABASE_URL [--page TEXT] [--top 3] [--plans]

Opens each page and call of the benchmark through the app (Flask's test client, signed in as
the benchmark's admin and school user), records every SELECT it sends, then runs each again
under EXPLAIN (ANALYZE, BUFFERS) and prints, per page, the costliest statements: time, rows,
and shared buffers hit and read (8 kB pages), with the whole plan with --plans. --page keeps
the pages whose name holds TEXT. A database built with `scale_bench.py --keep` works.
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.scale_bench import ADMIN, SCHOOL_USER, Size, calls, fill, learn_facts  # noqa: E402


def main() -> None:
    """Open the pages, explain their statements, print the costliest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--page", action="append", default=[])
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--plans", action="store_true", help="print the whole plans")
    args = parser.parse_args()

    from portal import create_app
    from portal.extensions import db
    from portal.services.school_api import create_token

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ADMIN_TIMEZONE": "America/New_York",
        }
    )
    size = Size(0, args.url)
    learn_facts(size)
    with app.app_context():
        size.facts["token"] = create_token(1, "plans")[1]
    admin, school, visitor = app.test_client(), app.test_client(), app.test_client()
    admin.post("/admin/login", data={"email": ADMIN[0], "password": ADMIN[1]})
    school.post("/school/login", data={"email": SCHOOL_USER[0], "password": SCHOOL_USER[1]})
    clients = {"admin": admin, "school": school, "api": visitor, "visitor": visitor}
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    with app.app_context():
        engines = [db.engine, *db.engines.values()]
    for engine in set(engines):
        event.listen(engine, "before_cursor_execute", record)
    for item in calls():
        if args.page and not any(text in item.name for text in args.page):
            continue
        if item.method != "GET":
            continue
        seen.clear()
        headers = {}
        if item.who == "api":
            headers["Authorization"] = f"Bearer {size.facts['token']}"
        clients[item.who].get(fill(item.path, size.facts), headers=headers)
        statements = list(seen)
        print(f"\n== {item.name}: {len(statements)} statements")
        explained = []
        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters in statements:
                    cursor.execute(
                        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters
                    )
                    plan = cursor.fetchone()[0][0]
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    text = "\n".join(row[0] for row in cursor.fetchall())
                    explained.append((plan["Execution Time"], plan, statement, text))
                raw.rollback()
            finally:
                raw.close()
        for elapsed, plan, statement, text in sorted(explained, key=lambda e: -e[0])[: args.top]:
            top = plan["Plan"]
            hit, read = top.get("Shared Hit Blocks", 0), top.get("Shared Read Blocks", 0)
            first = re.sub(r"\s+", " ", statement)[:150]
            print(
                f"  {elapsed:8.1f} ms  rows {top.get('Actual Rows')}  buffers hit {hit}"
                f" read {read}  {first}"
            )
            if args.plans:
                print("    " + text.replace("\n", "\n    "))


if __name__ == "__main__":
    main()
