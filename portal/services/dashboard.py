"""The figures on the admin dashboard: leads per day and per school, searches per state, and
the ZIP codes searched most often with no results."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Lead, School, SearchLog
from portal.services.sql import utc_day

DAYS = 30
TOP = 15


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's series, each a list of (label, count) pairs, over the last DAYS days."""

    since: date
    until: date
    leads_per_day: list[tuple[str, int]]
    leads_per_school: list[tuple[str, int]]
    searches_per_state: list[tuple[str, int]]
    zero_result_zips: list[tuple[str, int]]


def dashboard_figures(today: date, days: int = DAYS) -> Dashboard:
    """Count leads and searches in the `days` UTC days ending with `today`."""
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
    in_leads = (Lead.created_at >= start, Lead.created_at < end)
    in_searches = (SearchLog.created_at >= start, SearchLog.created_at < end)

    day = utc_day(Lead.created_at)
    per_day = dict(
        db.session.execute(select(day, func.count()).where(*in_leads).group_by(day)).all()
    )
    leads_per_day = [
        (d.isoformat(), per_day.get(d.isoformat(), 0))
        for d in (first + timedelta(days=n) for n in range(days))
    ]
    count = func.count().label("n")
    per_school = db.session.execute(
        select(School.name, count)
        .join(Lead, Lead.school_id == School.id)
        .where(*in_leads)
        .group_by(School.id, School.name)
        .order_by(count.desc(), School.name)
        .limit(TOP)
    ).all()
    per_state = db.session.execute(
        select(func.coalesce(SearchLog.state, "??"), count)
        .where(*in_searches)
        .group_by(SearchLog.state)
        .order_by(count.desc(), SearchLog.state)
        .limit(TOP)
    ).all()
    empty_zips = db.session.execute(
        select(SearchLog.zip_code, count)
        .where(*in_searches, SearchLog.result_count == 0)
        .group_by(SearchLog.zip_code)
        .order_by(count.desc(), SearchLog.zip_code)
        .limit(TOP)
    ).all()
    return Dashboard(
        since=first,
        until=today,
        leads_per_day=leads_per_day,
        leads_per_school=[tuple(row) for row in per_school],
        searches_per_state=[tuple(row) for row in per_state],
        zero_result_zips=[tuple(row) for row in empty_zips],
    )
