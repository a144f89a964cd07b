"""CSV export of leads: a stable column set, streamed in constant memory, and audited.

The file is RFC 4180 CSV in UTF-8 (no byte-order mark) with CRLF line ends and a header row.
Times are UTC ISO 8601 to the second; phones E.164; every text cell that starts with a
character a spreadsheet would run as a formula is prefixed with ' (OWASP). All of that is done
by the database in the SELECT, except that on SQLite text cells are neutralised and quoted in
Python (csv_cells), which is cheaper there than SQL CASE expressions; PostgreSQL does it all in
COPY ... TO STDOUT. The two paths write byte-identical files (a test checks this).

"Mark as exported" first claims the leads in one UPDATE ... WHERE export_id IS NULL, commits,
then streams exactly the leads it claimed, so two exports never both get a lead, and a lead
that arrives mid-export is left for the next one. An export that does not finish gives its
leads back.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Connection, Select, select, update
from sqlalchemy.orm import InstrumentedAttribute

from portal.extensions import db
from portal.models import Campus, Lead, LeadExport, Program, School, utcnow
from portal.services.admin_leads import LeadFilters
from portal.services.csv_cells import csv_line
from portal.services.sql import e164_or_neutralised, neutralised, utc_iso, yes_no

CHUNK_ROWS = 500  # small chunks keep peak memory low; larger ones are no faster


@dataclass(frozen=True)
class Actor:
    """Who runs an export: an admin on the web, or someone at the shell."""

    name: str
    source: str  # "web" or "cli"
    admin_id: int | None = None


@dataclass(frozen=True)
class ExportOptions:
    """How to export: the lead filters plus the export's own switches."""

    filters: LeadFilters = LeadFilters()
    not_exported: bool = False
    mark_exported: bool = False
    include_duplicates: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions on Lead for the leads this export covers."""
        conditions = self.filters.conditions()
        if not self.include_duplicates:
            conditions.append(Lead.billable.is_(True))
        if self.not_exported or self.mark_exported:
            conditions += [Lead.export_id.is_(None), Lead.exported_at.is_(None)]
        if self.mark_exported:
            conditions.append(Lead.status == "new")  # a rejected lead is never sent
        return conditions

    def as_record(self) -> str:
        """The filters and switches as JSON for the audit record."""
        values = self.filters.as_record()
        if self.include_duplicates:
            values["include_duplicates"] = True
        return json.dumps(values, sort_keys=True)


EXPORT_COLUMNS: list[tuple[str, InstrumentedAttribute, str]] = [
    # (header, source column, kind); kinds: number, time, flag, phone, text.
    ("lead_id", Lead.id, "number"),
    ("created_at", Lead.created_at, "time"),
    ("status", Lead.status, "text"),
    ("billable", Lead.billable, "flag"),
    ("duplicate_of_id", Lead.duplicate_of_id, "number"),
    ("school_id", Lead.school_id, "number"),
    ("school", School.name, "text"),
    ("program_id", Lead.program_id, "number"),
    ("program_external_id", Program.external_id, "text"),
    ("program", Program.title, "text"),
    ("campus", Campus.name, "text"),
    ("career", Lead.career, "text"),
    ("price_cents", Lead.price_cents, "number"),
    ("first_name", Lead.first_name, "text"),
    ("last_name", Lead.last_name, "text"),
    ("email", Lead.email, "text"),
    ("phone", Lead.phone_e164, "phone"),
    ("zip_code", Lead.zip_code, "text"),
    ("state", Lead.state, "text"),
    ("education_level", Lead.education_level, "text"),
    ("start_timeframe", Lead.start_timeframe, "text"),
    ("consented_at", Lead.consented_at, "time"),
    ("consent_text", Lead.consent_text, "text"),
    ("consent_sha256", Lead.consent_sha256, "text"),
    ("ip_address", Lead.ip_address, "text"),
    ("user_agent", Lead.user_agent, "text"),
    ("page_url", Lead.page_url, "text"),
    ("referrer", Lead.referrer, "text"),
    ("utm_source", Lead.utm_source, "text"),
    ("utm_medium", Lead.utm_medium, "text"),
    ("utm_campaign", Lead.utm_campaign, "text"),
    ("utm_term", Lead.utm_term, "text"),
    ("utm_content", Lead.utm_content, "text"),
    ("exported_at", Lead.exported_at, "time"),
    ("export_id", Lead.export_id, "number"),
]
EXPORT_HEADER = [name for name, _, _ in EXPORT_COLUMNS]
# Cells written as the database gives them (no second neutralising in Python).
_PHONE_INDEX = frozenset(i for i, (_, _, kind) in enumerate(EXPORT_COLUMNS) if kind == "phone")


def _cell(column: InstrumentedAttribute, kind: str, neutralise_text: bool) -> ColumnElement:
    """The SQL for one cell: times as UTC ISO text, flags as true/false, phones as E.164."""
    if kind == "time":
        return utc_iso(column)
    if kind == "flag":
        return yes_no(column)
    if kind == "phone":
        return e164_or_neutralised(column)
    if kind == "text" and neutralise_text:
        return neutralised(column)
    return column


def export_query(*conditions: ColumnElement[bool], neutralise_text: bool = True) -> Select:
    """SELECT the export's cells for the leads meeting `conditions`, oldest first.

    With neutralise_text the database also defuses formulas in text cells (for COPY);
    without, the caller does it in Python (faster than SQL CASE expressions on SQLite).
    """
    cells = [
        _cell(column, kind, neutralise_text).label(name) for name, column, kind in EXPORT_COLUMNS
    ]
    return (
        select(*cells)
        .select_from(Lead)
        .join(School, School.id == Lead.school_id)
        .join(Program, Program.id == Lead.program_id)
        .outerjoin(Campus, Campus.id == Lead.campus_id)
        .where(*conditions)
        .order_by(Lead.id)
    )


@dataclass
class ExportSummary:
    """Filled in by export_leads_csv as it runs: the export's id, rows written, outcome."""

    export_id: int | None = None
    row_count: int = 0
    state: str = "not started"


