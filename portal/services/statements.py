"""Monthly statements that reconcile to the lead: one line per lead a school received in a
(UTC) month, and one per change to its bill made in the month.

The lines, in this order:

- each lead received in the month, by arrival: `charge` (billed), `duplicate` (a repeat of a
  billed request, received but not billed: "repeats lead N") or `return_pending` (billed, the
  school's return waiting for the admin's decision);
- each billing change made in the month (portal.services.billing), whatever month its lead
  arrived in: `credit` (a return approved, or the lead rejected by an admin) or `charge` (a
  rejection taken back), naming the month the lead was received and charged in.

A lead received and credited in the same month therefore shows twice, its charge and then the
credit that cancels it, exactly as a lead of an earlier month credited this month shows its
credit here; the total is the sum of the lines, and the summary (by kind and program, one
aggregate query) adds up to it.

A month that has ended is closed (CLOSE_AFTER past its end): the first time its statement
is asked for, or before a lead of it is deleted on request, its lines as they stood at the
month's end are written to `statement` and `statement_line` (in words and cents) and read
from there ever after, so a closed month never changes and anything decided later is on the
month it was decided in. The month under way is computed each time. A lead deleted on
request before its month closed is on no statement: neither billed nor credited.
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.models import (
    REJECT_REASONS,
    BillingChange,
    Lead,
    LeadReturn,
    Program,
    School,
    Statement,
    StatementLine,
)
from portal.services.csv_cells import csv_line
from portal.services.exports import Actor, recorded_download
from portal.services.school_leads import Actor as SchoolActor

PER_PAGE = 100
MAX_PAGE = 100_000  # ten million lines: any page number past it shows the last empty one
CSV_HEADER = ["line", "lead_id", "received_at", "program", "amount_usd", "note"]
# The order of the kinds in a summary.
KIND_ORDER = {"charge": 0, "return_pending": 1, "duplicate": 2, "credit": 3}
CHUNK_ROWS = 500
# An ended month is written this long after its end, so a decision whose transaction was
# still open at midnight (dated in the month, committed a moment later) is on it; until then
# it is computed as it stood at its end.
CLOSE_AFTER = timedelta(minutes=5)
MONTH = re.compile(r"(\d{4})-(\d{2})")


class InvalidMonth(ValueError):
    """Not a month as YYYY-MM, or one not yet begun."""


class NoSuchSchool(LookupError):
    """No school has this id."""


def parse_month(text: str | None, today: date) -> date:
    """The first day of the month YYYY-MM (this month when not given); InvalidMonth for
    anything else, or a month not yet begun."""
    if not text:
        return today.replace(day=1)
    match = MONTH.fullmatch(text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise InvalidMonth("Give the month as YYYY-MM, e.g. 2026-11.")
    first = date(int(match[1]), int(match[2]), 1)
    if first > today:
        raise InvalidMonth("That month has not begun.")
    return first


def month_text(first: date) -> str:
    """The month as YYYY-MM."""
    return first.strftime("%Y-%m")


def next_month(first: date) -> date:
    """The first day of the following month."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    """The first day of the month before."""
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def month_bounds(first: date) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in UTC."""
    start = datetime.combine(first, time(), tzinfo=UTC)
    return start, datetime.combine(next_month(first), time(), tzinfo=UTC)


@dataclass(frozen=True)
class Line:
    """One line of a statement (`quantity` > 1 only on statements closed before 0012)."""

    kind: str
    lead_id: int | None
    received_at: datetime | None
    program_id: int | None
    program: str
    price_cents: int
    amount_cents: int
    note: str
    quantity: int = 1


@dataclass(frozen=True)
class SummaryRow:
    """The lines of one kind and program: how many (leads, for old grouped lines), how much."""

    kind: str
    program_id: int | None
    program: str
    count: int
    amount_cents: int


