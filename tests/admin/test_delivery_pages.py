"""The schools' delivery settings in the admin: destinations, secrets shown once, test events,
switching on and off, the delivery log (escaped), redelivering, and the dashboard figures."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Delivery, DeliveryAttempt, Destination, Lead, Program, utcnow
from portal.services.destinations import add_webhook
from portal.services.erasure import delete_person_data
from portal.services.outbox import queue_deliveries
from tests.delivery.receiver import Receiver, Reply, verify
from tests.support.factories import make_lead, make_program, make_school
from tests.support.forms import csrf_token

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


@pytest.fixture
def school_id(app) -> int:
    """A school with one listing."""
    with app.app_context():
        return make_program(make_school("Riverside Career Academy")).school_id


@pytest.fixture
def receiver():
    """A webhook receiver on loopback."""
    server = Receiver()
    yield server
    server.stop()


def post(client, path: str, data: dict | None = None, token_from: str = "/admin/schools"):
    """POST as the page's form would, with its CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **(data or {})})


def test_schools_list_and_page(app, admin_client, school_id):
    listing = admin_client.get("/admin/schools")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "Riverside Career Academy" in html and f"/admin/schools/{school_id}" in html
    assert 'aria-current="page">Schools<' in html
    page = admin_client.get(f"/admin/schools/{school_id}")
    assert page.status_code == 200
    assert "No destinations" in page.get_data(as_text=True)
    assert admin_client.get("/admin/schools/999999").status_code == 404


def test_adding_a_webhook_shows_its_secret_once(app, admin_client, school_id):
    response = post(
        admin_client, f"/admin/schools/{school_id}/webhooks", {"url": "https://crm.example.edu/in"}
    )
    assert response.status_code == 200
    [secret] = set(SECRET.findall(response.get_data(as_text=True)))
    with app.app_context():
        destination = db.session.scalar(select(Destination))
        assert (destination.url, destination.secret) == ("https://crm.example.edu/in", secret)
    page = admin_client.get(f"/admin/schools/{school_id}").get_data(as_text=True)
    assert "https://crm.example.edu/in" in page
    assert secret not in page and "whsec_" not in page
    assert "Set-Cookie" not in response.headers or secret not in response.headers["Set-Cookie"]
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://crm.example.edu/in", "Use an https:// URL."),
        ("https://", "needs a host name"),
        ("https://user:pw@crm.example.edu/", "Leave the user name and password out"),
        ("https://crm.example.edu:99999/", "port must be a number"),
        ("", "Enter the URL."),
    ],
)
def test_bad_webhook_urls_are_refused(app, admin_client, school_id, url, message):
    response = post(admin_client, f"/admin/schools/{school_id}/webhooks", {"url": url})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Destination)) is None


def test_plain_http_is_refused_in_production(app, admin_client, school_id):
    app.config["PORTAL_ENV"] = "production"
    url = "http://crm.example.edu/in"
    response = post(admin_client, f"/admin/schools/{school_id}/webhooks", {"url": url})
    assert response.status_code == 422
    assert "plain http:// is refused in production" in response.get_data(as_text=True)


def test_adding_email_addresses(app, admin_client, school_id):
    path = f"/admin/schools/{school_id}/emails"
    response = post(admin_client, path, {"addresses": "Admissions@Example.edu, a@example.edu"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Destination.email_to)) == (
            "Admissions@example.edu, a@example.edu"
        )
    bad = post(admin_client, path, {"addresses": "not-an-address"})
    assert bad.status_code == 422
    assert "is not an email address" in bad.get_data(as_text=True)


