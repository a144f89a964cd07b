"""The daily roll-up of the leads and searches (portal.models.rollup): counting ended days,
keeping counted days equal to the leads when leads change, and reading figures over any
stretch of time.

- **Counting.** count_ended_days() (the worker runs it every minute, `flask --app wsgi roll-up`
  at once) counts each UTC day once it ended RECOUNT_DELAY ago: a capture stamps its lead with
  the time it began, and commits well within that. Until then, a day is read from the leads.
- **Changes.** Leads of counted days change only inside `with changing_leads(...)`, which takes
  their old figures out of the roll-up and puts their new ones in, in the change's own
  transaction. It holds the roll-up's row lock until commit, so counting and changes go one
  after the other, and the roll-up always equals a recount. Captures never need it: they add
  leads to today, which is not counted yet.
- **Reading.** Every reader splits its stretch of time into what the roll-up counts (whole
  quarter hours or UTC days up to counted_through) and the rest, read from the leads through
  their created_at index: today, and the ragged edges of a stretch that starts or ends within
  a quarter hour or a day. A page so reads one row per quarter hour, or per listing and day
  (and month), and a day's leads at most, however many leads the table holds.
"""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.models import (
    CampaignDay,
    EmptySearchDay,
    Lead,
    LeadDay,
    LeadMonth,
    LeadQuarter,
    LeadRollup,
    SearchDay,
    SearchLog,
)
from portal.services.sql import epoch_quarter, utc_date, utc_month

# A day is counted this long after it ends: captures in flight at midnight have committed.
RECOUNT_DELAY = timedelta(minutes=10)
# Days counted in one transaction (a first count of a year's leads goes a month at a time).
DAYS_PER_TRANSACTION = 31
QUARTER = 900  # seconds
QUARTERS_PER_DAY = 96
REACHED = ("contacted", "applied", "enrolled")
APPLIED = ("applied", "enrolled")


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where the condition holds, else 0."""
    return case((condition, 1), else_=0)


# What each roll-up column adds up, per lead. A lead is in one category at most: rejected,
# else a duplicate (a non-billable repeat), else billable (a returned lead is in none).
_KEPT = Lead.status != "rejected"
CATEGORIES: dict[str, ColumnElement[int]] = {
    "leads": literal(1),
    "billable": _flag(Lead.billable.is_(True)),
    "duplicates": _flag(and_(_KEPT, Lead.duplicate_of_id.is_not(None))),
    "rejected": _flag(Lead.status == "rejected"),
    "revenue_cents": case((Lead.billable.is_(True), Lead.price_cents), else_=0),
}
OUTCOMES: dict[str, ColumnElement[int]] = {
    "kept": _flag(_KEPT),
    "reported": _flag(and_(_KEPT, Lead.outcome.is_not(None))),
    "reached": _flag(and_(_KEPT, Lead.outcome.in_(REACHED))),
    "applied": _flag(and_(_KEPT, Lead.outcome.in_(APPLIED))),
    "enrolled": _flag(and_(_KEPT, Lead.outcome == "enrolled")),
}
# Each table: its key columns (as SQL on Lead) and its figures.
_TABLES = {
    LeadQuarter: (
        {"quarter": epoch_quarter(Lead.created_at)},
        CATEGORIES,
    ),
    LeadDay: (
        {
            "day": utc_date(Lead.created_at),
            "school_id": Lead.school_id,
            "program_id": Lead.program_id,
        },
        {"leads": CATEGORIES["leads"], "revenue_cents": CATEGORIES["revenue_cents"], **OUTCOMES},
    ),
    LeadMonth: (
        {
            "month": utc_month(Lead.created_at),
            "school_id": Lead.school_id,
            "program_id": Lead.program_id,
        },
        {"leads": CATEGORIES["leads"], "revenue_cents": CATEGORIES["revenue_cents"], **OUTCOMES},
    ),
    CampaignDay: (
        {"day": utc_date(Lead.created_at), "campaign": Lead.utm_campaign},
        {"leads": CATEGORIES["leads"], **OUTCOMES},
    ),
}


# The searches: (key columns, figures, which rows) per table; counted once, never changed.
_SEARCH_TABLES = {
    SearchDay: (
        {"day": utc_date(SearchLog.created_at), "state": func.coalesce(SearchLog.state, "")},
        [],
    ),
    EmptySearchDay: (
        {"day": utc_date(SearchLog.created_at), "zip_code": SearchLog.zip_code},
        [SearchLog.result_count == 0],
    ),
}


def midnight(day: date) -> datetime:
    """The start of a UTC day."""
    return datetime.combine(day, time(), tzinfo=UTC)


def quarter_of(moment: datetime) -> float:
    """The quarter hours from 1970 to `moment` (a fraction within a quarter)."""
    return moment.timestamp() / QUARTER


def _figures(table, sign: int, *conditions) -> Select:
    """SELECT the table's rows for the leads meeting `conditions`, each figure times `sign`."""
    keys, figures = _TABLES[table]
    columns = [expression.label(name) for name, expression in keys.items()]
    columns += [(func.sum(expression) * sign).label(name) for name, expression in figures.items()]
    return select(*columns).where(*conditions).group_by(*keys.values())


