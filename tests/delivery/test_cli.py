"""`flask --app wsgi destinations ...`: add a webhook (its secret printed last), add email
addresses, list, disable, enable, rotate a secret."""

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import Destination

SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{43}=$")


def invoke(runner, *args):
    """Run `flask --app wsgi destinations ARGS`."""
    return runner.invoke(args=["destinations", *args])


def stored(app) -> list[Destination]:
    """Every destination (detached)."""
    with app.app_context():
        rows = list(db.session.scalars(select(Destination).order_by(Destination.id)))
        db.session.expunge_all()
        return rows


def test_add_webhook_by_name_prints_the_secret_last(app, runner, listing):
    result = invoke(runner, "add-webhook", "Lakeshore Medical Institute", "https://crm.example/in")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert SECRET.match(last)
    [destination] = stored(app)
    assert (destination.kind, destination.url, destination.secret) == (
        "webhook",
        "https://crm.example/in",
        last,
    )
    assert "Added webhook #1 for Lakeshore Medical Institute" in result.output


def test_add_webhook_by_id(app, runner, listing):
    result = invoke(runner, "add-webhook", str(listing["school_id"]), "http://127.0.0.1:9/in")
    assert result.exit_code == 0, result.output
    assert stored(app)[0].school_id == listing["school_id"]


def test_add_webhook_refuses_plain_http_in_production(app, runner, listing):
    app.config["PORTAL_ENV"] = "production"
    result = invoke(runner, "add-webhook", "Lakeshore Medical Institute", "http://crm.example/in")
    assert result.exit_code == 2
    assert "plain http:// is refused in production" in result.output
    assert stored(app) == []


def test_unknown_school_is_a_usage_error(app, runner, listing):
    result = invoke(runner, "add-webhook", "No Such School", "https://crm.example/in")
    assert result.exit_code == 2
    assert "No school has the id or name 'No Such School'" in result.output
    assert invoke(runner, "add-email", "999", "a@example.edu").exit_code == 2


def test_add_email_list_disable_enable(app, runner, listing):
    result = invoke(runner, "add-email", "Lakeshore Medical Institute", "admissions@example.edu")
    assert result.exit_code == 0, result.output
    assert "admissions@example.edu" in result.output
    invoke(runner, "add-webhook", "Lakeshore Medical Institute", "https://crm.example/in")

    listed = invoke(runner, "list").output.strip().splitlines()
    assert listed == [
        "1\tLakeshore Medical Institute\temail\ton\tadmissions@example.edu",
        "2\tLakeshore Medical Institute\twebhook\ton\thttps://crm.example/in",
    ]
    assert "whsec_" not in "".join(listed)

    disabled = invoke(runner, "disable", "2")
    assert disabled.exit_code == 0
    assert "Destination #2 (Lakeshore Medical Institute) is now off." in disabled.output
    assert [d.is_enabled for d in stored(app)] == [True, False]
    assert invoke(runner, "enable", "2").exit_code == 0
    assert stored(app)[1].is_enabled
    assert invoke(runner, "disable", "99").exit_code == 2


def test_bad_email_address_is_refused(app, runner, listing):
    result = invoke(runner, "add-email", "Lakeshore Medical Institute", "not an address")
    assert result.exit_code == 2
    assert "is not an email address" in result.output


def test_rotate_secret_prints_the_new_one(app, runner, listing):
    first = invoke(runner, "add-webhook", "1", "https://crm.example/in").output.split()[-1]
    result = invoke(runner, "rotate-secret", "1")
    assert result.exit_code == 0
    second = result.output.strip().splitlines()[-1]
    assert SECRET.match(second) and second != first
    assert (stored(app)[0].secret, stored(app)[0].previous_secret) == (second, first)


def test_list_without_destinations(runner, listing):
    assert invoke(runner, "list").output == "No destinations yet.\n"