def test_switching_a_destination_off_and_on(app, admin_client, school_id):
    with app.app_context():
        destination_id = add_webhook(school_id, "https://x.example/in", False).destination.id
    path = f"/admin/destinations/{destination_id}/enabled"
    assert post(admin_client, path, {"enabled": "0"}).status_code == 302
    with app.app_context():
        assert not db.session.get(Destination, destination_id).is_enabled
    assert post(admin_client, path, {"enabled": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Destination, destination_id).is_enabled
    assert post(admin_client, path, {"enabled": "maybe"}).status_code == 400
    assert admin_client.post(path, data={"enabled": "0"}).status_code == 400  # no CSRF token
    assert (
        post(admin_client, "/admin/destinations/999999/enabled", {"enabled": "0"}).status_code
        == 404
    )


def test_rotating_a_secret_shows_the_new_one_and_keeps_the_old_for_a_day(
    app, admin_client, school_id
):
    with app.app_context():
        created = add_webhook(school_id, "https://x.example/in", False)
        destination_id, old = created.destination.id, created.secret
    response = post(admin_client, f"/admin/destinations/{destination_id}/rotate")
    assert response.status_code == 200
    [new] = set(SECRET.findall(response.get_data(as_text=True)))
    assert new != old
    with app.app_context():
        destination = db.session.get(Destination, destination_id)
        assert (destination.secret, destination.previous_secret) == (new, old)
        overlap = destination.previous_secret_expires_at - utcnow()
        assert timedelta(hours=23) < overlap <= timedelta(hours=24)
        assert destination.signing_secrets(utcnow()) == [new, old]


def test_sending_a_test_event_shows_the_answer_escaped(app, admin_client, school_id, receiver):
    receiver.answer(Reply(200, b"<script>alert(1)</script> thanks"))
    with app.app_context():
        created = add_webhook(school_id, receiver.url(), False)
        destination_id, secret = created.destination.id, created.secret
    response = post(admin_client, f"/admin/destinations/{destination_id}/test")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "accepted" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; thanks" in html
    assert "<script>alert(1)" not in html
    [request] = receiver.requests
    event = verify(request, secret)
    assert event["type"] == "webhook.test" and "lead_id" not in event["data"]
    log = admin_client.get(f"/admin/schools/{school_id}").get_data(as_text=True)
    assert "test event" in log and "&lt;script&gt;" in log


def test_a_test_event_to_a_dead_endpoint_says_what_happened(app, admin_client, school_id):
    from tests.support.servers import free_port

    with app.app_context():
        url = f"http://127.0.0.1:{free_port()}/in"
        destination_id = add_webhook(school_id, url, False).destination.id
    html = post(admin_client, f"/admin/destinations/{destination_id}/test").get_data(as_text=True)
    assert "not accepted" in html and "connection refused" in html


def failed_delivery(app, school_id: int, excerpt: str) -> tuple[int, int]:
    """A lead whose delivery failed after an answer with this body: (lead id, delivery id)."""
    with app.app_context():
        destination = add_webhook(school_id, "https://x.example/in", False).destination
        program = db.session.scalar(select(Program).where(Program.school_id == school_id))
        lead = make_lead(program, first_name="<b>Bold</b>")
        queue_deliveries(lead.id, school_id, utcnow())
        delivery = db.session.scalar(select(Delivery))
        delivery.status, delivery.failed_at, delivery.attempts = "failed", utcnow(), 1
        delivery.last_error = "HTTP 500"
        db.session.add(
            DeliveryAttempt(
                delivery_id=delivery.id,
                destination_id=destination.id,
                started_at=utcnow(),
                duration_ms=12,
                succeeded=False,
                status_code=500,
                error=None,
                response_excerpt=excerpt,
            )
        )
        db.session.commit()
        return lead.id, delivery.id


def test_the_lead_page_shows_its_delivery_log_escaped(app, admin_client, school_id):
    lead_id, _ = failed_delivery(app, school_id, "<img src=x onerror=alert(1)>")
    html = admin_client.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert "Delivery to the school" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "failed" in html and "Redeliver" in html


def test_redeliver_queues_the_same_webhook_id_again(app, admin_client, school_id):
    lead_id, delivery_id = failed_delivery(app, school_id, "oops")
    with app.app_context():
        webhook_id = db.session.get(Delivery, delivery_id).webhook_id
    lead_page = f"/admin/leads/{lead_id}"
    response = admin_client.post(
        f"/admin/deliveries/{delivery_id}/redeliver?next={lead_page}",
        data={"csrf_token": csrf_token(admin_client, lead_page)},
    )
    assert response.status_code == 302 and response.headers["Location"] == lead_page
    with app.app_context():
        delivery = db.session.get(Delivery, delivery_id)
        assert (delivery.status, delivery.webhook_id, delivery.attempts) == (
            "pending",
            webhook_id,
            0,
        )
    again = post(admin_client, f"/admin/deliveries/{delivery_id}/redeliver")
    assert again.status_code == 302  # still pending: refused with a message, nothing changes
    assert "still being tried" in admin_client.get("/admin/schools").get_data(as_text=True)


def test_the_school_page_lists_failed_deliveries(app, admin_client, school_id):
    lead_id, _ = failed_delivery(app, school_id, "nope")
    html = admin_client.get(f"/admin/schools/{school_id}").get_data(as_text=True)
    assert f"Lead {lead_id}" in html and "Redeliver" in html and "HTTP 500" in html
    schools = admin_client.get("/admin/schools").get_data(as_text=True)
    assert "1 to redeliver" in schools


def test_the_dashboard_shows_delivery_figures(app, admin_client, school_id):
    failed_delivery(app, school_id, "x")
    html = admin_client.get("/admin").get_data(as_text=True)
    assert "Deliveries to schools" in html
    assert re.search(r"<dt>Failed</dt><dd>1</dd>", html)
    assert "Capture to delivery, median (7 days)" in html


def test_deleting_a_persons_data_deletes_their_deliveries_too(app, admin_client, school_id):
    failed_delivery(app, school_id, "x")
    with app.app_context():
        email = db.session.scalar(select(Lead.email))
        delete_person_data(email, admin_id=1)
        # The lead's deliveries and attempts are gone; what is left is the school's notice
        # that the person opted out (their lead was tried there), which holds nothing of theirs.
        [notice] = db.session.scalars(select(Delivery)).all()
        assert (notice.event, notice.lead_id, notice.status) == ("lead.opted_out", None, "pending")
        assert db.session.scalar(select(DeliveryAttempt)) is None
