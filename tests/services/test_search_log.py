"""The search log writer: at once, or in batches written by size, by time and at exit."""

import subprocess
import sys
import textwrap
import time

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.models import SearchLog
from portal.services.matching import Filters
from portal.services.search_log import SearchLogWriter, record_search


def logged_zips(app) -> list[str]:
    with app.app_context():
        db.session.remove()
        return db.session.scalars(select(SearchLog.zip_code).order_by(SearchLog.id)).all()


def batched(app, seconds: float = 60, max_rows: int = 3) -> SearchLogWriter:
    writer = SearchLogWriter(app, seconds=seconds, max_rows=max_rows)
    app.extensions["search_log"] = writer
    return writer


def search(app, zip_code: str) -> None:
    with app.test_request_context():
        record_search(zip_code, "IL", Filters(career="medical-assistant"), 4)


def test_unbatched_rows_are_written_with_their_search(app):
    search(app, "60601")
    assert logged_zips(app) == ["60601"]
    with app.app_context():
        row = db.session.scalars(select(SearchLog)).one()
        assert (row.state, row.career, row.radius_miles, row.result_count) == (
            "IL",
            "medical-assistant",
            50,
            4,
        )


def test_a_full_batch_is_written_in_one_go(app):
    batched(app, max_rows=3)
    search(app, "60601")
    search(app, "60602")
    assert logged_zips(app) == []
    search(app, "60603")
    assert logged_zips(app) == ["60601", "60602", "60603"]


def test_a_batch_is_written_when_its_time_is_up(app):
    writer = batched(app, seconds=0.05, max_rows=100)
    search(app, "60601")
    deadline = time.monotonic() + 10
    while logged_zips(app) == [] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert logged_zips(app) == ["60601"]
    assert writer.flush() == 0


def test_a_failed_write_is_reported_without_the_rows_and_searches_go_on(app, caplog):
    writer = batched(app, max_rows=100)
    search(app, "60601")

    def refuse(conn, cursor, statement, *args):
        if "search_log" in statement:
            raise OperationalError(statement, {}, Exception("the database went away"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        assert writer.flush() == 0
    finally:
        event.remove(engine, "before_cursor_execute", refuse)
    assert "search log: 1 rows not written (OperationalError)" in caplog.text
    assert "60601" not in caplog.text
    search(app, "60602")
    assert writer.flush() == 1
    assert logged_zips(app) == ["60602"]


def test_a_process_that_exits_normally_writes_its_buffer(tmp_path):
    database = tmp_path / "exit.sqlite3"
    script = textwrap.dedent(
        f"""
        from flask_migrate import upgrade
        from portal import create_app
        from portal.services.matching import Filters
        from portal.services.search_log import record_search

        app = create_app({{
            "SQLALCHEMY_DATABASE_URI": "sqlite:///{database}",
            "SEARCH_LOG_BATCH_SECONDS": 3600,
        }})
        with app.app_context():
            upgrade()
        with app.test_request_context():
            record_search("60601", "IL", Filters(), 2)
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, timeout=60)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT zip_code, result_count FROM search_log")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("60601", 2)]
