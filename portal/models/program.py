"""Schools, their campuses, the programs they list, and each listing's sponsorship.

A listing is one program at one campus (or online, with no campus): a school that teaches the
same programme at three campuses lists it three times, since leads are bought per campus.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    FetchedValue,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import DB_INT_MAX, CodeList, DateList, UTCDateTime, utcnow

CREDENTIAL_LEVELS = ("certificate", "diploma", "associate", "bachelor", "master")
MODALITIES = ("campus", "online", "hybrid")
MAX_BID_CENTS = 100_000_000  # $1,000,000 a lead: far above any real bid, well inside an integer
# When classes meet, in the order they are shown, with what visitors read.
SCHEDULE_NAMES = {
    "full_time": "Full-time",
    "part_time": "Part-time",
    "evenings": "Evenings",
    "weekends": "Weekends",
    "self_paced": "Self-paced",
}
SCHEDULES = tuple(SCHEDULE_NAMES)
MAX_START_DATES = 6
MAX_TUITION_CENTS = 100_000_000  # $1,000,000: above any program's price, inside an integer
ACCREDITATION_MAX = 200
PROGRAM_URL_MAX = 500
WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+[^\s]*", re.IGNORECASE)
DEFAULT_RESPONSE_HOURS = 24
MAX_RESPONSE_HOURS = 720  # 30 days


class School(db.Model):
    """An advertiser: a school that pays for enrollment-information requests."""

    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint(
            f"response_hours BETWEEN 1 AND {MAX_RESPONSE_HOURS}", name="response_hours_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    website: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How soon the school usually contacts a visitor who asked it (the thank-you page says so).
    response_hours: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_RESPONSE_HOURS, server_default=str(DEFAULT_RESPONSE_HOURS)
    )
    # The last number given to one of its leads (Lead.school_seq): the school's feed counter.
    lead_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The last number of the school's opt-out feed (lead_opt_out.school_seq), as lead_seq is
    # of its lead feed: raised in the transaction that writes the opt-outs.
    opt_out_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    campuses: Mapped[list["Campus"]] = relationship(back_populates="school")
    programs: Mapped[list["Program"]] = relationship(back_populates="school")


class Campus(db.Model):
    """A place where a school teaches, with coordinates for the radius search."""

    __tablename__ = "campus"
    __table_args__ = (
        Index("ix_campus_school_zip_address", "school_id", "zip_code", "address", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2))
    zip_code: Mapped[str] = mapped_column(String(5))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)

    school: Mapped[School] = relationship(back_populates="campuses")


class Program(db.Model):
    """A sponsored listing: one training program, at one campus or online."""

    __tablename__ = "program"
    __table_args__ = (
        CheckConstraint(
            "credential_level IN ('certificate', 'diploma', 'associate', 'bachelor', 'master')",
            name="credential_level",
        ),
        CheckConstraint("modality IN ('campus', 'online', 'hybrid')", name="modality"),
        CheckConstraint(
            "(modality = 'online') OR (campus_id IS NOT NULL)", name="campus_unless_online"
        ),
        CheckConstraint(
            f"tuition_min_cents IS NULL OR tuition_min_cents BETWEEN 0 AND {MAX_TUITION_CENTS}",
            name="tuition_min_range",
        ),
        CheckConstraint(
            "tuition_max_cents IS NULL OR (tuition_min_cents IS NOT NULL"
            f" AND tuition_max_cents BETWEEN tuition_min_cents AND {MAX_TUITION_CENTS})",
            name="tuition_max_range",
        ),
        Index("ix_program_career_active", "career", "is_active"),
        # The radius search's filters (and its sort by tuition) read only this index (a
        # covering index on SQLite, an index-only scan on PostgreSQL); the bounding box is a
        # range on its first two columns.
        Index(
            "ix_program_campus_lat_lon",
            "campus_latitude",
            "campus_longitude",
            "is_active",
            "modality",
            "career",
            "credential_level",
            "id",
            "tuition_min_cents",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    campus_id: Mapped[int | None] = mapped_column(ForeignKey("campus.id"), index=True)
    # Copies of the campus's coordinates, kept by database triggers (migration 0003) whenever
    # a listing is written or its campus moves, so the radius search needs no join to campus.
    # NULL for online listings. Never set them from Python.
    campus_latitude: Mapped[float | None] = mapped_column(
        Float, server_default=FetchedValue(), server_onupdate=FetchedValue()
    )
    campus_longitude: Mapped[float | None] = mapped_column(
        Float, server_default=FetchedValue(), server_onupdate=FetchedValue()
    )
    career: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    credential_level: Mapped[str] = mapped_column(String(16))
    modality: Mapped[str] = mapped_column(String(8))
    duration: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # What a visitor decides on (ProgramDetails states their rules): tuition in US cents
    # (none: "contact the school"; a maximum only beside a minimum), when classes meet, the
    # next start dates, the accrediting body, whether financial aid is offered (None: not
    # said), and the program's own page on the school's site. An empty schedule or list of
    # dates is stored as NULL.
    tuition_min_cents: Mapped[int | None] = mapped_column(Integer)
    tuition_max_cents: Mapped[int | None] = mapped_column(Integer)
    schedule: Mapped[tuple[str, ...]] = mapped_column(CodeList(80), nullable=True, default=())
    next_start_dates: Mapped[tuple[date, ...]] = mapped_column(
        DateList(80), nullable=True, default=()
    )
    accreditation: Mapped[str | None] = mapped_column(String(ACCREDITATION_MAX))
    financial_aid: Mapped[bool | None] = mapped_column(Boolean)
    program_url: Mapped[str | None] = mapped_column(String(PROGRAM_URL_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    school: Mapped[School] = relationship(back_populates="programs")
    campus: Mapped[Campus | None] = relationship()
    states: Mapped[list["ProgramState"]] = relationship(
        back_populates="program", cascade="all, delete-orphan"
    )
    sponsorship: Mapped["Sponsorship | None"] = relationship(
        back_populates="program", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def details(self) -> "ProgramDetails":
        """The listing's details as one value (see ProgramDetails)."""
        return ProgramDetails(
            tuition_min_cents=self.tuition_min_cents,
            tuition_max_cents=self.tuition_max_cents,
            schedule=tuple(self.schedule or ()),
            next_start_dates=tuple(self.next_start_dates or ()),
            accreditation=self.accreditation,
            financial_aid=self.financial_aid,
            program_url=self.program_url,
        )

    def upcoming_starts(self, today: date) -> tuple[date, ...]:
        """The start dates from `today` on (past ones are not worth showing)."""
        return tuple(day for day in self.next_start_dates or () if day >= today)


