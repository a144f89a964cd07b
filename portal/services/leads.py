"""Capturing enrollment-information requests ("leads"): consent, duplicates and lead caps.

A lead is one visitor asking one school about one program. Capturing it is one transaction:
lock the listing's sponsorship row, look for the same email on the same program in the last
30 days, claim a slot under the daily and monthly caps with one conditional UPDATE, insert the
lead, commit. Locking first serialises captures per listing, so two requests arriving together
can neither both pass a cap of one nor both be billed for the same email.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Lead, Program, School, Sponsorship
from portal.services.consent_keys import mark_recorded, record_key, signing_key
from portal.services.contact_hashes import email_sha256, phone_sha256
from portal.services.geo import InvalidZip, UnknownZip, ZipPoint, find_zip
from portal.services.matching import (
    DEFAULT_RADIUS,
    Filters,
    find_candidates,
    month_start,
    program_serves,
    sponsorship_is_running,
    sponsorship_running,
)
from portal.services.opt_outs import on_suppression_list
from portal.services.outbox import queue_deliveries
from portal.services.programs import ProgramNotFound, load_programs
from portal.services.receipts import lead_receipt

log = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(days=30)

# Machine codes stored on the lead, with what the visitor sees.
EDUCATION_LEVELS = {
    "high_school": "High school diploma or GED",
    "some_college": "Some college, no degree",
    "associate": "Associate degree",
    "bachelor": "Bachelor's degree",
    "master_or_higher": "Master's degree or higher",
    "in_high_school": "Still in high school",
}
START_TIMEFRAMES = {
    "immediately": "As soon as possible",
    "within_1_month": "Within 1 month",
    "1_3_months": "In 1 to 3 months",
    "3_6_months": "In 3 to 6 months",
    "researching": "Just researching for now",
}

PRIVACY_LINK_TEXT = "Privacy Policy"


class NotTakingRequests(RuntimeError):
    """The listing's sponsorship has ended, not started, or reached a lead cap."""

    def __init__(self, program: Program):
        super().__init__("this program is not taking requests")
        self.program = program


class ProgramDoesNotServeZip(ValueError):
    """The listing does not serve the visitor's ZIP code under the search's matching rule."""


class ConsentChanged(RuntimeError):
    """The disclosure the visitor was shown is not the school's current one (renamed since)."""


class FormAlreadyUsed(RuntimeError):
    """A lead was already stored from this form stamp (a double click, or a replay)."""


@dataclass(frozen=True)
class Visitor:
    """What the visitor typed into the form, already validated and normalised."""

    first_name: str
    last_name: str
    email: str
    phone_e164: str
    zip_code: str
    education_level: str
    start_timeframe: str


@dataclass(frozen=True)
class ConsentEvidence:
    """The proof of consent: which disclosure was shown (its SHA-256), when, where, by whom;
    the form it was shown in (its SHA-256, portal.services.consent_forms; None for a form
    shown before forms were kept), and whether the browser sent Global Privacy Control."""

    shown_sha256: str
    consented_at: datetime
    ip_address: str
    user_agent: str
    page_url: str
    form_sha256: str | None = None
    gpc: bool = False


@dataclass(frozen=True)
class Attribution:
    """Where the visitor came from: the landing page's referrer and utm_* parameters."""

    referrer: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""


@dataclass(frozen=True)
class Captured:
    """The outcome of a capture: the stored lead, and whether it was a non-billable repeat."""

    lead_id: int
    duplicate: bool


def consent_text(school_name: str) -> str:
    """The consent disclosure for one school: shown beside the checkbox and stored with the lead."""
    return (
        f"By ticking this box, I agree that {school_name} may contact me about its programs "
        "at the email address and phone number I have given, by email, phone calls and text "
        "messages, including calls and texts made with automated technology or a prerecorded "
        "or artificial voice. Message and data rates may apply. My consent is not a condition "
        "of enrolling or of buying anything, and I can withdraw it at any time. Our "
        f"{PRIVACY_LINK_TEXT} explains what we collect and why."
    )


