"""The admin's side of listings: finding them, switching them on and off, their sponsorship."""

from datetime import date

import pytest

from portal.models import SponsorshipTerms
from portal.services.listings import (
    InvalidSponsorship,
    ProgramFilters,
    list_programs,
    set_program_active,
    update_sponsorship,
)
from portal.services.programs import ProgramNotFound
from tests.support.factories import make_program, make_school


def test_listings_are_found_by_text_and_filters(app):
    with app.app_context():
        make_program(make_school("Acme"), title="Medical Office Administration")
        make_program(make_school("Zenith"), title="Phlebotomy", modality="online", states=("IL",))
        titles = lambda f: [p.title for p in list_programs(f).items]  # noqa: E731
        assert titles(ProgramFilters(text="office")) == ["Medical Office Administration"]
        assert titles(ProgramFilters(text="zenith")) == ["Phlebotomy"]
        assert titles(ProgramFilters(modality="online")) == ["Phlebotomy"]
        assert len(titles(ProgramFilters())) == 2


def test_switching_a_listing_off_and_on(app):
    with app.app_context():
        program_id = make_program().id
        assert set_program_active(program_id, False).is_active is False
        assert set_program_active(program_id, True).is_active is True
        with pytest.raises(ProgramNotFound):
            set_program_active(99999, False)


def test_sponsorship_terms_are_saved_only_when_they_keep_their_rules(app):
    with app.app_context():
        program_id = make_program().id
        terms = SponsorshipTerms(bid_cents=4000, starts_on=date(2026, 1, 1), daily_cap=5)
        saved = update_sponsorship(program_id, terms)
        assert (saved.bid_cents, saved.daily_cap) == (4000, 5)
        bad = SponsorshipTerms(bid_cents=-1, starts_on=date(2026, 2, 1), ends_on=date(2026, 1, 1))
        with pytest.raises(InvalidSponsorship, match="Use an amount .* end date must not"):
            update_sponsorship(program_id, bad)
