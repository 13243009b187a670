"""The fields of every request body, read from the app's OpenAPI schema, so that a test of "every
field" also covers the next field anyone adds."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BodyField:
    method: str
    path: str  # as the schema spells it, with {parameters}
    name: str | None  # None: the body is the value itself (a bare JSON string)
    media_type: str  # JSON when the route takes it, else a form type
    types: frozenset[str]  # the JSON types the field admits ("array" for a list)
    item_types: frozenset[str]  # for a list: the JSON types of its items

    def url(self, **ids: int) -> str:
        """The path with the given ids, and 1 for any other parameter."""
        return re.sub(r"\{([^}]+)\}", lambda match: str(ids.get(match.group(1), 1)), self.path)

    def admits(self, json_type: str) -> bool:
        return json_type in self.types or json_type in self.item_types

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.name or '(body)'}"


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _types(schema: dict, components: dict) -> tuple[set[str], set[str]]:
    schema = _resolve(schema, components)
    types: set[str] = set()
    items: set[str] = set()
    for option in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        more, more_items = _types(option, components)
        types |= more
        items |= more_items
    if "type" in schema:
        types.add(schema["type"])
    if schema.get("type") == "array":
        items |= _types(schema.get("items", {}), components)[0]
    return types, items


def _object_schema(schema: dict, components: dict) -> dict | None:
    """The body's object schema (an optional body is anyOf [object, null]), or None for a scalar body."""
    schema = _resolve(schema, components)
    if "properties" in schema:
        return schema
    for option in schema.get("anyOf", []):
        found = _object_schema(option, components)
        if found is not None:
            return found
    return None


def body_fields(app) -> list[BodyField]:
    spec = app.openapi()
    components = spec.get("components", {}).get("schemas", {})
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if not content:
                continue
            media_type = "application/json" if "application/json" in content else next(iter(content))
            body = content[media_type]["schema"]
            properties = _object_schema(body, components)
            fields = (properties or {}).get("properties", {}).items() if properties else [(None, body)]
            for name, schema in fields:
                types, items = _types(schema, components)
                found.append(BodyField(method.upper(), path, name, media_type, frozenset(types), frozenset(items)))
    return found
