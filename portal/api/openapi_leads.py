"""The schools' pull API in the OpenAPI document: the Lead and OptOut objects, the bearer
token, and the paths of /api/v1/leads, /api/v1/leads/{id}/outcome and /api/v1/opt-outs
(portal.api.leads). tests/api/test_contract.py holds paths and routes together, and
schemathesis calls every operation with a school's token."""

from portal.api.openapi_common import (
    error_response,
    example,
    json_body,
    nullable,
    rate_limited,
    ref,
    too_many,
)
from portal.models import LEAD_OUTCOMES, OPT_OUT_REASONS
from portal.services.events import SCHEMA_VERSION
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
    "explicit_request": {
        "type": "boolean",
        "description": (
            "true when the person had opted out (Do Not Sell or Share) before sending this "
            "request: it is their own explicit request to your school, and was sent to no one "
            "else. Their earlier leads stay opted out."
        ),
    },
    "erased_at": {
        **nullable(_time),
        "description": (
            "When the person's details were erased at the end of our retention period (UTC); "
            "null until then. An erased lead keeps everything else."
        ),
    },
    "gpc": {
        "type": "boolean",
        "description": (
            "Whether the visitor's browser sent Global Privacy Control (`Sec-GPC: 1`) with the "
            "request: an opt-out of the sale or sharing of their data beyond your school."
        ),
    },
    "consent_receipt": {
        **nullable(_text),
        "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
        "description": (
            "The consent receipt: a JWS in compact form (RFC 7515), signed with EdDSA over "
            "Ed25519 (RFC 8037) when the lead was stored. Its header's `kid` names one of the "
            "keys at `/.well-known/jwks.json`; its payload holds `iss`, `iat`, `jti` (the "
            "receipt's id), `school`, `school_id`, `program`, `program_id`, `consent_text`, "
            "`consent_sha256`, `page_url`, `form_sha256` (the form shown, kept at "
            "`/receipts/forms/{form_sha256}`), `ip`, `user_agent`, `email_sha256`, "
            "`phone_sha256` (of the lower-cased email and the E.164 phone) and `gpc`. Check it "
            "with any JOSE library, or at `/receipts/verify`. null for leads stored before "
            "receipts."
        ),
    },
}
# A lead whose person opted out, as the `lead.opted_out` webhook's `data` and each item of
# GET /api/v1/opt-outs carry it.
OPT_OUT_FIELDS: dict[str, dict] = {
    "schema_version": {"const": SCHEMA_VERSION, "description": "1, as for the Lead."},
    "lead_id": {**_id, "description": "The `lead_id` of your lead whose person opted out."},
    "school_id": {**_id, "description": "Your school's id."},
    "opted_out_at": {**_time, "description": "When they opted out (UTC)."},
    "reason": {
        **_text,
        "enum": list(OPT_OUT_REASONS),
        "description": (
            "`do_not_sell`: they told us not to sell or share their personal information; "
            "`deletion`: they asked us to delete their data (the lead is gone from our side)."
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
                "CSV export's fields (same names, order and formats) without its bookkeeping, "
                "then `gpc` and the signed `consent_receipt`. "
                "Fields may be added within a schema version; ignore those you do not know."
            ),
            "required": list(LEAD_FIELDS),
            "properties": LEAD_FIELDS,
        },
        "OptOut": {
            "type": "object",
            "description": (
                "One of your leads whose person opted out, as the `lead.opted_out` webhook's "
                "`data` and GET /api/v1/opt-outs carry it. From that moment the lead is left "
                "out of GET /api/v1/leads, the CSV downloads and deliveries, and your lead "
                "pages show it without contact details. What you do with your own copy is for "
                "your policies and the law that applies to you."
            ),
            "required": list(OPT_OUT_FIELDS),
            "properties": OPT_OUT_FIELDS,
        },
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
        "OptOutPage": {
            "type": "object",
            "description": (
                f"Up to {PAGE_SIZE} of your leads whose person opted out, in the order they "
                "opted out."
            ),
            "required": ["opt_outs", "next_cursor", "has_more"],
            "properties": {
                "opt_outs": {"type": "array", "maxItems": PAGE_SIZE, "items": ref("OptOut")},
                "next_cursor": {
                    "type": "string",
                    "description": (
                        "Give it as `cursor` to get the opt-outs after these: the next page "
                        "now, or those that come later. Keep the last one you were given."
                    ),
                },
                "has_more": {
                    "type": "boolean",
                    "description": "Whether more opt-outs are waiting now (ask again at once).",
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


UNAUTHORIZED = rate_limited(
    error_response(
        "No token, or one that is unknown or revoked. Each counts against your address: past "
        "`API_AUTH_FAILURE_LIMIT` (20 a minute unless the operator says otherwise), 429.",
        {"Unauthorized": example("leads-unauthorized")},
        headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
    )
)
TOO_MANY = too_many(
    "Too many requests with this token, or too many failed authentications from your "
    "address: wait for `Retry-After` seconds."
)


def examples() -> dict:
    """Examples of the pull API's answers: what the app answered in a test
    (tests/api/test_contract.py, portal/api/examples/leads-*.json)."""
    return {
        "page": example("leads-page"),
        "outcome": example("leads-outcome"),
        "opt_outs": example("opt-outs-page"),
    }


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
                    "leads stored while it was paging. A lead whose person opted out is left "
                    "out (the cursor moves past it); it is listed by GET /api/v1/opt-outs."
                ),
                "security": SECURITY,
                "parameters": [
                    {
                        "name": "since",
                        "in": "query",
                        "description": (
                            "Leads captured at or after this time: RFC 3339, with its zone "
                            "(`2026-11-01T00:00:00Z`, `2026-11-01T09:00:00-05:00`)."
                        ),
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "description": (
                            "The `next_cursor` of the last page (opaque); one this API did not "
                            "give your school is a 404. Empty or left out: from the start."
                        ),
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": rate_limited(
                        json_body(ref("LeadPage"), "A page of leads.", {"A page": shown["page"]})
                    ),
                    "401": UNAUTHORIZED,
                    "404": rate_limited(
                        error_response("`cursor` is not one this API gave your school.")
                    ),
                    "422": rate_limited(error_response("`since` is not an RFC 3339 time.")),
                    "429": TOO_MANY,
                },
            }
        },
        "/api/v1/opt-outs": {
            "get": {
                "operationId": "listOptOuts",
                "tags": ["Leads"],
                "summary": "Your leads whose person opted out, in the order they did",
                "description": (
                    f"Up to {PAGE_SIZE} a page: the `lead_id` of each of your leads whose "
                    "person opted out (Do Not Sell or Share, or a deletion on request), with "
                    "the time. The same as the `lead.opted_out` webhook events, for a CRM "
                    "without an endpoint. Start with `since` (or with nothing: from the first), "
                    "then always pass the `next_cursor` you were given: polling with it lists "
                    "every opt-out exactly once, including those recorded while you were paging."
                ),
                "security": SECURITY,
                "parameters": [
                    {
                        "name": "since",
                        "in": "query",
                        "description": (
                            "Opt-outs at or after this time: RFC 3339, with its zone "
                            "(`2026-11-01T00:00:00Z`)."
                        ),
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "description": (
                            "The `next_cursor` of the last page (opaque); one this API did not "
                            "give your school for this list is a 404. Empty or left out: from "
                            "the start."
                        ),
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": rate_limited(
                        json_body(
                            ref("OptOutPage"), "A page of opt-outs.", {"A page": shown["opt_outs"]}
                        )
                    ),
                    "401": UNAUTHORIZED,
                    "404": rate_limited(
                        error_response("`cursor` is not one this API gave your school.")
                    ),
                    "422": rate_limited(error_response("`since` is not an RFC 3339 time.")),
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
                    "201": rate_limited(
                        json_body(ref("Outcome"), "Recorded.", {"Recorded": shown["outcome"]})
                    ),
                    "400": rate_limited(
                        error_response(
                            "The body is larger than 16 KB, or nests arrays and objects more "
                            "than 32 deep."
                        )
                    ),
                    "401": UNAUTHORIZED,
                    "404": rate_limited(error_response("No lead of your school has this id.")),
                    "422": rate_limited(
                        error_response(
                            "The body is not a JSON object, the outcome is not one of the "
                            "list, or the date is not a date from the day the lead arrived up "
                            "to today (UTC): a rule of the lead's, beyond what the schema says."
                        )
                    ),
                    "429": TOO_MANY,
                },
            }
        },
    }
