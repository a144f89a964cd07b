"""The admin's view of leads: finding (filters, a search by name, email or phone, sorting),
paging, and one lead in full (deleting a person's data is portal.services.erasure)."""

from dataclasses import asdict, dataclass
from datetime import datetime

import phonenumbers
from sqlalchemy import ColumnElement, and_, literal_column, or_, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import FULL_NAME, Lead, Program, School
from portal.services.paging import CappedPagination, capped_page
from portal.services.sql import folded

PER_PAGE = 50
# What the lead list can be sorted by; each sort ends with the newest first, then the id.
SORTS = {
    "date": (Lead.created_at,),
    "school": (School.name,),
    "program": (Program.title,),
    "state": (Lead.state,),
    "status": (Lead.status,),
}


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

    @classmethod
    def from_record(cls, values: dict) -> "LeadFilters":
        """The filters as as_record() wrote them."""
        known = {key: values.get(key) for key in cls.__dataclass_fields__}
        for key in ("since", "until"):
            if known[key] is not None:
                known[key] = datetime.fromisoformat(known[key])
        return cls(**known)


def phone_in_e164(text: str) -> str | None:
    """The text as a US phone number in E.164 (+13125550100), if it is one in any format."""
    if sum(ch.isdigit() for ch in text) < 10:
        return None
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_condition(text: str) -> ColumnElement[bool] | None:
    """Leads whose name or email holds `text` (any case), or whose phone is that number."""
    text = " ".join(text.split())
    if not text:
        return None
    pattern = _like(text.lower())
    # The very expressions PostgreSQL's trigram indexes hold (portal.models.lead).
    matches = [folded(FULL_NAME).like(pattern, escape="\\"), _email_holds(text.lower())]
    phone = phone_in_e164(text)
    if phone is not None:
        matches.append(Lead.phone_e164 == phone)
    return or_(*matches)


def _email_holds(text: str) -> ColumnElement[bool]:
    """Leads whose email (any case) holds `text`.

    Given a whole address, the trigram index is asked for the part before the @ only, and the
    rows it finds are checked for the whole text: a domain's trigrams are in a third or more
    of all addresses, and reading their index entries would cost more than the search.
    """
    pattern = _like(text)
    local, at, _ = text.partition("@")
    if not at or len(local.strip()) < 3:
        return folded(Lead.email).like(pattern, escape="\\")
    # email || '' is not the indexed expression, so this part is a check, not an index lookup.
    unindexed = folded(Lead.email + literal_column("''"))
    return and_(
        folded(Lead.email).like(_like(local), escape="\\"),
        unindexed.like(pattern, escape="\\"),
    )


def list_leads(
    filters: LeadFilters,
    page: int = 1,
    per_page: int = PER_PAGE,
    search: str | None = None,
    sort: str = "date",
    descending: bool = True,
) -> CappedPagination:
    """One page of the leads matching `filters` and `search`, sorted by `sort` (SORTS), newest
    first within equal values; counted up to COUNT_CAP."""
    conditions = filters.conditions()
    found = search_condition(search or "")
    if found is not None:
        conditions.append(found)
    query = (
        select(Lead)
        .join(School, School.id == Lead.school_id)
        .join(Program, Program.id == Lead.program_id)
        .options(joinedload(Lead.school), joinedload(Lead.program))
        .where(*conditions)
    )
    keys = [key.desc() if descending else key.asc() for key in SORTS[sort]]
    if sort != "date":
        keys.append(Lead.created_at.desc())
    query = query.order_by(*keys, Lead.id.desc() if descending or sort != "date" else Lead.id)
    return capped_page(query, select(Lead.id).where(*conditions), page, per_page)


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
