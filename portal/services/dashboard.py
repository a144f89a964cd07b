"""The figures on the admin dashboard.

Headline figures, each beside the same stretch of the period before ("today" against
yesterday up to the same time of day, this week against last week up to the same moment, this
month against last month likewise): leads (billable, duplicates, rejected), revenue this month
(the prices of billable leads), leads waiting to be exported (now against 24 hours ago),
searches today and their conversion into leads.

Over a range of days: leads and revenue per day, leads per school (top 10), the outcome rates
(portal.services.outcome_rates), searches per state and the ZIP codes searched most with no
results. The lead figures come from the daily roll-up
(portal.services.rollup) and, for what it does not count yet, from the leads.

Days, weeks (from Monday) and months are those of the admins' time zone (ADMIN_TIMEZONE), so
"today" is the operator's today. A lead is counted in one category: rejected, else a duplicate
(a non-billable repeat), else billable.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select

from portal.extensions import db
from portal.models import WAITING, Lead, LeadStatusChange, School
from portal.services.outcome_rates import OutcomeRate, outcome_rates
from portal.services.rollup import (
    ListingFigures,
    category_days,
    category_windows,
    listing_figures,
    search_count,
    search_figures,
)

TOP_SCHOOLS = 10
TOP_STATES = 15
TOP_ZIPS = 10


@dataclass(frozen=True)
class Change:
    """A figure now and over the same stretch of the previous period."""

    now: float
    before: float

    @property
    def difference(self) -> float:
        """How much it went up (negative: down)."""
        return self.now - self.before

    @property
    def percent(self) -> float | None:
        """The change in percent of the earlier figure (None when that was 0)."""
        return None if not self.before else (self.now - self.before) / self.before * 100


@dataclass(frozen=True)
class PeriodLeads:
    """The leads of one period (today, this week, this month) against the one before."""

    name: str  # "Today"
    compared_with: str  # "yesterday by this time"
    billable: Change
    duplicates: Change
    rejected: Change


@dataclass(frozen=True)
class Headline:
    """The headline figures."""

    periods: list[PeriodLeads]
    revenue_cents: Change  # this month
    waiting: Change  # waiting to be exported: now, and 24 hours ago
    searches: Change  # today
    conversion: Change  # today: leads (not rejected) per search, as a fraction


@dataclass(frozen=True)
class Day:
    """One day's leads: all of them, by category, and the revenue of the billable ones."""

    day: date
    leads: int = 0
    billable: int = 0
    duplicates: int = 0
    rejected: int = 0
    revenue_cents: int = 0


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows."""

    zone: str
    first_day: date
    last_day: date
    headline: Headline
    days: list[Day]
    leads_per_school: list[tuple[str, int]]
    searches: int
    searches_per_state: list[tuple[str, int]]
    zero_result_zips: list[tuple[str, int]]
    rates: dict[str, list[OutcomeRate]]  # per school, program and campaign


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of a day in `zone`, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def dashboard_figures(now: datetime, zone: ZoneInfo, first_day: date, last_day: date) -> Dashboard:
    """The dashboard at `now`: headline figures, and the series over the days from
    `first_day` to `last_day` (days in `zone`)."""
    start = local_midnight(first_day, zone)
    end = local_midnight(last_day + timedelta(days=1), zone)
    per_listing = listing_figures(start, end)
    searched = search_figures(start, end)
    per_state = sorted(
        searched.per_state.items(), key=lambda item: (-item[1], item[0] is None, item[0] or "")
    )
    empty_zips = sorted(searched.empty_per_zip.items(), key=lambda item: (-item[1], item[0]))
    return Dashboard(
        zone=zone.key,
        first_day=first_day,
        last_day=last_day,
        headline=headline(now, zone),
        days=leads_per_day(zone, first_day, last_day),
        leads_per_school=leads_per_school(per_listing),
        rates=outcome_rates(start, end, per_listing),
        searches=searched.searches,
        searches_per_state=[(state or "unknown ZIP", n) for state, n in per_state[:TOP_STATES]],
        zero_result_zips=empty_zips[:TOP_ZIPS],
    )


def leads_per_school(per_listing: dict[tuple, ListingFigures]) -> list[tuple[str, int]]:
    """The TOP_SCHOOLS schools with the most leads, from the leads per (school, listing)."""
    totals: dict[int, int] = {}
    for (school_id, _), figures in per_listing.items():
        totals[school_id] = totals.get(school_id, 0) + figures.leads
    names = dict(
        db.session.execute(select(School.id, School.name).where(School.id.in_(totals))).all()
    )
    ranked = sorted(((names[i], n) for i, n in totals.items() if n), key=lambda r: (-r[1], r[0]))
    return ranked[:TOP_SCHOOLS]


def leads_per_day(zone: ZoneInfo, first_day: date, last_day: date) -> list[Day]:
    """Each day's leads and revenue, from `first_day` to `last_day` (days in `zone`).

    The leads are counted per quarter hour in UTC (every zone's days start on one), and each
    quarter is put in its local day, so days are right across daylight-saving changes.
    """
    count = (last_day - first_day).days + 1
    days = [first_day + timedelta(days=n) for n in range(count)]
    starts = [local_midnight(day, zone) for day in days]
    starts.append(local_midnight(last_day + timedelta(days=1), zone))
    return [Day(day, *figures) for day, figures in zip(days, category_days(starts), strict=True)]


def _periods(now: datetime, zone: ZoneInfo) -> list[tuple[str, str, datetime, datetime]]:
    """(name, compared with, start, start of the previous period) of today, week and month."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    return [
        ("Today", "yesterday by this time", today, today - timedelta(days=1)),
        ("This week", "last week by this time", monday, monday - timedelta(days=7)),
        ("This month", "last month by this day and time", first, last_month),
    ]


