"""Benchmark: a school's statement of one month in a year of leads, with the query plans.

    python bench/statements_bench.py [--rows 1000000] [--repeat 3]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

It builds a fresh PostgreSQL database (uniquely named, dropped at the end) with --rows leads
over 2026 for 10 schools (bench/export_bench.py's data: about 8,300 leads per school and
month), then makes some of them what a real month holds: 3% repeats, 1% rejected three days
after arrival, 2% returned (half approved two days after arrival, half waiting), each with
the billing change it would have. For school 1 and June 2026 it times, as the median of
--repeat runs: the summary and the first and the 50th page of lines while the month is under
way; closing the month (writing its lines); the same reads once closed; the whole CSV; and
the admin's totals of the month (every school's figures). It prints the plans (EXPLAIN
ANALYZE) of the month under way's summary and page queries.
"""

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from export_bench import build_database  # noqa: E402

from tests.support.servers import scratch_postgres  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
JUNE = date(2026, 6, 1)
UNDER_WAY = datetime(2026, 6, 30, 23, tzinfo=UTC)
LATER = datetime(2026, 8, 1, tzinfo=UTC)

MONTH_OF_WORK = [
    # Repeats of the same school's lead ten before (the fill gives school i % 10 + 1); the
    # rejections and returns pick runs of ten ids, so every school has its share.
    "UPDATE lead SET billable = false, duplicate_of_id = id - 10 WHERE id % 33 = 0 AND id > 10",
    "UPDATE lead SET status = 'rejected', reject_reason = 'test', billable = false"
    " WHERE id / 10 % 100 = 1 AND id % 33 <> 0",
    "INSERT INTO billing_change (created_at, school_id, lead_id, program_id, lead_received_at,"
    " kind, cause, reason, amount_cents) SELECT created_at + interval '3 days', school_id, id,"
    " program_id, created_at, 'credit', 'rejection', 'test', -price_cents FROM lead"
    " WHERE id / 10 % 100 = 1 AND id % 33 <> 0",
    "INSERT INTO lead_return (lead_id, school_id, reason, text, status, requested_at,"
    " requested_by, decided_at, decided_by, decision_note) SELECT id, school_id, 'wrong_number',"
    " '', CASE WHEN id / 10 % 50 = 8 THEN 'approved' ELSE 'requested' END,"
    " created_at + interval '1 day', 'bench', CASE WHEN id / 10 % 50 = 8 THEN created_at"
    " + interval '2 days' END, CASE WHEN id / 10 % 50 = 8 THEN 'ops' END, '' FROM lead"
    " WHERE id / 10 % 50 IN (7, 8) AND id % 33 <> 0",
    "UPDATE lead SET billable = false WHERE id / 10 % 50 = 8 AND id % 33 <> 0",
    "INSERT INTO billing_change (created_at, school_id, lead_id, program_id, lead_received_at,"
    " kind, cause, reason, amount_cents) SELECT created_at + interval '2 days', school_id, id,"
    " program_id, created_at, 'credit', 'return', 'wrong_number', -price_cents FROM lead"
    " WHERE id / 10 % 50 = 8 AND id % 33 <> 0",
]


def timed(repeat: int, work) -> tuple[float, object]:
    """The median wall time of `work()` over `repeat` runs in ms, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def explain(query) -> str:
    """EXPLAIN ANALYZE of a query, as PostgreSQL prints it."""
    from sqlalchemy import text

    from portal.extensions import db

    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {compiled}"))
    return "\n".join(row[0] for row in plan)


def run(url: str, rows: int, repeat: int) -> None:
    """Build the database, then time and explain the statement's reads and its close."""
    from sqlalchemy import func, select, text

    from portal import create_app
    from portal.extensions import db, dispose_engines
    from portal.models import Lead, StatementLine
    from portal.services import statements

    started = time.perf_counter()
    build_database(url, rows)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        with db.engine.begin() as conn:
            for sql in MONTH_OF_WORK:
                conn.execute(text(sql))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        print(f"built {rows:,} leads in {time.perf_counter() - started:.0f} s", flush=True)
        start, end = statements.month_bounds(JUNE)
        in_month = db.session.scalar(
            select(func.count()).where(
                Lead.school_id == 1, Lead.created_at >= start, Lead.created_at < end
            )
        )
        print(f"school 1 received {in_month:,} leads in June 2026\n")

        figures = []
        ms, view = timed(repeat, lambda: statements.statement(1, JUNE, UNDER_WAY))
        figures.append(("under way: summary + page 1", ms))
        lines = view.summary.line_count
        ms, _ = timed(repeat, lambda: statements.statement(1, JUNE, UNDER_WAY, page=50))
        figures.append(("under way: summary + page 50", ms))
        ms, _ = timed(1, lambda: statements.statement(1, JUNE, LATER))
        figures.append((f"closing the month ({lines:,} lines written)", ms))
        ms, _ = timed(repeat, lambda: statements.statement(1, JUNE, LATER))
        figures.append(("closed: summary + page 1", ms))
        ms, _ = timed(repeat, lambda: statements.statement(1, JUNE, LATER, page=50))
        figures.append(("closed: summary + page 50", ms))
        ms, size = timed(
            repeat, lambda: sum(len(c) for c in statements.statement_csv(1, JUNE, LATER))
        )
        figures.append((f"closed: the whole CSV ({size:,} bytes)", ms))
        timed(1, lambda: statements.month_totals(JUNE, LATER))  # closes the other schools
        ms, _ = timed(repeat, lambda: statements.month_totals(JUNE, LATER))
        figures.append(("admin: every school's figures of the month (closed)", ms))
        ms, _ = timed(repeat, lambda: statements.month_totals(JUNE, UNDER_WAY))
        figures.append(("admin: every school's figures, the month under way", ms))

        print("| What | ms (median) |\n|---|---:|")
        for label, value in figures:
            print(f"| {label} | {value:,.1f} |")

        print("\nPlan: the summary of the month under way\n")
        lines_query = statements._open_lines(1, JUNE, UNDER_WAY)
        print(explain(statements.summary_query(lines_query, start)))
        print("\nPlan: page 50 of the lines of the month under way (receipts)\n")
        print(explain(statements._receipts(1, JUNE, UNDER_WAY, (100, 4900))))
        print("\nPlan: page 50 of a closed month\n")
        stored = statements._stored(1, JUNE)
        print(
            explain(
                select(StatementLine).where(
                    StatementLine.statement_id == stored.id,
                    StatementLine.position > 4900,
                    StatementLine.position <= 5000,
                )
            )
        )
        db.session.remove()
        dispose_engines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=DEFAULT_PG)
    args = parser.parse_args()
    with scratch_postgres(args.postgres, "portal_statements_bench") as url:
        run(url, args.rows, args.repeat)


if __name__ == "__main__":
    main()
