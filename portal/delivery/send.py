"""Sending one delivery or one test event to a destination, webhook or email.

Nothing here touches the database: the caller loads what is sent and records the answer, so
no database connection is held while a school's endpoint takes its time.
"""

from dataclasses import dataclass
from datetime import datetime

from portal.delivery import mail
from portal.delivery.http import Answer, post
from portal.delivery.payload import (
    EVENT_TYPE,
    encode,
    lead_event,
    new_message_id,
    opted_out_event,
    signed_headers,
    test_event,
)


@dataclass(frozen=True)
class DeliverySettings:
    """The settings a send needs, read once from the app's config."""

    timeout: float
    retry_base: float
    max_age_hours: float
    allow_private: bool
    allow_http: bool
    site_name: str
    mail: dict

    @classmethod
    def from_config(cls, config) -> "DeliverySettings":
        """The settings of an app's config (DELIVERY_*, MAIL_*)."""
        mail_keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD")
        mail_keys += ("MAIL_USE_TLS", "MAIL_FROM", "MAIL_FILE_FOLDER")
        return cls(
            timeout=config["DELIVERY_TIMEOUT_SECONDS"],
            retry_base=config["DELIVERY_RETRY_BASE_SECONDS"],
            max_age_hours=config["DELIVERY_MAX_AGE_HOURS"],
            allow_private=config["DELIVERY_ALLOW_PRIVATE_TARGETS"],
            allow_http=config["PORTAL_ENV"] != "production",
            site_name=config["SITE_NAME"],
            mail={key: config.get(key) for key in mail_keys},
        )


@dataclass(frozen=True)
class Target:
    """Where a message goes: a destination's kind, URL or addresses, and signing secrets."""

    destination_id: int
    school_id: int
    school_name: str
    kind: str
    url: str | None
    email_to: list[str]
    secrets: list[str]


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
