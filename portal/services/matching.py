"""Which sponsored listings serve a ZIP code: the one rule that search and lead capture share.

A campus (or hybrid) listing serves a ZIP when its campus lies within the radius of the ZIP's
centre; an online listing serves a ZIP when it may enrol students in the ZIP's state. Either way
the listing must be active and its sponsorship running: started, not ended, and under its daily
and monthly lead caps. Days and months are UTC calendar days and months.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select

from portal.extensions import db
from portal.models import Campus, Program, ProgramState, Sponsorship, ZipCode
from portal.services.geo import bounding_box, distance_miles

RADIUS_CHOICES = (10, 25, 50, 100)
DEFAULT_RADIUS = 50


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


def find_candidates(
    origin: ZipCode, filters: Filters, today: date, program_id: int | None = None
) -> list[Candidate]:
    """Every listing that serves `origin` under `filters`, ranked; optionally just one program."""
    common = _listing_conditions(filters, today, program_id)
    candidates: list[Candidate] = []
    if _wants(filters, "campus", "hybrid"):
        box = bounding_box(origin.latitude, origin.longitude, filters.radius_miles)
        modalities = [filters.modality] if filters.modality else ["campus", "hybrid"]
        rows = db.session.execute(
            select(Program.id, Sponsorship.bid_cents, Campus.latitude, Campus.longitude)
            .join(Sponsorship, Sponsorship.program_id == Program.id)
            .join(Campus, Campus.id == Program.campus_id)
            .where(
                Campus.latitude.between(box.min_lat, box.max_lat),
                Campus.longitude.between(box.min_lon, box.max_lon),
                Program.modality.in_(modalities),
                *common,
            )
        )
        for pid, bid, lat, lon in rows:
            miles = distance_miles(origin.latitude, origin.longitude, lat, lon)
            if miles <= filters.radius_miles:
                candidates.append(Candidate(pid, bid, miles))
    if _wants(filters, "online"):
        rows = db.session.execute(
            select(Program.id, Sponsorship.bid_cents)
            .join(Sponsorship, Sponsorship.program_id == Program.id)
            .join(ProgramState, ProgramState.program_id == Program.id)
            .where(ProgramState.state == origin.state, Program.modality == "online", *common)
        )
        candidates.extend(Candidate(pid, bid, None) for pid, bid in rows)
    candidates.sort(key=lambda c: c.rank_key)
    return candidates


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
