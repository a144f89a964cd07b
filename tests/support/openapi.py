"""Reading the OpenAPI document in tests: JSON Schema validators for its schemas (references
resolved inside the document), its examples, and its operations next to the app's routes."""

import re
from collections.abc import Iterator

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:portal:openapi"
METHODS = ("get", "put", "post", "delete", "patch")
_RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?[^<>]+>")
_PATH_PARAMETER = re.compile(r"\{[^{}]+\}")


def validator(document: dict, schema: dict) -> Draft202012Validator:
    """A validator of `schema` (a part of `document`, whose $refs it may use), checking formats."""
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    return Draft202012Validator(
        _anchored(schema),
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _anchored(schema: dict) -> dict:
    """`schema` with its local references ("#/...") pointed at the document."""
    if isinstance(schema, dict):
        return {
            key: (
                DOCUMENT_URI + value
                if key == "$ref" and value.startswith("#")
                else _anchored(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_anchored(item) for item in schema]
    return schema


def errors(document: dict, schema: dict, value) -> list[str]:
    """Why `value` does not match `schema` (empty: it does)."""
    found = validator(document, schema).iter_errors(value)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in found]


def operations(document: dict, section: str = "paths") -> Iterator[tuple[str, str, dict]]:
    """(method, path, operation) of every operation of `paths` (or `webhooks`)."""
    for path, item in document.get(section, {}).items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def examples(document: dict) -> Iterator[tuple[str, dict, object]]:
    """(where, schema, value) of every example of a body in the document."""
    for section in ("paths", "webhooks"):
        for method, path, operation in operations(document, section):
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [(status, r) for status, r in operation.get("responses", {}).items()]
            for label, body in bodies:
                for media in body.get("content", {}).values():
                    for name, item in media.get("examples", {}).items():
                        where = f"{method.upper()} {path} {label} {name!r}"
                        yield where, media["schema"], item["value"]


def shape(path: str) -> str:
    """A path with its parameters blanked: /api/v1/leads/{} for either spelling."""
    return _PATH_PARAMETER.sub("{}", _RULE_ARGUMENT.sub("{}", path))


def documented(document: dict) -> set[tuple[str, str]]:
    """(METHOD, path shape) of every documented operation."""
    return {(method.upper(), shape(path)) for method, path, _ in operations(document)}


def routed(app, prefix: str = "/api/v1") -> set[tuple[str, str]]:
    """(METHOD, path shape) of every route of the app under `prefix` (HEAD and OPTIONS aside)."""
    return {
        (method, shape(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
