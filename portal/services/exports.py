"""CSV export of leads: two documented column sets, streamed in constant memory, and audited.

A file is RFC 4180 CSV in UTF-8 (with a byte-order mark only when asked for, for Excel), CRLF
line ends and a header row; or, per school, a zip of one such file per school. Every text cell
that starts with a character a spreadsheet would run as a formula is prefixed with ' (OWASP).

- `full` (the operator's): times UTC ISO 8601 to the second, phones E.164, codes as stored.
  The database does all of it in the SELECT, except that on SQLite text cells are neutralised
  and quoted in Python (csv_cells), which is cheaper there than SQL CASE expressions;
  PostgreSQL does it all in COPY ... TO STDOUT. The two paths write byte-identical files.
- `school` (for a school's admissions team): readable headers and labels, the phone written
  as (312) 555-0100 so spreadsheets keep it as text, times UTC; no prices, IP addresses,
  hashes or attribution. Made in Python from plain rows on both databases.

"Mark as exported" first claims the leads in one UPDATE ... WHERE export_id IS NULL (and notes
each in the export's items and the lead's history), commits, then streams exactly the leads it
claimed, so two exports never both get a lead, and a lead that arrives mid-export is left for
the next one. An export that does not finish gives its leads back.

Any complete export can be downloaded again (recorded as an export of its own): a marking
export gives exactly the leads it marked; one that did not mark is run again with its filters,
over the leads that had arrived when it ran (see repeat_export).

A school user's downloads of the school's own leads and statements are recorded here too
(recorded_download): who, when, the filters, the rows; they are not downloaded again.
"""

import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    ColumnElement,
    Connection,
    Lateral,
    Select,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from portal.extensions import db
from portal.models import (
    EXPORT_COLUMN_SETS,
    LEAD_OUTCOMES,
    Campus,
    Lead,
    LeadExport,
    LeadExportItem,
    Program,
    School,
    utcnow,
)
from portal.services.admin_leads import LeadFilters
from portal.services.careers import career_name
from portal.services.csv_cells import csv_line
from portal.services.lead_status import Editor, record_export_marks
from portal.services.leads import EDUCATION_LEVELS, START_TIMEFRAMES
from portal.services.sql import e164_or_neutralised, neutralised, utc_iso, yes_no

CHUNK_ROWS = 500  # small chunks keep peak memory low; larger ones are no faster
# Every export leaves out the leads whose person opted out ("Do Not Sell or Share").
NOT_OPTED_OUT = Lead.opted_out_at.is_(None)


@dataclass(frozen=True)
class Actor:
    """Who runs an export: an admin on the web, someone at the shell, or a school user
    downloading the school's own leads or statement."""

    name: str
    source: str  # "web", "cli" or "school"
    admin_id: int | None = None
    school_user_id: int | None = None
    school_id: int | None = None


class ExportNotFound(LookupError):
    """No export has this id."""


class CannotRepeat(RuntimeError):
    """The export cannot be downloaded again (it did not complete); the message says why."""


