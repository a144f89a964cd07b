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
