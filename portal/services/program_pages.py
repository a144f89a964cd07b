"""One listing's own page: everything a visitor decides on, or, for a listing that is gone,
similar listings to look at instead."""

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Program, Sponsorship
from portal.services.geo import InvalidZip, UnknownZip, ZipPoint, distance_miles, find_zip
from portal.services.matching import sponsorship_running
from portal.services.programs import ProgramNotFound
from portal.services.search import Listing, similar_listings


@dataclass(frozen=True)
class ProgramPage:
    """A listing as its page shows it."""

    program: Program
    taking_requests: bool  # its sponsorship has started, not ended, and is under its caps
    upcoming_starts: tuple[date, ...]
    states: tuple[str, ...] = ()  # where an online listing enrols, by code
    origin: ZipPoint | None = None  # the visitor's ZIP, when the page was given a known one
    distance_miles: float | None = None  # from that ZIP to the campus


class ProgramGone(LookupError):
    """The listing exists but is switched off: `similar` listings are offered instead."""

    def __init__(self, program: Program, origin: ZipPoint | None, similar: list[Listing]):
        super().__init__(f"listing {program.id} is not active")
        self.program = program
        self.origin = origin
        self.similar = similar


def program_page(program_id: int, zip_code: str | None, radius_miles: int, today: date):
    """The page of one listing, seen from `zip_code` (None, or text that is no known ZIP: from
    nowhere in particular).

    Raises ProgramNotFound for an unknown id, ProgramGone for an inactive listing (with up to
    four listings of the same career serving the ZIP, or else the listing's campus).
    """
    row = db.session.execute(_page_statement(today), {"listing_id": program_id}).first()
    if row is None:
        raise ProgramNotFound(program_id)
    program, running = row
    origin = _known_zip(zip_code)
    if not program.is_active:
        place = origin or (_known_zip(program.campus.zip_code) if program.campus else None)
        similar = []
        if place is not None:
            similar = similar_listings(place, program.career, radius_miles, today, program.id)
        raise ProgramGone(program, origin, similar)
    campus = program.campus
    miles = None
    if origin is not None and campus is not None:
        miles = distance_miles(origin.latitude, origin.longitude, campus.latitude, campus.longitude)
    states = tuple(sorted(s.state for s in program.states)) if program.modality == "online" else ()
    return ProgramPage(
        program=program,
        taking_requests=bool(running),
        upcoming_starts=program.upcoming_starts(today),
        states=states,
        origin=origin,
        distance_miles=miles,
    )


def _known_zip(text: str | None) -> ZipPoint | None:
    """The ZIP row for `text`, or None when it is missing, malformed or unknown."""
    if not text:
        return None
    try:
        return find_zip(text)
    except (InvalidZip, UnknownZip):
        return None


@functools.lru_cache(maxsize=4)
def _page_statement(today: date):
    """The listing (active or not) with its school and campus, and whether it takes requests
    `today`."""
    return (
        select(Program, sponsorship_running(today))
        .join(Sponsorship, Sponsorship.program_id == Program.id, isouter=True)
        .options(joinedload(Program.school), joinedload(Program.campus))
        .where(Program.id == bindparam("listing_id"))
    )


def listed_program_ids(today: date) -> list[int]:
    """The listings whose pages search engines should know: active and taking requests."""
    return list(
        db.session.scalars(
            select(Program.id)
            .join(Sponsorship, Sponsorship.program_id == Program.id)
            .where(Program.is_active.is_(True), sponsorship_running(today))
            .order_by(Program.id)
        )
    )