class ProgramState(db.Model):
    """A state in which an online program may enrol students."""

    __tablename__ = "program_state"
    __table_args__ = (Index("ix_program_state_state_program", "state", "program_id"),)

    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)

    program: Mapped[Program] = relationship(back_populates="states")


@dataclass(frozen=True)
class ProgramDetails:
    """What a visitor decides on besides place and format: cost, schedule, start dates,
    accreditation, financial aid and the program's page. The import and the admin's listing
    editor both check them with problems(); the Program table's CHECK constraints hold the
    tuition rules in the database too. Use program_details() to build one: it puts the schedule and
    dates in their canonical order.
    """

    tuition_min_cents: int | None = None
    tuition_max_cents: int | None = None
    schedule: tuple[str, ...] = ()
    next_start_dates: tuple[date, ...] = ()
    accreditation: str | None = None
    financial_aid: bool | None = None
    program_url: str | None = None

    def problems(self) -> dict[str, str]:
        """What is wrong with the details, as {field name: message}; empty when nothing is."""
        found = {}
        dollars = MAX_TUITION_CENTS // 100
        low, high = self.tuition_min_cents, self.tuition_max_cents
        if low is not None and not 0 <= low <= MAX_TUITION_CENTS:
            found["tuition_min_cents"] = f"Use an amount from 0 to {dollars:,}."
        if high is not None:
            if low is None:
                found["tuition_max_cents"] = "Give the lowest tuition too (or only that one)."
            elif not low <= high <= MAX_TUITION_CENTS:
                found["tuition_max_cents"] = (
                    f"Use an amount from the lowest tuition up to {dollars:,}."
                )
        unknown = [code for code in self.schedule if code not in SCHEDULES]
        if unknown:
            found["schedule"] = f"Use only {', '.join(SCHEDULES)} (not {', '.join(unknown)})."
        if len(self.next_start_dates) > MAX_START_DATES:
            found["next_start_dates"] = f"Give at most {MAX_START_DATES} start dates."
        if self.accreditation is not None and len(self.accreditation) > ACCREDITATION_MAX:
            found["accreditation"] = f"Use at most {ACCREDITATION_MAX} characters."
        url = self.program_url
        if url is not None and (len(url) > PROGRAM_URL_MAX or not WEB_ADDRESS.fullmatch(url)):
            found["program_url"] = (
                f"Use a web address starting with http:// or https:// "
                f"(at most {PROGRAM_URL_MAX} characters)."
            )
        return found


