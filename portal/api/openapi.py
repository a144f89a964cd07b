"""The API contract: the OpenAPI 3.1 document of /api/v1 and of the lead webhooks.

Written by hand, not generated: the views validate with WTForms, which no OpenAPI generator
reads, so a generator would need the views rewritten around its own models. Instead the tests
hold this document and the code together (tests/api/test_contract.py and test_schemathesis.py):
every /api/v1 route is documented and every documented path is routed, the document validates
against the OpenAPI 3.1 schema, schemathesis calls every operation and checks each answer's
status and body against it, every example is what the app answered in a test, and the body the
delivery worker sends validates against `webhooks`. The allowed values of parameters and fields
come from the same constants the forms and services use, so a new choice cannot be left out.

The schools' pull API (issue 15) is its own part, portal/api/openapi_leads.py, included when
SCHOOL_API is on; see that module.
"""

from copy import deepcopy

from flask import current_app

from portal.api import openapi_leads
from portal.api.openapi_common import (
    OPTED_OUT_EXAMPLE,
    UNAVAILABLE,
    error_response,
    example,
    json_body,
    nullable,
    rate_limited,
    ref,
    too_many,
    webhook_example,
)
from portal.models import CREDENTIAL_LEVELS, MODALITIES
from portal.models.program import MAX_START_DATES, SCHEDULES
from portal.search.forms import MAX_PAGE
from portal.services.careers import known_careers
from portal.services.events import (
    EVENT_TYPE,
    OPTED_OUT_EVENT_TYPE,
    SCHEMA_VERSION,
    TEST_EVENT_TYPE,
)
from portal.services.matching import DEFAULT_RADIUS, DEFAULT_SORT, RADIUS_CHOICES, SORTS
from portal.services.search import PER_PAGE

# Whether the schools' pull API (/api/v1/leads) is documented: it is routed, so it is.
# tests/api/test_contract.py compares the documented paths with the app's routes both ways.
SCHOOL_API = True

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"


def document() -> dict:
    """The whole OpenAPI document for the app's SITE_URL (built once per app; a copy)."""
    cache = current_app.extensions.setdefault("openapi_document", {})
    site_url = current_app.config["SITE_URL"]
    if site_url not in cache:
        cache[site_url] = build(site_url, SCHOOL_API)
    return deepcopy(cache[site_url])


def build(site_url: str, school_api: bool) -> dict:
    """The OpenAPI document, with the schools' pull API's paths when `school_api`."""
    doc = {
        "openapi": OPENAPI_VERSION,
        "info": info(),
        "servers": [{"url": site_url, "description": "This site"}],
        "tags": [
            {"name": "Search", "description": "The sponsored program search, for partners."},
            {"name": "Contract", "description": "This document."},
        ],
        "paths": {**search_paths(), **contract_paths()},
        "webhooks": webhooks(),
        "components": {
            "schemas": {**schemas(), **openapi_leads.schemas()},
            "securitySchemes": openapi_leads.security_schemes(),
            "headers": webhook_headers(),
        },
    }
    # The pull API's Lead and token are always there (the webhook carries the same Lead), its
    # paths and their own schemas only once its routes exist.
    if school_api:
        doc["tags"].append(openapi_leads.TAG)
        doc["paths"].update(openapi_leads.paths())
        doc["components"]["schemas"].update(openapi_leads.path_schemas())
    return doc


def info() -> dict:
    """The document's title, version and introduction."""
    return {
        "title": "Career portal API",
        "version": API_VERSION,
        "summary": "Sponsored program search for partners, and lead delivery to schools.",
        "description": (
            "Partners search the sponsored training-program listings by ZIP code "
            "(`/api/v1/programs`). Schools receive each lead the moment it is captured, as a "
            "signed webhook (`lead.created`, Standard Webhooks), and are told when its person "
            "opts out (`lead.opted_out`). Every answer is JSON; errors "
            "carry one `error` object (`Error`): 422 for a parameter or body that is not "
            "allowed, 404 for a well-formed one that names nothing we know (a ZIP code, a "
            "cursor, a lead), 400 for a body over 16 KB or nested over 32 deep. Answers a rate "
            "limit counted carry `RateLimit-Limit`, `RateLimit-Remaining` and "
            "`RateLimit-Reset`; 429 also `Retry-After`. The public operations may be called "
            "from any web page (CORS, `Access-Control-Allow-Origin: *`, no credentials). New "
            "fields may be added to any object; none is removed or retyped within a version, "
            "so clients should ignore fields they do not know."
        ),
    }


