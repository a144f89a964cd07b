"""Where a school's leads go: the webhook URLs and email addresses accepted, secrets and their
rotation, switching a destination off and on."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.services.destinations import (
    InvalidDestination,
    add_email,
    add_webhook,
    check_addresses,
    check_webhook_url,
    rotate_secret,
    set_enabled,
)
from tests.support.factories import make_school


@pytest.mark.parametrize(
    ("url", "production", "message"),
    [
        ("http://crm.example.edu/in", True, "plain http:// is refused in production"),
        ("ftp://crm.example.edu/in", False, "Use an https:// URL"),
        ("https:///in", False, "needs a host name"),
        ("https://user:pw@crm.example.edu/in", False, "Leave the user name and password out"),
        ("https://crm.example.edu:99999/in", False, "port must be a number"),
        ("https://crm.example.edu/a b", False, "may not contain spaces"),
        ("https://crm.example.edu/" + "x" * 2048, False, "longer than 2,048"),
    ],
)
def test_webhook_urls_that_are_refused_say_why(url, production, message):
    with pytest.raises(InvalidDestination, match=message):
        check_webhook_url(url, production)


def test_webhook_urls_that_are_accepted():
    assert check_webhook_url(" https://crm.example.edu/in ", True) == "https://crm.example.edu/in"
    assert check_webhook_url("http://127.0.0.1:8080/in", False) == "http://127.0.0.1:8080/in"


def test_email_addresses_are_checked_and_normalised():
    assert check_addresses("Admissions@Example.edu, ops@example.edu") == [
        "Admissions@example.edu",
        "ops@example.edu",
    ]
    with pytest.raises(InvalidDestination):
        check_addresses("not an address")


def test_a_rotated_secret_keeps_the_old_one_for_24_hours(app):
    with app.app_context():
        school_id = make_school().id
        first = add_webhook(school_id, "https://crm.example.edu/in", production=True)
        now = datetime(2026, 11, 30, 12, tzinfo=UTC)
        second = rotate_secret(first.destination.id, now)
        destination = second.destination
        assert first.secret.startswith("whsec_") and second.secret != first.secret
        assert destination.secret == second.secret
        assert destination.previous_secret == first.secret
        assert destination.previous_secret_expires_at == now + timedelta(hours=24)


def test_switching_on_clears_why_it_was_switched_off(app):
    with app.app_context():
        destination = add_email(make_school().id, "admissions@example.edu")
        assert set_enabled(destination.id, False).disabled_at is not None
        assert set_enabled(destination.id, True).disabled_at is None
