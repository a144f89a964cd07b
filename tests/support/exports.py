"""The lead export as tests check it: the documented columns, and each row as it should be,
computed independently in Python."""

import csv
import io
import re
from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Lead
from portal.services.csv_cells import neutralise
from portal.services.exports import Actor, ExportOptions, export_leads_csv

DOCUMENTED_COLUMNS = [
    "lead_id",
    "created_at",
    "status",
    "billable",
    "duplicate_of_id",
    "school_id",
    "school",
    "program_id",
    "program_external_id",
    "program",
    "campus",
    "career",
    "price_cents",
    "first_name",
    "last_name",
    "email",
    "phone",
    "zip_code",
    "state",
    "education_level",
    "start_timeframe",
    "consented_at",
    "consent_text",
    "consent_sha256",
    "ip_address",
    "user_agent",
    "page_url",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "exported_at",
    "export_id",
    "explicit_request",
    "erased_at",
]
E164 = re.compile(r"\+[0-9]+")
SHELL = Actor(name="shell:test", source="cli")

TRICKY = {
    "first_name": '=HYPERLINK("http://evil.example","click")',
    "last_name": 'O"Brien, Jr.\r\nthe second',
    "email": "+zoë@example.com",
    "user_agent": "-2+3",
    "page_url": "@SUM(1+1)",
    "referrer": "\tindented",
    "utm_source": "\rcarriage",
    "utm_medium": "\nline",
    "utm_campaign": 'Bücher, 東京, "quoted"',
}


def iso(moment: datetime | None) -> str:
    """A stored time as the export writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def expected_row(lead: Lead) -> list[str]:
    """What the export should say about a stored lead, computed independently in Python."""
    text = {
        "status": lead.status,
        "school": lead.school.name,
        "program_external_id": lead.program.external_id,
        "program": lead.program.title,
        "campus": lead.campus.name if lead.campus else "",
        "career": lead.career,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "zip_code": lead.zip_code,
        "state": lead.state,
        "education_level": lead.education_level,
        "start_timeframe": lead.start_timeframe,
        "consent_text": lead.consent_text,
        "consent_sha256": lead.consent_sha256,
        "ip_address": lead.ip_address,
        "user_agent": lead.user_agent,
        "page_url": lead.page_url,
        "referrer": lead.referrer,
        "utm_source": lead.utm_source,
        "utm_medium": lead.utm_medium,
        "utm_campaign": lead.utm_campaign,
        "utm_term": lead.utm_term,
        "utm_content": lead.utm_content,
    }
    values = {name: neutralise(value or "") for name, value in text.items()}
    values |= {
        "lead_id": str(lead.id),
        "created_at": iso(lead.created_at),
        "billable": "true" if lead.billable else "false",
        "duplicate_of_id": str(lead.duplicate_of_id or ""),
        "school_id": str(lead.school_id),
        "program_id": str(lead.program_id),
        "price_cents": str(lead.price_cents),
        "phone": lead.phone_e164
        if E164.fullmatch(lead.phone_e164 or "")
        else neutralise(lead.phone_e164 or ""),
        "consented_at": iso(lead.consented_at),
        "exported_at": iso(lead.exported_at),
        "export_id": str(lead.export_id or ""),
        "explicit_request": "true" if lead.explicit_request else "false",
        "erased_at": iso(lead.erased_at),
    }
    return [values[name] for name in DOCUMENTED_COLUMNS]


def reference_csv(leads: list[Lead]) -> bytes:
    """The whole file as Python's csv module would write it (RFC 4180, CRLF)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(DOCUMENTED_COLUMNS)
    writer.writerows(expected_row(lead) for lead in leads)
    return buffer.getvalue().encode("utf-8")


def run_export(options: ExportOptions | None = None, actor: Actor = SHELL) -> bytes:
    """The whole export as bytes."""
    return b"".join(export_leads_csv(options or ExportOptions(), actor))


def read(data: bytes) -> list[list[str]]:
    """Parse CSV bytes with Python's csv module."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def stored_leads() -> list[Lead]:
    """Every lead, oldest id first, fresh from the database."""
    db.session.expire_all()
    return list(db.session.scalars(select(Lead).order_by(Lead.id)))