def export_leads_csv(
    options: ExportOptions, actor: Actor, summary: ExportSummary | None = None
) -> Iterator[bytes]:
    """Yield the CSV of the leads `options` selects, in chunks, and record the export.

    Nothing happens until the first chunk is asked for: then the export is recorded (and with
    mark_exported its leads claimed) and committed. The record gets its row count when the last
    chunk has been taken; an export abandoned part-way is marked aborted and unclaims its leads.
    """
    summary = summary if summary is not None else ExportSummary()
    export_id = summary.export_id = _start_export(options, actor)
    summary.state = "running"
    conditions = [Lead.export_id == export_id] if options.mark_exported else options.conditions()
    written = 0
    completed = False
    try:
        yield _header()
        for chunk, rows in _stream(db.session.connection(), conditions):
            written += rows
            yield chunk
        completed = True
    finally:
        summary.row_count = written
        summary.state = _finish_export(export_id, written, completed)


def _header() -> bytes:
    """The CSV header row."""
    return csv_line(EXPORT_HEADER).encode("utf-8")


def _start_export(options: ExportOptions, actor: Actor) -> int:
    """Record the export and, with mark_exported, claim its leads; commit; return its id."""
    export = LeadExport(
        admin_id=actor.admin_id,
        actor=actor.name,
        source=actor.source,
        filters=options.as_record(),
        not_exported=options.not_exported or options.mark_exported,
        mark_exported=options.mark_exported,
        state="running",
        row_count=0,
    )
    db.session.add(export)
    db.session.flush()
    if options.mark_exported:
        db.session.execute(
            update(Lead)
            .where(*options.conditions())
            .values(export_id=export.id, exported_at=utcnow(), status="exported")
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return export.id


def _finish_export(export_id: int, written: int, completed: bool) -> str:
    """Write the row count and outcome; an unfinished marking export gives its leads back."""
    db.session.rollback()
    export = db.session.get(LeadExport, export_id)
    if not completed and export.mark_exported:
        db.session.execute(
            update(Lead)
            .where(Lead.export_id == export_id)
            .values(export_id=None, exported_at=None, status="new")
            .execution_options(synchronize_session=False)
        )
    export.state = "complete" if completed else "aborted"
    export.row_count = written
    export.finished_at = utcnow()
    db.session.commit()
    return export.state


def _stream(connection: Connection, conditions: list) -> Iterator[tuple[bytes, int]]:
    """Yield (CSV bytes, row count) chunks of the leads, using COPY on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        return _stream_copy(connection, export_query(*conditions))
    return _stream_rows(connection, export_query(*conditions, neutralise_text=False))


def _stream_rows(connection: Connection, query: Select) -> Iterator[tuple[bytes, int]]:
    """Fetch the rows in batches of plain tuples (no ORM objects) and write them as CSV."""
    with connection.execute(query.execution_options(yield_per=CHUNK_ROWS)) as result:
        for rows in result.partitions():
            text = "".join([csv_line(row, _PHONE_INDEX) for row in rows])
            yield text.encode("utf-8"), len(rows)


def _stream_copy(connection: Connection, query: Select) -> Iterator[tuple[bytes, int]]:
    """Let PostgreSQL write the CSV with COPY; turn its LF row ends into RFC 4180's CRLF.

    PostgreSQL sends each row of COPY output as its own message (a protocol guarantee), so the
    last byte of each message is the row end, and a newline inside a quoted cell is left alone.
    """
    compiled = query.compile(dialect=connection.dialect)
    driver = connection.connection.driver_connection
    recode = driver.info.encoding if driver.info.encoding != "utf-8" else None
    statement = f"COPY ({compiled.string}) TO STDOUT WITH (FORMAT csv)"
    with driver.cursor() as cursor:
        cursor.execute("SET LOCAL DateStyle TO ISO")  # the time format utc_iso relies on
        yield from _copy_chunks(cursor, statement, compiled.params, recode)


def _copy_chunks(
    cursor, statement: str, params: dict, recode: str | None
) -> Iterator[tuple[bytes, int]]:
    """Run the COPY and yield its rows in CRLF-terminated chunks."""
    with cursor.copy(statement, params) as copy:
        rows: list = []
        for data in copy:  # each a memoryview owning its message, so keeping it is safe
            row = data[:-1]
            rows.append(bytes(row).decode(recode).encode("utf-8") if recode else row)
            if len(rows) == CHUNK_ROWS:
                yield b"\r\n".join(rows) + b"\r\n", len(rows)
                rows = []
        if rows:
            yield b"\r\n".join(rows) + b"\r\n", len(rows)


def list_exports(page: int = 1, per_page: int = 50) -> Pagination:
    """One page of the export records, newest first."""
    query = select(LeadExport).order_by(LeadExport.created_at.desc(), LeadExport.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