def headline(now: datetime, zone: ZoneInfo) -> Headline:
    """The headline figures at `now`, each against the same stretch of the period before."""
    windows = []  # (start, end) pairs: each period now, then before
    for _, _, start_day, before_day in _periods(now, zone):
        start, before = local_midnight(start_day, zone), local_midnight(before_day, zone)
        windows += [(start, now), (before, min(before + (now - start), start))]
    figures = category_windows(windows)
    periods = []
    for index, (name, compared, _, _) in enumerate(_periods(now, zone)):
        current, before = figures[2 * index], figures[2 * index + 1]
        periods.append(
            PeriodLeads(
                name,
                compared,
                billable=Change(current["billable"], before["billable"]),
                duplicates=Change(current["duplicates"], before["duplicates"]),
                rejected=Change(current["rejected"], before["rejected"]),
            )
        )
    today, yesterday = windows[0], windows[1]
    searches = Change(_searches(*today), _searches(*yesterday))
    leads_today, leads_yesterday = figures[0]["kept"], figures[1]["kept"]
    return Headline(
        periods=periods,
        revenue_cents=Change(figures[4]["revenue_cents"], figures[5]["revenue_cents"]),
        waiting=Change(waiting_at(now), waiting_at(now - timedelta(days=1))),
        searches=searches,
        conversion=Change(
            leads_today / searches.now if searches.now else 0.0,
            leads_yesterday / searches.before if searches.before else 0.0,
        ),
    )


def _searches(start: datetime, end: datetime) -> int:
    """Searches logged from `start` to before `end`."""
    return search_count(start, end)


def waiting_at(moment: datetime) -> int:
    """How many leads were waiting to be exported at `moment`: billable, status new.

    A lead's status at a moment is read from its history: the status it was changed from by
    its first change after that moment, else its status now. (Leads deleted on request since
    are not counted.)
    """
    later = (
        select(LeadStatusChange.from_status)
        .where(LeadStatusChange.lead_id == Lead.id, LeadStatusChange.created_at >= moment)
        .order_by(LeadStatusChange.created_at, LeadStatusChange.id)
        .limit(1)
        .scalar_subquery()
    )
    changed_since = exists().where(
        LeadStatusChange.lead_id == Lead.id, LeadStatusChange.created_at >= moment
    )
    unchanged = db.session.scalar(
        select(func.count()).where(WAITING, Lead.created_at < moment, ~changed_since)
    )
    changed_ids = select(LeadStatusChange.lead_id).where(LeadStatusChange.created_at >= moment)
    changed = db.session.scalar(
        select(func.count()).where(
            Lead.id.in_(changed_ids),
            Lead.created_at < moment,
            Lead.duplicate_of_id.is_(None),
            later == "new",
        )
    )
    return (unchanged or 0) + (changed or 0)
