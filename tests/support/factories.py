"""Small functions that make valid rows for tests, with overridable defaults: each writes only
values the product itself would write (the forms' codes, the consent text it shows)."""

import itertools
from datetime import UTC, date, datetime

from portal.extensions import db
from portal.models import (
    AdminUser,
    Campus,
    Lead,
    PrivacyRequest,
    Program,
    ProgramState,
    School,
    SearchLog,
    Sponsorship,
    ZipCode,
)
from portal.services.accounts import create_admin
from portal.services.contact_hashes import email_sha256, phone_sha256
from portal.services.leads import consent_sha256, consent_text, next_feed_number
from portal.services.school_accounts import create_school_user
from tests.support.forms import PASSWORD

_counter = itertools.count(1)


def make_school(name: str | None = None, **fields) -> School:
    """A school, named uniquely unless a name is given."""
    school = School(name=name or f"Demo School {next(_counter)}", **fields)
    db.session.add(school)
    db.session.flush()
    return school


def make_campus(school: School, zip_code: str = "60601", **fields) -> Campus:
    """A campus at the centre of `zip_code` unless coordinates are given."""
    zip_row = db.session.get(ZipCode, zip_code)
    values = {
        "name": f"{zip_row.city} campus",
        "address": f"{next(_counter)} Main St",
        "city": zip_row.city,
        "state": zip_row.state,
        "zip_code": zip_code,
        "latitude": zip_row.latitude,
        "longitude": zip_row.longitude,
    }
    values.update(fields)
    campus = Campus(school=school, **values)
    db.session.add(campus)
    db.session.flush()
    return campus


def make_program(
    school: School | None = None,
    campus: Campus | None = None,
    *,
    modality: str = "campus",
    states: tuple[str, ...] = (),
    bid_cents: int = 2500,
    starts_on: date = date(2020, 1, 1),
    ends_on: date | None = None,
    daily_cap: int | None = None,
    monthly_cap: int | None = None,
    zip_code: str = "60601",
    **fields,
) -> Program:
    """A sponsored listing; a campus listing gets a campus at `zip_code` unless one is given."""
    school = school or (campus.school if campus else make_school())
    if modality != "online" and campus is None:
        campus = make_campus(school, zip_code)
    n = next(_counter)
    values = {
        "external_id": f"EXT-{n}",
        "career": "medical-office-manager",
        "title": f"Medical Office Management {n}",
        "credential_level": "certificate",
        "duration": "6 months",
        "description": "A demo program.",
        "is_active": True,
    }
    values.update(fields)
    program = Program(school=school, campus=campus, modality=modality, **values)
    program.states = [ProgramState(state=s) for s in states]
    program.sponsorship = Sponsorship(
        bid_cents=bid_cents,
        starts_on=starts_on,
        ends_on=ends_on,
        daily_cap=daily_cap,
        monthly_cap=monthly_cap,
        day_count=0,
        month_count=0,
    )
    db.session.add(program)
    db.session.commit()
    return program


def make_admin(email: str = "admin@example.com", password: str = PASSWORD) -> AdminUser:
    """An admin account with a known password."""
    return create_admin(email, password)


def make_lead(program: Program, **fields) -> Lead:
    """A consented, billable lead for `program`; any column can be overridden."""
    values = lead_values(program, **fields)
    values.setdefault("school_seq", next_feed_number(values["school_id"]))
    lead = Lead(**values)
    db.session.add(lead)
    db.session.commit()
    return lead


def lead_values(program: Program, **fields) -> dict:
    """The columns of a consented, billable lead for `program` (fields override them)."""
    n = next(_counter)
    consent = consent_text(program.school.name)
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
        "education_level": "high_school",
        "start_timeframe": "1_3_months",
        "consent_text": consent,
        "consent_sha256": consent_sha256(consent),
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
    # As a capture does: the fingerprints of the details the lead ends up with.
    values.setdefault("email_sha256", email_sha256(values["email"]))
    values.setdefault("phone_sha256", phone_sha256(values["phone_e164"]))
    if "consented_at" not in fields:
        values["consented_at"] = values["created_at"]
    if values["status"] == "rejected":  # as the product rejects: with a reason, not billable
        values.setdefault("reject_reason", "test")
        values["billable"] = fields.get("billable", False)
    return values


def make_school_user(school: School, email: str | None = None, password: str = PASSWORD):
    """A user of `school` with a known password."""
    return create_school_user(school.id, email or f"staff{next(_counter)}@school.example", password)


def make_search_log(zip_code: str, state: str | None, results: int, day: int = 20) -> None:
    """One logged search on a day of November 2026 (10:00 UTC)."""
    db.session.add(
        SearchLog(
            created_at=datetime(2026, 11, day, 10, tzinfo=UTC),
            zip_code=zip_code,
            state=state,
            radius_miles=50,
            result_count=results,
        )
    )
    db.session.commit()


def make_open_privacy_request(
    email: str, name: str | None = None, state: str | None = None, nonce: str | None = None
) -> int:
    """A "Do Not Sell or Share" request left open, as one sent before opt-outs acted at once
    was stored (for an admin to close); its id."""
    request = PrivacyRequest(
        kind="opt_out",
        email=email,
        name=name,
        state=state,
        form_nonce=nonce or f"open-{next(_counter)}",
    )
    db.session.add(request)
    db.session.commit()
    return request.id
