"""The migrations build exactly the schema the models describe, on every backend."""

import os
import subprocess
import sys
import warnings
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from portal import create_app
from portal.extensions import db, dispose_engines
from portal.models.types import UTCDateTime
from portal.services.geo import load_zip_codes
from tests.support.factories import make_program, make_school
from tests.support.servers import scratch_postgres
from tests.support.settings import BACKENDS, base_settings


def compare_type(context, inspected, metadata, inspected_type, metadata_type):
    """Compare UTCDateTime by the DateTime it stores as; defer everything else to Alembic."""
    if isinstance(metadata_type, UTCDateTime):
        return type(inspected_type).__name__ not in {"DATETIME", "TIMESTAMP", "DateTime"}
    return None


def other_backends_indexes(dialect: str) -> list[str]:
    """The names of the indexes the models make on another backend only
    (Index(...).ddl_if(dialect=...), such as the pg_trgm ones)."""
    return [
        index.name
        for table in db.metadata.tables.values()
        for index in table.indexes
        if getattr(index, "_ddl_if", None) is not None
        and index._ddl_if.dialect not in (None, dialect)
    ]


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        skipped = other_backends_indexes(conn.dialect.name)
        options = {
            "compare_type": compare_type,
            "include_object": lambda obj, name, kind, *_: name not in skipped,
        }
        context = MigrationContext.configure(conn, opts=options)
        with warnings.catch_warnings():
            # Alembic says it leaves out expression indexes it cannot reflect (SQLite); these
            # are the other backend's, which this one never makes.
            for name in skipped:
                warnings.filterwarnings("ignore", f".*expression-based index '{name}'")
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_are_at_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    with app.app_context(), db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        config = app.extensions["migrate"].migrate.get_config()
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
    assert current == ScriptDirectory.from_config(config).get_current_head()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    """A new, empty database of each backend, for migrating up and down."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL runs are skipped")
    with scratch_postgres(server, "portal_migrate") as url:
        yield url


def test_each_migration_downgrades_and_upgrades_again(empty_database_url):
    """Each revision can be undone (a listing survives 0003 both ways) and redone."""
    app = create_app(base_settings(empty_database_url))
    with app.app_context():
        upgrade()
        load_zip_codes()
        school = make_school()
        program = make_program(school, zip_code="60614")
        downgrade(revision="0002")
        upgrade()
        stored = db.session.execute(
            text("SELECT campus_latitude, campus_longitude FROM program WHERE id = :id"),
            {"id": program.id},
        ).one()
        assert tuple(stored) == (program.campus.latitude, program.campus.longitude)
        db.session.remove()
        downgrade(revision="base")
        upgrade()
        dispose_engines()


def test_a_process_that_migrates_then_serves_logs_each_request_once(tmp_path):
    """The benchmarks migrate in-process: Alembic's logging set-up once doubled every app line."""
    script = (
        "from flask_migrate import upgrade\n"
        "from portal import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.db'}})\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "app.test_client().get('/robots.txt')\n"
    )
    env = {**os.environ, "PORTAL_ENV": "development", "SECRET_KEY": "k" * 32}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert len([line for line in result.stderr.splitlines() if "/robots.txt" in line]) == 1
    assert "Running upgrade  -> 0001" in result.stderr  # Alembic still says what it ran


def test_0007_brings_earlier_exports_and_rejections_in_line(empty_database_url):
    """Leads marked by an export before 0007 get their item and history rows; rejected ones a
    reason, and they are no longer billable. Rebuilding the lead table on SQLite keeps the
    deliveries that point at it (foreign keys are off while migrating)."""
    from portal.models import utcnow
    from portal.services.destinations import add_email
    from portal.services.outbox import queue_deliveries
    from tests.support.factories import make_lead

    app = create_app(base_settings(empty_database_url))
    with app.app_context():
        upgrade()
        load_zip_codes()
        program = make_program(make_school(), zip_code="60614")
        exported, rejected, fresh = (make_lead(program).id for _ in range(3))
        add_email(program.school_id, "admissions@example.edu")
        queue_deliveries(fresh, program.school_id, utcnow())
        db.session.commit()
        db.session.remove()
        downgrade(revision="0005")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO lead_export (id, created_at, actor, source, filters,"
                    " not_exported, mark_exported, state, row_count)"
                    " VALUES (7, :t, 'ops@example.com', 'web', '{}', true, true, 'complete', 1)"
                ),
                {"t": datetime(2026, 11, 2, 9, tzinfo=UTC)},
            )
            conn.execute(
                text(
                    "UPDATE lead SET status = 'exported', export_id = 7, exported_at = :t"
                    " WHERE id = :id"
                ),
                {"t": datetime(2026, 11, 2, 9, tzinfo=UTC), "id": exported},
            )
            conn.execute(
                text("UPDATE lead SET status = 'rejected' WHERE id = :id"), {"id": rejected}
            )
        upgrade()
        with db.engine.connect() as conn:
            items = conn.execute(text("SELECT export_id, lead_id FROM lead_export_item")).all()
            history = conn.execute(
                text(
                    "SELECT lead_id, export_id, actor, from_status, to_status"
                    " FROM lead_status_change"
                )
            ).all()
            deliveries = conn.execute(text("SELECT lead_id FROM delivery")).scalars().all()
            leads = dict(
                (row[0], tuple(row[1:]))
                for row in conn.execute(
                    text("SELECT id, status, reject_reason, billable FROM lead")
                )
            )
        assert [tuple(row) for row in items] == [(7, exported)]
        assert [tuple(row) for row in history] == [
            (exported, 7, "ops@example.com", "new", "exported")
        ]
        assert deliveries == [fresh]
        assert leads[rejected] == ("rejected", "other", False)
        assert leads[exported][:2] == ("exported", None) and leads[exported][2]
        assert leads[fresh][:2] == ("new", None) and leads[fresh][2]
        dispose_engines()


