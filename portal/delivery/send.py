"""Sending one delivery or one test event to a destination, webhook or email.

The sends touch no database: the caller loads what is sent and records the answer, so no
database connection is held while a school's endpoint takes its time
(send_test_to_destination ends the transaction before it sends).
"""

from datetime import datetime

from portal.delivery import mail
from portal.delivery.http import post
from portal.delivery.signing import new_message_id, signed_headers
from portal.extensions import db
from portal.models import Destination
from portal.services.deliveries import record_test_attempt, target_of
from portal.services.events import EVENT_TYPE, encode, lead_event, opted_out_event, test_event
from portal.services.transport import Answer, DeliverySettings, Target


def send_lead(
    target: Target, webhook_id: str, data: dict, settings, now: datetime, event=EVENT_TYPE
) -> Answer:
    """Send a lead's event (`lead.created`, or `lead.opted_out` with a notice's data) to a
    webhook, or its email to the addresses."""
    created = event == EVENT_TYPE
    if target.kind == "webhook":
        body = lead_event(data) if created else opted_out_event(data)
        return _post_event(target, webhook_id, body, settings, now)
    write = mail.lead_email if created else mail.opt_out_email
    message = write(
        data, target.email_to, settings.mail["MAIL_FROM"], webhook_id, settings.site_name
    )
    return mail.send(message, settings.mail, settings.timeout)


def send_test(target: Target, settings, now: datetime) -> Answer:
    """Send a test event (webhook) or a test email; neither carries a lead."""
    if target.kind == "webhook":
        event = test_event(target.school_id, target.destination_id, settings.site_name, now)
        return _post_event(target, new_message_id(), event, settings, now)
    message = mail.test_email(
        target.email_to, settings.mail["MAIL_FROM"], settings.site_name, target.school_name
    )
    return mail.send(message, settings.mail, settings.timeout)


def _post_event(target: Target, message_id: str, event: dict, settings, now) -> Answer:
    """Sign and POST an event."""
    body = encode(event)
    headers = signed_headers(message_id, body, target.secrets, now)
    return post(
        target.url,
        body.encode("utf-8"),
        headers,
        timeout=settings.timeout,
        allow_private=settings.allow_private,
        allow_http=settings.allow_http,
    )


def send_test_to_destination(destination: Destination, settings: DeliverySettings, now) -> Answer:
    """Send a test event (or test email) to a destination now, record it and return the answer.

    The send happens outside any transaction; the answer is recorded in the delivery log.
    """
    target = target_of(destination, now)
    db.session.rollback()
    answer = send_test(target, settings, now)
    record_test_attempt(target.destination_id, answer, now)
    return answer