# --- The search ------------------------------------------------------------------------

PUBLIC_TOO_MANY = too_many(
    "Too many requests from your address (`API_RATE_LIMIT`): wait for `Retry-After` seconds."
)


def query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    """A query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def search_parameters() -> list[dict]:
    """The parameters of GET /api/v1/programs: the search form's fields."""
    careers = [career.slug for career in known_careers()]
    return [
        query(
            "zip",
            {"type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$", "examples": ["60601"]},
            "A 5-digit US ZIP code; a ZIP+4 such as `60601-1234` is read as `60601`.",
            required=True,
        ),
        query(
            "career",
            {"type": "string", "enum": careers},
            "Only listings for this career (its slug). Any career when left out.",
        ),
        query(
            "level",
            {"type": "string", "enum": list(CREDENTIAL_LEVELS)},
            "Only listings awarding this credential. Any level when left out.",
        ),
        query(
            "modality",
            {"type": "string", "enum": list(MODALITIES)},
            "Only listings taught this way (`campus` leaves out `hybrid`). Any when left out.",
        ),
        query(
            "radius",
            {"type": "integer", "enum": list(RADIUS_CHOICES), "default": DEFAULT_RADIUS},
            "How far a campus may be from the ZIP code's centre, in miles.",
        ),
        query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            f"Which page of results, {PER_PAGE} listings a page.",
        ),
        query(
            "sort",
            {"type": "string", "enum": list(SORTS), "default": DEFAULT_SORT},
            "`sponsored`: highest bid first, then nearest. `distance`: nearest campus first, "
            "online listings last, then highest bid. `tuition`: lowest tuition first, listings "
            "without a published tuition last. Every order ends with the lowest listing id, so "
            "pages never overlap.",
        ),
    ]


def search_paths() -> dict:
    """GET /api/v1/programs."""
    return {
        "/api/v1/programs": {
            "get": {
                "operationId": "searchPrograms",
                "tags": ["Search"],
                "summary": "Search the sponsored listings serving a ZIP code",
                "description": (
                    "The same listings, in the same order, as the site's search page "
                    "`/programs` with the same parameters. A campus or hybrid listing matches "
                    "when its campus is within `radius` miles of the ZIP code's centre; an "
                    "online listing when it may enrol students in the ZIP code's state. Only "
                    "listings whose sponsorship is running are shown, every one is sponsored, "
                    "and bids are never shown. Unknown parameters are ignored; a blank value "
                    "means the default. No authentication."
                ),
                "parameters": search_parameters(),
                "responses": {
                    "200": rate_limited(
                        json_body(
                            ref("SearchResults"),
                            "One page of results (possibly empty: see `online_in_state`).",
                            {"Chicago, 25 miles": example("search-results")},
                        )
                    ),
                    "404": rate_limited(
                        error_response(
                            "The ZIP code is well-formed but not one we know (no such US ZIP "
                            "code, e.g. `00000`). `fields.zip` says so.",
                            {"Unknown ZIP code": example("search-unknown-zip")},
                        )
                    ),
                    "422": rate_limited(
                        error_response(
                            "A parameter is missing or has a value that is not allowed. "
                            "`fields` names each bad parameter.",
                            {"Bad values": example("search-invalid")},
                        )
                    ),
                    "429": PUBLIC_TOO_MANY,
                    "503": UNAVAILABLE,
                },
            }
        }
    }


