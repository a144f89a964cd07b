"""The schools' pull API in the OpenAPI document: the Lead object, the bearer token, and the
paths of /api/v1/leads and /api/v1/leads/{id}/outcome (portal.api.leads). tests/api/
test_contract.py holds paths and routes together, and schemathesis calls both operations with
a school's token."""

from portal.api.openapi_common import (
    error_response,
    example,
    json_body,
    nullable,
    ref,
)
from portal.delivery.payload import SCHEMA_VERSION
from portal.models import LEAD_OUTCOMES
from portal.services.leads import EDUCATION_LEVELS, START_TIMEFRAMES

TAG = {"name": "Leads", "description": "A school's own leads, for its CRM (a school's token)."}
SECURITY = [{"schoolToken": []}]
PAGE_SIZE = 100

_time = {"type": "string", "format": "date-time", "pattern": "Z$"}
_id = {"type": "integer", "minimum": 1}
_text = {"type": "string"}
# Text that retention erases (null once `erased_at` is set).
_erasable = nullable(_text)
_ERASED = " Null once erased (see `erased_at`)."
# The lead's fields as the webhook and the pull API send them, in the export's order: the
# names, order and formats are the CSV export's (README "Lead export"), typed for JSON.
LEAD_FIELDS: dict[str, dict] = {
    "schema_version": {
        "const": SCHEMA_VERSION,
        "description": "1. A change that removes or retypes a field gets a new version.",
    },
    "lead_id": {**_id, "description": "Our id of the request (quote it to us)."},
    "created_at": {**_time, "description": "When the request arrived (UTC)."},
    "billable": {
        "type": "boolean",
        "description": "false for a repeat of an earlier request or a rejected lead.",
    },
    "duplicate_of_id": {
        **nullable(_id),
        "description": "The earlier lead this one repeats; null for a new request.",
    },
    "school_id": {**_id, "description": "Your school's id."},
    "school": {**_text, "description": "Your school's name."},
    "program_id": {**_id, "description": "The listing's id."},
    "program_external_id": {
        **_text,
        "description": "The listing's id in your own import file.",
    },
    "program": {**_text, "description": "The program's title."},
    "campus": {**nullable(_text), "description": "The campus's name; null for online."},
    "career": {**_text, "description": "The career's slug, e.g. `medical-office-manager`."},
    "price_cents": {
        "type": "integer",
        "minimum": 0,
        "description": "What the lead costs your school, in US cents.",
    },
    "first_name": {**_erasable, "description": "As typed." + _ERASED},
    "last_name": {**_erasable, "description": "As typed." + _ERASED},
    "email": {**_erasable, "format": "email", "description": "As typed (checked)." + _ERASED},
    "phone": {
        **_erasable,
        "pattern": r"^\+[1-9][0-9]{6,14}$",
        "description": "E.164, e.g. `+13125550100`." + _ERASED,
    },
    "zip_code": {**_text, "pattern": "^[0-9]{5}$"},
    "state": {**_text, "pattern": "^[A-Z]{2}$"},
    "education_level": {
        **_text,
        "enum": list(EDUCATION_LEVELS),
        "description": "Highest education: "
        + "; ".join(f"`{code}`: {label}" for code, label in EDUCATION_LEVELS.items())
        + ".",
    },
    "start_timeframe": {
        **_text,
        "enum": list(START_TIMEFRAMES),
        "description": "When they want to start: "
        + "; ".join(f"`{code}`: {label}" for code, label in START_TIMEFRAMES.items())
        + ".",
    },
    "consented_at": {**_time, "description": "When they ticked the consent box (UTC)."},
    "consent_text": {**_text, "description": "The exact disclosure they agreed to."},
    "consent_sha256": {
        **_text,
        "pattern": "^[0-9a-f]{64}$",
        "description": "SHA-256 of `consent_text` (UTF-8), in hex.",
    },
    "ip_address": {
        **_erasable,
        "description": "The visitor's IP address (IPv4 or IPv6)." + _ERASED,
    },
    "user_agent": {
        **_erasable,
        "description": "The browser's User-Agent (may be empty)." + _ERASED,
    },
    "page_url": {**_erasable, "description": "The page the form was on." + _ERASED},
    "referrer": {
        **_erasable,
        "description": "Where the visitor came from (may be empty)." + _ERASED,
    },
    "utm_source": {**_text, "description": "From the landing page's URL (may be empty)."},
    "utm_medium": {**_text, "description": "From the landing page's URL (may be empty)."},
    "utm_campaign": {**_text, "description": "From the landing page's URL (may be empty)."},
    "utm_term": {**_text, "description": "From the landing page's URL (may be empty)."},
    "utm_content": {**_text, "description": "From the landing page's URL (may be empty)."},
    "erased_at": {
        **nullable(_time),
        "description": (
            "When the person's details were erased at the end of our retention period (UTC); "
            "null until then. An erased lead keeps everything else."
        ),
    },
}


