"""The sponsored program search: the listings serving a ZIP, one page at a time, and its log."""

import math
from dataclasses import dataclass, field
from datetime import date

from portal.services.geo import ZipPoint, find_zip
from portal.services.matching import (
    RADIUS_CHOICES,
    Candidate,
    Filters,
    NearestCampus,
    nearest_campus,
    rank_page,
)

PER_PAGE = 10
# How many online programs a search that found nothing offers instead.
ONLINE_FALLBACK_LIMIT = 10
# How far a search that found nothing on campus looks for the nearest campus, to say how far it
# is (one query: a bounding box this size on the radius search's index, the nearest row).
NEAREST_CAMPUS_MILES = 500


@dataclass(frozen=True)
class Listing:
    """One sponsored result, ready to show: the program, its school and campus, distance, and
    what a visitor decides on (tuition, schedule, start dates from today on...)."""

    program_id: int
    school: str
    title: str
    career: str
    credential_level: str
    modality: str
    duration: str
    description: str
    campus_name: str | None
    campus_city: str | None
    campus_state: str | None
    campus_zip: str | None
    distance_miles: float | None  # None for online listings
    tuition_min_cents: int | None = None
    tuition_max_cents: int | None = None
    schedule: tuple[str, ...] = ()
    next_start_dates: tuple[date, ...] = ()  # from the day of the search on
    accreditation: str | None = None
    financial_aid: bool | None = None
    program_url: str | None = None


@dataclass(frozen=True)
class SearchResults:
    """One page of a search: where, with which filters, how many in all, and this page's."""

    zip_code: str
    city: str
    state: str
    filters: Filters
    page: int
    per_page: int
    total: int
    listings: list[Listing]
    # Offered when the search found nothing: online programs open to the ZIP's state.
    online_in_state: list[Listing] = field(default_factory=list)
    # Whether the search found nothing on campus within its radius (said on its first page),
    # and then the nearest campus listing beyond it (None: none within NEAREST_CAMPUS_MILES).
    nothing_on_campus: bool = False
    nearest_campus: NearestCampus | None = None

    @property
    def shown_ids(self) -> tuple[int, ...]:
        """The listings this page shows, in order (each counts as one impression)."""
        return tuple(x.program_id for x in (*self.listings, *self.online_in_state))

    @property
    def pages(self) -> int:
        """How many pages the results fill (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_position(self) -> int:
        """The rank of this page's first listing, counting from 1."""
        return (self.page - 1) * self.per_page + 1

    @property
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages

    @property
    def wider_radius(self) -> int | None:
        """The next radius choice above this search's, or None at the widest."""
        return next((r for r in RADIUS_CHOICES if r > self.filters.radius_miles), None)

    @property
    def campus_radius(self) -> int | None:
        """The smallest radius choice that reaches the nearest campus listing, if one does."""
        if self.nearest_campus is None:
            return None
        miles = self.nearest_campus.distance_miles
        return next((r for r in RADIUS_CHOICES if r >= miles), None)


def find_programs(
    zip_code: str,
    filters: Filters,
    page: int,
    today: date,
    per_page: int = PER_PAGE,
    nearest: bool = False,
) -> SearchResults:
    """Search the listings serving `zip_code` and return page `page`; with `nearest`, a first
    page that shows nothing on campus also says how far the nearest campus listing is.

    Raises InvalidZip for text that is not a ZIP code and UnknownZip for one we don't have.
    The caller logs the search (portal.services.search_log.record_search), once per request.
    """
    origin = find_zip(zip_code)
    total, candidates = rank_page(origin, filters, today, (page - 1) * per_page, per_page)
    fallback = online_programs_in_state(origin, filters, today) if total == 0 else []
    closest, none_on_campus = None, False
    on_campus = any(c.distance_miles is not None for c in candidates)
    if nearest and page == 1 and filters.modality != "online" and not on_campus:
        closest, none_on_campus = nearest_campus_beyond(origin, filters, today)
    return SearchResults(
        zip_code=origin.code,
        city=origin.city,
        state=origin.state,
        filters=filters,
        page=page,
        per_page=per_page,
        total=total,
        listings=[_shown(c, today) for c in candidates],
        online_in_state=fallback,
        nothing_on_campus=none_on_campus,
        nearest_campus=closest,
    )


def nearest_campus_beyond(
    origin: ZipPoint, filters: Filters, today: date
) -> tuple[NearestCampus | None, bool]:
    """For a first page that shows nothing on campus: the nearest campus listing for these
    filters (None when none is within NEAREST_CAMPUS_MILES), and whether that means nothing is
    on campus within the search's radius (False: one is, ranked on a later page)."""
    found = nearest_campus(origin, filters, today, max(NEAREST_CAMPUS_MILES, filters.radius_miles))
    if found is None:
        return None, True
    beyond = found.distance_miles > filters.radius_miles
    return (found, True) if beyond else (None, False)


def online_programs_in_state(
    origin: ZipPoint, filters: Filters, today: date, limit: int = ONLINE_FALLBACK_LIMIT
) -> list[Listing]:
    """The best-ranked online listings open to `origin`'s state, for the same career if any.

    Offered when a search found nothing: its modality and credential level filters are dropped.
    """
    online = Filters(career=filters.career, modality="online", radius_miles=filters.radius_miles)
    return [_shown(c, today) for c in rank_page(origin, online, today, 0, limit)[1]]


def similar_listings(
    origin: ZipPoint, career: str, radius_miles: int, today: date, exclude: int, limit: int = 4
) -> list[Listing]:
    """The best-ranked listings for `career` serving `origin`, but the one `exclude` names:
    offered in place of a listing that is gone."""
    filters = Filters(career=career, radius_miles=radius_miles)
    _, ranked = rank_page(origin, filters, today, 0, limit + 1)
    return [_shown(c, today) for c in ranked if c.program_id != exclude][:limit]


def _shown(candidate: Candidate, today: date) -> Listing:
    """A Listing from a ranked candidate and what rank_page read of it."""
    row = candidate.shown
    return Listing(
        program_id=candidate.program_id,
        school=row.school,
        title=row.title,
        career=row.career,
        credential_level=row.credential_level,
        modality=row.modality,
        duration=row.duration,
        description=row.description,
        campus_name=row.campus_name,
        campus_city=row.campus_city,
        campus_state=row.campus_state,
        campus_zip=row.campus_zip,
        distance_miles=candidate.distance_miles,
        tuition_min_cents=row.tuition_min_cents,
        tuition_max_cents=row.tuition_max_cents,
        schedule=tuple(row.schedule or ()),
        next_start_dates=tuple(day for day in row.next_start_dates or () if day >= today),
        accreditation=row.accreditation,
        financial_aid=row.financial_aid,
        program_url=row.program_url,
    )
