"""Benchmark: `flask --app wsgi retention run` over a million leads, on SQLite and PostgreSQL.

    python bench/retention_bench.py [--rows 1000000] [--backends sqlite,postgresql]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

For each backend it builds a fresh database with --rows leads as bench/export_bench.py does
(arrived every 30 s from 2026-01-01), then runs, each in its own process: a dry run, the run
(LEAD_RETENTION_DAYS=1: nearly every lead is past it), and the run again (nothing left to do).
It prints each one's wall time, CPU time and peak memory, and what it counted or erased.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from export_bench import build_in_child, compile_portal, measure  # noqa: E402

from tests.support.servers import scratch_postgres  # noqa: E402

RUNS = [("dry run", ["--dry-run"]), ("run", []), ("run again", [])]


def bench(label: str, url: str, rows: int, workdir: Path) -> None:
    """Build the database, then time the three runs on it."""
    build_in_child(url, rows)
    env = {
        **os.environ,
        "PORTAL_ENV": "testing",
        "DATABASE_URL": url,
        "LEAD_RETENTION_DAYS": "1",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "retention", "run"]
    print(f"\n{label}, {rows:,} leads")
    print(f"  {'':<10} {'wall':>8} {'CPU':>8} {'peak RSS':>10}  what it says")
    for name, args in RUNS:
        out = workdir / f"{name}.txt"
        wall, cpu, peak = measure([*command, *args], out, env)
        said = out.read_text().splitlines()[-1]
        print(f"  {name:<10} {wall:7.2f}s {cpu:7.2f}s {peak:7.1f} MB  {said}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    options = parser.parse_args()
    compile_portal()
    backends = options.backends.split(",")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if "sqlite" in backends:
            bench("SQLite", f"sqlite:///{workdir / 'bench.sqlite3'}", options.rows, workdir)
        if "postgresql" in backends:
            with scratch_postgres(options.postgres, "portal_retention_bench") as url:
                bench("PostgreSQL", url, options.rows, workdir)


if __name__ == "__main__":
    main()
