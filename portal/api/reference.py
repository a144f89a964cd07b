"""The API reference page (/api/docs), read from the OpenAPI document: operations, webhooks and
schemas turned into what the template shows (rows of fields, types in words, examples)."""

import json
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from portal.api.openapi_common import SCHEMA_REF

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
_CODE = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"\*([^*\s][^*]*)\*")


def inline(text: str | None) -> Markup:
    """The document's light markup as HTML: `code` and *emphasis*, everything else escaped."""
    html = str(escape(text or ""))
    html = _CODE.sub(r"<code>\1</code>", html)
    return Markup(_EMPHASIS.sub(r"<em>\1</em>", html))


@dataclass
class Field:
    """One field of a body, or one parameter or header: its name, type in words, and meaning."""

    name: str
    kind: str
    description: str = ""
    required: bool = False
    values: list[str] = field(default_factory=list)
    default: str | None = None
    link: str | None = None  # a schema of the Schemas section


@dataclass
class Body:
    """A request or response body: its fields (or the schema they are), and its examples."""

    fields: list[Field]
    schema: str | None = None
    examples: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Answer:
    """One documented response: its status, meaning, headers and body."""

    status: str
    description: str
    headers: list[Field]
    body: Body | None


@dataclass
class Operation:
    """One operation (or webhook event): how it is called and what it answers."""

    anchor: str
    method: str
    path: str
    summary: str
    description: str
    token: bool
    parameters: list[Field]
    body: Body | None
    answers: list[Answer]


@dataclass
class Schema:
    """A named schema of components.schemas."""

    name: str
    description: str
    fields: list[Field]


@dataclass
class Reference:
    """Everything the page shows."""

    title: str
    version: str
    description: str
    server: str
    operations: list[Operation]
    webhooks: list[Operation]
    schemas: list[Schema]
    security: list[tuple[str, str]]


def schema_name(schema: dict) -> str | None:
    """The component a schema refers to ($ref, or such a ref or null), else None."""
    if "$ref" in schema:
        return schema["$ref"].removeprefix(SCHEMA_REF)
    for option in schema.get("anyOf", []):
        if "$ref" in option:
            return option["$ref"].removeprefix(SCHEMA_REF)
    return None


def kind(schema: dict) -> str:
    """A schema's type in words: "integer", "string (date) or null", "array of Listing"."""
    name = schema_name(schema)
    if name:
        nullable = any(option.get("type") == "null" for option in schema.get("anyOf", []))
        return f"{name} or null" if nullable else name
    if "const" in schema:
        return "constant"
    types = schema.get("type", "any")
    types = types if isinstance(types, list) else [types]
    words = []
    for item in types:
        if item == "array":
            words.append(f"array of {kind(schema.get('items', {}))}")
        elif item == "string" and "format" in schema:
            words.append(f"string ({schema['format']})")
        elif item == "null":
            continue
        else:
            words.append(item)
    text = " or ".join(words)
    return f"{text} or null" if "null" in types else text


def values(schema: dict) -> list[str]:
    """The allowed values, a range, a pattern or a constant, as short lines of code."""
    if "const" in schema:
        return [json.dumps(schema["const"])]
    if "enum" in schema:
        return [json.dumps(v) if not isinstance(v, str) else v for v in schema["enum"]]
    found = []
    if "minimum" in schema and "maximum" in schema:
        found.append(f"{schema['minimum']} to {schema['maximum']}")
    elif "minimum" in schema:
        found.append(f"at least {schema['minimum']}")
    if "pattern" in schema and "format" not in schema:
        found.append(f"pattern {schema['pattern']}")
    if schema.get("type") == "array" and "items" in schema:
        found.extend(values(schema["items"]))
    return found


def fields(schema: dict, prefix: str = "") -> list[Field]:
    """The fields of an object schema, nested objects and arrays of objects spelt out."""
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        rows.append(
            Field(
                name=prefix + name,
                kind=kind(prop),
                description=prop.get("description", ""),
                required=name in required,
                values=values(prop),
                link=schema_name(prop) or schema_name(prop.get("items", {})),
            )
        )
        if "properties" in prop:
            rows.extend(fields(prop, f"{prefix}{name}."))
        elif "properties" in prop.get("items", {}):
            rows.extend(fields(prop["items"], f"{prefix}{name}[]."))
        elif isinstance(prop.get("additionalProperties"), dict):
            inner = prop["additionalProperties"]
            rows.append(Field(f"{prefix}{name}.<name>", kind(inner), values=values(inner)))
    return rows


def body(content: dict | None) -> Body | None:
    """A JSON body: its schema's fields (or the named schema), and its examples as text."""
    if not content or "application/json" not in content:
        return None
    media = content["application/json"]
    schema = media.get("schema", {})
    shown = [
        (name, json.dumps(item["value"], indent=2, ensure_ascii=False))
        for name, item in media.get("examples", {}).items()
    ]
    return Body(fields=fields(schema), schema=schema_name(schema), examples=shown)


def parameter(item: dict) -> Field:
    """A parameter (or header) as a field."""
    schema = item.get("schema", {})
    default = schema.get("default")
    return Field(
        name=item["name"],
        kind=f"{item['in']}, {kind(schema)}" if "in" in item else kind(schema),
        description=item.get("description", ""),
        required=item.get("required", False),
        values=values(schema),
        default=None if default is None else str(default),
    )


def operation(method: str, path: str, spec: dict, anchor: str) -> Operation:
    """One operation of `paths` (or `webhooks`) as the page shows it."""
    answers = []
    for status, response in spec.get("responses", {}).items():
        headers = [
            parameter({"name": name, **header})
            for name, header in response.get("headers", {}).items()
        ]
        answers.append(
            Answer(status, response.get("description", ""), headers, body(response.get("content")))
        )
    request_body = spec.get("requestBody", {}).get("content")
    return Operation(
        anchor=anchor,
        method=method.upper(),
        path=path,
        summary=spec.get("summary", ""),
        description=spec.get("description", ""),
        token=bool(spec.get("security")),
        parameters=[parameter(item) for item in spec.get("parameters", [])],
        body=body(request_body),
        answers=answers,
    )


def operations(paths: dict, prefix: str) -> list[Operation]:
    """Every operation of a `paths` (or `webhooks`) object, in the document's order."""
    found = []
    for path, item in paths.items():
        for method in METHOD_ORDER:
            if method in item:
                spec = item[method]
                anchor = f"{prefix}-{spec.get('operationId') or path.strip('/')}"
                found.append(operation(method, path, spec, anchor))
    return found


def reference(document: dict) -> Reference:
    """The reference page's content, from the OpenAPI document."""
    components = document.get("components", {})
    calls = operations(document.get("paths", {}), "op")
    used = {
        name
        for item in document.get("paths", {}).values()
        for spec in item.values()
        for requirement in spec.get("security", [])
        for name in requirement
    }
    return Reference(
        title=document["info"]["title"],
        version=document["info"]["version"],
        description=document["info"].get("description", ""),
        server=document["servers"][0]["url"],
        operations=calls,
        webhooks=operations(document.get("webhooks", {}), "webhook"),
        schemas=[
            Schema(name, schema.get("description", ""), fields(schema))
            for name, schema in components.get("schemas", {}).items()
        ],
        security=[
            (name, scheme.get("description", ""))
            for name, scheme in components.get("securitySchemes", {}).items()
            if name in used
        ],
    )