def contract_paths() -> dict:
    """GET /api/v1/openapi.json: this document."""
    return {
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "tags": ["Contract"],
                "summary": "This document",
                "description": (
                    "The OpenAPI 3.1 document of the API and its webhooks, to generate clients "
                    "from and test against. Public and cacheable. A readable version is at "
                    "`/api/docs`."
                ),
                "responses": {
                    "200": rate_limited(
                        json_body(
                            {"type": "object", "required": ["openapi", "info", "paths"]},
                            "The OpenAPI document.",
                        )
                    ),
                    "429": PUBLIC_TOO_MANY,
                    "503": UNAVAILABLE,
                },
            }
        }
    }


# --- The webhooks ----------------------------------------------------------------------


def webhook_headers() -> dict:
    """The Standard Webhooks headers every webhook request carries."""
    return {
        "webhook-id": {
            "description": (
                "The message id: fixed for an event of a lead and a destination, so every "
                "retry and redelivery of that event to that endpoint carries the same id and "
                "the same body. Keep the ids you have processed and drop repeats."
            ),
            "required": True,
            "schema": {"type": "string", "minLength": 1, "examples": ["msg_8c1f0d6e2b9a_4"]},
        },
        "webhook-timestamp": {
            "description": (
                "When this attempt was signed, in Unix seconds. Reject a request more than 5 "
                "minutes from your clock."
            ),
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$", "examples": ["1793545445"]},
        },
        "webhook-signature": {
            "description": (
                "`v1,` and the base64 HMAC-SHA256 of `webhook-id.webhook-timestamp.body`, "
                "keyed with the destination's secret (`whsec_` and 32 random bytes in base64: "
                "the key is those bytes). For 24 hours after the secret is rotated there are "
                "two signatures, separated by a space, one per secret; accept the request if "
                "one matches (compared in constant time)."
            ),
            "required": True,
            "schema": {
                "type": "string",
                "pattern": "^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$",
                "examples": ["v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="],
            },
        },
    }


def webhook_parameters() -> list[dict]:
    """The signing headers, as header parameters of a webhook operation."""
    return [
        {"in": "header", "name": name, **{k: v for k, v in header.items()}}
        for name, header in webhook_headers().items()
    ]


WEBHOOK_RESPONSES = {
    "2XX": {
        "description": (
            "Received. Answer within 10 seconds and process afterwards; anything else is tried "
            "again, about twice as long apart each time (30 s first, at most an hour apart), "
            "for 72 hours. Redirects are not followed."
        )
    },
    "410": {"description": "The endpoint is retired for good: the destination is switched off."},
}


def webhooks() -> dict:
    """The events sent to a school's webhook endpoint."""
    signed = (
        " Signed as Standard Webhooks has it: verify `webhook-signature` over the raw body "
        "before parsing it."
    )
    return {
        EVENT_TYPE: {
            "post": {
                "operationId": "leadCreated",
                "summary": "A new lead for your school",
                "description": (
                    "Sent the moment a visitor asks your school for information (not for a "
                    "repeat of an earlier request: the same email for the same program within "
                    "30 days)." + signed
                ),
                "parameters": webhook_parameters(),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": ref("LeadCreatedEvent"),
                            "examples": {"A lead": {"value": webhook_example()}},
                        }
                    },
                },
                "responses": deepcopy(WEBHOOK_RESPONSES),
            }
        },
        OPTED_OUT_EVENT_TYPE: {
            "post": {
                "operationId": "leadOptedOut",
                "summary": "The person behind one of your leads opted out",
                "description": (
                    "Sent when a person opts out (Do Not Sell or Share, or asks us to delete "
                    "their data), once for each of their leads, to each endpoint that may have "
                    "received the lead (it was delivered, or an attempt to deliver it was "
                    "made). Deliveries of the lead not yet made are cancelled: it is never "
                    "sent again. GET /api/v1/opt-outs lists the same opt-outs, including those "
                    "of leads your endpoint never received." + signed
                ),
                "parameters": webhook_parameters(),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": ref("LeadOptedOutEvent"),
                            "examples": {
                                "An opt-out": {"value": webhook_example(OPTED_OUT_EXAMPLE)}
                            },
                        }
                    },
                },
                "responses": deepcopy(WEBHOOK_RESPONSES),
            }
        },
        TEST_EVENT_TYPE: {
            "post": {
                "operationId": "webhookTest",
                "summary": "A test event, carrying no lead",
                "description": (
                    "Sent when the operator presses *Send a test event* for your endpoint, to "
                    "check that it answers and verifies the signature." + signed
                ),
                "parameters": webhook_parameters(),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("WebhookTestEvent")}},
                },
                "responses": deepcopy(WEBHOOK_RESPONSES),
            }
        },
    }


