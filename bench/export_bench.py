"""Benchmark: the lead CSV export against the database's own CSV dump, on SQLite and PostgreSQL.

    python bench/export_bench.py [--rows 1000000] [--repeat 3] [--columns full,school]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

For each backend it builds a fresh database (a temp SQLite file; a uniquely named PostgreSQL
database, dropped at the end), migrates it, fills it with --rows leads, then, for each column
set, times, each in its own process, `flask --app wsgi export-leads --columns SET -o FILE` and
the database's own dump of the same rows: `sqlite3 -csv` and `psql -c "COPY ... TO STDOUT WITH
CSV"`. It prints wall time and peak memory (the child's maximum resident set size) and CPU time
of each, as the median of --repeat runs, the two commands taking turns so a busy machine slows
both alike. The portal package is compiled to bytecode first, as an install would. The targets
are the full set's; the school set's figures are reported.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.servers import scratch_postgres  # noqa: E402

CONSENT = (
    "By ticking this box I agree that the school named above may contact me about its "
    "programs by email, phone calls and text messages, including automated ones, at the "
    "number and address I gave. Consent is not a condition of enrolment."
)
SHA = "9f" * 32
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari"
SCHOOLS = 10

SETUP = [
    "INSERT INTO school (id, name, created_at) VALUES (:i, 'Bench School ' || :i, :t)",
    "INSERT INTO campus (id, school_id, name, address, city, state, zip_code, latitude, longitude)"
    " VALUES (:i, :i, 'Main campus', :i || ' Main St', 'Chicago', 'IL', '60601', 41.88, -87.62)",
    "INSERT INTO program (id, external_id, school_id, campus_id, career, title, credential_level,"
    " modality, duration, description, is_active, created_at, updated_at) VALUES (:i,"
    " 'BENCH-' || :i, :i, :i, 'medical-office-manager', 'Medical Office Management, \"Plus\"',"
    " 'certificate', 'campus', '6 months', '', true, :t, :t)",
]

# One statement per backend that makes N leads in the database itself. Some names start
# with '=' or '-', some carry commas, quotes or non-ASCII, so the export does real work.
FIRST_NAME = (
    "CASE WHEN i % 1000 = 0 THEN '=HYPERLINK(\"http://x\")' WHEN i % 7 = 0 THEN 'José'"
    " WHEN i % 11 = 0 THEN 'Anne, Marie' ELSE 'Ada' END"
)
LAST_NAME = "CASE WHEN i % 13 = 0 THEN '-O\"Brien' ELSE 'Lovelace' END || i"
LEAD_COLUMNS = (
    "created_at, program_id, school_id, campus_id, career, price_cents, status, billable,"
    " first_name, last_name, email, phone_e164, zip_code, state, education_level,"
    " start_timeframe, consent_text, consent_sha256, consented_at, ip_address, user_agent,"
    " page_url, referrer, utm_source, utm_medium, utm_campaign, utm_term, utm_content"
)
COMMON_VALUES = (
    "'medical-office-manager', 2500, 'new', true, "
    + FIRST_NAME
    + ", "
    + LAST_NAME
    + ", 'person' || i || '@example.com', {phone}, '60601', 'IL', 'high-school', '3-months',"
    f" '{CONSENT}', '{SHA}', {{ts}}, '203.0.113.' || (i % 250), '{UA}',"
    " 'http://127.0.0.1:5000/programs?zip=60601', 'https://www.google.com/', 'google', 'cpc',"
    " 'medical-office-manager', '', ''"
)
SQLITE_FILL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows) "
    f"INSERT INTO lead ({LEAD_COLUMNS}) SELECT {{ts}}, i % {SCHOOLS} + 1, i % {SCHOOLS} + 1,"
    f" i % {SCHOOLS} + 1, "
    + COMMON_VALUES.format(
        phone="'+1312555' || substr('0000' || (i % 10000), -4)",
        ts="strftime('%Y-%m-%d %H:%M:%f000', '2026-01-01', '+' || (i * 30) || ' seconds')",
    )
    + " FROM n"
).replace("{ts}", "strftime('%Y-%m-%d %H:%M:%f000', '2026-01-01', '+' || (i * 30) || ' seconds')")
POSTGRES_FILL = (
    f"INSERT INTO lead ({LEAD_COLUMNS}) SELECT {{ts}}, i % {SCHOOLS} + 1, i % {SCHOOLS} + 1,"
    f" i % {SCHOOLS} + 1, "
    + COMMON_VALUES.format(
        phone="'+1312555' || lpad((i % 10000)::text, 4, '0')",
        ts="timestamptz '2026-01-01 00:00:00+00' + i * interval '30 seconds'",
    )
    + " FROM generate_series(1, :rows) AS i"
).replace("{ts}", "timestamptz '2026-01-01 00:00:00+00' + i * interval '30 seconds'")


def build_database(url: str, rows: int) -> None:
    """Migrate the database at `url` and fill it with `rows` leads (run in a child process)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.extensions import db, dispose_engines
    from portal.models import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            for i in range(1, SCHOOLS + 1):
                for statement in SETUP:
                    conn.execute(text(statement), {"i": i, "t": utcnow()})
            fill = SQLITE_FILL if conn.dialect.name == "sqlite" else POSTGRES_FILL
            conn.execute(text(fill), {"rows": rows})
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT setval('lead_id_seq', (SELECT max(id) FROM lead))"))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE lead"))
        dispose_engines()


def build_in_child(url: str, rows: int) -> None:
    """Build the database in a child process, so this process stays small (see measure)."""
    started = time.perf_counter()
    code = f"import export_bench; export_bench.build_database({url!r}, {rows})"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    if done.returncode:
        raise SystemExit(f"building the database failed:\n{done.stderr.decode()}")
    print(f"built {rows:,} leads in {time.perf_counter() - started:.1f} s", flush=True)