def schemas() -> dict:
    """The Lead: the webhook's data, and each lead of the pull API."""
    return {
        "Lead": {
            "type": "object",
            "description": (
                "A lead as the `lead.created` webhook's `data` and the pull API carry it: the "
                "CSV export's fields (same names, order and formats) without its bookkeeping. "
                "Fields may be added within a schema version; ignore those you do not know."
            ),
            "required": list(LEAD_FIELDS),
            "properties": LEAD_FIELDS,
        }
    }


def path_schemas() -> dict:
    """The pull API's own objects (with its paths)."""
    return {
        "LeadPage": {
            "type": "object",
            "description": f"Up to {PAGE_SIZE} of your leads, oldest first.",
            "required": ["leads", "next_cursor", "has_more"],
            "properties": {
                "leads": {"type": "array", "maxItems": PAGE_SIZE, "items": ref("Lead")},
                "next_cursor": {
                    "type": "string",
                    "description": (
                        "Give it as `cursor` to get the leads after these: the next page now, "
                        "or the leads that arrive later. Keep the last one you were given."
                    ),
                },
                "has_more": {
                    "type": "boolean",
                    "description": "Whether more leads are waiting now (ask again at once).",
                },
            },
        },
        "OutcomeRequest": {
            "type": "object",
            "required": ["outcome"],
            "properties": {
                "outcome": {"type": "string", "enum": list(LEAD_OUTCOMES)},
                "date": {
                    "type": "string",
                    "format": "date",
                    "description": "When it happened; today (UTC) when left out.",
                },
            },
        },
        "Outcome": {
            "type": "object",
            "description": "The outcome recorded: the lead keeps the latest.",
            "required": ["lead_id", "outcome", "date"],
            "properties": {
                "lead_id": _id,
                "outcome": {"type": "string", "enum": list(LEAD_OUTCOMES)},
                "date": {"type": "string", "format": "date"},
            },
        },
    }


def security_schemes() -> dict:
    """The schools' API token."""
    return {
        "schoolToken": {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A school's API token, created by a school user on its account pages (or by "
                "the operator); shown once, stored only as a hash, revocable. Send it as "
                "`Authorization: Bearer <token>`. It gives that school's leads only."
            ),
        }
    }


UNAUTHORIZED = error_response(
    "No token, or one that is unknown or revoked.",
    {"Unauthorized": example("leads-unauthorized")},
    headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
)
TOO_MANY = error_response(
    "Too many requests with this token: wait for `Retry-After` seconds.",
    headers={"Retry-After": {"schema": {"type": "string"}}},
)


def examples() -> dict:
    """Examples of the pull API's answers: what the app answered in a test
    (tests/api/test_contract.py, portal/api/examples/leads-*.json)."""
    return {"page": example("leads-page"), "outcome": example("leads-outcome")}


def paths() -> dict:
    """GET /api/v1/leads and POST /api/v1/leads/{id}/outcome."""
    shown = examples()
    return {
        "/api/v1/leads": {
            "get": {
                "operationId": "listLeads",
                "tags": ["Leads"],
                "summary": "Your school's leads, oldest first",
                "description": (
                    f"Up to {PAGE_SIZE} leads a page. Start with `since` (or with nothing: "
                    "from your first lead), then always pass the `next_cursor` you were given: "
                    "a CRM that polls every minute sees every lead exactly once, including "
                    "leads stored while it was paging."
                ),
                "security": SECURITY,
                "parameters": [
                    {
                        "name": "since",
                        "in": "query",
                        "description": "Leads captured at or after this time (ISO 8601, UTC).",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "description": "The `next_cursor` of the last page (opaque).",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": json_body(
                        ref("LeadPage"), "A page of leads.", {"A page": shown["page"]}
                    ),
                    "401": UNAUTHORIZED,
                    "422": error_response("`since` or `cursor` is not valid."),
                    "429": TOO_MANY,
                },
            }
        },
        "/api/v1/leads/{id}/outcome": {
            "post": {
                "operationId": "recordOutcome",
                "tags": ["Leads"],
                "summary": "Record what became of one of your leads",
                "security": SECURITY,
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": "The lead's `lead_id`.",
                        "schema": _id,
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("OutcomeRequest")}},
                },
                "responses": {
                    "201": json_body(ref("Outcome"), "Recorded.", {"Recorded": shown["outcome"]}),
                    "401": UNAUTHORIZED,
                    "404": error_response("No lead of your school has this id."),
                    "422": error_response("The outcome or the date is not valid."),
                    "429": TOO_MANY,
                },
            }
        },
    }