# --- Schemas ---------------------------------------------------------------------------


def schemas() -> dict:
    """components.schemas: every object the API and the webhooks send (Lead: openapi_leads)."""
    text = {"type": "string"}
    return {
        "Error": {
            "type": "object",
            "description": "Every error answer: one `error` object.",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "title"],
                    "properties": {
                        "status": {
                            "type": "integer",
                            "description": "The HTTP status, repeated.",
                            "examples": [422],
                        },
                        "title": {
                            "type": "string",
                            "description": "What went wrong, in a few words.",
                            "examples": ["Unprocessable request"],
                        },
                        "fields": {
                            "type": "object",
                            "description": (
                                "On 422: for each bad parameter (or body field), its "
                                "messages, written for a person; on 404, the parameter "
                                "whose value we do not know."
                            ),
                            "additionalProperties": {"type": "array", "items": text},
                        },
                        "detail": {
                            "type": "string",
                            "description": "On 401 and 400: what to send instead.",
                            "examples": ["Send a valid token: Authorization: Bearer <token>."],
                        },
                    },
                }
            },
        },
        "SearchResults": search_results_schema(),
        "Listing": listing_schema(),
        "Campus": {
            "type": "object",
            "description": "The campus of a campus or hybrid listing.",
            "required": ["name", "city", "state", "zip"],
            "properties": {
                "name": {"type": "string", "examples": ["Melrose Park campus"]},
                "city": {"type": "string"},
                "state": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
            },
        },
        "LeadCreatedEvent": {
            "type": "object",
            "description": "The body of a `lead.created` webhook.",
            "required": ["type", "timestamp", "data"],
            "properties": {
                "type": {"const": EVENT_TYPE},
                "timestamp": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When the lead was captured (UTC), as `data.created_at`.",
                },
                "data": ref("Lead"),
            },
        },
        "LeadOptedOutEvent": {
            "type": "object",
            "description": "The body of a `lead.opted_out` webhook.",
            "required": ["type", "timestamp", "data"],
            "properties": {
                "type": {"const": OPTED_OUT_EVENT_TYPE},
                "timestamp": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When the person opted out (UTC), as `data.opted_out_at`.",
                },
                "data": ref("OptOut"),
            },
        },
        "WebhookTestEvent": {
            "type": "object",
            "description": "The body of a `webhook.test` event.",
            "required": ["type", "timestamp", "data"],
            "properties": {
                "type": {"const": TEST_EVENT_TYPE},
                "timestamp": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When the test was sent (UTC).",
                },
                "data": {
                    "type": "object",
                    "required": ["schema_version", "message", "school_id", "destination_id"],
                    "properties": {
                        "schema_version": {"const": SCHEMA_VERSION},
                        "message": {"type": "string"},
                        "school_id": {"type": "integer"},
                        "destination_id": {"type": "integer"},
                    },
                },
            },
        },
    }


