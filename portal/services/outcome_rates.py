"""What schools report became of their leads, as rates: per school, per program and per
campaign (utm_campaign), so traffic can be steered to what enrols."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from portal.extensions import db
from portal.models import Lead, Program, School

TOP = 20


@dataclass(frozen=True)
class OutcomeRate:
    """A group's leads, how many have an outcome, and the share of each that matters."""

    name: str
    leads: int
    reported: int
    contacted: int  # contacted, applied or enrolled: reached
    applied: int  # applied or enrolled
    enrolled: int

    def rate(self, count: int) -> float | None:
        """`count` as a share of the leads (None for no leads)."""
        return count / self.leads if self.leads else None


def outcome_rates(start: datetime, end: datetime) -> dict[str, list[OutcomeRate]]:
    """For leads received from `start` to `end` (not rejected), the rates per school,
    program and campaign: the TOP groups with the most leads each."""
    reached = Lead.outcome.in_(("contacted", "applied", "enrolled"))
    applied = Lead.outcome.in_(("applied", "enrolled"))
    figures = [
        func.count(Lead.id),
        func.count(Lead.outcome),
        func.sum(case((reached, 1), else_=0)),
        func.sum(case((applied, 1), else_=0)),
        func.sum(case((Lead.outcome == "enrolled", 1), else_=0)),
    ]
    scope = (Lead.created_at >= start, Lead.created_at < end, Lead.status != "rejected")
    groups = {
        "school": (School.name, [School.id, School.name], School.id == Lead.school_id, School),
        "program": (
            Program.title + " (" + School.name + ")",
            [Program.id, Program.title, School.name],
            Program.id == Lead.program_id,
            Program,
        ),
        "campaign": (func.coalesce(func.nullif(Lead.utm_campaign, ""), "(none)"), None, None, None),
    }
    found = {}
    for key, (name, group_by, join_on, joined) in groups.items():
        query = select(name.label("name"), *figures).select_from(Lead).where(*scope)
        if joined is Program:
            query = query.join(Program, join_on).join(School, School.id == Program.school_id)
        elif joined is not None:
            query = query.join(joined, join_on)
        query = query.group_by(*(group_by or [name])).order_by(func.count(Lead.id).desc(), name)
        found[key] = [
            OutcomeRate(row[0], row[1], row[2], row[3] or 0, row[4] or 0, row[5] or 0)
            for row in db.session.execute(query.limit(TOP))
        ]
    return found