@dataclass(frozen=True)
class Summary:
    """A statement's figures: rows by kind and program, and what they add up to."""

    rows: list[SummaryRow]
    received: int  # the leads received in the month
    line_count: int

    def count(self, *kinds: str) -> int:
        """How many lines (leads) of these kinds."""
        return sum(row.count for row in self.rows if row.kind in kinds)

    def amount(self, *kinds: str) -> int:
        """The sum of the lines of these kinds, in cents."""
        return sum(row.amount_cents for row in self.rows if row.kind in kinds)

    @property
    def total_cents(self) -> int:
        """What the statement comes to: the sum of every line."""
        return sum(row.amount_cents for row in self.rows)

    @property
    def charged_cents(self) -> int:
        """Billed: the charges and the charges whose return waits for a decision."""
        return self.amount("charge", "return_pending")

    @property
    def credited_cents(self) -> int:
        """Credited, as a positive amount."""
        return -self.amount("credit")


@dataclass(frozen=True)
class StatementView:
    """A school's statement of a month: closed (written for good) or the month under way; its
    summary, and one page of its lines."""

    school_id: int
    school: str
    month: date  # its first day
    closed: bool
    summary: Summary
    lines: list[Line]
    page: int
    per_page: int
    ended: bool = False  # the month has ended (it is closed a few minutes later)

    @property
    def label(self) -> str:
        """The month as YYYY-MM."""
        return month_text(self.month)

    @property
    def total_cents(self) -> int:
        """What the statement comes to."""
        return self.summary.total_cents

    @property
    def pages(self) -> int:
        """How many pages the lines fill (at least one)."""
        return max(1, -(-self.summary.line_count // self.per_page))

    @property
    def first_position(self) -> int:
        """The number of the page's first line."""
        return (self.page - 1) * self.per_page + 1


def statement(
    school_id: int, first: date, now: datetime, page: int = 1, per_page: int = PER_PAGE
) -> StatementView:
    """The school's statement of the month starting `first`, with the `page`-th page of its
    lines: closed and stored if the month has ended (written now if it was not yet), else
    computed; NoSuchSchool for no school."""
    name = _school_name(school_id)
    page = min(max(1, page), MAX_PAGE)
    start, end = month_bounds(first)
    stored = _closed(school_id, first, now)
    if stored is None:
        as_of = min(now, end)
        summary = _summary(_open_lines(school_id, first, as_of), start)
        lines = _open_page(school_id, first, as_of, summary.received, page, per_page)
    else:
        summary = _summary(_stored_lines(stored.id), start)
        lines = _stored_page(stored, page, per_page)
    return StatementView(
        school_id, name, first, stored is not None, summary, lines, page, per_page, now >= end
    )


def _school_name(school_id: int) -> str:
    name = db.session.scalar(select(School.name).where(School.id == school_id))
    if name is None:
        raise NoSuchSchool(school_id)
    return name


def _closed(school_id: int, first: date, now: datetime) -> Statement | None:
    """The stored statement of an ended month (written and committed now if it was not yet);
    None for the month under way."""
    _, end = month_bounds(first)
    if now < end + CLOSE_AFTER:
        return None
    stored = _stored(school_id, first)
    if stored is None:
        _write(school_id, first, now)
        db.session.commit()
        stored = _stored(school_id, first)
    return stored


def _stored(school_id: int, first: date) -> Statement | None:
    return db.session.scalar(
        select(Statement).where(
            Statement.school_id == school_id, Statement.month == month_text(first)
        )
    )


def _write(school_id: int, first: date, now: datetime) -> None:
    """Write the statement of an ended month as its lines stood at the month's end, unless
    another transaction wrote it first (not committed: the caller commits)."""
    lines = list(_lines(school_id, first, month_bounds(first)[1]))
    values = {
        "school_id": school_id,
        "month": month_text(first),
        "closed_at": now,
        "total_cents": sum(line.amount_cents for line in lines),
        "lines_by_lead": True,
    }
    make = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    written = db.session.execute(
        make(Statement)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["school_id", "month"])
        .returning(Statement.id)
    ).scalar()
    if written is None or not lines:
        return
    rows = [
        {
            "statement_id": written,
            "position": position,
            "kind": line.kind,
            "program_id": line.program_id,
            "program": line.program,
            "lead_id": line.lead_id,
            "lead_received_at": line.received_at,
            "price_cents": line.price_cents,
            "quantity": line.quantity,
            "amount_cents": line.amount_cents,
            "note": line.note,
        }
        for position, line in enumerate(lines, start=1)
    ]
    db.session.execute(StatementLine.__table__.insert(), rows)


def close_months_of(lead_ids: Select, now: datetime) -> None:
    """Write the statements of the ended months holding any of the leads `lead_ids` selects
    (not committed): called before those leads are deleted on request, so a closed month
    keeps them as they stood."""
    start_of_this_month, _ = month_bounds(now.date().replace(day=1))
    found = db.session.execute(
        select(Lead.school_id, Lead.created_at).where(
            Lead.id.in_(lead_ids), Lead.created_at < start_of_this_month
        )
    )
    for school_id, first in sorted({(sid, at.date().replace(day=1)) for sid, at in found}):
        if _stored(school_id, first) is None:
            _write(school_id, first, now)


# The columns every source of lines gives, in this order.
def _columns(
    section,
    kind,
    lead_id,
    received_at,
    program_id,
    program,
    price,
    amount,
    repeats,
    event_at,
    cause,
    reason,
    quantity,
    position,
) -> list:
    return [
        literal(section, Integer).label("section"),
        kind.label("kind"),
        lead_id.label("lead_id"),
        received_at.label("received_at"),
        program_id.label("program_id"),
        program.label("program"),
        price.label("price_cents"),
        amount.label("amount_cents"),
        repeats.label("repeats"),
        event_at.label("event_at"),
        cause.label("cause"),
        reason.label("reason"),
        quantity.label("quantity"),
        position.label("position"),
    ]


def _receipts(
    school_id: int, first: date, as_of: datetime, page: tuple[int, int] | None = None
) -> Select:
    """A line per lead the school received in the month, as it stood at `as_of`, in order of
    arrival; with `page` (limit, offset) only those: the page is found on the index of lead
    (school_id, created_at, id) alone, and only its rows are looked at further."""
    start, end = month_bounds(first)
    in_month = [Lead.school_id == school_id, Lead.created_at >= start, Lead.created_at < end]
    # Whether the lead's bill ever changed. LIMIT 1 keeps PostgreSQL probing the index for
    # the few leads that ask (the ones not billable) rather than hashing the whole table.
    changed = (
        select(BillingChange.id).where(BillingChange.lead_id == Lead.id).limit(1)
    ).scalar_subquery()
    # Credits less charges again made before `as_of`: 0 while the lead is billed.
    credited = (
        select(func.coalesce(func.sum(case((BillingChange.kind == "credit", 1), else_=-1)), 0))
        .where(BillingChange.lead_id == Lead.id, BillingChange.created_at < as_of)
        .scalar_subquery()
    )
    pending = and_(
        LeadReturn.requested_at < as_of,
        or_(LeadReturn.decided_at.is_(None), LeadReturn.decided_at >= as_of),
    )
    # Never billed: not billable now, and never changed (a lead billed once and credited
    # since has a change). The WHENs are tried in order, so most leads stop at the second.
    repeat = and_(Lead.billable.is_(False), changed.is_(None))
    kind = case(
        (repeat, "duplicate"),
        (LeadReturn.id.is_(None), "charge"),
        (and_(pending, credited == 0), "return_pending"),
        else_="charge",
    )
    columns = _columns(
        0,
        kind,
        Lead.id,
        Lead.created_at,
        Lead.program_id,
        Program.title,
        Lead.price_cents,
        case((repeat, 0), else_=Lead.price_cents),
        Lead.duplicate_of_id,
        LeadReturn.requested_at,
        cast(null(), String),
        cast(null(), String),
        literal(1, Integer),
        cast(null(), Integer),
    )
    query = (
        select(*columns)
        .select_from(Lead)
        .join(Program, Program.id == Lead.program_id)
        .outerjoin(LeadReturn, LeadReturn.lead_id == Lead.id)
        .where(*in_month)
        .order_by(Lead.created_at, Lead.id)
    )
    if page is not None:
        limit, offset = page
        ids = (
            select(Lead.id)
            .where(*in_month)
            .order_by(Lead.created_at, Lead.id)
            .limit(limit)
            .offset(offset)
        )
        query = query.where(Lead.id.in_(ids))
    return query


def _changes(school_id: int, first: date) -> Select:
    """A line per billing change made in the month, in the order made. A change to a lead
    received this month counts only while the lead is there: one deleted on request before
    the month closed is on no statement."""
    start, end = month_bounds(first)
    there = or_(
        BillingChange.lead_received_at < start,
        exists().where(Lead.id == BillingChange.lead_id),
    )
    columns = _columns(
        1,
        BillingChange.kind,
        BillingChange.lead_id,
        BillingChange.lead_received_at,
        BillingChange.program_id,
        Program.title,
        func.abs(BillingChange.amount_cents),
        BillingChange.amount_cents,
        cast(null(), Integer),
        BillingChange.created_at,
        BillingChange.cause,
        BillingChange.reason,
        literal(1, Integer),
        cast(null(), Integer),
    )
    return (
        select(*columns)
        .select_from(BillingChange)
        .join(Program, Program.id == BillingChange.program_id)
        .where(
            BillingChange.school_id == school_id,
            BillingChange.created_at >= start,
            BillingChange.created_at < end,
            there,
        )
        .order_by(BillingChange.created_at, BillingChange.id)
    )


def _open_lines(school_id: int, first: date, as_of: datetime):
    """Every line of a month not closed, as one subquery (for the summary)."""
    receipts = _receipts(school_id, first, as_of).order_by(None)
    return union_all(receipts, _changes(school_id, first).order_by(None)).subquery("lines")


def _stored_lines(statement_id: int):
    """The lines of a closed statement, as a subquery with the same columns."""
    line = StatementLine
    return (
        select(
            line.kind.label("kind"),
            line.program_id.label("program_id"),
            line.program.label("program"),
            line.lead_received_at.label("received_at"),
            line.quantity.label("quantity"),
            line.amount_cents.label("amount_cents"),
        )
        .where(line.statement_id == statement_id)
        .subquery("lines")
    )


def summary_query(lines, start: datetime) -> Select:
    """The one aggregate query of a statement's figures over its lines (a subquery of
    _open_lines or _stored_lines): by kind and program, the lines, their sum, the leads
    received in the month (from `start`) and the count of lines."""
    received_at = lines.c.received_at
    received = case(
        (
            and_(lines.c.kind != "credit", or_(received_at.is_(None), received_at >= start)),
            lines.c.quantity,
        ),
        else_=0,
    )
    return select(
        lines.c.kind,
        lines.c.program_id,
        lines.c.program,
        func.sum(lines.c.quantity),
        func.sum(lines.c.amount_cents),
        func.sum(received),
        func.count(),
    ).group_by(lines.c.kind, lines.c.program_id, lines.c.program)


def _summary(lines, start: datetime) -> Summary:
    """The statement's figures in one aggregate query over its lines."""
    found = db.session.execute(summary_query(lines, start)).all()
    rows = sorted(
        (
            SummaryRow(kind, pid, title, int(count), int(amount))
            for kind, pid, title, count, amount, _, _ in found
        ),
        key=lambda row: (KIND_ORDER.get(row.kind, 9), row.program, row.program_id or 0),
    )
    return Summary(
        rows,
        received=sum(int(row[5]) for row in found),
        line_count=sum(int(row[6]) for row in found),
    )


def _lines(school_id: int, first: date, as_of: datetime) -> Iterator[Line]:
    """Every line of a month not closed, in order, as it stood at `as_of`."""
    for query in (_receipts(school_id, first, as_of), _changes(school_id, first)):
        result = db.session.execute(query.execution_options(yield_per=CHUNK_ROWS))
        for row in result:
            yield _line(row, first)


def _open_page(
    school_id: int, first: date, as_of: datetime, received: int, page: int, per_page: int
) -> list[Line]:
    """The `page`-th page of the lines of a month not closed: receipts, then changes."""
    offset = (page - 1) * per_page
    rows = []
    if offset < received:
        rows = list(db.session.execute(_receipts(school_id, first, as_of, (per_page, offset))))
    if len(rows) < per_page:
        query = _changes(school_id, first).limit(per_page - len(rows))
        rows += db.session.execute(query.offset(max(0, offset - received))).all()
    return [_line(row, first) for row in rows]


def _stored_page(stored: Statement, page: int, per_page: int) -> list[Line]:
    """The `page`-th page of a closed statement's lines (positions run 1, 2, 3...)."""
    found = db.session.scalars(
        select(StatementLine)
        .where(
            StatementLine.statement_id == stored.id,
            StatementLine.position > (page - 1) * per_page,
            StatementLine.position <= page * per_page,
        )
        .order_by(StatementLine.position)
    )
    return [_stored_line(row, stored.lines_by_lead) for row in found]


def _line(row, first: date) -> Line:
    """A line from a row of _receipts or _changes, with its note."""
    return Line(
        kind=row.kind,
        lead_id=row.lead_id,
        received_at=row.received_at,
        program_id=row.program_id,
        program=row.program,
        price_cents=row.price_cents,
        amount_cents=row.amount_cents,
        note=_note(row, first),
    )


def _day(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d")


def _note(row, first: date) -> str:
    """What a line says beside its kind."""
    if row.section == 0:
        if row.kind == "duplicate":
            return f"repeats lead {row.repeats}" if row.repeats else "not billed"
        if row.kind == "return_pending":
            return f"return requested {_day(row.event_at)}; credit pending the admin's decision"
        return ""
    what = {
        "return": f"return approved {_day(row.event_at)}",
        "rejection": f"rejected by an admin {_day(row.event_at)}"
        + (f" ({REJECT_REASONS[row.reason]})" if row.reason in REJECT_REASONS else ""),
        "take_back": f"rejection withdrawn {_day(row.event_at)}: billed again",
    }[row.cause]
    received = row.received_at.astimezone(UTC).strftime("%Y-%m")
    if received == month_text(first):
        return f"{what}; received this month"
    if row.kind == "credit":
        return f"{what}; received {received}, charged on the statement of {received}"
    return f"{what}; received {received}"


def _stored_line(row: StatementLine, by_lead: bool) -> Line:
    """A line of a closed statement; a statement closed before 0012 gets its words here."""
    note = row.note
    if not by_lead and not note:
        if row.kind == "charge":
            leads = f"{row.quantity} lead{'s' if row.quantity != 1 else ''}"
            note = f"{leads} at ${row.price_cents / 100:,.2f}"
        elif row.lead_received_at is not None:
            note = f"return approved; received {row.lead_received_at.strftime('%Y-%m')}"
    return Line(
        kind=row.kind,
        lead_id=row.lead_id,
        received_at=row.lead_received_at,
        program_id=row.program_id,
        program=row.program,
        price_cents=row.price_cents,
        amount_cents=row.amount_cents,
        note=note,
        quantity=row.quantity,
    )


def _all_lines(school_id: int, first: date, now: datetime) -> Iterator[Line]:
    """Every line of the month's statement in order (closing the month if it has ended)."""
    stored = _closed(school_id, first, now)
    if stored is None:
        yield from _lines(school_id, first, min(now, month_bounds(first)[1]))
        return
    query = (
        select(StatementLine)
        .where(StatementLine.statement_id == stored.id)
        .order_by(StatementLine.position)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    for row in db.session.scalars(query):
        yield _stored_line(row, stored.lines_by_lead)


def _csv_chunks(school_id: int, first: date, now: datetime) -> Iterator[tuple[bytes, int]]:
    """(bytes, lines) chunks of the statement's CSV: the header, then a row per line."""
    yield csv_line(CSV_HEADER).encode("utf-8"), 0
    out, count = io.StringIO(), 0
    for line in _all_lines(school_id, first, now):
        received = line.received_at.astimezone(UTC) if line.received_at else None
        out.write(
            csv_line(
                [
                    line.kind,
                    line.lead_id,
                    received.strftime("%Y-%m-%dT%H:%M:%SZ") if received else None,
                    line.program,
                    dollars(line.amount_cents),
                    line.note,
                ]
            )
        )
        count += 1
        if count == CHUNK_ROWS:
            yield out.getvalue().encode("utf-8"), count
            out, count = io.StringIO(), 0
    if count:
        yield out.getvalue().encode("utf-8"), count


def statement_csv(school_id: int, first: date, now: datetime) -> Iterator[bytes]:
    """The statement as CSV, streamed: the columns CSV_HEADER, one row per line."""
    _school_name(school_id)
    return (chunk for chunk, _ in _csv_chunks(school_id, first, now))


def school_statement_csv(
    school_id: int, first: date, now: datetime, actor: SchoolActor
) -> Iterator[bytes]:
    """The statement as CSV for a user of the school, recorded in the export audit (who,
    when, which month, how many lines) as the file starts."""
    downloader = Actor(
        actor.name, "school", school_user_id=actor.school_user_id, school_id=school_id
    )
    filters = {"month": month_text(first)}
    return recorded_download(_csv_chunks(school_id, first, now), downloader, filters, "statement")


def dollars(cents: int) -> Decimal:
    """Cents as a dollar amount written as a number: 2500 -> 25.00, -2500 -> -25.00."""
    return Decimal(cents).scaleb(-2)


@dataclass(frozen=True)
class SchoolFigures:
    """One school's statement figures of a month."""

    school_id: int
    school: str
    closed: bool
    summary: Summary


@dataclass(frozen=True)
class MonthTotals:
    """Every school's statement figures of one month, and their sums."""

    month: date
    schools: list[SchoolFigures]

    def sum(self, figure: str) -> int:
        """The sum over the schools of one Summary figure."""
        return sum(getattr(item.summary, figure) for item in self.schools)

    def count(self, *kinds: str) -> int:
        """The lines of these kinds over every school."""
        return sum(item.summary.count(*kinds) for item in self.schools)


def month_totals(first: date, now: datetime) -> MonthTotals:
    """The statement figures of every school with leads, changes or a statement in the month
    (closing the month for each when it has ended), by school name: the same figures the
    school's own statement shows."""
    start, end = month_bounds(first)
    with_leads = exists().where(
        Lead.school_id == School.id, Lead.created_at >= start, Lead.created_at < end
    )
    with_changes = exists().where(
        BillingChange.school_id == School.id,
        BillingChange.created_at >= start,
        BillingChange.created_at < end,
    )
    stored = exists().where(Statement.school_id == School.id, Statement.month == month_text(first))
    found = db.session.execute(
        select(School.id, School.name)
        .where(or_(with_leads, with_changes, stored))
        .order_by(School.name, School.id)
    ).all()
    figures = []
    for school_id, name in found:
        closed = _closed(school_id, first, now)
        if closed is None:
            lines = _open_lines(school_id, first, min(now, end))
        else:
            lines = _stored_lines(closed.id)
        figures.append(SchoolFigures(school_id, name, closed is not None, _summary(lines, start)))
    return MonthTotals(first, figures)
