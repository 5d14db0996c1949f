"""``orglint roles --list KIND``: the ids a team file may use, from the matrix in force."""

from __future__ import annotations

from typing import Any

from orglint.escape import defused, visible
from orglint.matrix import Matrix


def ids_json(matrix: Matrix, kind: str) -> list[dict[str, Any]]:
    spec = matrix.spec
    if kind == "roles":
        return [{"id": rid, "title": r.title, "in_matrix": r.in_matrix}
                for rid, r in spec.roles.items()]
    if kind == "responsibilities":
        return [{"id": rid, "title": r.title, "owner": r.owner, "senior": r.senior}
                for rid, r in spec.responsibilities.items()]
    if kind == "systems":
        return [{"id": sid, "title": s.title, "requires": list(s.requires)}
                for sid, s in spec.systems.items()]
    if kind == "practices":
        return [{"id": pid, "title": p.title, "responsibility": p.responsibility}
                for pid, p in spec.practices.items()]
    if kind == "stages":
        return [{"id": sid, "title": s.title, "description": s.description}
                for sid, s in spec.maturity.items()]
    raise ValueError(kind)


def _note(kind: str, item: dict[str, Any]) -> str:
    if kind == "responsibilities":
        return f"  ({item['owner']} work{', senior' if item['senior'] else ''})"
    if kind == "systems" and item["requires"]:
        return f"  (requires {', '.join(item['requires'])})"
    if kind == "roles" and not item["in_matrix"]:
        return "  (allowed, not checked)"
    return ""


def ids_text(matrix: Matrix, kind: str) -> str:
    items = ids_json(matrix, kind)
    width = max((len(visible(item["id"])) for item in items), default=0)
    lines = [f"{kind.capitalize()} of the '{visible(matrix.name)}' matrix:", ""]
    # A custom matrix's titles come from the repository: escaped, as in every output.
    lines += [f"  {visible(item['id']):<{width}}  {visible(item['title'])}"
              f"{visible(_note(kind, item))}".rstrip() for item in items]
    return defused("\n".join(lines)) + "\n"


# Where a Team or People schema takes matrix ids: the property, and whether the ids are
# its items (a list) or the value itself.
_ID_FIELDS = {"role": ("roles", False), "owns": ("responsibilities", True),
              "systems": ("systems", True), "practices": ("practices", True)}


def with_matrix_ids(schema: Any, matrix: Matrix) -> Any:
    """``schema`` with the matrix's ids as ``examples`` where a document names them.

    Examples, not an enum: editors offer them for completion, while validation stays
    with orglint, whose matrix (possibly the org's own) decides which ids are known.
    """
    if isinstance(schema, list):
        return [with_matrix_ids(item, matrix) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: with_matrix_ids(value, matrix) for key, value in schema.items()}
    properties = out.get("properties")
    if isinstance(properties, dict):
        for name, (kind, listed) in _ID_FIELDS.items():
            field = properties.get(name)
            if not isinstance(field, dict):
                continue
            target = field.get("items") if listed else field
            if isinstance(target, dict):
                target["examples"] = [item["id"] for item in ids_json(matrix, kind)]
                field["description"] = (f"{field.get('description', '')} Listed by"
                                        f" 'orglint roles --list {kind}'.").strip()
    return out
