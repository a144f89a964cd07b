"""Monthly statements: what a school is billed for a month (UTC), and credited.

- Charges: the leads received in the month that were billed: billable ones, and ones whose
  return was approved (charged in the month they arrived, credited when approved), grouped by
  program and price.
- Credits: each return approved in the month, naming its lead, at the lead's price.
- Total: charges less credits.

A month that has ended is closed: the first time its statement is asked for, it is written to
`statement` and `statement_line` in words and cents, and read from there ever after, so it
never changes: a return approved later is a credit of the later month, and a lead deleted on
request later leaves the closed statement alone. The month under way is computed each time.
"""

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Lead, LeadReturn, Program, School, Statement, StatementLine
from portal.services.csv_cells import csv_line

MONTH = re.compile(r"(\d{4})-(\d{2})")


class InvalidMonth(ValueError):
    """Not a month as YYYY-MM, or one not yet begun."""


class NoSuchSchool(LookupError):
    """No school has this id."""


@dataclass(frozen=True)
class Line:
    """One line of a statement."""

    kind: str  # "charge" or "credit"
    program_id: int | None
    program: str
    price_cents: int
    quantity: int
    amount_cents: int
    lead_id: int | None = None
    lead_received_at: datetime | None = None


@dataclass(frozen=True)
class StatementView:
    """A school's statement of a month, closed (written for good) or the month under way."""

    school_id: int
    school: str
    month: date  # its first day
    lines: list[Line]
    closed: bool

    @property
    def charges(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "charge"]

    @property
    def credits(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "credit"]

    @property
    def charged_cents(self) -> int:
        return sum(line.amount_cents for line in self.charges)

    @property
    def credited_cents(self) -> int:
        return -sum(line.amount_cents for line in self.credits)

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def lead_count(self) -> int:
        return sum(line.quantity for line in self.charges)

    @property
    def label(self) -> str:
        return month_text(self.month)


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


def _bounds(first: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(), tzinfo=UTC)
    return start, datetime.combine(next_month(first), time(), tzinfo=UTC)


def statement(school_id: int, first: date, now: datetime) -> StatementView:
    """The school's statement of the month starting `first`: closed and stored if the month
    has ended (written now if it was not yet), else computed; NoSuchSchool for no school."""
    school = db.session.get(School, school_id)
    if school is None:
        raise NoSuchSchool(school_id)
    name = school.name
    _, end = _bounds(first)
    if now < end:
        return StatementView(school_id, name, first, _compute(school_id, first), closed=False)
    stored = _stored(school_id, first)
    if stored is None:
        stored = _close(school_id, first, now)
    lines = [
        Line(
            kind=row.kind,
            program_id=row.program_id,
            program=row.program,
            price_cents=row.price_cents,
            quantity=row.quantity,
            amount_cents=row.amount_cents,
            lead_id=row.lead_id,
            lead_received_at=row.lead_received_at,
        )
        for row in stored.lines
    ]
    return StatementView(school_id, name, first, lines, closed=True)


def _stored(school_id: int, first: date) -> Statement | None:
    return db.session.scalar(
        select(Statement).where(
            Statement.school_id == school_id, Statement.month == month_text(first)
        )
    )


def _close(school_id: int, first: date, now: datetime) -> Statement:
    """Write the statement of an ended month; if another request wrote it meanwhile, read it."""
    lines = _compute(school_id, first)
    stored = Statement(
        school_id=school_id,
        month=month_text(first),
        closed_at=now,
        total_cents=sum(line.amount_cents for line in lines),
    )
    stored.lines = [
        StatementLine(
            position=position,
            kind=line.kind,
            program_id=line.program_id,
            program=line.program,
            lead_id=line.lead_id,
            lead_received_at=line.lead_received_at,
            price_cents=line.price_cents,
            quantity=line.quantity,
            amount_cents=line.amount_cents,
        )
        for position, line in enumerate(lines, start=1)
    ]
    db.session.add(stored)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        stored = _stored(school_id, first)
    return stored


