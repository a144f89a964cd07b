"""What schools report became of their leads, as rates: per school, per program and per
campaign (utm_campaign), so traffic can be steered to what enrols."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Program, School
from portal.services.rollup import ListingFigures, campaign_figures, listing_figures

TOP = 20
NO_CAMPAIGN = "(none)"


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


def outcome_rates(
    start: datetime, end: datetime, per_listing: dict[tuple, ListingFigures] | None = None
) -> dict[str, list[OutcomeRate]]:
    """For leads received from `start` to `end` (not rejected), the rates per school,
    program and campaign: the TOP groups with the most leads each. `per_listing`: the
    stretch's listing_figures(), when the caller has them already."""
    if per_listing is None:
        per_listing = listing_figures(start, end)
    schools = dict(db.session.execute(select(School.id, School.name)).all())
    programs = dict(db.session.execute(select(Program.id, Program.title)).all())
    by_school: dict[int, ListingFigures] = {}
    by_program: dict[int, tuple[str, ListingFigures]] = {}
    for (school_id, program_id), figures in per_listing.items():
        _merge(by_school.setdefault(school_id, ListingFigures()), figures)
        name = f"{programs.get(program_id, '')} ({schools.get(school_id, '')})"
        _merge(by_program.setdefault(program_id, (name, ListingFigures()))[1], figures)
    by_campaign = campaign_figures(start, end)
    return {
        "school": _top((schools.get(i, ""), f) for i, f in by_school.items()),
        "program": _top(by_program.values()),
        "campaign": _top((campaign or NO_CAMPAIGN, f) for campaign, f in by_campaign.items()),
    }


def _merge(total: ListingFigures, figures: ListingFigures) -> None:
    """Add one listing's figures to a group's."""
    total.add([getattr(figures, name) for name in total.__dataclass_fields__])


def _top(groups) -> list[OutcomeRate]:
    """The TOP groups with the most leads (not rejected), most first, then by name."""
    rates = [
        OutcomeRate(name, f.kept, f.reported, f.reached, f.applied, f.enrolled)
        for name, f in groups
        if f.kept
    ]
    return sorted(rates, key=lambda rate: (-rate.leads, rate.name))[:TOP]