def search_results_schema() -> dict:
    """One page of search results."""
    level = {"type": "string", "enum": list(CREDENTIAL_LEVELS)}
    modality = {"type": "string", "enum": list(MODALITIES)}
    count = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "description": "One page of a search: where, with which filters, and the listings.",
        "required": [
            "zip",
            "city",
            "state",
            "filters",
            "sort",
            "pagination",
            "results",
            "online_in_state",
        ],
        "properties": {
            "zip": {"type": "string", "pattern": "^[0-9]{5}$", "description": "The ZIP code."},
            "city": {"type": "string", "description": "The ZIP code's city."},
            "state": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "filters": {
                "type": "object",
                "description": "The filters applied (null: any).",
                "required": ["career", "level", "modality", "radius"],
                "properties": {
                    "career": {"type": ["string", "null"]},
                    "level": nullable(level),
                    "modality": nullable(modality),
                    "radius": {"type": "integer", "enum": list(RADIUS_CHOICES)},
                },
            },
            "sort": {"type": "string", "enum": list(SORTS), "description": "The order used."},
            "pagination": {
                "type": "object",
                "required": ["page", "per_page", "total", "pages"],
                "properties": {
                    "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                    "per_page": {"type": "integer", "const": PER_PAGE},
                    "total": {**count, "description": "Listings matching, on all pages."},
                    "pages": {"type": "integer", "minimum": 1, "description": "At least 1."},
                },
            },
            "results": {
                "type": "array",
                "maxItems": PER_PAGE,
                "items": ref("Listing"),
                "description": "This page's listings, in order.",
            },
            "online_in_state": {
                "type": "array",
                "items": ref("Listing"),
                "description": (
                    "Filled only when `results` is empty: online listings open to the ZIP "
                    "code's state for the same career (level and format filters dropped)."
                ),
            },
        },
    }


def listing_schema() -> dict:
    """One sponsored listing in the search results."""
    money = {
        "type": ["integer", "number", "null"],
        "minimum": 0,
    }
    return {
        "type": "object",
        "description": "One sponsored listing. Bids are never shown.",
        "required": [
            "program_id",
            "school",
            "program",
            "career",
            "credential_level",
            "modality",
            "duration",
            "campus",
            "distance_miles",
            "tuition_min_usd",
            "tuition_max_usd",
            "schedule",
            "next_start_dates",
            "accreditation",
            "financial_aid",
            "program_url",
            "sponsored",
            "request_info_url",
            "program_page_url",
        ],
        "properties": {
            "program_id": {"type": "integer", "description": "The listing's id."},
            "school": {"type": "string", "description": "The school's name."},
            "program": {"type": "string", "description": "The program's title."},
            "career": {"type": "string", "description": "The career's slug."},
            "credential_level": {"type": "string", "enum": list(CREDENTIAL_LEVELS)},
            "modality": {"type": "string", "enum": list(MODALITIES)},
            "duration": {"type": "string", "examples": ["10 months"]},
            "campus": {**nullable(ref("Campus")), "description": "null for online listings."},
            "distance_miles": {
                "type": ["number", "null"],
                "minimum": 0,
                "description": (
                    "From the ZIP code's centre to the campus, in miles to one decimal; null "
                    "for online listings."
                ),
            },
            "tuition_min_usd": {
                **money,
                "description": "Dollars (whole, or to the cent); null: not published.",
            },
            "tuition_max_usd": {
                **money,
                "description": (
                    "null with a minimum: a single price. Both null: contact the school."
                ),
            },
            "schedule": {
                "type": "array",
                "items": {"type": "string", "enum": list(SCHEDULES)},
                "description": "When classes meet.",
            },
            "next_start_dates": {
                "type": "array",
                "maxItems": MAX_START_DATES,
                "items": {"type": "string", "format": "date"},
                "description": "Start dates from the day of the search on.",
            },
            "accreditation": {"type": ["string", "null"]},
            "financial_aid": {
                "type": ["boolean", "null"],
                "description": "Whether financial aid is available; null: not said.",
            },
            "program_url": {"type": ["string", "null"], "description": "The school's page."},
            "sponsored": {"const": True, "description": "Every listing is sponsored."},
            "request_info_url": {
                "type": "string",
                "format": "uri",
                "description": "Where a visitor asks the school for information.",
            },
            "program_page_url": {
                "type": "string",
                "format": "uri",
                "description": "The listing's page on this site.",
            },
        },
    }