@dataclass(frozen=True)
class ExportOptions:
    """How to export: the lead filters, which leads besides, and how the file is made.

    Non-billable repeats and rejected leads are left out unless asked for (a filter on the
    status rejected asks for rejected ones). `as_of`, for downloading an export again, keeps
    to the leads that had arrived by then, and counts as "not yet exported" what was not then.
    """

    filters: LeadFilters = LeadFilters()
    not_exported: bool = False
    mark_exported: bool = False
    include_duplicates: bool = False
    include_rejected: bool = False
    columns: str = "full"
    bom: bool = False
    per_school: bool = False
    as_of: datetime | None = None

    def __post_init__(self):
        if self.columns not in EXPORT_COLUMN_SETS:
            raise ValueError(f"unknown column set {self.columns!r}")

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions on Lead for the leads this export covers (never one whose person
        opted out)."""
        conditions = [*self.filters.conditions(), NOT_OPTED_OUT]
        if not self.include_duplicates:
            conditions.append(Lead.duplicate_of_id.is_(None))
        if not (self.include_rejected or self.filters.status == "rejected"):
            conditions.append(Lead.status != "rejected")
        if self.as_of is not None:
            conditions.append(Lead.created_at < self.as_of)
            if self.not_exported:
                conditions.append(or_(Lead.exported_at.is_(None), Lead.exported_at >= self.as_of))
        elif self.not_exported or self.mark_exported:
            conditions += [Lead.export_id.is_(None), Lead.exported_at.is_(None)]
        if self.mark_exported:
            conditions.append(Lead.status == "new")  # a rejected lead is never sent
        return conditions

    def as_record(self) -> str:
        """The filters and which leads besides, as JSON for the audit record."""
        values = self.filters.as_record()
        if self.include_duplicates:
            values["include_duplicates"] = True
        if self.include_rejected:
            values["include_rejected"] = True
        return json.dumps(values, sort_keys=True)

    @classmethod
    def of(cls, export: LeadExport) -> "ExportOptions":
        """The options an export was recorded with (it marks nothing a second time)."""
        values = json.loads(export.filters)
        flags = {key: bool(values.pop(key, False)) for key in ("include_duplicates",)}
        flags["include_rejected"] = bool(values.pop("include_rejected", False))
        return cls(
            filters=LeadFilters.from_record(values),
            not_exported=export.not_exported,
            columns=export.columns,
            bom=export.bom,
            per_school=export.per_school,
            **flags,
        )


EXPORT_COLUMNS: list[tuple[str, InstrumentedAttribute, str]] = [
    # (header, source column, kind); kinds: number, time, flag, phone, text, and code: text
    # that only our code writes, from a fixed set or a checked pattern (a status, a career's
    # slug, a ZIP's five digits, a state's code, a form choice, our consent wording and its
    # hash), which can never start a formula, so neither export path pays to neutralise it.
    ("lead_id", Lead.id, "number"),
    ("created_at", Lead.created_at, "time"),
    ("status", Lead.status, "code"),
    ("billable", Lead.billable, "flag"),
    ("duplicate_of_id", Lead.duplicate_of_id, "number"),
    ("school_id", Lead.school_id, "number"),
    ("school", School.name, "text"),
    ("program_id", Lead.program_id, "number"),
    ("program_external_id", Program.external_id, "text"),
    ("program", Program.title, "text"),
    ("campus", Campus.name, "text"),
    ("career", Lead.career, "code"),
    ("price_cents", Lead.price_cents, "number"),
    ("first_name", Lead.first_name, "text"),
    ("last_name", Lead.last_name, "text"),
    ("email", Lead.email, "text"),
    ("phone", Lead.phone_e164, "phone"),
    ("zip_code", Lead.zip_code, "code"),
    ("state", Lead.state, "code"),
    ("education_level", Lead.education_level, "code"),
    ("start_timeframe", Lead.start_timeframe, "code"),
    ("consented_at", Lead.consented_at, "time"),
    ("consent_text", Lead.consent_text, "code"),
    ("consent_sha256", Lead.consent_sha256, "code"),
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
    ("explicit_request", Lead.explicit_request, "flag"),
    ("erased_at", Lead.erased_at, "time"),
]
EXPORT_HEADER = [name for name, _, _ in EXPORT_COLUMNS]
# Cells written as the database gives them (no second neutralising in Python).
_KEPT_AS_IS = frozenset(
    i for i, (_, _, kind) in enumerate(EXPORT_COLUMNS) if kind in ("phone", "code")
)


def readable_phone(e164: str | None) -> str | None:
    """A US number in E.164 as (312) 555-0100, which spreadsheets keep as text; others as is."""
    if e164 and len(e164) == 12 and e164.startswith("+1") and e164[1:].isdigit():
        return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return e164


def readable_time(iso: str | None) -> str | None:
    """UTC ISO 8601 text (2026-11-27T03:20:00Z) as 2026-11-27 03:20:00."""
    return f"{iso[:10]} {iso[11:19]}" if iso else iso


def _label(labels: dict[str, str]) -> Callable[[str | None], str | None]:
    """A converter from a stored code to its label (an unknown code stays as it is)."""
    return lambda code: labels.get(code, code) if code else code


# The school's column set: (header, source column, how the value is shown).
SCHOOL_COLUMNS: list[tuple[str, ColumnElement, Callable | None]] = [
    ("Lead ID", Lead.id, None),
    ("Received (UTC)", utc_iso(Lead.created_at), readable_time),
    ("School", School.name, None),
    ("Program", Program.title, None),
    ("Program code", Program.external_id, None),
    ("Campus", Campus.name, lambda name: name or "Online"),
    ("Career", Lead.career, lambda slug: career_name(slug) or slug),
    ("First name", Lead.first_name, None),
    ("Last name", Lead.last_name, None),
    ("Email", Lead.email, None),
    ("Phone", Lead.phone_e164, readable_phone),
    ("ZIP code", Lead.zip_code, None),
    ("State", Lead.state, None),
    ("Highest education", Lead.education_level, _label(EDUCATION_LEVELS)),
    ("Wants to start", Lead.start_timeframe, _label(START_TIMEFRAMES)),
    ("Consented at (UTC)", utc_iso(Lead.consented_at), readable_time),
    ("Consent text", Lead.consent_text, None),
    ("Consent page", Lead.page_url, None),
    ("Repeat of lead", Lead.duplicate_of_id, None),
    # The signed consent receipt (a compact JWS, always "eyJ...": never a formula); empty for
    # leads stored before receipts.
    ("Consent receipt", Lead.consent_receipt, None),
    ("Details erased (UTC)", utc_iso(Lead.erased_at), readable_time),
]
SCHOOL_HEADER = [name for name, _, _ in SCHOOL_COLUMNS]
_SCHOOL_CONVERTERS = [(i, show) for i, (_, _, show) in enumerate(SCHOOL_COLUMNS) if show]
HEADERS = {"full": EXPORT_HEADER, "school": SCHOOL_HEADER}
BOM = "\ufeff".encode()


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
    if kind == "code" and neutralise_text:
        return func.nullif(column, "")  # as neutralised() writes empty text: an empty cell
    return column


def export_query(*conditions: ColumnElement[bool], neutralise_text: bool = True) -> Select:
    """SELECT the full set's cells for the leads meeting `conditions`, oldest first.

    With neutralise_text the database also defuses formulas in text cells (for COPY, so on
    PostgreSQL only); without, the caller does it in Python (faster than SQL CASE expressions
    on SQLite).
    """
    if not neutralise_text:
        cells = [_cell(column, kind, False).label(name) for name, column, kind in EXPORT_COLUMNS]
        return _from_leads(select(*cells), conditions)
    joined = _joined_cells()
    cells = [
        (_cell(column, kind, True) if column.class_ is Lead else joined.c[name]).label(name)
        for name, column, kind in EXPORT_COLUMNS
    ]
    query = select(*cells).select_from(Lead).join(joined, true())
    return query.where(*conditions).order_by(Lead.id)


def _joined_cells() -> Lateral:
    """The cells of a lead's school, program and campus, neutralised, as a LATERAL subquery.

    PostgreSQL then looks them up and neutralises them once per combination of the three (a
    Memoize node) rather than joining three times per lead: a third of the query's time at a
    million leads. OFFSET 0 keeps the planner from flattening it back into three joins.
    """
    cells = [
        _cell(column, kind, True).label(name)
        for name, column, kind in EXPORT_COLUMNS
        if column.class_ is not Lead
    ]
    return (
        select(*cells)
        .select_from(School)
        .join(Program, Program.id == Lead.program_id)
        .outerjoin(Campus, Campus.id == Lead.campus_id)
        .where(School.id == Lead.school_id)
        .offset(0)
        .lateral("joined")
    )


def school_query(*conditions: ColumnElement[bool]) -> Select:
    """SELECT the school set's raw values for the leads meeting `conditions`, oldest first."""
    cells = [column.label(f"c{i}") for i, (_, column, _) in enumerate(SCHOOL_COLUMNS)]
    return _from_leads(select(*cells), conditions)


