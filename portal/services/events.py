"""The events a school is sent, `lead.created` and `lead.opted_out`: what their `data` holds,
read from the database, and the webhook signing secrets. portal.delivery signs and sends them;
the schools' pull API lists the same data.

The event's `data` is the lead as the CSV export documents it: the same field names and
formats (times UTC ISO 8601 to the second, phones E.164), typed as JSON (numbers, booleans,
null for no campus or no earlier lead), without the export's own bookkeeping (status,
exported_at, export_id), which would change between retries; and then, beyond the CSV's
columns, whether the browser sent Global Privacy Control (`gpc`) and the signed consent
receipt (`consent_receipt`, portal.services.receipts; null for leads stored before receipts).
Text is sent as typed: the spreadsheet-formula prefix of the CSV is a CSV matter. README
"Lead delivery" documents it and docs/webhook-lead-created.example.json is an example a test
compares with what is sent.

A `lead.opted_out` event's `data` is the notice of one lead whose person opted out: the lead's
id, the school's, when and why. It is also what GET /api/v1/opt-outs lists.
"""

import base64
import json
import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Campus, Lead, LeadOptOut, Program, School
from portal.services.exports import EXPORT_COLUMNS

EVENT_TYPE = "lead.created"
OPTED_OUT_EVENT_TYPE = "lead.opted_out"
TEST_EVENT_TYPE = "webhook.test"
SCHEMA_VERSION = 1
# Fields of the export that describe the export itself, not the lead.
NOT_SENT = frozenset({"status", "exported_at", "export_id"})
# Sent, but not in the `full` CSV: a receipt (about 1.5 KB) would triple each of its rows.
RECEIPT_COLUMNS = [
    ("gpc", Lead.gpc, "flag"),
    ("consent_receipt", Lead.consent_receipt, "code"),
]
EVENT_COLUMNS = [
    *(column for column in EXPORT_COLUMNS if column[0] not in NOT_SENT),
    *RECEIPT_COLUMNS,
]
SECRET_PREFIX = "whsec_"


def iso(moment: datetime | None) -> str | None:
    """A time as the export writes it: UTC, ISO 8601 to the second, with Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lead_data(lead_id: int) -> dict | None:
    """The lead's fields as the event carries them, in the export's order (None: no lead)."""
    found = leads_data([Lead.id == lead_id])
    return found[0] if found else None


def leads_data(conditions: list, order_by=(Lead.id,), limit: int | None = None) -> list[dict]:
    """The `data` of each lead meeting `conditions`, in `order_by` order: what a webhook
    carries, and what the schools' pull API (portal.api.leads) lists."""
    query = (
        select(*[column.label(name) for name, column, _ in EVENT_COLUMNS])
        .select_from(Lead)
        .join(School, School.id == Lead.school_id)
        .join(Program, Program.id == Lead.program_id)
        .outerjoin(Campus, Campus.id == Lead.campus_id)
        .where(*conditions)
        .order_by(*order_by)
        .limit(limit)
    )
    found = []
    for row in db.session.execute(query):
        data: dict = {"schema_version": SCHEMA_VERSION}
        for (name, _, kind), value in zip(EVENT_COLUMNS, row, strict=True):
            if kind == "time":
                value = iso(value)
            elif kind == "flag":
                value = bool(value)
            data[name] = value
        found.append(data)
    return found


OPT_OUT_COLUMNS = [
    ("lead_id", LeadOptOut.lead_id),
    ("school_id", LeadOptOut.school_id),
    ("opted_out_at", LeadOptOut.opted_out_at),
    ("reason", LeadOptOut.reason),
]


def opt_outs_data(conditions: list, order_by=(LeadOptOut.id,), limit: int | None = None):
    """The `data` of each opt-out notice meeting `conditions`, in `order_by` order: what a
    `lead.opted_out` webhook carries, and what GET /api/v1/opt-outs lists."""
    query = (
        select(*[column.label(name) for name, column in OPT_OUT_COLUMNS])
        .where(*conditions)
        .order_by(*order_by)
        .limit(limit)
    )
    return [
        {"schema_version": SCHEMA_VERSION, **row._asdict(), "opted_out_at": iso(row.opted_out_at)}
        for row in db.session.execute(query)
    ]


def opt_out_data(opt_out_id: int) -> dict | None:
    """One notice's `data` (None: no such notice)."""
    found = opt_outs_data([LeadOptOut.id == opt_out_id])
    return found[0] if found else None


def opted_out_event(data: dict) -> dict:
    """The `lead.opted_out` event for a notice's data; its timestamp is when they opted out."""
    return {"type": OPTED_OUT_EVENT_TYPE, "timestamp": data["opted_out_at"], "data": data}


def lead_event(data: dict) -> dict:
    """The `lead.created` event for a lead's data; its timestamp is when the lead arrived."""
    return {"type": EVENT_TYPE, "timestamp": data["created_at"], "data": data}


def test_event(school_id: int, destination_id: int, site_name: str, now: datetime) -> dict:
    """A `webhook.test` event: no lead, just enough to check the endpoint and its signature."""
    return {
        "type": TEST_EVENT_TYPE,
        "timestamp": iso(now),
        "data": {
            "schema_version": SCHEMA_VERSION,
            "message": f"A test event from {site_name}. It carries no lead.",
            "school_id": school_id,
            "destination_id": destination_id,
        },
    }


def encode(event: dict) -> str:
    """The event as the JSON text that is sent and signed."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def new_secret() -> str:
    """A new signing secret: whsec_ and 32 random bytes in base64, as Standard Webhooks has it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
