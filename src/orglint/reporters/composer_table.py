"""The team composer's answers, precomputed for the HTML page.

The page's composer must give exactly what ``orglint compose --output-format json``
gives, so it computes nothing: every answer is made here by ``explore.compose`` (the
same call the command makes) and the page only looks one up by maturity, size and the
set of systems ticked.  Answers repeat a lot (the built-in matrix: 20,480 inputs, 783
distinct answers), so each distinct seat, gap text and answer is stored once and the
index holds small integers.

Every subset of systems is included while that stays within ``MAX_COMPOSES`` calls (the
built-in matrix's seven systems: 4 x 40 x 128).  A matrix with more systems gets every
subset of up to as many systems as fit, plus the system sets the org's teams run (the
most common first, within the same budget); the page names the command to run for any
other combination.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from orglint.explore import COMPOSE_MAX, compose
from orglint.matrix import Matrix

MAX_SIZE = 40
MAX_COMPOSES = 4 * 40 * 128  # the built-in matrix, whole: a few seconds
_MEMO: dict[tuple[str, int, tuple[int, ...]], dict[str, Any]] = {}


def masks(matrix: Matrix, used: Iterable[Iterable[str]], max_size: int = MAX_SIZE,
          budget: int = MAX_COMPOSES) -> list[int]:
    """The system sets (bit i: the matrix's i-th system) the page will know."""
    systems = list(matrix.systems)
    per_mask = max_size * max(1, len(matrix.spec.maturity))
    if per_mask << len(systems) <= budget:
        return list(range(1 << len(systems)))
    bit = {s: i for i, s in enumerate(systems)}
    # The teams' own sets first, the most common first, as many as the budget allows:
    # thousands of teams each running another of fifty systems made the page's
    # precompute minutes of work.
    counts = Counter(sum(1 << bit[s] for s in set(group) if s in bit) for group in used)
    room = budget // per_mask
    chosen = {mask for mask, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:room]}
    # Whole layers of small subsets, as many as the budget leaves room for.
    for k in range(len(systems) + 1):
        layer = [sum(1 << i for i in combo) for combo in combinations(range(len(systems)), k)]
        if (len(chosen | set(layer))) * per_mask > budget:
            break
        chosen.update(layer)
    return sorted(chosen)


def table(matrix: Matrix, used: Iterable[Iterable[str]] = (), max_size: int = MAX_SIZE,
          budget: int = MAX_COMPOSES) -> dict[str, Any]:
    """The composer's data for the page (memoised per matrix: it costs seconds)."""
    wanted = tuple(masks(matrix, used, max_size, budget))
    key = (matrix.digest, max_size, wanted)
    if key not in _MEMO:
        if len(_MEMO) >= 4:
            _MEMO.clear()
        _MEMO[key] = _build(matrix, list(wanted), max_size)
    return _MEMO[key]


def _build(matrix: Matrix, wanted: list[int], max_size: int) -> dict[str, Any]:
    systems = list(matrix.systems)
    roles = list(matrix.roles)
    role_index = {r: i for i, r in enumerate(roles)}
    seats: dict[tuple[Any, ...], int] = {}
    practices: dict[tuple[str, str], int] = {}
    gaps: dict[str, int] = {}
    answers: dict[tuple[tuple[int, ...], ...], int] = {}
    index: dict[str, list[list[int]]] = {}

    def intern(table_: dict[Any, int], value: Any) -> int:
        return table_.setdefault(value, len(table_))

    for maturity in matrix.spec.maturity:
        rows = index[maturity] = []
        for size in range(1, max_size + 1):
            row = []
            for mask in wanted:
                chosen = [s for i, s in enumerate(systems) if mask >> i & 1]
                out = compose(matrix, size, maturity, chosen).to_json()
                answer = (
                    tuple(intern(seats, (role_index[s["role"]], s["reason"]))
                          for s in out["seats"]),
                    tuple(intern(practices, (p["id"], p["why"])) for p in out["practices"]),
                    tuple(intern(gaps, g) for g in out["gaps"]))
                row.append(intern(answers, answer))
            rows.append(row)
    return {
        "max": max_size,
        "compose_max": COMPOSE_MAX,
        "roles": roles,
        "systems": systems,
        "maturities": list(matrix.spec.maturity),
        "masks": wanted,
        "seats": [list(seat) for seat in seats],
        "practices": [list(p) for p in practices],
        "gaps": list(gaps),
        "answers": [[list(part) for part in a] for a in answers],
        "index": index,
    }