def _from_leads(query: Select, conditions) -> Select:
    """The export's joins, conditions and order on a SELECT of cells."""
    return (
        query.select_from(Lead)
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
    options: ExportOptions,
    actor: Actor,
    summary: ExportSummary | None = None,
    repeat_of: LeadExport | None = None,
) -> Iterator[bytes]:
    """Yield the file of the leads `options` selects (a CSV, or per school a zip), in chunks,
    and record the export (with `repeat_of`: as a download again of that export).

    Nothing happens until the first chunk is asked for: then the export is recorded (and with
    mark_exported its leads claimed) and committed. The record gets its row count when the last
    chunk has been taken; an export abandoned part-way is marked aborted and unclaims its leads.
    """
    summary = summary if summary is not None else ExportSummary()
    export_id = summary.export_id = _start_export(options, actor, repeat_of)
    summary.state = "running"
    if repeat_of is not None and repeat_of.mark_exported:
        held = select(LeadExportItem.lead_id).where(LeadExportItem.export_id == repeat_of.id)
        conditions = [Lead.id.in_(held), NOT_OPTED_OUT]
    elif options.mark_exported:
        conditions = [Lead.export_id == export_id, NOT_OPTED_OUT]
    else:
        conditions = options.conditions()
    written = 0
    completed = False
    try:
        parts = _zip(options, conditions) if options.per_school else _csv(options, conditions)
        for chunk, rows in parts:
            written += rows
            if chunk:  # a zip member's compressor may have nothing to show yet
                yield chunk
        completed = True
    finally:
        summary.row_count = written
        summary.state = _finish_export(export_id, written, completed, actor)


