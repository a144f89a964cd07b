"""Which sponsored listings serve a ZIP code: the one rule that search and lead capture share.

A campus (or hybrid) listing serves a ZIP when its campus lies within the radius of the ZIP's
centre; an online listing serves a ZIP when it may enrol students in the ZIP's state. Either way
the listing must be active and its sponsorship running: started, not ended, and under its daily
and monthly lead caps. Days and months are UTC calendar days and months.
"""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from portal.extensions import db
from portal.models import Campus, Program, ProgramState, Sponsorship, ZipCode
from portal.services.geo import EARTH_RADIUS_MILES, bounding_box, distance_miles

RADIUS_CHOICES = (10, 25, 50, 100)
DEFAULT_RADIUS = 50
# Above any campus's haversine term (at most 1), so online listings rank after campuses.
ONLINE_SORT_KEY = 2.0


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of a search; None means any."""

    career: str | None = None
    credential_level: str | None = None
    modality: str | None = None
    radius_miles: int = DEFAULT_RADIUS


@dataclass(frozen=True)
class Candidate:
    """A listing that serves the ZIP, with what it is ranked by."""

    program_id: int
    bid_cents: int
    distance_miles: float | None  # None for online listings

    @property
    def rank_key(self) -> tuple:
        """Highest bid first, then nearest (online after campuses), then the lowest id."""
        distance = float("inf") if self.distance_miles is None else self.distance_miles
        return (-self.bid_cents, distance, self.program_id)


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def sponsorship_running(today: date) -> ColumnElement[bool]:
    """SQL condition: the sponsorship has started, not ended, and has room under both caps."""
    this_month = month_start(today)
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


def _listing_conditions(filters: Filters, today: date, program_id: int | None) -> list:
    """Conditions every matching listing meets, whatever its modality."""
    conditions = [Program.is_active.is_(True), sponsorship_running(today)]
    if filters.career:
        conditions.append(Program.career == filters.career)
    if filters.credential_level:
        conditions.append(Program.credential_level == filters.credential_level)
    if program_id is not None:
        conditions.append(Program.id == program_id)
    return conditions


def _wants(filters: Filters, *modalities: str) -> bool:
    """Whether the modality filter admits any of these modalities."""
    return filters.modality is None or filters.modality in modalities


def _haversine_term(origin: ZipCode) -> ColumnElement[float]:
    """SQL for the haversine term `a` between the campus and `origin` (0 = same point).

    Great-circle distance grows with `a`, so the database can filter and order by it without
    taking the arc sine; distances in miles are computed in Python for the rows shown.
    """
    half_degree = math.pi / 360  # degrees to radians, halved
    dlat = (Campus.latitude - origin.latitude) * half_degree
    dlon = (Campus.longitude - origin.longitude) * half_degree
    cos_origin = math.cos(math.radians(origin.latitude))
    return func.power(func.sin(dlat), 2) + cos_origin * func.cos(
        Campus.latitude * (2 * half_degree)
    ) * func.power(func.sin(dlon), 2)


def _ranked_listings(origin: ZipCode, filters: Filters, today: date, program_id: int | None):
    """A subquery of every listing serving `origin`: program_id, bid_cents, sort_key, lat, lon.

    Campus and hybrid listings are found through the campus lat/lon index (a bounding box),
    then cut to the circle; online listings through the state index. Online rows get a sort
    key above any campus's, so they rank after campuses with the same bid.
    """
    common = _listing_conditions(filters, today, program_id)
    parts = []
    if _wants(filters, "campus", "hybrid"):
        box = bounding_box(origin.latitude, origin.longitude, filters.radius_miles)
        modalities = [filters.modality] if filters.modality else ["campus", "hybrid"]
        term = _haversine_term(origin)
        limit = math.sin(filters.radius_miles / (2 * EARTH_RADIUS_MILES)) ** 2
        parts.append(
            select(
                Program.id.label("program_id"),
                Sponsorship.bid_cents.label("bid_cents"),
                term.label("sort_key"),
                Campus.latitude.label("lat"),
                Campus.longitude.label("lon"),
            )
            .join(Sponsorship, Sponsorship.program_id == Program.id)
            .join(Campus, Campus.id == Program.campus_id)
            .where(
                Campus.latitude.between(box.min_lat, box.max_lat),
                Campus.longitude.between(box.min_lon, box.max_lon),
                term <= limit,
                Program.modality.in_(modalities),
                *common,
            )
        )
    if _wants(filters, "online"):
        parts.append(
            select(
                Program.id.label("program_id"),
                Sponsorship.bid_cents.label("bid_cents"),
                literal(ONLINE_SORT_KEY, Float).label("sort_key"),
                cast(null(), Float).label("lat"),
                cast(null(), Float).label("lon"),
            )
            .join(Sponsorship, Sponsorship.program_id == Program.id)
            .join(ProgramState, ProgramState.program_id == Program.id)
            .where(ProgramState.state == origin.state, Program.modality == "online", *common)
        )
    if not parts:
        return None
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("listing")


def _order(listing) -> tuple:
    """Highest bid first, then nearest (online after campuses), then the lowest id."""
    return (listing.c.bid_cents.desc(), listing.c.sort_key, listing.c.program_id)


def _candidate(origin: ZipCode, row) -> Candidate:
    """A Candidate from a ranked row, with its distance in miles (None when online)."""
    if row.lat is None:
        return Candidate(row.program_id, row.bid_cents, None)
    miles = distance_miles(origin.latitude, origin.longitude, row.lat, row.lon)
    return Candidate(row.program_id, row.bid_cents, miles)


def find_candidates(
    origin: ZipCode, filters: Filters, today: date, program_id: int | None = None
) -> list[Candidate]:
    """Every listing that serves `origin` under `filters`, ranked; optionally just one program."""
    listing = _ranked_listings(origin, filters, today, program_id)
    if listing is None:
        return []
    rows = db.session.execute(select(listing).order_by(*_order(listing)))
    return [_candidate(origin, row) for row in rows]


def rank_page(
    origin: ZipCode, filters: Filters, today: date, offset: int, limit: int
) -> tuple[int, list[Candidate]]:
    """How many listings serve `origin`, and the ranked ones from `offset` (at most `limit`).

    The database ranks and counts; only the requested page's rows come back.
    """
    listing = _ranked_listings(origin, filters, today, None)
    if listing is None:
        return 0, []
    total = func.count().over().label("total")
    rows = db.session.execute(
        select(listing, total).order_by(*_order(listing)).offset(offset).limit(limit)
    ).all()
    if rows:
        return rows[0].total, [_candidate(origin, row) for row in rows]
    count = db.session.scalar(select(func.count()).select_from(listing))
    return count or 0, []


def program_serves(program_id: int, origin: ZipCode, radius_miles: int, today: date) -> bool:
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


def today_utc() -> date:
    """Today's date in UTC, the calendar that start and end dates and lead caps follow."""
    return datetime.now(UTC).date()
