"""A school's listings, program by program and day by day (UTC): impressions, request-form
views, leads, returns and spend (the prices of billed leads); the leads' figures from the
daily roll-up (portal.services.rollup)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Lead, LeadReturn, ListingDay, Program
from portal.services.rollup import listing_figures
from portal.services.sql import utc_day

MAX_DAYS = 92


@dataclass
class PerformanceRow:
    """One listing's figures of one day."""

    day: date
    program_id: int
    program: str
    impressions: int = 0
    form_views: int = 0
    leads: int = 0
    returns: int = 0
    spend_cents: int = 0


def school_performance(school_id: int, since: date, until: date) -> list[PerformanceRow]:
    """The school's listings' figures per day from `since` to `until` (inclusive, at most
    MAX_DAYS days), newest day first; days without any figure are left out."""
    until = min(until, since + timedelta(days=MAX_DAYS - 1))
    start = datetime.combine(since, time(), tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
    titles = dict(
        db.session.execute(
            select(Program.id, Program.title).where(Program.school_id == school_id)
        ).all()
    )
    rows: dict[tuple[date, int], PerformanceRow] = {}

    def row(day: date, program_id: int) -> PerformanceRow:
        key = (day, program_id)
        if key not in rows:
            rows[key] = PerformanceRow(day, program_id, titles.get(program_id, ""))
        return rows[key]

    for program_id, day, shown, views in db.session.execute(
        select(ListingDay.program_id, ListingDay.day, ListingDay.impressions, ListingDay.form_views)
        .join(Program, Program.id == ListingDay.program_id)
        .where(Program.school_id == school_id, ListingDay.day >= since, ListingDay.day <= until)
    ):
        found = row(day, program_id)
        found.impressions, found.form_views = shown, views
    for (day, _, program_id), figures in listing_figures(start, end, school_id, True).items():
        found = row(day, program_id)
        found.leads, found.spend_cents = figures.leads, figures.revenue_cents
    returned_day = utc_day(LeadReturn.requested_at)
    for program_id, day, count in db.session.execute(
        select(Lead.program_id, returned_day, func.count(LeadReturn.id))
        .join(Lead, Lead.id == LeadReturn.lead_id)
        .where(
            LeadReturn.school_id == school_id,
            LeadReturn.requested_at >= start,
            LeadReturn.requested_at < end,
        )
        .group_by(Lead.program_id, returned_day)
    ):
        row(_day(day), program_id).returns = count
    return sorted(rows.values(), key=lambda item: (-item.day.toordinal(), item.program))


def _day(value) -> date:
    """A day as the database gives it (a date, or ISO text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
