"""Where each school's leads are delivered: adding webhooks and email addresses, switching
them on and off, rotating a webhook's signing secret, and the schools' delivery overview."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Delivery, Destination, School, utcnow
from portal.services.deliveries import school_attempts, school_cancelled, school_failed
from portal.services.events import new_secret
from portal.services.webhook_urls import TargetRefused, check_url

# After a rotation the old secret still signs every request for this long.
SECRET_OVERLAP = timedelta(hours=24)
MAX_ADDRESSES = 10


class SchoolNotFound(LookupError):
    """No school has this id."""


class DestinationNotFound(LookupError):
    """No destination has this id."""


class InvalidDestination(ValueError):
    """A webhook URL or email address that cannot be used; the message says why."""


@dataclass(frozen=True)
class NewSecret:
    """A webhook destination and its new signing secret (shown once, never again)."""

    destination: Destination
    secret: str


def check_webhook_url(url: str, production: bool, allow_private: bool = True) -> str:
    """The URL, trimmed, if a webhook may be sent to it; raise InvalidDestination. The rule is
    the one the worker applies when it calls (portal.services.webhook_urls.check_url), so what
    is saved is what may be called."""
    url = url.strip()
    try:
        check_url(url, allow_http=not production, allow_private=allow_private)
    except TargetRefused as error:
        raise InvalidDestination(str(error)) from error
    return url


def check_addresses(text: str) -> list[str]:
    """The email addresses in `text` (separated by commas, semicolons or spaces), normalised."""
    raw = [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part.strip()]
    if not raw:
        raise InvalidDestination("Enter at least one email address.")
    if len(raw) > MAX_ADDRESSES:
        raise InvalidDestination(f"Enter at most {MAX_ADDRESSES} addresses.")
    addresses = []
    for part in raw:
        try:
            checked = validate_email(part.strip(), check_deliverability=False)
        except EmailNotValidError as error:
            message = f"{part.strip()[:100]!r} is not an email address: {error}"
            raise InvalidDestination(message) from error
        if checked.normalized not in addresses:
            addresses.append(checked.normalized)
    return addresses


def get_school(school_id: int) -> School:
    """The school with this id; raise SchoolNotFound."""
    school = db.session.get(School, school_id)
    if school is None:
        raise SchoolNotFound(school_id)
    return school


def get_destination(destination_id: int) -> Destination:
    """The destination with this id, its school loaded; raise DestinationNotFound."""
    destination = db.session.get(
        Destination, destination_id, options=[joinedload(Destination.school)]
    )
    if destination is None:
        raise DestinationNotFound(destination_id)
    return destination


def add_webhook(
    school_id: int, url: str, production: bool, allow_private: bool = True
) -> NewSecret:
    """Add a webhook destination for a school, with a new signing secret; commit."""
    get_school(school_id)
    secret = new_secret()
    checked = check_webhook_url(url, production, allow_private)
    destination = Destination(school_id=school_id, kind="webhook", url=checked, secret=secret)
    db.session.add(destination)
    db.session.commit()
    return NewSecret(destination, secret)


def add_email(school_id: int, addresses: str) -> Destination:
    """Add an email destination (one or more addresses) for a school; commit."""
    get_school(school_id)
    destination = Destination(
        school_id=school_id, kind="email", email_to=", ".join(check_addresses(addresses))
    )
    db.session.add(destination)
    db.session.commit()
    return destination


def set_enabled(destination_id: int, enabled: bool) -> Destination:
    """Switch a destination on or off; switching it on clears why it was switched off."""
    destination = get_destination(destination_id)
    destination.is_enabled = enabled
    if enabled:
        destination.disabled_reason = None
        destination.disabled_at = None
    else:
        destination.disabled_at = utcnow()
    db.session.commit()
    return destination


def rotate_secret(destination_id: int, now: datetime) -> NewSecret:
    """Give a webhook a new secret; the current one keeps signing for SECRET_OVERLAP."""
    destination = get_destination(destination_id)
    if destination.kind != "webhook":
        raise InvalidDestination("Only webhook destinations have a signing secret.")
    secret = new_secret()
    destination.previous_secret = destination.secret
    destination.previous_secret_expires_at = now + SECRET_OVERLAP
    destination.secret = secret
    destination.secret_rotated_at = now
    db.session.commit()
    return NewSecret(destination, secret)


def list_destinations(school_id: int | None = None) -> list[Destination]:
    """Every destination (of one school, if given), by school name then id."""
    query = (
        select(Destination)
        .join(School, School.id == Destination.school_id)
        .options(joinedload(Destination.school))
        .order_by(School.name, Destination.id)
    )
    if school_id is not None:
        query = query.where(Destination.school_id == school_id)
    return list(db.session.scalars(query))


def _switched_off_by_endpoint():
    """Destinations the worker switched off (410 Gone), not an admin."""
    return Destination.disabled_reason.is_not(None) & Destination.is_enabled.is_(False)


@dataclass(frozen=True)
class SchoolDeliveryRow:
    """A school on the schools page: its destinations and the state of its deliveries."""

    id: int
    name: str
    destinations: int
    enabled: int
    switched_off_by_endpoint: int
    pending: int
    failed: int


def schools_overview() -> list[SchoolDeliveryRow]:
    """Every school with counts of its destinations and of its pending and failed deliveries."""
    destinations = (
        select(
            Destination.school_id.label("school_id"),
            func.count().label("total"),
            func.sum(case((Destination.is_enabled, 1), else_=0)).label("enabled"),
            func.sum(
                case(
                    (Destination.disabled_reason.is_not(None) & ~Destination.is_enabled, 1), else_=0
                )
            ).label("gone"),
        )
        .group_by(Destination.school_id)
        .subquery()
    )
    deliveries = (
        select(
            Destination.school_id.label("school_id"),
            func.sum(case((Delivery.status == "pending", 1), else_=0)).label("pending"),
            func.sum(case((Delivery.status == "failed", 1), else_=0)).label("failed"),
        )
        .join(Destination, Destination.id == Delivery.destination_id)
        .where(Delivery.status.in_(("pending", "failed")))
        .group_by(Destination.school_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            School.id,
            School.name,
            func.coalesce(destinations.c.total, 0),
            func.coalesce(destinations.c.enabled, 0),
            func.coalesce(destinations.c.gone, 0),
            func.coalesce(deliveries.c.pending, 0),
            func.coalesce(deliveries.c.failed, 0),
        )
        .outerjoin(destinations, destinations.c.school_id == School.id)
        .outerjoin(deliveries, deliveries.c.school_id == School.id)
        .order_by(School.name)
    ).all()
    return [SchoolDeliveryRow(*row) for row in rows]


@dataclass(frozen=True)
class SchoolDeliveries:
    """The school page: its destinations, its failed deliveries and its delivery log."""

    school: School
    destinations: list[Destination]
    pending: int
    failed: list[Delivery]
    cancelled: list[Delivery]
    attempts: Pagination


def school_deliveries(school_id: int, page: int = 1) -> SchoolDeliveries:
    """Everything the school page shows; raise SchoolNotFound."""
    school = get_school(school_id)
    pending = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .join(Destination, Destination.id == Delivery.destination_id)
        .where(Destination.school_id == school_id, Delivery.status == "pending")
    )
    return SchoolDeliveries(
        school=school,
        destinations=list_destinations(school_id),
        pending=pending,
        failed=school_failed(school_id),
        cancelled=school_cancelled(school_id),
        attempts=school_attempts(school_id, page),
    )
