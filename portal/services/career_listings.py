"""What the site lists for one career, for its page: how many programs by credential level and
by format, how long each level takes as the program pages say, the range of tuition, the
states with campus programs, and the best-placed listings to link to.

It counts the listings a search would show today (active, sponsorship running), and reads
them in one statement: the listings grouped in the database (one row per level, format, campus
state and length), and, in the same statement, the few listings the page links to. Python only
adds up those group rows, never the listings themselves.
"""

import functools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from portal.core.reads import read_rows
from portal.models import CREDENTIAL_LEVELS, MODALITIES, Campus, Program, School, Sponsorship
from portal.services.matching import month_start, sponsorship_running_bound

# How many listings a career's page links to (the best-placed first, as a search ranks them).
LINKED_LISTINGS = 12
DURATION = re.compile(r"\s*(\d{1,3})\s*(hour|day|week|month|year)s?\s*", re.IGNORECASE)
DAYS = {"hour": 1 / 8, "day": 1, "week": 7, "month": 30.44, "year": 365.25}


@dataclass(frozen=True)
class LinkedListing:
    """A listing a career's page links to: its page, what it is, who teaches it, where."""

    program_id: int
    title: str
    school: str
    credential_level: str
    modality: str
    campus_city: str | None
    campus_state: str | None


@dataclass(frozen=True)
class LevelSummary:
    """The listings of one credential level: how many, and their shortest and longest length
    as their pages give it ("9 months"), the same text twice when all agree."""

    level: str
    count: int
    shortest: str
    longest: str


@dataclass(frozen=True)
class CareerListings:
    """The site's listings for one career, as its page shows them."""

    career: str
    total: int
    levels: tuple[LevelSummary, ...]  # in CREDENTIAL_LEVELS order, only levels listed
    modalities: tuple[tuple[str, int], ...]  # in MODALITIES order, only formats listed
    tuition_low_cents: int | None  # across the listings that publish a tuition
    tuition_high_cents: int | None
    priced: int  # how many listings publish a tuition
    campus_states: tuple[str, ...]  # codes, alphabetical
    linked: tuple[LinkedListing, ...]


def _days(duration: str) -> float:
    """A length such as '9 months' in days, to order lengths; text of another shape last."""
    match = DURATION.fullmatch(duration or "")
    return int(match[1]) * DAYS[match[2].lower()] if match else float("inf")


@functools.cache
def _statement():
    """The one statement (built once): the career's listings grouped, then the linked ones."""
    where = (
        Program.career == bindparam("career", type_=String),
        Program.is_active.is_(True),
        sponsorship_running_bound(),
    )
    groups = (
        select(
            literal("group", String).label("kind"),
            Program.credential_level.label("level"),
            Program.modality.label("modality"),
            Campus.state.label("state"),
            Program.duration.label("duration"),
            func.count().label("listings"),
            func.count(Program.tuition_min_cents).label("priced"),
            func.min(Program.tuition_min_cents).label("low"),
            func.max(func.coalesce(Program.tuition_max_cents, Program.tuition_min_cents)).label(
                "high"
            ),
            cast(null(), Integer).label("bid"),
            cast(null(), Integer).label("program_id"),
            cast(null(), String).label("title"),
            cast(null(), String).label("school"),
            cast(null(), String).label("city"),
        )
        .join(Sponsorship, Sponsorship.program_id == Program.id)
        .outerjoin(Campus, Campus.id == Program.campus_id)
        .where(*where)
        .group_by(Program.credential_level, Program.modality, Campus.state, Program.duration)
    )
    best = (
        select(Program.id, Sponsorship.bid_cents)
        .join(Sponsorship, Sponsorship.program_id == Program.id)
        .where(*where)
        .order_by(Sponsorship.bid_cents.desc(), Program.id)
        .limit(bindparam("limit", type_=Integer))
        .subquery("best")
    )
    links = (
        select(
            literal("link", String).label("kind"),
            Program.credential_level,
            Program.modality,
            Campus.state,
            Program.duration,
            cast(null(), Integer),
            cast(null(), Integer),
            cast(null(), Integer),
            cast(null(), Integer),
            best.c.bid_cents,
            Program.id,
            Program.title,
            School.name,
            Campus.city,
        )
        .join(Program, Program.id == best.c.id)
        .join(School, School.id == Program.school_id)
        .outerjoin(Campus, Campus.id == Program.campus_id)
    )
    return union_all(groups, links)


def career_listings(career: str, today: date, limit: int = LINKED_LISTINGS) -> CareerListings:
    """The listings a search would show today for `career`, summed up, with the `limit`
    best-placed ones to link to (highest bid first, then the oldest listing)."""
    values = {"career": career, "today": today, "this_month": month_start(today), "limit": limit}
    rows = read_rows(_statement(), values)
    groups = [row for row in rows if row.kind == "group"]
    links = sorted((r for r in rows if r.kind == "link"), key=lambda r: (-r.bid, r.program_id))
    levels, modalities, lengths = Counter(), Counter(), {}
    for row in groups:
        levels[row.level] += row.listings
        modalities[row.modality] += row.listings
        lengths.setdefault(row.level, set()).add(row.duration)
    priced = [row for row in groups if row.priced]
    ordered = {level: sorted(lengths[level], key=lambda d: (_days(d), d)) for level in lengths}
    return CareerListings(
        career=career,
        total=sum(levels.values()),
        levels=tuple(
            LevelSummary(level, levels[level], ordered[level][0], ordered[level][-1])
            for level in CREDENTIAL_LEVELS
            if levels[level]
        ),
        modalities=tuple((m, modalities[m]) for m in MODALITIES if modalities[m]),
        tuition_low_cents=min((row.low for row in priced), default=None),
        tuition_high_cents=max((row.high for row in priced), default=None),
        priced=sum(row.priced for row in groups),
        campus_states=tuple(sorted({row.state for row in groups if row.state})),
        linked=tuple(
            LinkedListing(
                program_id=row.program_id,
                title=row.title,
                school=row.school,
                credential_level=row.level,
                modality=row.modality,
                campus_city=row.city,
                campus_state=row.state,
            )
            for row in links
        ),
    )