def consent_sha256(text: str) -> str:
    """The hex SHA-256 of a disclosure's UTF-8 bytes, stored beside it as evidence."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OpenListing:
    """A listing that takes requests today, with the disclosure its form shows (and its hash)."""

    program: Program
    disclosure: str
    disclosure_sha256: str


def open_listing(program_id: int, today: date) -> OpenListing:
    """The active listing (school and campus loaded) if it takes requests today, with the
    consent disclosure for its school.

    Raises ProgramNotFound for an unknown or inactive id, NotTakingRequests when its
    sponsorship is outside its dates or at a cap. One query.
    """
    row = db.session.execute(_listing_statement(today), {"listing_id": program_id}).first()
    if row is None:
        raise ProgramNotFound(program_id)
    program, running = row
    if not running:
        raise NotTakingRequests(program)
    disclosure = consent_text(program.school.name)
    return OpenListing(program, disclosure, consent_sha256(disclosure))


def capture_lead(
    program_id: int,
    visitor: Visitor,
    consent: ConsentEvidence,
    attribution: Attribution,
    radius_miles: int = DEFAULT_RADIUS,
    form_nonce: str | None = None,
) -> Captured:
    """Store a consented request for one program, billable unless a repeat, with its signed
    consent receipt (portal.services.receipts); commit once.

    From a person on the suppression list it is their explicit request to this one school
    (explicit_request); a lead of theirs that opted out is no earlier request for the 30 days.
    The disclosure stored is consent_text() for the program's school, and must be the one the
    visitor was shown. `form_nonce`, the nonce of the form's stamp, stores at most one lead.
    Raises ProgramNotFound, ConsentChanged, NotTakingRequests, InvalidZip, UnknownZip,
    ProgramDoesNotServeZip or FormAlreadyUsed; on any error nothing is written.
    """
    today = consent.consented_at.date()
    try:
        row = db.session.execute(_listing_statement(today), {"listing_id": program_id}).first()
        if row is None:
            raise ProgramNotFound(program_id)
        program = row[0]
        disclosure = consent_text(program.school.name)
        if consent_sha256(disclosure) != consent.shown_sha256:
            raise ConsentChanged(program_id)
        origin = find_zip(visitor.zip_code)
        if not program_serves(program_id, origin, radius_miles, today):
            _explain_no_match(program, today)
        _lock_sponsorship(program)
        key = signing_key()
        record_key(key)  # in this transaction: known wherever a receipt it signs is
        # Checked under the lock: the stamp names this listing, so its captures are serialised.
        if form_nonce is not None and db.session.scalar(_NONCE_USED, {"nonce": form_nonce}):
            raise FormAlreadyUsed(program_id)
        original_id = _earlier_lead_id(program_id, visitor.email, consent.consented_at)
        # A repeat is stored for the record but claims no cap slot and costs nothing.
        price = _claim_cap_slot(program, today) if original_id is None else 0
        lead = _new_lead(program, origin, visitor, consent, disclosure, attribution, price)
        lead.update(
            billable=original_id is None,
            duplicate_of_id=original_id,
            form_nonce=form_nonce,
            # A person who opted out and now asks this one school is making their own
            # explicit request: stored and delivered to it alone, and marked so.
            explicit_request=on_suppression_list(lead["email_sha256"], lead["phone_sha256"]),
        )
        lead["school_seq"] = next_feed_number(program.school_id)
        lead.update(lead_receipt(key, lead, program.school.name, program.title))
        lead_id = db.session.execute(_INSERT_LEAD, lead).scalar_one()
        if original_id is None:
            # The outbox: queued in the lead's own transaction, so a stored lead is never lost.
            queue_deliveries(lead_id, program.school_id, consent.consented_at)
        # Known before the commit: after it nothing may touch the database, or a connection
        # lost just then would turn a stored lead into an error page.
        captured = Captured(lead_id=lead_id, duplicate=original_id is not None)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    mark_recorded(key)
    log.info("lead captured for program %s (duplicate=%s)", program_id, captured.duplicate)
    return captured


def _explain_no_match(program: Program, today: date) -> None:
    """Raise why a listing that is open does not match: cap/dates now, or the ZIP."""
    if not sponsorship_is_running(program.id, today):
        raise NotTakingRequests(program)
    raise ProgramDoesNotServeZip(
        f"{program.school.name} does not offer this program near that ZIP code. "
        "Please check the ZIP code, or search again for programs near you."
    )


# The statements of a capture are built once (the claim once a day) and reused with new
# values: building SQLAlchemy expressions costs more CPU than running these statements.
_LOCK = (
    update(Sponsorship)
    .where(Sponsorship.program_id == bindparam("listing_id"))
    .values(day_count=Sponsorship.day_count)
    .execution_options(synchronize_session=False)
)
# A plain INSERT: the ORM's unit of work would cost more CPU than the rest of the capture.
_INSERT_LEAD = insert(Lead.__table__).returning(Lead.__table__.c.id)
_NONCE_USED = select(Lead.id).where(Lead.form_nonce == bindparam("nonce"))
_EARLIER_LEAD = (
    select(Lead.id)
    .where(
        Lead.program_id == bindparam("listing_id"),
        Lead.email == bindparam("email"),
        Lead.created_at >= bindparam("since"),
        Lead.billable.is_(True),
        Lead.opted_out_at.is_(None),
    )
    .order_by(Lead.created_at, Lead.id)
    .limit(1)
)


@functools.lru_cache(maxsize=4)
def _claim_statement(today: date):
    """The conditional UPDATE that counts a lead against the caps on `today` (see below)."""
    this_month = month_start(today)
    return (
        update(Sponsorship)
        .where(Sponsorship.program_id == bindparam("listing_id"), sponsorship_running(today))
        .values(
            day_count=case((Sponsorship.count_day == today, Sponsorship.day_count + 1), else_=1),
            count_day=today,
            month_count=case(
                (Sponsorship.count_month == this_month, Sponsorship.month_count + 1), else_=1
            ),
            count_month=this_month,
        )
        .returning(Sponsorship.bid_cents)
        .execution_options(synchronize_session=False)
    )


@functools.lru_cache(maxsize=4)
def _listing_statement(today: date):
    """The active listing with its school and campus, and whether it takes requests `today`."""
    return (
        select(Program, sponsorship_running(today))
        .join(Sponsorship, Sponsorship.program_id == Program.id, isouter=True)
        .options(joinedload(Program.school), joinedload(Program.campus))
        .where(Program.id == bindparam("listing_id"), Program.is_active.is_(True))
    )


def next_feed_number(school_id: int, session=None) -> int:
    """The next number of the school's lead feed (Lead.school_seq), for a lead about to be
    stored in this transaction.

    Raising school.lead_seq takes the school's row lock (on SQLite, the write lock) until
    commit, so a later number is only given once the transaction holding the earlier one has
    ended: numbers become visible in order, and the pull API's cursor never skips a lead that
    was still being stored (see portal.services.school_api).
    """
    return (
        (session or db.session)
        .execute(
            update(School)
            .where(School.id == school_id)
            .values(lead_seq=School.lead_seq + 1)
            .returning(School.lead_seq)
            .execution_options(synchronize_session=False)
        )
        .scalar_one()
    )


def _lock_sponsorship(program: Program) -> None:
    """Take the sponsorship row's write lock until commit: a no-op UPDATE, the same everywhere.

    On PostgreSQL this is a row lock; on SQLite, a write as the transaction's first statement
    takes the database's write lock (waiting out the busy timeout), so the reads that follow
    see every lead committed before it.
    """
    result = db.session.execute(_LOCK, {"listing_id": program.id})
    if result.rowcount != 1:
        raise NotTakingRequests(program)


def _earlier_lead_id(program_id: int, email: str, now: datetime) -> int | None:
    """The billable lead for this email and program in the last 30 days, if any."""
    since = now - DUPLICATE_WINDOW
    return db.session.scalar(
        _EARLIER_LEAD, {"listing_id": program_id, "email": email, "since": since}
    )


def _claim_cap_slot(program: Program, today: date) -> int:
    """Count one billable lead against today's and this month's caps; return the bid.

    One conditional UPDATE: the counters restart when their day or month has passed, and the
    row only changes while sponsorship_running(today) holds, so a full cap claims nothing.
    """
    price = db.session.execute(_claim_statement(today), {"listing_id": program.id}).scalar()
    if price is None:
        raise NotTakingRequests(program)
    return price


def _new_lead(
    program: Program,
    origin: ZipPoint,
    visitor: Visitor,
    consent: ConsentEvidence,
    disclosure: str,
    attribution: Attribution,
    price_cents: int,
) -> dict:
    """The values of the Lead row for a capture, billable until marked a repeat."""
    return dict(
        created_at=consent.consented_at,
        program_id=program.id,
        school_id=program.school_id,
        campus_id=program.campus_id,
        career=program.career,
        price_cents=price_cents,
        status="new",
        billable=True,
        first_name=visitor.first_name,
        last_name=visitor.last_name,
        email=visitor.email,
        phone_e164=visitor.phone_e164,
        email_sha256=email_sha256(visitor.email),
        phone_sha256=phone_sha256(visitor.phone_e164),
        zip_code=origin.code,
        state=origin.state,
        education_level=visitor.education_level,
        start_timeframe=visitor.start_timeframe,
        consent_text=disclosure,
        consent_sha256=consent_sha256(disclosure),
        consented_at=consent.consented_at,
        ip_address=_fit(consent.ip_address, 45),
        user_agent=_fit(consent.user_agent, 512),
        page_url=_fit(consent.page_url, 2048),
        form_sha256=consent.form_sha256,
        gpc=consent.gpc,
        referrer=_fit(attribution.referrer, 2048),
        utm_source=_fit(attribution.utm_source, 200),
        utm_medium=_fit(attribution.utm_medium, 200),
        utm_campaign=_fit(attribution.utm_campaign, 200),
        utm_term=_fit(attribution.utm_term, 200),
        utm_content=_fit(attribution.utm_content, 200),
    )


def _fit(text: str, limit: int) -> str:
    """Free text from the request as its column holds it: NUL shown as U+FFFD, cut to `limit`.

    Headers and utm_* values come from the client as sent; PostgreSQL refuses NUL in text.
    """
    return text.replace("\x00", "\ufffd")[:limit]


@dataclass(frozen=True)
class ThankYou:
    """What the thank-you page shows: the program asked about, and up to three alternatives."""

    program: Program
    others: list[Program]


def thank_you(program_id: int, zip_code: str, radius_miles: int, today: date) -> ThankYou:
    """The program a request went to, and other programs for the same career serving the ZIP."""
    found = load_programs([program_id])
    if not found:
        raise ProgramNotFound(program_id)
    return ThankYou(found[0], other_programs(found[0], zip_code, radius_miles, today))


def other_programs(
    program: Program, zip_code: str, radius_miles: int, today: date, limit: int = 3
) -> list[Program]:
    """Up to `limit` other listings for the program's career that serve the ZIP, best first.

    The ZIP comes from a thank-you token, which a bot's dropped request also gets: it may be
    anything, so it is checked before it goes near the database.
    """
    try:
        origin = find_zip(zip_code)
    except (InvalidZip, UnknownZip):
        return []
    filters = Filters(career=program.career, radius_miles=radius_miles)
    ids = [
        c.program_id for c in find_candidates(origin, filters, today) if c.program_id != program.id
    ]
    return load_programs(ids[:limit])
