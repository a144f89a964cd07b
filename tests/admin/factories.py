"""Small functions that make admins and leads for the admin tests."""

import hashlib
import itertools
from datetime import UTC, datetime

from portal.extensions import db
from portal.models import AdminUser, Lead, Program
from portal.services.accounts import create_admin

PASSWORD = "correct horse battery staple"
CONSENT = (
    "By ticking this box I agree that {school} may contact me about its programs by email, "
    "phone calls and text messages, including automated ones. Consent is not a condition of "
    "enrolment."
)
_counter = itertools.count(1)


def make_admin(email: str = "admin@example.com", password: str = PASSWORD) -> AdminUser:
    """An admin account with a known password."""
    return create_admin(email, password)


def make_lead(program: Program, **fields) -> Lead:
    """A consented, billable lead for `program`; any column can be overridden."""
    n = next(_counter)
    consent = CONSENT.format(school=program.school.name)
    values = {
        "created_at": datetime(2026, 11, 1, 12, 0, n % 60, tzinfo=UTC),
        "program_id": program.id,
        "school_id": program.school_id,
        "campus_id": program.campus_id,
        "career": program.career,
        "price_cents": 2500,
        "status": "new",
        "billable": True,
        "first_name": "Ada",
        "last_name": f"Lovelace{n}",
        "email": f"ada{n}@example.com",
        "phone_e164": "+13125550100",
        "zip_code": "60601",
        "state": "IL",
        "education_level": "high-school",
        "start_timeframe": "3-months",
        "consent_text": consent,
        "consent_sha256": hashlib.sha256(consent.encode()).hexdigest(),
        "consented_at": datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC),
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "page_url": "http://localhost/programs?zip=60601",
        "referrer": "https://www.google.com/",
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "mom",
        "utm_term": "",
        "utm_content": "",
    }
    values.update(fields)
    if "consented_at" not in fields:
        values["consented_at"] = values["created_at"]
    lead = Lead(**values)
    db.session.add(lead)
    db.session.commit()
    return lead