def measure(command: list[str], out: Path, env: dict | None = None) -> tuple[float, float, float]:
    """Run `command` with stdout to `out`: (wall s, CPU s, peak RSS MB) of that child alone.

    os.wait4 gives the child's own rusage. Linux counts the parent's memory at fork time in a
    child's peak RSS, which is why this process never imports the app itself.
    """
    with out.open("wb") as sink:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{command[0]} failed: {child.stderr.read().decode()}")
    child.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def race(repeat: int, ours: tuple, theirs: tuple, workdir: Path) -> tuple[tuple, tuple, list]:
    """Alternate runs of the two commands (fair on a busy machine): the medians of each, and
    the wall-time ratio of each pair of runs (ours / theirs)."""
    runs: dict[str, list] = {"ours": [], "theirs": []}
    for _ in range(repeat):
        runs["ours"].append(measure(ours[0], workdir / "ours.csv", ours[1]))
        runs["theirs"].append(measure(theirs[0], workdir / "theirs.csv", theirs[1]))
    medians = tuple(
        tuple(statistics.median(run[i] for run in runs[key]) for i in range(3))
        for key in ("ours", "theirs")
    )
    ratios = [o[0] / t[0] for o, t in zip(runs["ours"], runs["theirs"], strict=True)]
    return (*medians, ratios)


def count_lines(path: Path) -> int:
    """Records in a CSV file (embedded newlines are counted too; the bench data has none)."""
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def report(
    label: str,
    ours: tuple,
    dump: tuple,
    ratios: list,
    dump_name: str,
    target: float | None,
    rows: int,
):
    """Print one backend's figures and the ratios (against the target, met in every run, if
    it has one)."""
    wall, cpu = ours[0] / dump[0], ours[1] / dump[1]
    print(f"\n{label}, {rows:,} leads (median of the runs)")
    print(f"  {'':<13} {'wall':>8} {'CPU':>8} {'peak RSS':>10}")
    for name, (w, c, m) in (("export-leads", ours), (dump_name, dump)):
        print(f"  {name:<13} {w:7.2f}s {c:7.2f}s {m:7.1f} MB")
    each = ", ".join(f"{r:.2f}x" for r in ratios)
    print(f"  wall ratio of each run: {each}")
    if target is None:
        print(f"  ratio: wall {wall:.2f}x, CPU {cpu:.2f}x (reported; no target)")
        return
    verdict = "OK" if max(ratios) <= target and ours[2] < 100 else "MISSED"
    print(f"  ratio: wall {wall:.2f}x, CPU {cpu:.2f}x (target <= {target:g}x each run); {verdict}")


def compile_portal() -> None:
    """Compile the project's modules to bytecode before timing, as installing a package does.

    Where PYTHONDONTWRITEBYTECODE is set (it is on the development machine), Python never
    keeps the bytecode it compiles, and every `flask` start compiled the portal package from
    source again: 0.1-0.25 s of each export's time that no deployed copy pays.
    """
    modules = ["portal", "config.py", "wsgi.py"]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *modules], cwd=ROOT, check=True)


def export_command(url: str, columns: str) -> tuple[list[str], dict]:
    """The export as an operator runs it, against `url`, in one column set."""
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": url}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "export-leads"]
    return [*flask, "--columns", columns, "-o", "-"], env


def bench_sqlite(rows: int, repeat: int, column_sets: list[str], workdir: Path) -> None:
    """Build a SQLite file and race the export against `sqlite3 -csv`."""
    path = workdir / "bench.sqlite3"
    url = f"sqlite:///{path}"
    print("SQLite: ", end="", flush=True)
    build_in_child(url, rows)
    dump = ["sqlite3", "-csv", "-header", str(path), "SELECT * FROM lead ORDER BY id"]
    for columns in column_sets:
        ours, theirs, ratios = race(repeat, export_command(url, columns), (dump, None), workdir)
        assert count_lines(workdir / "ours.csv") == rows + 1, "export lost rows"
        target = 5 if columns == "full" else None
        report(f"SQLite, {columns} columns", ours, theirs, ratios, "sqlite3 -csv", target, rows)


def bench_postgres(
    server: str, rows: int, repeat: int, column_sets: list[str], workdir: Path
) -> None:
    """Build a fresh PostgreSQL database and race the export against COPY through psql."""
    with scratch_postgres(server, "portal_bench") as url:
        libpq = url.replace("postgresql+psycopg://", "postgresql://")
        psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        print("PostgreSQL: ", end="", flush=True)
        build_in_child(url, rows)
        copy = "COPY (SELECT * FROM lead ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)"
        dump = [*psql, libpq, "-c", copy]
        for columns in column_sets:
            ours, theirs, ratios = race(repeat, export_command(url, columns), (dump, None), workdir)
            assert count_lines(workdir / "ours.csv") == rows + 1, "export lost rows"
            target = 2 if columns == "full" else None
            label = f"PostgreSQL, {columns} columns"
            report(label, ours, theirs, ratios, "psql COPY", target, rows)


def main() -> None:
    """Parse the options and run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--columns", default="full,school", help="the column sets to time, comma-separated"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/test"
        ),
        help="a server URL to create the benchmark database on ('' to skip PostgreSQL)",
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    for tool in ("sqlite3", "psql"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed for the baseline dump")
    column_sets = [name.strip() for name in args.columns.split(",") if name.strip()]
    compile_portal()
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        if "sqlite" in backends:
            bench_sqlite(args.rows, args.repeat, column_sets, Path(tmp))
        if args.postgres and "postgresql" in backends:
            bench_postgres(args.postgres, args.rows, args.repeat, column_sets, Path(tmp))


if __name__ == "__main__":
    main()
