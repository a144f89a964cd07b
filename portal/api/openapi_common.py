"""What the parts of the OpenAPI document share: references, JSON bodies, error answers,
and the stored examples (each one what the app answered in a test)."""

import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "examples"
ROOT = Path(__file__).resolve().parents[2]
# The webhook example the delivery tests compare with what is sent (README "The webhook").
WEBHOOK_EXAMPLE = ROOT / "docs" / "webhook-lead-created.example.json"
OPTED_OUT_EXAMPLE = ROOT / "docs" / "webhook-lead-opted-out.example.json"
SCHEMA_REF = "#/components/schemas/"


def ref(name: str) -> dict:
    """A reference to a schema of components.schemas."""
    return {"$ref": SCHEMA_REF + name}


def nullable(schema: dict) -> dict:
    """`schema`, or null (OpenAPI 3.1: a list of types)."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    widened = dict(schema)
    widened["type"] = [schema["type"], "null"]
    if "enum" in widened:
        widened["enum"] = [*widened["enum"], None]
    return widened


def example(name: str) -> dict:
    """A stored example (portal/api/examples/NAME.json): what the app answered in a test."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def webhook_example(path: Path = WEBHOOK_EXAMPLE) -> dict:
    """A webhook body kept in docs/: the `lead.created` one unless another is named."""
    return json.loads(path.read_text(encoding="utf-8"))


def json_body(schema: dict, description: str, examples: dict | None = None, **extra) -> dict:
    """A response (or request body) of JSON with `schema`, and its examples by name."""
    content: dict = {"schema": schema}
    if examples:
        content["examples"] = {name: {"value": value} for name, value in examples.items()}
    return {"description": description, "content": {"application/json": content}, **extra}


def error_response(description: str, examples: dict | None = None, **extra) -> dict:
    """A response carrying the API's error object."""
    return json_body(ref("Error"), description, examples, **extra)


UNAVAILABLE = error_response(
    "The database cannot be reached for a moment (a restart, maintenance). Try again shortly."
)


# The IETF RateLimit header fields, on every answer a rate limit counted (portal.api.limits).
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {
        "description": "How many requests the window allows.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Remaining": {
        "description": "How many are left in this window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window ends.",
        "schema": {"type": "integer", "minimum": 0},
    },
}


def rate_limited(response: dict) -> dict:
    """`response` with the RateLimit headers documented."""
    return {**response, "headers": {**response.get("headers", {}), **RATE_LIMIT_HEADERS}}


def too_many(description: str) -> dict:
    """A 429 answer: wait for Retry-After seconds."""
    headers = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}}
    return rate_limited(error_response(description, headers=headers))
