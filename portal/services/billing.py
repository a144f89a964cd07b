"""What a school is billed for each lead, as it changes after the lead arrived.

A lead is billed in the month it arrives unless it repeats a billable request (then it is a
duplicate, never billed). Whenever its `billable` flag flips afterwards (the rule of
portal.services.lead_status), the change is entered here in the same transaction, dated then:
a credit when a return is approved or an admin rejects it, a charge again when a rejection is
taken back. Each goes on the statement of the month it was made in (portal.services.
statements), so a month already closed is never touched, and no charge is lost or kept.
"""

from datetime import datetime

from portal.extensions import db
from portal.models import BillingChange, Lead


def enter_billing_change(
    lead: Lead, was_billable: bool, cause: str, reason: str | None, now: datetime
) -> BillingChange | None:
    """If the lead's billable flag flipped from `was_billable`, enter the credit (it stopped)
    or the charge again (it started) in the session; None when nothing changed."""
    if bool(lead.billable) == bool(was_billable):
        return None
    change = BillingChange(
        created_at=now,
        school_id=lead.school_id,
        lead_id=lead.id,
        program_id=lead.program_id,
        lead_received_at=lead.created_at,
        kind="credit" if was_billable else "charge",
        cause=cause,
        reason=reason,
        amount_cents=-lead.price_cents if was_billable else lead.price_cents,
    )
    db.session.add(change)
    return change