def _billed():
    """A lead the school was billed for: billable, or credited by an approved return."""
    approved = exists().where(LeadReturn.lead_id == Lead.id, LeadReturn.status == "approved")
    return or_(Lead.billable.is_(True), approved)


def _compute(school_id: int, first: date) -> list[Line]:
    """The lines of the month from the leads and returns as they are now."""
    start, end = _bounds(first)
    charges = db.session.execute(
        select(Program.id, Program.title, Lead.price_cents, func.count(Lead.id))
        .join(Program, Program.id == Lead.program_id)
        .where(
            Lead.school_id == school_id,
            Lead.created_at >= start,
            Lead.created_at < end,
            _billed(),
        )
        .group_by(Program.id, Program.title, Lead.price_cents)
        .order_by(Program.title, Program.id, Lead.price_cents)
    )
    lines = [
        Line("charge", pid, title, price, count, price * count)
        for pid, title, price, count in charges
    ]
    credits = db.session.execute(
        select(Program.id, Program.title, Lead.price_cents, Lead.id, Lead.created_at)
        .select_from(LeadReturn)
        .join(Lead, Lead.id == LeadReturn.lead_id)
        .join(Program, Program.id == Lead.program_id)
        .where(
            LeadReturn.school_id == school_id,
            and_(LeadReturn.status == "approved", LeadReturn.decided_at >= start),
            LeadReturn.decided_at < end,
        )
        .order_by(LeadReturn.decided_at, LeadReturn.id)
    )
    lines += [
        Line("credit", pid, title, price, 1, -price, lead_id=lead_id, lead_received_at=received)
        for pid, title, price, lead_id, received in credits
    ]
    return lines


@dataclass(frozen=True)
class MonthTotals:
    """Every school's statement of one month, and their sums."""

    month: date
    statements: list[StatementView]

    @property
    def charged_cents(self) -> int:
        return sum(item.charged_cents for item in self.statements)

    @property
    def credited_cents(self) -> int:
        return sum(item.credited_cents for item in self.statements)

    @property
    def total_cents(self) -> int:
        return sum(item.total_cents for item in self.statements)

    @property
    def lead_count(self) -> int:
        return sum(item.lead_count for item in self.statements)


def month_totals(first: date, now: datetime) -> MonthTotals:
    """The statements of every school with leads or credits in the month (closing them when
    the month has ended), by school name."""
    start, end = _bounds(first)
    with_leads = select(Lead.school_id).where(Lead.created_at >= start, Lead.created_at < end)
    with_credits = select(LeadReturn.school_id).where(
        LeadReturn.decided_at >= start, LeadReturn.decided_at < end
    )
    stored = select(Statement.school_id).where(Statement.month == month_text(first))
    ids = db.session.scalars(
        select(School.id)
        .where(School.id.in_(with_leads.union(with_credits, stored)))
        .order_by(School.name)
    ).all()
    return MonthTotals(first, [statement(school_id, first, now) for school_id in ids])


def statement_csv(view: StatementView) -> bytes:
    """The statement as CSV: one row per line, then the total (amounts in dollars)."""
    out = io.StringIO()
    header = ["Month", "Kind", "Program", "Program ID", "Lead ID", "Lead received (UTC)"]
    out.write(csv_line(header + ["Price (USD)", "Quantity", "Amount (USD)"]))
    for line in view.lines:
        received = (
            line.lead_received_at.strftime("%Y-%m-%d %H:%M:%S") if line.lead_received_at else ""
        )
        out.write(
            csv_line(
                [
                    view.label,
                    line.kind,
                    line.program,
                    line.program_id or "",
                    line.lead_id or "",
                    received,
                    dollars(line.price_cents),
                    line.quantity,
                    dollars(line.amount_cents),
                ]
            )
        )
    out.write(csv_line([view.label, "total", "", "", "", "", "", "", dollars(view.total_cents)]))
    return out.getvalue().encode("utf-8")


def dollars(cents: int) -> Decimal:
    """Cents as a dollar amount written as a number: 2500 -> 25.00, -2500 -> -25.00."""
    return Decimal(cents).scaleb(-2)
