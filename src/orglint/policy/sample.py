"""A document generated from a JSON Schema with every optional field present.

With ``dyn`` variables the type checker cannot see a misspelt field: ``team.spec.sytems``
compiles.  Evaluated on a sample that has every field the schema allows, a lookup that
still finds no key names a field that no document can have, so the policy is refused
before it is merged instead of failing on every team.
"""

from __future__ import annotations

from typing import Any


def sample(schema: dict[str, Any], node: dict[str, Any] | None = None, depth: int = 0) -> Any:
    node = schema if node is None else node
    if depth > 12:
        return None
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return sample(schema, schema["$defs"][name], depth + 1)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return sample(schema, node[key][0], depth + 1)
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in node:
        return {key: sample(schema, sub, depth + 1)
                for key, sub in node.get("properties", {}).items()}
    if kind == "array":
        item = sample(schema, node.get("items", {}), depth + 1)
        return [] if item is None else [item]
    if kind == "integer" or kind == "number":
        return max(1, int(node.get("minimum", 1)))
    if kind == "boolean":
        return True
    if kind == "string":
        return "x"
    return None