def _start_export(options: ExportOptions, actor: Actor, repeat_of: LeadExport | None) -> int:
    """Record the export and, with mark_exported, claim its leads; commit; return its id."""
    now = utcnow()
    export = LeadExport(
        created_at=now,
        admin_id=actor.admin_id,
        school_user_id=actor.school_user_id,
        school_id=actor.school_id,
        actor=actor.name,
        source=actor.source,
        filters=options.as_record(),
        not_exported=options.not_exported or options.mark_exported,
        mark_exported=options.mark_exported,
        columns=options.columns,
        bom=options.bom,
        per_school=options.per_school,
        repeat_of_id=repeat_of.id if repeat_of is not None else None,
        state="running",
        row_count=0,
    )
    db.session.add(export)
    db.session.flush()
    if options.mark_exported:
        db.session.execute(
            update(Lead)
            .where(*options.conditions())
            .values(export_id=export.id, exported_at=now, status="exported")
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            insert(LeadExportItem).from_select(
                ["export_id", "lead_id"],
                select(Lead.export_id, Lead.id).where(Lead.export_id == export.id),
            )
        )
        record_export_marks(export.id, Editor(actor.name, actor.admin_id), "new", "exported", now)
    db.session.commit()
    return export.id


def _finish_export(export_id: int, written: int, completed: bool, actor: Actor) -> str:
    """Write the row count and outcome; an unfinished marking export gives its leads back."""
    db.session.rollback()
    export = db.session.get(LeadExport, export_id)
    if export is None:  # deleted meanwhile (a test's cleanup): nothing left to finish
        return "aborted"
    now = utcnow()
    if not completed and export.mark_exported:
        note = f"Export #{export_id} did not finish, so its leads wait for the next one."
        editor = Editor(actor.name, actor.admin_id)
        record_export_marks(export_id, editor, "exported", "new", now, note)
        db.session.execute(
            update(Lead)
            .where(Lead.export_id == export_id)
            .values(export_id=None, exported_at=None, status="new")
            .execution_options(synchronize_session=False)
        )
        db.session.execute(delete(LeadExportItem).where(LeadExportItem.export_id == export_id))
    export.state = "complete" if completed else "aborted"
    export.row_count = written
    export.finished_at = now
    db.session.commit()
    return export.state


def _csv(options: ExportOptions, conditions) -> Iterator[tuple]:
    """(bytes, rows) chunks of one CSV file: the byte-order mark if asked, header, rows."""
    yield (BOM if options.bom else b"") + csv_line(HEADERS[options.columns]).encode("utf-8"), 0
    connection = db.session.connection()  # only now: the caller may have committed meanwhile
    if options.columns == "school":
        yield from _stream_school(connection, conditions)
    else:
        yield from _stream(connection, conditions)


def school_csv(conditions: list) -> Iterator[tuple[bytes, int]]:
    """(bytes, rows) chunks of the `school` column set's CSV of the leads meeting
    `conditions` (none whose person opted out): a school's own download from its account
    (portal.services.school_leads)."""
    yield csv_line(SCHOOL_HEADER).encode("utf-8"), 0
    yield from _stream_school(db.session.connection(), [*conditions, NOT_OPTED_OUT])


def recorded_download(
    chunks: Iterator[tuple[bytes, int]], actor: Actor, filters: dict, columns: str
) -> Iterator[bytes]:
    """Yield a school user's file from its (bytes, rows) chunks, recorded in the export audit
    like an admin's export: who, when, the filters (JSON), and, once the last chunk has been
    taken, how many rows (a download broken off is marked aborted).

    The record is written when the first chunk is asked for, before `chunks` starts.
    """
    export = LeadExport(
        created_at=utcnow(),
        school_user_id=actor.school_user_id,
        school_id=actor.school_id,
        actor=actor.name,
        source=actor.source,
        filters=json.dumps(filters, sort_keys=True),
        columns=columns,
        state="running",
        row_count=0,
    )
    db.session.add(export)
    db.session.commit()
    export_id = export.id
    written = 0
    completed = False
    try:
        for chunk, rows in chunks:
            written += rows
            yield chunk
        completed = True
    finally:
        _finish_export(export_id, written, completed, actor)


