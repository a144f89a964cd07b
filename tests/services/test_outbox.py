"""The outbox: a captured lead is queued for each enabled destination of its school, in the
lead's own transaction, each under a webhook-id of its own."""

from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Delivery
from portal.services.destinations import add_email, add_webhook, set_enabled
from portal.services.outbox import queue_deliveries
from tests.support.factories import make_lead, make_program, make_school

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_each_enabled_destination_of_the_school_gets_one_delivery(app):
    with app.app_context():
        school, other = make_school(), make_school()
        webhook_id = add_webhook(school.id, "https://crm.example.edu/in", production=True)
        webhook_id = webhook_id.destination.id
        add_email(school.id, "admissions@example.edu")
        set_enabled(add_email(school.id, "old@example.edu").id, False)
        add_email(other.id, "elsewhere@example.edu")
        lead_id, school_id = make_lead(make_program(school)).id, school.id
        queue_deliveries(lead_id, school_id, NOW)
        db.session.rollback()  # nothing is committed but by the capture's own commit
        assert db.session.scalars(select(Delivery)).all() == []
        queue_deliveries(lead_id, school_id, NOW)
        db.session.commit()
        rows = db.session.scalars(select(Delivery).order_by(Delivery.destination_id)).all()
    assert len(rows) == 2 and {r.status for r in rows} == {"pending"}
    assert rows[0].destination_id == webhook_id
    assert rows[0].webhook_id.startswith("msg_") and rows[0].webhook_id != rows[1].webhook_id
    assert {r.next_attempt_at for r in rows} == {NOW}
