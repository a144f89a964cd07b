"""The admin's view of leads: filtering, paging, and one lead in full (deleting a person's
data is portal.services.erasure)."""

from dataclasses import asdict, dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Lead, Program, School

PER_PAGE = 50


class LeadNotFound(LookupError):
    """No lead has this id."""


@dataclass(frozen=True)
class LeadFilters:
    """Which leads to list or export; None means any. `until` is exclusive."""

    since: datetime | None = None
    until: datetime | None = None
    career: str | None = None
    school_id: int | None = None
    program_id: int | None = None
    state: str | None = None
    status: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions on Lead these filters stand for."""
        conditions = []
        if self.since is not None:
            conditions.append(Lead.created_at >= self.since)
        if self.until is not None:
            conditions.append(Lead.created_at < self.until)
        for column, value in (
            (Lead.career, self.career),
            (Lead.school_id, self.school_id),
            (Lead.program_id, self.program_id),
            (Lead.state, self.state),
            (Lead.status, self.status),
        ):
            if value is not None:
                conditions.append(column == value)
        return conditions

    def as_record(self) -> dict:
        """The filters as JSON-ready values, for an export's audit record."""
        values = asdict(self)
        for key in ("since", "until"):
            if values[key] is not None:
                values[key] = values[key].isoformat()
        return {key: value for key, value in values.items() if value is not None}


def list_leads(filters: LeadFilters, page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """One page of the leads matching `filters`, newest first."""
    query = (
        select(Lead)
        .options(joinedload(Lead.school), joinedload(Lead.program))
        .where(*filters.conditions())
        .order_by(Lead.created_at.desc(), Lead.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_lead(lead_id: int) -> Lead:
    """The lead with this id, with its program, school and campus; raise LeadNotFound."""
    lead = db.session.get(
        Lead,
        lead_id,
        options=[joinedload(Lead.school), joinedload(Lead.program), joinedload(Lead.campus)],
    )
    if lead is None:
        raise LeadNotFound(lead_id)
    return lead


class UnknownChoice(LookupError):
    """A school or program named in a filter does not exist."""


def resolve_school(text: str) -> int:
    """The id of the school with this id or exact name; raise UnknownChoice."""
    condition = School.name == text
    if text.isdigit():
        condition = condition | (School.id == int(text))
    found = db.session.scalar(select(School.id).where(condition).order_by(School.id).limit(1))
    if found is None:
        raise UnknownChoice(f"No school has the id or name {text!r}.")
    return found


def resolve_program(text: str) -> int:
    """The id of the program with this id or external id; raise UnknownChoice."""
    condition = Program.external_id == text
    if text.isdigit():
        condition = condition | (Program.id == int(text))
    found = db.session.scalar(select(Program.id).where(condition).order_by(Program.id).limit(1))
    if found is None:
        raise UnknownChoice(f"No program has the id or external id {text!r}.")
    return found