class _Sink:
    """A write-only file without seek or tell: zipfile then streams (data descriptors), and
    what it wrote so far is taken away chunk by chunk."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _zip(options: ExportOptions, conditions) -> Iterator[tuple]:
    """(bytes, rows) chunks of a zip with one CSV per school, schools by name."""
    sink = _Sink()
    stamp = utcnow().timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for school_id, name in export_schools(conditions):
            info = zipfile.ZipInfo(f"{slug(name)}-{school_id}.csv", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                for chunk, rows in _csv(options, [*conditions, Lead.school_id == school_id]):
                    member.write(chunk)
                    yield sink.take(), rows
            yield sink.take(), 0
    yield sink.take(), 0


def export_schools(conditions) -> list[tuple[int, str]]:
    """The schools (id, name) that have leads meeting `conditions`, by name."""
    query = (
        select(School.id, School.name)
        .where(School.id.in_(select(Lead.school_id).where(*conditions)))
        .order_by(School.name, School.id)
    )
    return [(school_id, name) for school_id, name in db.session.execute(query)]


def slug(text: str) -> str:
    """Text as a file name part: lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "school"


def _stream(connection: Connection, conditions: list) -> Iterator[tuple[bytes, int]]:
    """Yield (CSV bytes, row count) chunks of the leads, using COPY on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        return _stream_copy(connection, export_query(*conditions))
    return _stream_rows(connection, export_query(*conditions, neutralise_text=False))


def _stream_rows(connection: Connection, query: Select) -> Iterator[tuple[bytes, int]]:
    """Fetch the rows in batches of plain tuples (no ORM objects) and write them as CSV."""
    with connection.execute(query.execution_options(yield_per=CHUNK_ROWS)) as result:
        for rows in result.partitions():
            text = "".join([csv_line(row, _KEPT_AS_IS) for row in rows])
            yield text.encode("utf-8"), len(rows)


def _stream_school(connection: Connection, conditions: list) -> Iterator[tuple[bytes, int]]:
    """The school set's rows: plain tuples in batches, values shown readably, written as CSV."""
    query = school_query(*conditions).execution_options(yield_per=CHUNK_ROWS)
    with connection.execute(query) as result:
        for rows in result.partitions():
            lines = []
            for row in rows:
                cells = list(row)
                for index, show in _SCHOOL_CONVERTERS:
                    cells[index] = show(cells[index])
                lines.append(csv_line(cells))
            yield "".join(lines).encode("utf-8"), len(rows)


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
        # The query's many CASE expressions make the planner JIT-compile it: about 2 s before
        # the first row (in each parallel worker), more than the compiled code saves.
        cursor.execute("SET LOCAL jit TO off")
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


