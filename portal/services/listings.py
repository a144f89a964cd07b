"""The admin's side of program listings: finding them, switching them on and off, sponsorship,
the details visitors decide on, and what a school's visitors are told about its reply."""

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    MAX_RESPONSE_HOURS,
    Program,
    ProgramDetails,
    School,
    Sponsorship,
    SponsorshipTerms,
)
from portal.services.destinations import get_school
from portal.services.programs import ProgramNotFound

PER_PAGE = 50


class InvalidSponsorship(ValueError):
    """The sponsorship terms contradict each other; the message says how."""


class InvalidDetails(ValueError):
    """The listing details break their rules: `problems` by field, as ProgramDetails says."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


class InvalidResponseHours(ValueError):
    """A response time outside 1 to MAX_RESPONSE_HOURS hours."""


@dataclass(frozen=True)
class ProgramFilters:
    """Which listings to show; None means any."""

    text: str | None = None
    career: str | None = None
    school_id: int | None = None
    modality: str | None = None
    active: bool | None = None


def list_programs(filters: ProgramFilters, page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """One page of listings matching `filters`, by school then title."""
    query = (
        select(Program)
        .join(School, School.id == Program.school_id)
        .options(
            joinedload(Program.school), joinedload(Program.campus), joinedload(Program.sponsorship)
        )
        .order_by(School.name, Program.title, Program.id)
    )
    if filters.text:
        pattern = f"%{filters.text.strip().lower()}%"
        query = query.where(
            or_(
                Program.title.ilike(pattern),
                Program.external_id.ilike(pattern),
                School.name.ilike(pattern),
            )
        )
    if filters.career:
        query = query.where(Program.career == filters.career)
    if filters.school_id is not None:
        query = query.where(Program.school_id == filters.school_id)
    if filters.modality:
        query = query.where(Program.modality == filters.modality)
    if filters.active is not None:
        query = query.where(Program.is_active.is_(filters.active))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_program(program_id: int) -> Program:
    """The listing with this id; raise ProgramNotFound."""
    program = db.session.get(
        Program, program_id, options=[joinedload(Program.school), joinedload(Program.sponsorship)]
    )
    if program is None:
        raise ProgramNotFound(program_id)
    return program


def set_program_active(program_id: int, active: bool) -> Program:
    """Switch a listing on or off for search and lead capture."""
    program = get_program(program_id)
    program.is_active = active
    db.session.commit()
    return program


def update_sponsorship(program_id: int, terms: SponsorshipTerms) -> Sponsorship:
    """Set a listing's bid, dates and caps (creating its sponsorship if it has none); raise
    InvalidSponsorship when the terms break their rules."""
    problems = terms.problems()
    if problems:
        raise InvalidSponsorship(" ".join(problems.values()))
    program = get_program(program_id)
    sponsorship = program.sponsorship
    if sponsorship is None:
        sponsorship = program.sponsorship = Sponsorship(day_count=0, month_count=0)
    sponsorship.bid_cents = terms.bid_cents
    sponsorship.starts_on = terms.starts_on
    sponsorship.ends_on = terms.ends_on
    sponsorship.daily_cap = terms.daily_cap
    sponsorship.monthly_cap = terms.monthly_cap
    db.session.commit()
    return sponsorship


def update_details(program_id: int, details: ProgramDetails) -> Program:
    """Set what visitors decide on (tuition, schedule, start dates, accreditation, financial
    aid, the program's page); raise InvalidDetails when they break their rules."""
    problems = details.problems()
    if problems:
        raise InvalidDetails(problems)
    program = get_program(program_id)
    program.tuition_min_cents = details.tuition_min_cents
    program.tuition_max_cents = details.tuition_max_cents
    program.schedule = details.schedule
    program.next_start_dates = details.next_start_dates
    program.accreditation = details.accreditation
    program.financial_aid = details.financial_aid
    program.program_url = details.program_url
    db.session.commit()
    return program


def set_response_hours(school_id: int, hours: int) -> School:
    """Set how soon the school usually contacts a visitor (the thank-you page says so); raise
    SchoolNotFound or InvalidResponseHours."""
    if not 1 <= hours <= MAX_RESPONSE_HOURS:
        raise InvalidResponseHours(f"Use a whole number of hours from 1 to {MAX_RESPONSE_HOURS}.")
    school = get_school(school_id)
    school.response_hours = hours
    db.session.commit()
    return school
