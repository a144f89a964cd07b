"""Hot reads outside a transaction (portal.core.reads): the same rows as SQLAlchemy gives, a
connection the server dropped is replaced without the visitor noticing, and statements that
can't be kept are refused."""

import re
from datetime import date

import pytest
from sqlalchemy import bindparam, column, func, literal, select, text

from portal.core.reads import BIND, CompiledRead, read_rows
from portal.extensions import db
from portal.models import Program
from portal.services.geo import find_zip
from portal.services.matching import Filters, _parameters, _shape, _statements
from tests.support.factories import make_program
from tests.support.settings import POSTGRES_ONLY

TODAY = date(2026, 11, 27)


def page_statement_and_values(filters: Filters):
    """The results page's statement for a search from Chicago, and its values."""
    values = _parameters(find_zip("60601"), filters, TODAY, None) | {"offset": 0, "limit": 10}
    return _statements(_shape(filters, None)).page, values


def test_rows_are_what_sqlalchemy_gives_conversions_included(app):
    with app.app_context():
        make_program(
            title="Evening Billing",
            schedule=("evenings", "weekends"),
            next_start_dates=(date(2027, 1, 11), date(2027, 3, 1)),
        )
        make_program(title="Online Coding", modality="online", states=("IL",), schedule=())
        for sort in ("sponsored", "distance", "tuition"):
            statement, values = page_statement_and_values(Filters(sort=sort))
            expected = db.session.connection().execute(statement, values).all()
            rows = read_rows(statement, values)
            assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
            assert [row._fields for row in rows][0] == tuple(expected[0]._fields)
        by_title = {row.title: row for row in rows}
        assert by_title["Evening Billing"].schedule == ("evenings", "weekends")
        assert by_title["Evening Billing"].next_start_dates == (date(2027, 1, 11), date(2027, 3, 1))
        assert by_title["Online Coding"].schedule == () and by_title["Online Coding"].lat is None


def test_only_postgresql_has_the_reads_engine(app):
    with app.app_context():
        assert (BIND in db.engines) == (db.engine.dialect.name == "postgresql")
        if BIND in db.engines:
            reads = db.engines[BIND]
            assert reads.url == db.engine.url
            assert reads.pool._pre_ping is False
            with reads.connect() as connection:
                assert connection.connection.driver_connection.autocommit is True


@POSTGRES_ONLY
def test_a_connection_the_server_dropped_is_replaced_and_the_search_answers(app, client, caplog):
    with app.app_context():
        make_program(title="Still Here")
        assert "Still Here" in client.get("/programs?zip=60601").get_data(as_text=True)
        with db.engines[BIND].connect() as connection:  # the connection the search used
            pid = connection.connection.driver_connection.info.backend_pid
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        response = client.get("/programs?zip=60601&radius=25")  # another page: not the cache's
        assert response.status_code == 200
        assert "Still Here" in response.get_data(as_text=True)
        with db.engines[BIND].connect() as connection:
            assert connection.connection.driver_connection.info.backend_pid != pid
    failed = [r.getMessage() for r in caplog.records if "read failed" in r.getMessage()]
    # What kind of error, never its message (which may quote the statement's values).
    assert len(failed) == 1 and re.fullmatch(
        r"read failed \(\w+\); again on a new connection", failed[0]
    )


@POSTGRES_ONLY
def test_a_database_that_is_gone_is_a_503_not_a_500(app, client, monkeypatch):
    with app.app_context():
        make_program()
        reads = db.engines[BIND]
        with reads.connect() as connection:
            pid = connection.connection.driver_connection.info.backend_pid
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # Every new connection now fails, as when the server is down.
        monkeypatch.setattr(reads.dialect, "connect", _refuse)
        response = client.get("/programs?zip=60601")
    assert response.status_code == 503


def _refuse(*_args, **_kwargs):
    import psycopg

    raise psycopg.OperationalError("connection refused")


def test_statements_that_cannot_be_kept_are_refused(app):
    with app.app_context():
        dialect = db.engine.dialect
        unnamed = select(func.count()).select_from(Program)
        with pytest.raises(ValueError, match="needs a name"):
            CompiledRead(unnamed, dialect)
        expanding = select(Program.id).where(Program.modality.in_(bindparam("m", expanding=True)))
        with pytest.raises(ValueError, match="rewritten per call"):
            CompiledRead(expanding, dialect)
        kept = CompiledRead(select(literal(1).label("one"), column("x")), dialect)
        assert kept.Row._fields == ("one", "x")