def list_exports(page: int = 1, per_page: int = 50, school_id: int | None = None) -> Pagination:
    """One page of the export records, newest first: all of them, or with `school_id` the
    downloads of that school's users."""
    query = select(LeadExport).options(joinedload(LeadExport.school))
    if school_id is not None:
        query = query.where(LeadExport.school_id == school_id)
    query = query.order_by(LeadExport.created_at.desc(), LeadExport.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_export(export_id: int) -> LeadExport:
    """The export with this id; raise ExportNotFound."""
    export = db.session.get(LeadExport, export_id)
    if export is None:
        raise ExportNotFound(export_id)
    return export


def repeat_export(export_id: int) -> tuple[LeadExport, ExportOptions]:
    """The export a download again repeats (the first, when `export_id` is itself a repeat),
    and the options that give its leads again; raise ExportNotFound or CannotRepeat.

    A marking export gives exactly the leads it marked. One that did not mark is run again with
    its recorded filters over the leads that had arrived when it started; a lead's status and
    marks are read as they are now, except that "not yet exported" means not exported then.
    """
    export = get_export(export_id)
    if export.source == "school":
        raise CannotRepeat(f"Export #{export.id} is a school's own download; it has no repeat.")
    while export.repeat_of is not None:
        export = export.repeat_of
    if export.state != "complete":
        raise CannotRepeat(f"Export #{export.id} did not complete, so it has no file to repeat.")
    options = ExportOptions.of(export)
    if not export.mark_exported:
        options = replace(options, as_of=export.created_at)
    return export, options


def export_filename(options: ExportOptions, now: datetime) -> str:
    """The download's file name: leads-<time>.csv, with the school's name when the filter
    picks one, or leads-by-school-<time>.zip."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    if options.per_school:
        return f"leads-by-school-{stamp}.zip"
    school_id = options.filters.school_id
    name = db.session.get(School, school_id).name if school_id is not None else None
    return f"leads-{slug(name)}-{stamp}.csv" if name else f"leads-{stamp}.csv"


STATUS_WORDS = {"new": "new", "exported": "exported", "rejected": "rejected"}


def describe_exports(exports: list[LeadExport], zone=UTC) -> dict[int, list[str]]:
    """Each export's filters in words, by export id: names rather than ids, days in `zone`."""
    schools_own = [export for export in exports if export.source == "school"]
    described = describe_school_downloads(schools_own)
    exports = [export for export in exports if export.source != "school"]
    records = {export.id: ExportOptions.of(export) for export in exports}
    school_ids = {o.filters.school_id for o in records.values() if o.filters.school_id}
    program_ids = {o.filters.program_id for o in records.values() if o.filters.program_id}
    schools = dict(
        db.session.execute(select(School.id, School.name).where(School.id.in_(school_ids))).all()
    )
    programs = dict(
        db.session.execute(
            select(Program.id, Program.title).where(Program.id.in_(program_ids))
        ).all()
    )
    for export in exports:
        options, filters = records[export.id], records[export.id].filters
        words = []
        if filters.since or filters.until:
            words.append(_period(filters.since, filters.until, zone))
        if filters.school_id:
            words.append("School: " + schools.get(filters.school_id, f"#{filters.school_id}"))
        if filters.program_id:
            name = programs.get(filters.program_id, f"#{filters.program_id}")
            words.append("Program: " + name)
        if filters.career:
            words.append("Career: " + (career_name(filters.career) or filters.career))
        if filters.state:
            words.append("State: " + filters.state)
        if filters.status:
            words.append("Status: " + STATUS_WORDS.get(filters.status, filters.status))
        if not words:
            words.append("All leads")
        if options.include_duplicates:
            words.append("duplicates included")
        if options.include_rejected:
            words.append("rejected included")
        described[export.id] = words
    return described


def _period(since: datetime | None, until: datetime | None, zone) -> str:
    """A filter's time range in words, in `zone`: whole days as days (the end inclusive)."""

    def day_or_time(value: datetime, end: bool) -> str:
        local = value.astimezone(zone)
        if local.time() == time():
            return (local.date() - timedelta(days=1) if end else local.date()).isoformat()
        return local.strftime("%Y-%m-%d %H:%M")

    if since and until:
        return f"Received {day_or_time(since, False)} to {day_or_time(until, True)}"
    if since:
        return f"Received from {day_or_time(since, False)}"
    return f"Received up to {day_or_time(until, True)}"


def describe_school_downloads(exports: list[LeadExport]) -> dict[int, list[str]]:
    """What each of a school's own downloads held, in words, by export id."""
    records = {export.id: json.loads(export.filters) for export in exports}
    program_ids = {values.get("program_id") for values in records.values()} - {None}
    campus_ids = {values.get("campus_id") for values in records.values()} - {None}
    # Names by (school, id): a filter naming another school's listing (it matched nothing)
    # must not show that listing's name to this school.
    programs = {
        (school_id, pid): title
        for pid, school_id, title in db.session.execute(
            select(Program.id, Program.school_id, Program.title).where(Program.id.in_(program_ids))
        )
    }
    campuses = {
        (school_id, cid): name
        for cid, school_id, name in db.session.execute(
            select(Campus.id, Campus.school_id, Campus.name).where(Campus.id.in_(campus_ids))
        )
    }
    described = {}
    for export in exports:
        values = records[export.id]
        if export.columns == "statement":
            described[export.id] = [f"Statement of {values.get('month', '?')}"]
            continue
        words = []
        since, until = values.get("since"), values.get("until")
        if since and until:
            words.append(f"Received {since} to {until} (UTC)")
        elif since or until:
            words.append(f"Received {'from ' + since if since else 'up to ' + until} (UTC)")
        if values.get("program_id"):
            pid = values["program_id"]
            words.append("Program: " + programs.get((export.school_id, pid), f"#{pid}"))
        if values.get("campus_id"):
            cid = values["campus_id"]
            words.append("Campus: " + campuses.get((export.school_id, cid), f"#{cid}"))
        if values.get("outcome"):
            outcome = values["outcome"]
            words.append("Outcome: " + LEAD_OUTCOMES.get(outcome, "none recorded"))
        described[export.id] = words or ["All the school's leads"]
    return described
