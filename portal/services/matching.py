"""Which sponsored listings serve a ZIP code: the one rule that search and lead capture share.

A campus (or hybrid) listing serves a ZIP when its campus lies within the radius of the ZIP's
centre; an online listing serves a ZIP when it may enrol students in the ZIP's state. Either way
the listing must be active and its sponsorship running: started, not ended, and under its daily
and monthly lead caps. Days and months are UTC calendar days and months.
"""

import functools
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from portal.core.reads import read_rows
from portal.extensions import db
from portal.models import MODALITIES, Campus, Program, ProgramState, School, Sponsorship
from portal.services.geo import EARTH_RADIUS_MILES, ZipPoint, bounding_box, distance_miles

RADIUS_CHOICES = (10, 25, 50, 100)
DEFAULT_RADIUS = 50
# How results may be ordered: by sponsorship (the default), nearest first, or cheapest first.
SORTS = ("sponsored", "distance", "tuition")
DEFAULT_SORT = "sponsored"
# Above any campus's haversine term (at most 1), so online listings rank after campuses.
ONLINE_SORT_KEY = 2.0


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of a search (None means any), and how its results are ordered."""

    career: str | None = None
    credential_level: str | None = None
    modality: str | None = None
    radius_miles: int = DEFAULT_RADIUS
    sort: str = DEFAULT_SORT


@dataclass(frozen=True)
class Candidate:
    """A listing that serves the ZIP, with what it is ranked by (and, from rank_page, what a
    results page shows of it: SHOWN's columns)."""

    program_id: int
    bid_cents: int
    distance_miles: float | None  # None for online listings
    shown: Any = field(default=None, compare=False)


# What a results page shows of each listing: read with the ranking, in the same statement.
SHOWN = (
    Program.title,
    Program.career,
    Program.credential_level,
    Program.modality,
    Program.duration,
    Program.description,
    Program.tuition_min_cents,
    Program.tuition_max_cents,
    Program.schedule,
    Program.next_start_dates,
    Program.accreditation,
    Program.financial_aid,
    Program.program_url,
    School.name.label("school"),
    Campus.name.label("campus_name"),
    Campus.city.label("campus_city"),
    Campus.state.label("campus_state"),
    Campus.zip_code.label("campus_zip"),
)


def parse_radius(value) -> int:
    """A radius from the search's choices (as a URL or form gives it), or the default for
    anything else."""
    try:
        radius = int(value)
    except (TypeError, ValueError):
        return DEFAULT_RADIUS
    return radius if radius in RADIUS_CHOICES else DEFAULT_RADIUS


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def sponsorship_running(today: date) -> ColumnElement[bool]:
    """SQL condition: the sponsorship has started, not ended, and has room under both caps."""
    return _running(today, month_start(today))


def sponsorship_running_bound() -> ColumnElement[bool]:
    """sponsorship_running, its dates the bound parameters `today` and `this_month`, for a
    statement built once and run on any day."""
    return _running(bindparam("today", type_=Date), bindparam("this_month", type_=Date))


def _running(today, this_month) -> ColumnElement[bool]:
    """sponsorship_running, for dates given as values or as bound parameters."""
    return and_(
        Sponsorship.starts_on <= today,
        or_(Sponsorship.ends_on.is_(None), Sponsorship.ends_on >= today),
        or_(
            Sponsorship.daily_cap.is_(None),
            Sponsorship.count_day.is_(None),
            Sponsorship.count_day != today,
            Sponsorship.day_count < Sponsorship.daily_cap,
        ),
        or_(
            Sponsorship.monthly_cap.is_(None),
            Sponsorship.count_month.is_(None),
            Sponsorship.count_month != this_month,
            Sponsorship.month_count < Sponsorship.monthly_cap,
        ),
    )


@dataclass(frozen=True)
class _Shape:
    """What a search's SQL looks like: which parts and filters it has (not their values).

    Searches of one shape share one statement, built once with bound parameters, so a search
    spends its time in the database rather than in building and compiling SQL.
    """

    campus_modalities: tuple[str, ...]  # empty: no campus part
    online: bool
    career: bool
    level: bool
    program: bool
    sort: str


@dataclass(frozen=True)
class _Statements:
    """The statements of one shape: every row ranked, one page with the total and what the
    page shows of each listing, the count."""

    ranked: Select
    page: Select
    count: Select


def _shape(filters: Filters, program_id: int | None) -> _Shape:
    """The shape of a search with these filters."""
    wanted = MODALITIES if filters.modality is None else (filters.modality,)
    return _Shape(
        campus_modalities=tuple(m for m in wanted if m != "online"),
        online="online" in wanted,
        career=bool(filters.career),
        level=bool(filters.credential_level),
        program=program_id is not None,
        sort=filters.sort,
    )


def _parameters(origin: ZipPoint, filters: Filters, today: date, program_id: int | None) -> dict:
    """The bound values of a search's statement."""
    box = bounding_box(origin.latitude, origin.longitude, filters.radius_miles)
    return {
        "origin_lat": origin.latitude,
        "origin_lon": origin.longitude,
        "origin_cos": math.cos(math.radians(origin.latitude)),
        "min_lat": box.min_lat,
        "max_lat": box.max_lat,
        "min_lon": box.min_lon,
        "max_lon": box.max_lon,
        # The haversine term of a point exactly `radius` away.
        "max_term": math.sin(filters.radius_miles / (2 * EARTH_RADIUS_MILES)) ** 2,
        "state": origin.state,
        "today": today,
        "this_month": month_start(today),
        "career": filters.career,
        "level": filters.credential_level,
        "program_id": program_id,
    }


def _haversine_term() -> ColumnElement[float]:
    """SQL for the haversine term `a` between the listing's campus and the origin (0 = same point).

    Great-circle distance grows with `a`, so the database can filter and order by it without
    taking the arc sine; distances in miles are computed in Python for the rows shown.
    """
    half_degree = math.pi / 360  # degrees to radians, halved
    latitude, longitude = Program.campus_latitude, Program.campus_longitude
    dlat = (latitude - bindparam("origin_lat", type_=Float)) * half_degree
    dlon = (longitude - bindparam("origin_lon", type_=Float)) * half_degree
    return func.power(func.sin(dlat), 2) + bindparam("origin_cos", type_=Float) * func.cos(
        latitude * (2 * half_degree)
    ) * func.power(func.sin(dlon), 2)


@functools.cache
def _statements(shape: _Shape) -> _Statements | None:
    """Build (once per shape) the statements that rank the listings serving a ZIP.

    Campus and hybrid listings are found through the index on the listing's copy of its
    campus's coordinates (a bounding box), then cut to the circle; online listings through the
    state index. Online rows get a sort key above any campus's, so they rank after campuses
    with the same bid (or, sorted by distance, after every campus). Sorted by tuition, the
    lowest tuition comes first and listings without one last; that index carries tuition too.
    """
    common = [
        Program.is_active.is_(True),
        sponsorship_running_bound(),
    ]
    if shape.career:
        common.append(Program.career == bindparam("career"))
    if shape.level:
        common.append(Program.credential_level == bindparam("level"))
    if shape.program:
        common.append(Program.id == bindparam("program_id"))
    # Only a search sorted by tuition reads it (so the others' plans stay as they were).
    tuition = [Program.tuition_min_cents.label("tuition")] if shape.sort == "tuition" else []
    parts = []
    if shape.campus_modalities:
        term = _haversine_term()
        parts.append(
            select(
                Program.id.label("program_id"),
                Sponsorship.bid_cents.label("bid_cents"),
                term.label("sort_key"),
                Program.campus_latitude.label("lat"),
                Program.campus_longitude.label("lon"),
                *tuition,
            )
            .join(Sponsorship, Sponsorship.program_id == Program.id)
            .where(
                Program.campus_latitude.between(bindparam("min_lat"), bindparam("max_lat")),
                Program.campus_longitude.between(bindparam("min_lon"), bindparam("max_lon")),
                term <= bindparam("max_term", type_=Float),
                # One bound value each, not an "expanding" list, which is rewritten per call.
                Program.modality.in_([literal(m) for m in shape.campus_modalities]),
                *common,
            )
        )
    if shape.online:
        parts.append(
            select(
                Program.id.label("program_id"),
                Sponsorship.bid_cents.label("bid_cents"),
                literal(ONLINE_SORT_KEY, Float).label("sort_key"),
                cast(null(), Float).label("lat"),
                cast(null(), Float).label("lon"),
                *tuition,
            )
            .join(Sponsorship, Sponsorship.program_id == Program.id)
            .join(ProgramState, ProgramState.program_id == Program.id)
            .where(
                ProgramState.state == bindparam("state"),
                Program.modality == "online",
                *common,
            )
        )
    if not parts:
        return None
    listing = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("listing")
    order = _order(listing, shape.sort)
    total = func.count().over().label("total")
    page = (
        select(listing, total)
        .order_by(*order)
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
        .subquery("page")
    )
    return _Statements(
        ranked=select(listing).order_by(*order),
        # Only the page's rows are joined to what is shown of them.
        page=(
            select(page, *SHOWN)
            .join(Program, Program.id == page.c.program_id)
            .join(School, School.id == Program.school_id)
            .outerjoin(Campus, Campus.id == Program.campus_id)
            .order_by(*_order(page, shape.sort))
        ),
        count=select(func.count().label("total")).select_from(listing),
    )


def _order(listing, sort: str) -> tuple:
    """The ORDER BY of a sort; every one ends with the lowest id, so the order is stable.

    sponsored: highest bid first, then nearest (online after campuses). distance: nearest
    first (online last), then highest bid. tuition: lowest first, listings without tuition
    last, then as sponsored.
    """
    bid, distance, program_id = listing.c.bid_cents.desc(), listing.c.sort_key, listing.c.program_id
    if sort == "distance":
        return (distance, bid, program_id)
    if sort == "tuition":
        return (listing.c.tuition.asc().nulls_last(), bid, distance, program_id)
    return (bid, distance, program_id)


def _candidate(origin: ZipPoint, row, shown: bool = False) -> Candidate:
    """A Candidate from a ranked row, with its distance in miles (None when online)."""
    miles = None
    if row.lat is not None:
        miles = distance_miles(origin.latitude, origin.longitude, row.lat, row.lon)
    return Candidate(row.program_id, row.bid_cents, miles, row if shown else None)


def find_candidates(
    origin: ZipPoint, filters: Filters, today: date, program_id: int | None = None
) -> list[Candidate]:
    """Every listing that serves `origin` under `filters`, ranked; optionally just one program."""
    statements = _statements(_shape(filters, program_id))
    if statements is None:
        return []
    rows = _core(statements.ranked, _parameters(origin, filters, today, program_id))
    return [_candidate(origin, row) for row in rows]


def _core(statement, values: dict):
    """Run a ranking statement on the session's connection as plain SQL (its rows are tuples,
    never ORM objects, so the ORM's layer of execute() would only add cost)."""
    return db.session.connection().execute(statement, values)


def rank_page(
    origin: ZipPoint, filters: Filters, today: date, offset: int, limit: int
) -> tuple[int, list[Candidate]]:
    """How many listings serve `origin`, and the ranked ones from `offset` (at most `limit`),
    each with what a results page shows of it (Candidate.shown).

    One statement: the database ranks and counts, and only the requested page's rows come
    back, joined to their program, school and campus.
    """
    statements = _statements(_shape(filters, None))
    if statements is None:
        return 0, []
    values = _parameters(origin, filters, today, None)
    rows = read_rows(statements.page, {**values, "offset": offset, "limit": limit})
    if rows:
        return rows[0].total, [_candidate(origin, row, shown=True) for row in rows]
    if offset == 0:  # not one row from the first: none at all, no need to count
        return 0, []
    return read_rows(statements.count, values)[0][0] or 0, []


@dataclass(frozen=True)
class NearestCampus:
    """The campus (or hybrid) listing nearest to a ZIP: its id, distance and campus's town."""

    program_id: int
    distance_miles: float
    city: str
    state: str


@functools.cache
def _nearest_statement(campus_modalities: tuple[str, ...], career: bool, level: bool) -> Select:
    """The statement (built once per shape) of the nearest listing on campus: the radius
    search's campus part, ordered by distance, one row, with its campus's town."""
    term = _haversine_term()
    where = [
        Program.campus_latitude.between(bindparam("min_lat"), bindparam("max_lat")),
        Program.campus_longitude.between(bindparam("min_lon"), bindparam("max_lon")),
        term <= bindparam("max_term", type_=Float),
        Program.modality.in_([literal(m) for m in campus_modalities]),
        Program.is_active.is_(True),
        sponsorship_running_bound(),
    ]
    if career:
        where.append(Program.career == bindparam("career"))
    if level:
        where.append(Program.credential_level == bindparam("level"))
    nearest = (
        select(
            Program.id.label("program_id"),
            Program.campus_latitude.label("lat"),
            Program.campus_longitude.label("lon"),
            Program.campus_id.label("campus_id"),
        )
        .join(Sponsorship, Sponsorship.program_id == Program.id)
        .where(*where)
        .order_by(term, Program.id)
        .limit(1)
        .subquery("nearest")
    )
    return select(nearest, Campus.city, Campus.state).join(Campus, Campus.id == nearest.c.campus_id)


def nearest_campus(
    origin: ZipPoint, filters: Filters, today: date, within_miles: int
) -> NearestCampus | None:
    """The listing on campus (or hybrid) nearest to `origin`, within `within_miles`, that a
    search with these filters would show at that radius; None when there is none, or when
    the filters ask for online listings only.

    One query on the radius search's index (a bounding box of `within_miles`), run only when a
    search found nothing on campus, to say how far the nearest campus is.
    """
    wanted = MODALITIES if filters.modality is None else (filters.modality,)
    campus_modalities = tuple(m for m in wanted if m != "online")
    if not campus_modalities:
        return None
    statement = _nearest_statement(
        campus_modalities, bool(filters.career), bool(filters.credential_level)
    )
    wide = Filters(filters.career, filters.credential_level, radius_miles=within_miles)
    rows = read_rows(statement, _parameters(origin, wide, today, None))
    if not rows:
        return None
    row = rows[0]
    miles = distance_miles(origin.latitude, origin.longitude, row.lat, row.lon)
    return NearestCampus(row.program_id, miles, row.city, row.state)


def program_serves(program_id: int, origin: ZipPoint, radius_miles: int, today: date) -> bool:
    """Whether this one program, as it stands today, serves `origin` within the radius."""
    filters = Filters(radius_miles=radius_miles)
    return bool(find_candidates(origin, filters, today, program_id=program_id))


def sponsorship_is_running(program_id: int, today: date) -> bool:
    """Whether the program's sponsorship has started, not ended, and is under its caps."""
    found = db.session.scalar(
        select(Sponsorship.id).where(
            Sponsorship.program_id == program_id, sponsorship_running(today)
        )
    )
    return found is not None
