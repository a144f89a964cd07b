"""Fixtures for the delivery tests: quick retries, a school with a listing, a real webhook
receiver and a real SMTP server on loopback, and the worker run as `deliver --once`."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Delivery, DeliveryAttempt
from portal.services.destinations import add_email, add_webhook
from tests.delivery.receiver import Mailbox, Receiver
from tests.support.factories import make_program, make_school

SCHOOL = "Lakeshore Medical Institute"


@pytest.fixture(autouse=True)
def quick_delivery(request):
    """Retries a few milliseconds apart and a short timeout, so failure paths run fast (for
    tests with an app; the HTTP client's own tests need none)."""
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    app.config.update(
        DELIVERY_RETRY_BASE_SECONDS=0.01,
        DELIVERY_TIMEOUT_SECONDS=2.0,
        DELIVERY_ALLOW_PRIVATE_TARGETS=True,
        LEAD_MIN_FILL_SECONDS=0,
        MAIL_SERVER="",
        MAIL_FILE_FOLDER=None,
    )


@pytest.fixture
def receiver():
    """A webhook receiver on a free loopback port."""
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def mailbox():
    """An SMTP server (aiosmtpd) on a free loopback port."""
    server = Mailbox()
    yield server
    server.stop()


@pytest.fixture
def listing(app) -> dict:
    """A campus listing in Chicago (60601) of SCHOOL: its program and school ids."""
    with app.app_context():
        program = make_program(make_school(SCHOOL), zip_code="60601", bid_cents=3100)
        return {"program_id": program.id, "school_id": program.school_id}


def webhook(app, school_id: int, url: str) -> tuple[int, str]:
    """Add a webhook destination; its id and signing secret."""
    with app.app_context():
        created = add_webhook(school_id, url, production=False)
        return created.destination.id, created.secret


def email_destination(app, school_id: int, addresses: str) -> int:
    """Add an email destination; its id."""
    with app.app_context():
        return add_email(school_id, addresses).id


def deliver(runner) -> str:
    """Run `flask --app wsgi deliver --once`; its output."""
    result = runner.invoke(args=["deliver", "--once"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def deliver_until(runner, done, rounds: int = 200) -> None:
    """Run the worker once at a time until done() holds (retries fall due in between)."""
    for _ in range(rounds):
        deliver(runner)
        if done():
            return
    raise AssertionError("the deliveries did not settle")


def deliveries(app) -> list[Delivery]:
    """Every delivery, oldest first (detached)."""
    with app.app_context():
        rows = list(db.session.scalars(select(Delivery).order_by(Delivery.id)))
        db.session.expunge_all()
        return rows


def attempts(app) -> list[DeliveryAttempt]:
    """Every attempt, oldest first (detached)."""
    with app.app_context():
        rows = list(db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))
        db.session.expunge_all()
        return rows