def test_0012_keeps_closed_statements_and_enters_the_earlier_credits(empty_database_url):
    """Statements closed before 0012 stay readable as written (charges grouped); the returns
    approved and the leads rejected before it get their credits, except a rejection that the
    closed statement of the lead's month already left out."""
    from portal.models import BillingChange, Lead, Statement, StatementLine
    from portal.services.lead_returns import decide_return, request_return
    from portal.services.lead_status import Editor, StatusChange, change_status
    from portal.services.school_leads import Actor
    from portal.services.statements import statement
    from tests.support.factories import make_lead

    def at(day, month, hour=12):
        return datetime(2026, month, day, hour, tzinfo=UTC)

    ops = Editor("ops@example.com")
    app = create_app(base_settings(empty_database_url))
    with app.app_context():
        upgrade()
        load_zip_codes()
        school = make_school()
        program = make_program(school, zip_code="60614", title="Pharmacy Technician")
        kept = make_lead(program, created_at=at(3, 10))
        returned = make_lead(program, created_at=at(5, 10))
        rejected_late = make_lead(program, created_at=at(10, 10))
        rejected_early = make_lead(program, created_at=at(12, 10))
        no_history = make_lead(program, created_at=at(10, 11), status="rejected")
        old = make_lead(program, created_at=at(5, 9))
        change_status([rejected_early.id], StatusChange("rejected", "test"), ops, at(20, 10))
        change_status([old.id], StatusChange("rejected", "other"), ops, at(15, 10))
        # September and October were closed the old way: charges by program and price.
        for month, closed_at, quantity in (("2026-09", at(1, 10), 1), ("2026-10", at(1, 11), 3)):
            written = Statement(
                school_id=school.id,
                month=month,
                closed_at=closed_at,
                total_cents=2500 * quantity,
                lines_by_lead=False,
            )
            written.lines = [
                StatementLine(
                    position=1,
                    kind="charge",
                    program_id=program.id,
                    program="Pharmacy Technician",
                    price_cents=2500,
                    quantity=quantity,
                    amount_cents=2500 * quantity,
                )
            ]
            db.session.add(written)
        db.session.commit()
        row = request_return(school.id, returned.id, "other", "moved", Actor("s@x"), at(2, 11), 60)
        decide_return(row.id, True, "", ops, at(4, 11))
        change_status([rejected_late.id], StatusChange("rejected", "test"), ops, at(6, 11))
        ids = {
            "returned": returned.id,
            "late": rejected_late.id,
            "none": no_history.id,
            "old": old.id,
        }
        kept_id, school_id = kept.id, school.id
        db.session.remove()
        downgrade(revision="0009")
        before = datetime.now(UTC)
        upgrade()

        changes = {
            change.lead_id: change
            for change in db.session.scalars(select(BillingChange).order_by(BillingChange.id))
        }
        assert sorted(changes) == sorted(ids.values())
        assert (changes[ids["returned"]].cause, changes[ids["returned"]].created_at) == (
            "return",
            at(4, 11),
        )
        assert changes[ids["late"]].created_at == at(6, 11)
        assert changes[ids["none"]].created_at == at(10, 11)  # no history: when it arrived
        assert changes[ids["old"]].created_at >= before  # October is closed: now, not lost
        assert {c.amount_cents for c in changes.values()} == {-2500}

        october = statement(school_id, date(2026, 10, 1), at(1, 12))
        assert october.closed and october.total_cents == 7500
        assert [(x.kind, x.lead_id, x.quantity, x.note) for x in october.lines] == [
            ("charge", None, 3, "3 leads at $25.00")
        ]
        november = statement(school_id, date(2026, 11, 1), at(1, 12))
        assert [(x.kind, x.lead_id, x.amount_cents) for x in november.lines] == [
            ("charge", ids["none"], 2500),
            ("credit", ids["returned"], -2500),
            ("credit", ids["late"], -2500),
            ("credit", ids["none"], -2500),
        ]
        # What October and November bill between them: the one lead still billable of theirs.
        assert october.total_cents + november.total_cents == 2500
        assert db.session.get(Lead, kept_id).billable
        dispose_engines()


def test_0014_gives_tokens_their_maker_and_revokes_a_disabled_makers(empty_database_url):
    """Tokens stored before 0014 find the school user who made them by the email recorded,
    within their school; a token whose maker is already disabled is revoked, as disabling
    would have done; a token from the shell keeps no maker and stays live."""
    from portal.services.school_api import create_token
    from tests.support.factories import make_school_user

    app = create_app(base_settings(empty_database_url))
    with app.app_context():
        upgrade()
        load_zip_codes()
        school, other_school = make_school(), make_school()
        active = make_school_user(school, "active@school.example")
        gone = make_school_user(school, "gone@school.example")
        gone.is_enabled = False
        db.session.commit()
        ids = {
            "active": create_token(school.id, active.email)[0].id,
            "gone": create_token(school.id, gone.email)[0].id,
            "shell": create_token(school.id, "shell (ops)")[0].id,
            # The same email at another school is not its maker.
            "elsewhere": create_token(other_school.id, active.email)[0].id,
        }
        makers = {"active": active.id, "gone": gone.id, "shell": None, "elsewhere": None}
        db.session.remove()
        downgrade(revision="0009")
        upgrade()
        with db.engine.connect() as conn:
            rows = {
                row[0]: (row[1], row[2] is not None)
                for row in conn.execute(
                    text("SELECT id, created_by_id, revoked_at FROM school_api_token")
                )
            }
        for name, token_id in ids.items():
            assert rows[token_id] == (makers[name], name == "gone"), name
        dispose_engines()