def _add(table, sign: int, *conditions) -> None:
    """Add the figures of the leads meeting `conditions` (sign -1: take them out)."""
    keys, figures = _TABLES[table]
    rows = _figures(table, sign, *conditions)
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).from_select([*keys, *figures], rows)
    columns = table.__table__.c
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: columns[name] + statement.excluded[name] for name in figures},
    )
    db.session.execute(statement)


def _lock() -> date | None:
    """Take the roll-up's row lock until commit (SQLite: the write lock); counted_through."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(LeadRollup).values(id=1, counted_through=None)
    statement = statement.on_conflict_do_update(
        index_elements=["id"], set_={"counted_through": LeadRollup.counted_through}
    ).returning(LeadRollup.counted_through)
    return db.session.execute(statement).scalar_one()


def counted_through() -> date | None:
    """The last UTC day the roll-up counts (None: none)."""
    return db.session.scalar(select(LeadRollup.counted_through).where(LeadRollup.id == 1))


@contextmanager
def changing_leads(*conditions: ColumnElement[bool]) -> Iterator[None]:
    """Keep the roll-up equal to the leads while the leads meeting `conditions` change (or are
    deleted) inside the block; the caller commits. Enter before changing anything.

    Every change of a lead's status, billable, duplicate_of_id, price, outcome or campaign,
    and every deletion, goes through this (see portal.services.lead_status, lead_returns,
    school_leads, erasure).
    """
    through = _lock()
    if through is None:
        yield
        return
    in_counted_days = Lead.created_at < midnight(through + timedelta(days=1))
    rows = db.session.execute(
        select(Lead.id, utc_date(Lead.created_at)).where(*conditions, in_counted_days)
    ).all()
    if not rows:
        yield
        return
    ids = [lead_id for lead_id, _ in rows]
    days = sorted({_as_date(day) for _, day in rows})
    for table in _TABLES:
        _add(table, -1, Lead.id.in_(ids))
    yield
    db.session.flush()
    for table in _TABLES:
        _add(table, 1, Lead.id.in_(ids))
    _drop_empty(days)


def _drop_empty(days: list[date]) -> None:
    """Delete the rows of these days that no lead is counted in any more."""
    for first, last in _runs(days):
        quarters = (
            LeadQuarter.quarter >= _quarter_number(midnight(first)),
            LeadQuarter.quarter < _quarter_number(midnight(last + timedelta(days=1))),
        )
        db.session.execute(delete(LeadQuarter).where(*quarters, LeadQuarter.leads == 0))
        for table in (LeadDay, CampaignDay):
            db.session.execute(
                delete(table).where(table.day >= first, table.day <= last, table.leads == 0)
            )
        months = (LeadMonth.month >= first.replace(day=1), LeadMonth.month <= last)
        db.session.execute(delete(LeadMonth).where(*months, LeadMonth.leads == 0))


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days: (first, last) each."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _quarter_number(moment: datetime) -> int:
    """The quarter hour a whole-quarter moment starts."""
    return round(quarter_of(moment))


def _as_date(value) -> date:
    """A day as the database gives it (a date, or ISO text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def count_ended_days(now: datetime, max_days: int = DAYS_PER_TRANSACTION) -> int:
    """Count the days not counted yet that ended RECOUNT_DELAY before `now`, at most
    `max_days` of them (the oldest first); commit. How many days were counted."""
    last_ended = (now - RECOUNT_DELAY).date() - timedelta(days=1)
    try:
        through = _lock()
        if through is None:  # counting starts the day before the first lead or search
            firsts = [
                db.session.scalar(select(func.min(Lead.created_at))),
                db.session.scalar(select(func.min(SearchLog.created_at))),
            ]
            first = min((moment for moment in firsts if moment is not None), default=None)
            through = first.astimezone(UTC).date() - timedelta(days=1) if first else last_ended
        until = min(last_ended, through + timedelta(days=max_days))
        counted = max(0, (until - through).days)
        if counted:
            period = (
                Lead.created_at >= midnight(through + timedelta(days=1)),
                Lead.created_at < midnight(until + timedelta(days=1)),
            )
            for table in _TABLES:
                if table is LeadMonth:  # a month's row may hold days counted before
                    _add(table, 1, *period)
                    continue
                keys, figures = _TABLES[table]
                db.session.execute(
                    table.__table__.insert().from_select(
                        [*keys, *figures], _figures(table, 1, *period)
                    )
                )
            searched = (
                SearchLog.created_at >= midnight(through + timedelta(days=1)),
                SearchLog.created_at < midnight(until + timedelta(days=1)),
            )
            for table, (keys, conditions) in _SEARCH_TABLES.items():
                columns = [expression.label(name) for name, expression in keys.items()]
                rows = (
                    select(*columns, func.count())
                    .where(*searched, *conditions)
                    .group_by(*keys.values())
                )
                db.session.execute(table.__table__.insert().from_select([*keys, "searches"], rows))
        db.session.execute(
            update(LeadRollup).where(LeadRollup.id == 1).values(counted_through=max(through, until))
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counted


def count_all_ended_days(now: datetime) -> int:
    """Count every ended day not counted yet, a transaction per DAYS_PER_TRANSACTION days.

    After more than a week (a first count), PostgreSQL's statistics of the roll-up are
    brought up to date at once rather than by autovacuum later: until then the planner would
    take the tables for nearly empty.
    """
    total = 0
    while counted := count_ended_days(now):
        total += counted
    if total > 7 and db.session.get_bind().dialect.name == "postgresql":
        names = ", ".join(table.__tablename__ for table in [*_TABLES, *_SEARCH_TABLES])
        db.session.execute(text(f"ANALYZE {names}"))
        db.session.commit()
    return total


def recount(now: datetime) -> int:
    """Empty the roll-up and count every ended day again (after leads were changed behind
    its back, say by hand in SQL); how many days were counted."""
    try:
        _lock()
        for table in [*_TABLES, *_SEARCH_TABLES]:
            db.session.execute(delete(table))
        db.session.execute(update(LeadRollup).values(counted_through=None))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return count_all_ended_days(now)


# -- Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """A stretch of time [start, end) as the part the roll-up counts and the rest."""

    counted: tuple | None  # (first, last) quarter numbers (exclusive last) or days (inclusive)
    live: list[tuple[datetime, datetime]]  # read from the leads


def split_quarters(start: datetime, end: datetime, through: date | None) -> Split:
    """[start, end) as whole counted quarter hours and the rest."""
    if through is None:
        return Split(None, [(start, end)] if start < end else [])
    first = math.ceil(quarter_of(start))
    last = math.floor(quarter_of(min(end, midnight(through + timedelta(days=1)))))
    if first >= last:
        return Split(None, [(start, end)] if start < end else [])
    head = (start, _moment(first))
    tail = (_moment(last), end)
    return Split((first, last), [piece for piece in (head, tail) if piece[0] < piece[1]])


def split_days(start: datetime, end: datetime, through: date | None) -> Split:
    """[start, end) as whole counted UTC days and the rest."""
    first = start.astimezone(UTC).date()
    if midnight(first) < start:
        first += timedelta(days=1)
    last = end.astimezone(UTC).date() - timedelta(days=1)
    if through is not None:
        last = min(last, through)
    if through is None or first > last:
        return Split(None, [(start, end)] if start < end else [])
    head = (start, midnight(first))
    tail = (midnight(last + timedelta(days=1)), end)
    return Split((first, last), [piece for piece in (head, tail) if piece[0] < piece[1]])


def _moment(quarter: int) -> datetime:
    """The UTC moment a quarter hour starts."""
    return datetime.fromtimestamp(quarter * QUARTER, UTC)


def _within(pieces: list[tuple[datetime, datetime]]) -> ColumnElement[bool]:
    """Leads received within any of the pieces."""
    return or_(*(and_(Lead.created_at >= start, Lead.created_at < end) for start, end in pieces))


def local_day_number(quarter, boundaries: list[int]) -> ColumnElement[int]:
    """SQL: which day (0, 1, ...) a quarter hour falls in, given the quarter numbers the
    days start at (one more than there are days). Runs of 96-quarter days share one
    arithmetic branch, so a year with two daylight-saving changes needs five."""
    branches = []
    index = 0
    days = len(boundaries) - 1
    while index < days:
        end = index
        while end < days and boundaries[end + 1] - boundaries[end] == QUARTERS_PER_DAY:
            end += 1
        if end > index:  # days index .. end-1, each 96 quarters
            number = (quarter - literal_column(str(boundaries[index]))) // QUARTERS_PER_DAY
            branches.append((quarter < boundaries[end], number + index))
            index = end
        else:  # one day of another length (a daylight-saving change)
            branches.append((quarter < boundaries[index + 1], literal_column(str(index))))
            index += 1
    return case(*branches, else_=literal_column(str(days)))


def category_days(boundaries: list[datetime]) -> list[list[int]]:
    """Per day [leads, billable, duplicates, rejected, revenue], the days given by the
    quarter-aligned moments they start at (and the end of the last)."""
    numbers = [_quarter_number(moment) for moment in boundaries]
    split = split_quarters(boundaries[0], boundaries[-1], counted_through())
    days = [[0] * len(CATEGORIES) for _ in range(len(boundaries) - 1)]
    queries = []
    if split.counted:
        first, last = split.counted
        number = local_day_number(LeadQuarter.quarter, numbers).label("bucket")
        queries.append(
            select(number, *(func.sum(getattr(LeadQuarter, name)) for name in CATEGORIES))
            .where(LeadQuarter.quarter >= first, LeadQuarter.quarter < last)
            .group_by(literal_column("bucket"))
        )
    if split.live:
        number = local_day_number(epoch_quarter(Lead.created_at), numbers).label("bucket")
        queries.append(
            select(number, *(func.sum(expression) for expression in CATEGORIES.values()))
            .where(_within(split.live))
            .group_by(literal_column("bucket"))
        )
    for query in queries:
        for index, *values in db.session.execute(query):
            for position, value in enumerate(values):
                days[int(index)][position] += int(value or 0)
    return days


def category_windows(windows: list[tuple[datetime, datetime]]) -> list[dict[str, int]]:
    """For each stretch [start, end): the leads of each category, their revenue, and `kept`
    (leads not rejected)."""
    through = counted_through()
    splits = [split_quarters(start, end, through) for start, end in windows]
    names = [*CATEGORIES, "kept"]
    totals = [dict.fromkeys(names, 0) for _ in windows]
    counted = [(i, s.counted) for i, s in enumerate(splits) if s.counted]
    if counted:
        sources = {name: getattr(LeadQuarter, name) for name in CATEGORIES}
        sources["kept"] = LeadQuarter.leads - LeadQuarter.rejected
        columns = [
            func.sum(
                case((and_(LeadQuarter.quarter >= a, LeadQuarter.quarter < b), source), else_=0)
            )
            for _, (a, b) in counted
            for source in sources.values()
        ]
        low = min(a for _, (a, _) in counted)
        high = max(b for _, (_, b) in counted)
        values = db.session.execute(
            select(*columns).where(LeadQuarter.quarter >= low, LeadQuarter.quarter < high)
        ).one()
        _spread(totals, [i for i, _ in counted], names, values)
    live = [(i, s.live) for i, s in enumerate(splits) if s.live]
    if live:
        sources = {**CATEGORIES, "kept": OUTCOMES["kept"]}
        columns = [
            func.sum(case((_within(pieces), source), else_=0))
            for _, pieces in live
            for source in sources.values()
        ]
        everything = [piece for _, pieces in live for piece in pieces]
        values = db.session.execute(select(*columns).where(_within(everything))).one()
        _spread(totals, [i for i, _ in live], names, values)
    return totals


def _spread(totals: list[dict], indexes: list[int], names: list[str], values) -> None:
    """Add a row of values, len(names) per window, to the windows' totals."""
    for n, index in enumerate(indexes):
        for k, name in enumerate(names):
            totals[index][name] += int(values[n * len(names) + k] or 0)


@dataclass
class ListingFigures:
    """A listing's leads over a stretch (or a day): LeadDay's figures."""

    leads: int = 0
    revenue_cents: int = 0
    kept: int = 0
    reported: int = 0
    reached: int = 0
    applied: int = 0
    enrolled: int = 0

    def add(self, values) -> None:
        """Add a row of the figures, in the order of the fields."""
        for name, value in zip(self.__dataclass_fields__, values, strict=True):
            setattr(self, name, getattr(self, name) + int(value or 0))


LISTING_FIGURES = ["leads", "revenue_cents", *OUTCOMES]


def listing_figures(
    start: datetime, end: datetime, school_id: int | None = None, by_day: bool = False
) -> dict[tuple, ListingFigures]:
    """The leads received in [start, end) per (school id, program id), or per (UTC day,
    school id, program id) with by_day; only the school's with school_id."""
    split = split_days(start, end, counted_through())
    found: dict[tuple, ListingFigures] = {}
    if split.counted:
        first, last = split.counted
        months = None if by_day else whole_months(first, last)
        days = [(first, last)]
        if months:  # whole months from LeadMonth, the days around them from LeadDay
            days = [(first, months[0] - timedelta(days=1)), (_next_month(months[1]), last)]
            _collect(found, _listing_rows(LeadMonth, LeadMonth.month, *months, school_id), 2)
        for low, high in days:
            if low <= high:
                query = _listing_rows(LeadDay, LeadDay.day, low, high, school_id, by_day)
                _collect(found, query, 3 if by_day else 2, by_day=by_day)
    if split.live:
        keys = [utc_date(Lead.created_at)] if by_day else []
        keys += [Lead.school_id, Lead.program_id]
        conditions = [_within(split.live)]
        if school_id is not None:
            conditions.append(Lead.school_id == school_id)
        sources = {"leads": CATEGORIES["leads"], "revenue_cents": CATEGORIES["revenue_cents"]}
        sources |= OUTCOMES
        query = (
            select(*keys, *(func.sum(sources[name]) for name in LISTING_FIGURES))
            .where(*conditions)
            .group_by(*keys)
        )
        _collect(found, query, len(keys), by_day=by_day)
    return found


def _listing_rows(table, period, first: date, last: date, school_id, by_day=False) -> Select:
    """SELECT LeadDay's or LeadMonth's figures from `first` to `last` (days or months) per
    listing, or per day and listing."""
    keys = [period] if by_day else []
    keys += [table.school_id, table.program_id]
    conditions = [period >= first, period <= last]
    if school_id is not None:
        conditions.append(table.school_id == school_id)
    return (
        select(*keys, *(func.sum(getattr(table, name)) for name in LISTING_FIGURES))
        .where(*conditions)
        .group_by(*keys)
    )


def whole_months(first: date, last: date) -> tuple[date, date] | None:
    """The first days of the first and the last whole month from `first` to `last`."""
    start = first if first.day == 1 else _next_month(first)
    end_month = last.replace(day=1)
    if _next_month(last) != last + timedelta(days=1):  # `last` does not end its month
        end_month = (end_month - timedelta(days=1)).replace(day=1)
    return (start, end_month) if start <= end_month else None


def _next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def campaign_figures(start: datetime, end: datetime) -> dict[str, ListingFigures]:
    """The leads received in [start, end) per campaign (utm_campaign; "" for none), with
    ListingFigures' figures (revenue left at 0)."""
    split = split_days(start, end, counted_through())
    found: dict[tuple, ListingFigures] = {}
    names = ["leads", "kept", "reported", "reached", "applied", "enrolled"]
    if split.counted:
        first, last = split.counted
        query = (
            select(CampaignDay.campaign, *(func.sum(getattr(CampaignDay, n)) for n in names))
            .where(CampaignDay.day >= first, CampaignDay.day <= last)
            .group_by(CampaignDay.campaign)
        )
        _collect(found, query, 1, names)
    if split.live:
        sources = {"leads": CATEGORIES["leads"], **OUTCOMES}
        query = (
            select(Lead.utm_campaign, *(func.sum(sources[name]) for name in names))
            .where(_within(split.live))
            .group_by(Lead.utm_campaign)
        )
        _collect(found, query, 1, names)
    return {key[0]: figures for key, figures in found.items()}


def _collect(
    found: dict, query: Select, key_count: int, names: list[str] | None = None, by_day=False
) -> None:
    """Add the query's rows (keys first, a day first with by_day, then the figures named
    `names`, or all of ListingFigures') into `found`."""
    for row in db.session.execute(query):
        key = tuple(row[:key_count])
        if by_day:
            key = (_as_date(key[0]), *key[1:])
        figures = found.setdefault(key, ListingFigures())
        if names is None:
            figures.add(row[key_count:])
        else:
            for name, value in zip(names, row[key_count:], strict=True):
                setattr(figures, name, getattr(figures, name) + int(value or 0))


@dataclass(frozen=True)
class SearchFigures:
    """The searches of a stretch: how many, per state (None: a ZIP we do not know), and per
    ZIP code of those that found nothing."""

    searches: int
    per_state: dict[str | None, int]
    empty_per_zip: dict[str, int]


def search_figures(start: datetime, end: datetime) -> SearchFigures:
    """The searches logged in [start, end)."""
    split = split_days(start, end, counted_through())
    per_state: dict[str | None, int] = {}
    empty: dict[str, int] = {}
    if split.counted:
        first, last = split.counted
        for state, count in db.session.execute(
            select(SearchDay.state, func.sum(SearchDay.searches))
            .where(SearchDay.day >= first, SearchDay.day <= last)
            .group_by(SearchDay.state)
        ):
            per_state[state or None] = per_state.get(state or None, 0) + int(count)
        for zip_code, count in db.session.execute(
            select(EmptySearchDay.zip_code, func.sum(EmptySearchDay.searches))
            .where(EmptySearchDay.day >= first, EmptySearchDay.day <= last)
            .group_by(EmptySearchDay.zip_code)
        ):
            empty[zip_code] = empty.get(zip_code, 0) + int(count)
    if split.live:
        live = _logged_within(split.live)
        for state, count in db.session.execute(
            select(SearchLog.state, func.count()).where(live).group_by(SearchLog.state)
        ):
            per_state[state] = per_state.get(state, 0) + count
        for zip_code, count in db.session.execute(
            select(SearchLog.zip_code, func.count())
            .where(live, SearchLog.result_count == 0)
            .group_by(SearchLog.zip_code)
        ):
            empty[zip_code] = empty.get(zip_code, 0) + count
    return SearchFigures(sum(per_state.values()), per_state, empty)


def search_count(start: datetime, end: datetime) -> int:
    """How many searches were logged in [start, end)."""
    split = split_days(start, end, counted_through())
    total = 0
    if split.counted:
        first, last = split.counted
        total += db.session.scalar(
            select(func.coalesce(func.sum(SearchDay.searches), 0)).where(
                SearchDay.day >= first, SearchDay.day <= last
            )
        )
    if split.live:
        total += db.session.scalar(select(func.count()).where(_logged_within(split.live)))
    return int(total)


def _logged_within(pieces: list[tuple[datetime, datetime]]) -> ColumnElement[bool]:
    """Searches logged within any of the pieces."""
    return or_(
        *(and_(SearchLog.created_at >= start, SearchLog.created_at < end) for start, end in pieces)
    )
