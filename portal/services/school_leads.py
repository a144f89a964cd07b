"""A school's own leads: finding them, one lead in full, recording what became of it, and the
CSV of the filtered leads in the `school` column set.

Every function takes the signed-in school's id and reads only through school_leads_query():
another school's lead id is a LeadNotFound (a 404), exactly like an id nobody has.
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import LEAD_OUTCOMES, Campus, Lead, LeadOutcome, LeadReturn, Program
from portal.services.admin_leads import LeadNotFound
from portal.services.exports import Actor as Downloader
from portal.services.exports import recorded_download, school_csv
from portal.services.paging import CappedPagination, capped_page
from portal.services.rollup import changing_leads

PER_PAGE = 50
NO_OUTCOME = "none"

__all__ = ["LeadNotFound"]


class InvalidOutcome(ValueError):
    """An outcome that is not one of LEAD_OUTCOMES, or a date it cannot have happened on."""


@dataclass(frozen=True)
class Actor:
    """Who records something for a school: a signed-in user (by id) or an API token."""

    name: str
    school_user_id: int | None = None


@dataclass(frozen=True)
class SchoolLeadFilters:
    """Which of a school's leads; None means any. Days are UTC; `until` is inclusive."""

    since: date | None = None
    until: date | None = None
    program_id: int | None = None
    campus_id: int | None = None
    outcome: str | None = None  # an outcome code, or NO_OUTCOME

    def as_record(self) -> dict:
        """The filters given, as JSON-ready values, for the download's audit record."""
        values = {key: value for key, value in asdict(self).items() if value is not None}
        for key in ("since", "until"):
            if key in values:
                values[key] = values[key].isoformat()
        return values

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions on Lead these filters stand for."""
        found = []
        if self.since is not None:
            found.append(Lead.created_at >= _midnight(self.since))
        if self.until is not None:
            found.append(Lead.created_at < _midnight(self.until + timedelta(days=1)))
        if self.program_id is not None:
            found.append(Lead.program_id == self.program_id)
        if self.campus_id is not None:
            found.append(Lead.campus_id == self.campus_id)
        if self.outcome == NO_OUTCOME:
            found.append(Lead.outcome.is_(None))
        elif self.outcome is not None:
            found.append(Lead.outcome == self.outcome)
        return found


def _midnight(day: date) -> datetime:
    """The start of a UTC day."""
    return datetime.combine(day, time(), tzinfo=UTC)


def school_leads_query(school_id: int, *conditions: ColumnElement[bool]) -> Select:
    """SELECT the school's leads meeting `conditions`: the one door to a school's leads."""
    return select(Lead).where(Lead.school_id == school_id, *conditions)


def list_school_leads(
    school_id: int, filters: SchoolLeadFilters, page: int = 1, per_page: int = PER_PAGE
) -> CappedPagination:
    """One page of the school's leads matching `filters`, newest first (counted up to
    COUNT_CAP)."""
    found = school_leads_query(school_id, *filters.conditions())
    query = found.options(joinedload(Lead.program), joinedload(Lead.campus)).order_by(
        Lead.created_at.desc(), Lead.id.desc()
    )
    return capped_page(query, found.with_only_columns(Lead.id), page, per_page)


def school_lead(school_id: int, lead_id: int) -> Lead:
    """One of the school's leads, with its program and campus; LeadNotFound for any other."""
    lead = db.session.scalar(
        school_leads_query(school_id, Lead.id == lead_id).options(
            joinedload(Lead.program), joinedload(Lead.campus)
        )
    )
    if lead is None:
        raise LeadNotFound(lead_id)
    return lead


def lead_outcomes(school_id: int, lead_id: int) -> list[LeadOutcome]:
    """The outcomes recorded for one of the school's leads, newest first."""
    school_lead(school_id, lead_id)
    return list(
        db.session.scalars(
            select(LeadOutcome)
            .where(LeadOutcome.lead_id == lead_id)
            .order_by(LeadOutcome.created_at.desc(), LeadOutcome.id.desc())
        )
    )


def lead_return(school_id: int, lead_id: int) -> LeadReturn | None:
    """The return of one of the school's leads, if it was returned."""
    return db.session.scalar(
        select(LeadReturn).where(LeadReturn.lead_id == lead_id, LeadReturn.school_id == school_id)
    )


def school_filter_choices(school_id: int) -> dict[str, list[tuple[int, str]]]:
    """The school's programs and campuses, as (id, name) for the filters."""
    programs = db.session.execute(
        select(Program.id, Program.title, Campus.name)
        .outerjoin(Campus, Campus.id == Program.campus_id)
        .where(Program.school_id == school_id)
        .order_by(Program.title, Program.id)
    )
    campuses = db.session.execute(
        select(Campus.id, Campus.name).where(Campus.school_id == school_id).order_by(Campus.name)
    )
    return {
        "programs": [(pid, f"{title} ({campus or 'Online'})") for pid, title, campus in programs],
        "campuses": [(cid, name) for cid, name in campuses],
    }


def record_outcome(
    school_id: int, lead_id: int, outcome: str, occurred_on: date, actor: Actor, today: date
) -> LeadOutcome:
    """Record what became of one of the school's leads (the lead keeps the latest); commit.

    Raises LeadNotFound, or InvalidOutcome for an unknown outcome or a date before the lead
    arrived or after today (UTC, a day's grace for time zones ahead).
    """
    if outcome not in LEAD_OUTCOMES:
        raise InvalidOutcome(f"{outcome!r} is not an outcome.")
    try:
        lead = school_lead(school_id, lead_id)
        received = lead.created_at.date()
        if occurred_on < received - timedelta(days=1) or occurred_on > today + timedelta(days=1):
            raise InvalidOutcome("Give a date from the day the lead arrived up to today.")
        row = LeadOutcome(
            lead_id=lead.id,
            outcome=outcome,
            occurred_on=occurred_on,
            school_user_id=actor.school_user_id,
            actor=actor.name,
        )
        db.session.add(row)
        with changing_leads(Lead.id == lead.id):
            db.session.execute(
                update(Lead)
                .where(Lead.id == lead.id, Lead.school_id == school_id)
                .values(outcome=outcome, outcome_on=occurred_on)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


def school_leads_csv(school_id: int, filters: SchoolLeadFilters, actor: Actor) -> Iterator[bytes]:
    """The school's leads matching `filters` as CSV in the `school` column set, streamed, and
    recorded in the export audit as the user's download (who, when, filters, rows)."""
    chunks = school_csv([Lead.school_id == school_id, *filters.conditions()])
    downloader = Downloader(
        actor.name, "school", school_user_id=actor.school_user_id, school_id=school_id
    )
    return recorded_download(chunks, downloader, filters.as_record(), "school")
