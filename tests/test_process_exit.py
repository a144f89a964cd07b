"""Processes that load the app through wsgi.py (gunicorn's workers, every `flask` command) skip
the interpreter's last garbage collections at exit (wsgi.py freezes the objects they would
walk). What a process owes at exit still happens: here, as their real commands, in processes
of their own."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import LeadExport, SearchLog
from tests.support.factories import make_lead, make_program

ROOT = Path(__file__).resolve().parents[1]


def run(database_url: str, *command: str, **env: str) -> subprocess.CompletedProcess:
    """Run `command` in the project with the testing settings on this database."""
    settings = {**os.environ, "PORTAL_ENV": "testing", "DATABASE_URL": database_url, **env}
    return subprocess.run(
        list(command), cwd=ROOT, env=settings, capture_output=True, timeout=120, check=False
    )


def test_an_export_run_as_its_command_writes_every_lead_and_ends_cleanly(app, database_url):
    with app.app_context():
        program = make_program()
        for i in range(25):
            make_lead(program, last_name=f"Exit{i}")
        db.session.commit()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    done = run(database_url, *flask, "export-leads", "-o", "-")
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 26 and all(f"Exit{i}," in done.stdout.decode() for i in range(25))
    assert "Exported 25 leads" in done.stderr.decode()
    with app.app_context():
        assert db.session.scalars(select(LeadExport.state)).all() == ["complete"]


def test_exit_handlers_still_run_the_search_log_is_written_at_exit(app, database_url):
    # The search log's rows wait in the process (30 s here) and are written by its exit handler.
    search = "import wsgi; print(wsgi.app.test_client().get('/programs?zip=60601').status_code)"
    done = run(database_url, sys.executable, "-c", search, SEARCH_LOG_BATCH_SECONDS="30")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == "200"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SearchLog)) == 1
