"""Returning a lead for credit: a school asks within LEAD_RETURN_DAYS of the lead's capture,
giving a reason; an admin approves or denies it with a note.

The window counts UTC calendar days: a lead received on 1 November may be returned through
the whole of 1 December with the default 30 days (day 30), not on 2 December (day 31).

An approved return makes the lead not billable (the rule of portal.services.lead_status:
billable is true exactly for a lead that is neither rejected, nor a repeat, nor returned),
and is credited on the school's statement of the month of approval (portal.services.billing;
a lead an admin rejected meanwhile was credited then, and is not credited twice). One return
per lead: a denial is final, its note says why.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import RETURN_REASONS, Lead, LeadNote, LeadReturn
from portal.services.admin_leads import LeadNotFound
from portal.services.billing import enter_billing_change
from portal.services.lead_status import Editor
from portal.services.paging import CappedPagination, capped_page
from portal.services.rollup import changing_leads
from portal.services.school_leads import Actor, school_lead

MAX_TEXT = 1000
PER_PAGE = 100


class ReturnRefused(RuntimeError):
    """The lead cannot be returned now (window closed, already returned, not billed): 409."""


class InvalidReturn(ValueError):
    """A reason that is not one, or "other" without words: 422."""


class ReturnNotFound(LookupError):
    """No return has this id."""


class AlreadyDecided(RuntimeError):
    """The return was approved or denied already: 409."""


def return_day(received: datetime, today: date) -> int:
    """Which day after its capture `today` is for a lead (the capture's UTC day is day 0)."""
    return (today - received.date()).days


def returnable(lead: Lead, existing: LeadReturn | None, today: date, days: int) -> str | None:
    """Why the lead cannot be returned today, or None when it can."""
    if existing is not None:
        return "This lead was returned already."
    if not lead.billable:
        return "This lead is not billed, so there is nothing to credit."
    if return_day(lead.created_at, today) > days:
        return f"Leads can be returned within {days} days of arriving; this one can no longer be."
    return None


def request_return(
    school_id: int,
    lead_id: int,
    reason: str,
    text: str,
    actor: Actor,
    now: datetime,
    days: int,
) -> LeadReturn:
    """Ask to return one of the school's leads; commit. Raises LeadNotFound, InvalidReturn or
    ReturnRefused (and then writes nothing)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if reason not in RETURN_REASONS:
        raise InvalidReturn("Choose why the lead is returned.")
    if reason == "other" and not text:
        raise InvalidReturn("Say why the lead is returned.")
    if len(text) > MAX_TEXT:
        raise InvalidReturn(f"Keep the explanation under {MAX_TEXT:,} characters.")
    try:
        _lock_lead(lead_id)
        lead = school_lead(school_id, lead_id)
        existing = db.session.scalar(select(LeadReturn).where(LeadReturn.lead_id == lead_id))
        problem = returnable(lead, existing, now.date(), days)
        if problem:
            raise ReturnRefused(problem)
        row = LeadReturn(
            lead_id=lead_id,
            school_id=school_id,
            reason=reason,
            text=text,
            status="requested",
            requested_at=now,
            requested_by_id=actor.school_user_id,
            requested_by=actor.name,
            decision_note="",
        )
        db.session.add(row)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


def _lock_lead(lead_id: int) -> None:
    """Take the lead's row lock until commit (SQLite: the write lock), so a return and its
    decision, or two returns, go one after the other."""
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead_id)
        .values(status=Lead.status)
        .execution_options(synchronize_session=False)
    )


def decide_return(
    return_id: int, approve: bool, note: str, editor: Editor, now: datetime
) -> LeadReturn:
    """Approve (the lead stops being billable) or deny a return, with a note kept in the
    lead's history too; commit. Raises ReturnNotFound or AlreadyDecided."""
    note = (note or "").replace("\r\n", "\n").strip()[:MAX_TEXT]
    try:
        row = db.session.get(LeadReturn, return_id)
        if row is None:
            raise ReturnNotFound(return_id)
        with changing_leads(Lead.id == row.lead_id):
            _lock_lead(row.lead_id)
            db.session.refresh(row)
            if row.status != "requested":
                raise AlreadyDecided(f"This return was {row.status} already.")
            row.status = "approved" if approve else "denied"
            row.decided_at = now
            row.decided_by_id = editor.admin_id
            row.decided_by = editor.name
            row.decision_note = note
            if approve:
                lead = db.session.scalar(
                    select(Lead)
                    .where(Lead.id == row.lead_id)
                    .execution_options(populate_existing=True)
                )
                was_billable = lead.billable
                lead.billable = False
                enter_billing_change(lead, was_billable, "return", row.reason, now)
        words = f"Return {row.status} ({RETURN_REASONS[row.reason]})" + (
            f": {note}" if note else "."
        )
        db.session.add(
            LeadNote(
                lead_id=row.lead_id,
                created_at=now,
                admin_id=editor.admin_id,
                author=editor.name,
                body=words,
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


@dataclass(frozen=True)
class ReturnRow:
    """A return with what the admin's list shows of its lead."""

    item: LeadReturn
    lead: Lead


def list_returns(
    status: str | None = None, school_id: int | None = None, page: int = 1
) -> CappedPagination:
    """A page of returns, waiting ones first (newest first), then the latest decisions, with
    their leads; PER_PAGE a page. The page's returns are chosen first, each part from its own
    index, then joined to their leads."""
    conditions = []
    if status is not None:
        conditions.append(LeadReturn.status == status)
    if school_id is not None:
        conditions.append(LeadReturn.school_id == school_id)

    def rows(limit: int, offset: int) -> list[ReturnRow]:
        waiting = db.session.scalars(
            select(LeadReturn.id)
            .where(*conditions, LeadReturn.status == "requested")
            .order_by(LeadReturn.requested_at.desc(), LeadReturn.id.desc())
            .limit(offset + limit)
        ).all()
        ids = list(waiting[offset:])
        if len(ids) < limit:  # every waiting one is known: the decisions follow them
            ids += db.session.scalars(
                select(LeadReturn.id)
                .where(*conditions, LeadReturn.status != "requested")
                .order_by(
                    LeadReturn.decided_at.desc(),
                    LeadReturn.requested_at.desc(),
                    LeadReturn.id.desc(),
                )
                .offset(max(0, offset - len(waiting)))
                .limit(limit - len(ids))
            ).all()
        found = {
            item.id: ReturnRow(item, lead)
            for item, lead in db.session.execute(
                select(LeadReturn, Lead)
                .join(Lead, Lead.id == LeadReturn.lead_id)
                .options(joinedload(Lead.program), joinedload(LeadReturn.school))
                .where(LeadReturn.id.in_(ids))
            )
        }
        return [found[return_id] for return_id in ids]

    return capped_page(rows, select(LeadReturn.id).where(*conditions), page, PER_PAGE)


def school_return(school_id: int, lead_id: int) -> LeadReturn:
    """The return of one of the school's leads; LeadNotFound when it has none."""
    row = db.session.scalar(
        select(LeadReturn).where(LeadReturn.lead_id == lead_id, LeadReturn.school_id == school_id)
    )
    if row is None:
        raise LeadNotFound(lead_id)
    return row