def program_details(
    tuition_min_cents: int | None = None,
    tuition_max_cents: int | None = None,
    schedule=(),
    next_start_dates=(),
    accreditation: str | None = None,
    financial_aid: bool | None = None,
    program_url: str | None = None,
) -> ProgramDetails:
    """ProgramDetails in canonical form: schedule codes in SCHEDULES' order (unknown ones
    last, for problems() to name), dates sorted, each once; blank text as None."""
    codes = dict.fromkeys(schedule)
    ordered = [c for c in SCHEDULES if c in codes] + [c for c in codes if c not in SCHEDULES]
    return ProgramDetails(
        tuition_min_cents=tuition_min_cents,
        tuition_max_cents=tuition_max_cents,
        schedule=tuple(ordered),
        next_start_dates=tuple(sorted(set(next_start_dates))),
        accreditation=(accreditation or "").strip() or None,
        financial_aid=financial_aid,
        program_url=(program_url or "").strip() or None,
    )


@dataclass(frozen=True)
class SponsorshipTerms:
    """What a school pays per lead, from when to when, and its daily and monthly lead caps.

    problems() is the one statement of what terms may be; the Sponsorship table's CHECK
    constraints hold the same in the database, for any writer.
    """

    bid_cents: int
    starts_on: date
    ends_on: date | None = None
    daily_cap: int | None = None
    monthly_cap: int | None = None

    def problems(self) -> dict[str, str]:
        """What is wrong with the terms, as {field name: message}; empty when nothing is."""
        found = {}
        if not 0 <= self.bid_cents <= MAX_BID_CENTS:
            found["bid_cents"] = f"Use an amount from 0 to {MAX_BID_CENTS // 100}."
        for name in ("daily_cap", "monthly_cap"):
            cap = getattr(self, name)
            if cap is not None and not 0 <= cap <= DB_INT_MAX:
                found[name] = f"Use a whole number from 0 to {DB_INT_MAX}."
        if self.ends_on is not None and self.ends_on < self.starts_on:
            found["ends_on"] = "The end date must not be before the start date."
        return found


class Sponsorship(db.Model):
    """What a school pays per lead for a program, when, and how many leads it will take.

    The lead counters for the current day and month live here, so search can test the caps
    without counting leads, and a lead can claim a slot with one conditional UPDATE.
    """

    __tablename__ = "sponsorship"
    __table_args__ = (
        CheckConstraint("bid_cents >= 0", name="bid_not_negative"),
        CheckConstraint("daily_cap IS NULL OR daily_cap >= 0", name="daily_cap_not_negative"),
        CheckConstraint("monthly_cap IS NULL OR monthly_cap >= 0", name="monthly_cap_not_negative"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), unique=True)
    bid_cents: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    monthly_cap: Mapped[int | None] = mapped_column(Integer)
    # Billable leads taken on `count_day` and in the month starting `count_month`.
    count_day: Mapped[date | None] = mapped_column(Date)
    day_count: Mapped[int] = mapped_column(Integer, default=0)
    count_month: Mapped[date | None] = mapped_column(Date)
    month_count: Mapped[int] = mapped_column(Integer, default=0)

    program: Mapped[Program] = relationship(back_populates="sponsorship")
