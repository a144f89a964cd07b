"""The search log's writer: each search as a row, at once or in small batches.

Written at once (SEARCH_LOG_BATCH_SECONDS = 0), a search costs a transaction of its own. In
batches, a search only adds a row to this process's buffer; the buffer is written in one
INSERT when it holds SEARCH_LOG_BATCH_ROWS rows, at most SEARCH_LOG_BATCH_SECONDS after its
first row (by a timer thread), and when the process exits normally. A process killed outright
loses at most that last moment's rows. The search log holds no personal data and never a
lead; it shows demand, where losing a second of it changes nothing.
"""

import atexit
import logging
import threading
import weakref

from flask import Flask, current_app
from sqlalchemy import insert, text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import SearchLog, utcnow
from portal.services.matching import Filters

LOG = logging.getLogger(__name__)


class SearchLogWriter:
    """Writes search log rows for one app: at once, or batched as the settings say."""

    def __init__(self, app: Flask, seconds: float, max_rows: int):
        self._app = weakref.ref(app)
        self.seconds = seconds
        self.max_rows = max_rows
        self._rows = self._empty()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    @property
    def batched(self) -> bool:
        """Whether rows wait in a buffer rather than being written with their search."""
        return self.seconds > 0

    def add(self, *rows: dict) -> None:
        """Write the rows (in one statement), or buffer them and see that they are written
        soon."""
        if not rows:
            return
        if not self.batched:
            self.write_now(list(rows))
            return
        with self._lock:
            full = self._keep(self._rows, rows) >= self.max_rows
            if not full and self._timer is None:
                self._timer = threading.Timer(self.seconds, self.flush)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.flush()

    def flush(self) -> int:
        """Write every buffered row in one INSERT; return how many were written."""
        with self._lock:
            rows, self._rows = self._rows, self._empty()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        app = self._app()
        if not rows or app is None:
            return 0
        try:
            with app.app_context(), db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
                self.write(conn, rows)
        except SQLAlchemyError as error:
            # Demand figures, not leads: keep serving searches, say how many rows were lost.
            written = self._count(rows)
            LOG.warning("%s: %d rows not written (%s)", self.name, written, type(error).__name__)
            return 0
        return self._count(rows)

    name = "search log"

    @staticmethod
    def _empty() -> list[dict]:
        """A new, empty buffer."""
        return []

    @staticmethod
    def _keep(buffer: list[dict], rows: tuple[dict, ...]) -> int:
        """Add `rows` to `buffer`; return how many rows it now holds."""
        buffer.extend(rows)
        return len(buffer)

    @staticmethod
    def _count(buffer: list[dict]) -> int:
        """How many of what is counted (searches) `buffer` holds."""
        return len(buffer)

    def write(self, conn, rows: list[dict]) -> None:
        """Write buffered rows on `conn` (in its transaction)."""
        conn.execute(insert(SearchLog), rows)

    def write_now(self, rows: list[dict]) -> None:
        """Write the rows with their request (unbatched)."""
        _write_now(rows)


def install_writer(app: Flask, kind: type[SearchLogWriter], key: str) -> SearchLogWriter:
    """Give the app a writer of `kind` as app.extensions[key], batched as the settings say;
    a batched writer flushes when the process exits."""
    writer = kind(
        app,
        seconds=app.config["SEARCH_LOG_BATCH_SECONDS"],
        max_rows=app.config["SEARCH_LOG_BATCH_ROWS"],
    )
    app.extensions[key] = writer
    if writer.batched:
        atexit.register(writer.flush)
    return writer


def init_search_log(app: Flask) -> SearchLogWriter:
    """Give the app its search log writer."""
    return install_writer(app, SearchLogWriter, "search_log")


def record_search(
    zip_code: str, state: str | None, filters: Filters, result_count: int, page: int = 1
) -> None:
    """Log one search: ZIP, state (None: a ZIP we don't know), filters and how many listings
    it found, nothing else. Only a search's first page is logged, so paging through results
    does not count as more searches; a page answered from the page cache counts like any."""
    if page != 1:
        return
    current_app.extensions["search_log"].add(
        {
            "created_at": utcnow(),
            "zip_code": zip_code,
            "state": state,
            "career": filters.career,
            "credential_level": filters.credential_level,
            "modality": filters.modality,
            "radius_miles": filters.radius_miles,
            "result_count": result_count,
        }
    )


def _write_now(rows: list[dict]) -> None:
    """Commit the rows in the request's session, without waiting for the disk where possible.

    On PostgreSQL the transaction (only the log row) commits with synchronous_commit off: a
    server crash may lose the last moment's search log rows, never a lead, and the visitor
    doesn't wait for a WAL flush. SQLite has no per-transaction switch.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.execute(insert(SearchLog), rows)
    db.session.commit()
