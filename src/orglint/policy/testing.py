"""``orglint test``: run the ``tests:`` of policies (spec section 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from orglint.escape import json_text, visible
from orglint.loader import Limits
from orglint.matrix import Matrix
from orglint.ntuple import NamedTuple
from orglint.policy.load import PolicyError, TestSpec
from orglint.policy.policyset import PolicySet, resolve_team, target_inputs
from orglint.policy.views import org_view, person_views
from orglint.wording import plural


class TestResult(NamedTuple):
    test: TestSpec
    got: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.got == self.test.expect


def _with_member(data: Any, raw: Any) -> tuple[Any, int | None]:
    """The test's team with its member's own fields written over the team's member of
    the same id (found by review: they were dropped), and that member's index; the team
    as given, and None, when it holds no such member.  Both are then read as check reads
    a team: roles inferred from titles, every field checked against the schema."""
    spec = data.get("spec") if isinstance(data, dict) else None
    members = spec.get("members") if isinstance(spec, dict) else None
    if not isinstance(raw, dict) or not isinstance(spec, dict) or not isinstance(members, list):
        return data, None
    at = next((i for i, m in enumerate(members)
               if isinstance(m, dict) and m.get("id") == raw.get("id")), None)
    if at is None:
        return data, None
    merged = [{**m, **raw} if i == at else m for i, m in enumerate(members)]
    return {**data, "spec": {**spec, "members": merged}}, at


def _inputs(policies: PolicySet, test: TestSpec, target: str) -> dict[str, Any]:
    given = test.inputs  # read when the policies were (``load_policies(tests=True)``)
    matrix = policies.matrix
    team = member = person = org = None
    raw = given.get("member")
    if "member" in given and (not isinstance(raw, dict) or "id" not in raw):
        raise PolicyError(f"{test.place}: the test's member needs an 'id'")
    at: int | None = None  # the test's member among its team's
    if "team" in given:
        data, at = _with_member(given["team"], raw)
        team = resolve_team(data, matrix, test.place)
    if raw is not None:
        if team is not None and at is not None:
            member = team["spec"]["members"][at]
        else:
            alone = resolve_team({"metadata": {"name": "test"}, "spec": {
                "maturity": "exploring", "members": [raw]}}, matrix, test.place)
            member = alone["spec"]["members"][0]
            if team is None:
                team = alone
    org = _org(given.get("org", {}), policies, test.place)  # every target sees one
    if "person" in given:
        raw = given["person"]
        # As check sees them: the person the org holds under that id (their teams
        # gathered from its teams), the test's own fields over it, and each
        # membership written in the test filled in as a team's member would be.
        known = org["people"].get(str(raw.get("id"))) or {}
        person = {"id": None, "name": None, "title": None, "role": None, "level": None,
                  "email": None, "skills": [], "teams": [], **known, **raw}
        if isinstance(person.get("teams"), list) and "teams" in raw:
            person["teams"] = [{"team": None, "role": None, "allocation": 100, "owns": [],
                                **t} if isinstance(t, dict) else t for t in person["teams"]]
    needed = {"team": team, "member": member, "person": person}.get(target, org)
    if needed is None:
        raise PolicyError(f"{test.place}: test '{test.name}' gives no {target}: a {target}"
                          f" rule's test needs '{target}:'")
    return target_inputs(target, team=team, member=member, person=person, org=org)


def _org(raw: dict[str, Any], policies: PolicySet, where: str) -> dict[str, Any]:
    """An org given as ``{teams: [team, ...], people: {id: person}}``."""
    teams_in, people_in = raw.get("teams", []), raw.get("people", {})
    if not isinstance(teams_in, list) or not isinstance(people_in, dict) or not all(
            isinstance(p, dict) for p in people_in.values()):
        raise PolicyError(f"{where}: an org is {{teams: [team, ...], people: {{id: person}}}}")
    teams = [resolve_team(t, policies.matrix, where) for t in teams_in]
    people = person_views(teams, {})
    for pid, extra in people_in.items():
        people[str(pid)] = {**people.get(str(pid), {"id": str(pid), "teams": []}), **extra}
    return org_view(teams, people)


def run_tests(policies: PolicySet) -> list[TestResult]:
    rules = policies.by_code()
    results: list[TestResult] = []
    for file in policies.files:
        for test in file.tests:
            rule = rules.get(test.rule)
            if rule is None:
                raise PolicyError(f"{test.place}: test '{test.name}' names no rule"
                                  f" '{test.rule}' of the policies")
            verdict = policies.verdict(rule, _inputs(policies, test, rule.spec.target))
            results.append(TestResult(test, verdict.outcome, verdict.message))
    return results


class Coverage(NamedTuple):
    """``--require-coverage``: the rules it fails on, and the rules tested one way only."""

    missing: list[str]  # no test expects pass and none expects fail (spec section 7)
    one_sided: list[tuple[str, str]]  # (code, the outcome no test expects): a note


NO_COVERAGE = Coverage([], [])


def coverage(policies: PolicySet) -> Coverage:
    """Spec section 7: a rule with no test expecting ``fail`` and none expecting ``pass``
    fails the run.  A rule tested one way only passes, with a note naming the other
    (a rule never seen to fire, or never seen to stay silent)."""
    expects: dict[str, set[str]] = {}
    for file in policies.files:
        for test in file.tests:
            expects.setdefault(test.rule, set()).add(test.expect)
    missing: list[str] = []
    one_sided: list[tuple[str, str]] = []
    for rule in policies.rules:
        code = rule.spec.code
        seen = expects.get(code, set()) & {"pass", "fail"}
        if not seen:
            missing.append(code)
        elif len(seen) == 1:
            one_sided.append((code, "fail" if "pass" in seen else "pass"))
    return Coverage(missing, one_sided)


_UNCOVERED = "no test expects pass and none expects fail"


def report(results: list[TestResult], covered: Coverage, fmt: str) -> str:
    failed = [r for r in results if not r.ok]
    missing = covered.missing
    if fmt == "json":
        return json_text({
            "tests": [{"name": r.test.name, "rule": r.test.rule, "file": r.test.file,
                       "place": r.test.place, "expect": r.test.expect, "got": r.got,
                       "ok": r.ok, "detail": r.detail} for r in results],
            "uncovered": missing,
            "one_sided": [{"rule": code, "untested": what}
                          for code, what in covered.one_sided],
            "summary": {"tests": len(results), "passed": len(results) - len(failed),
                        "failed": len(failed)}}) + "\n"
    if fmt == "junit":
        # visible(): a NUL or an ESC from a policy file is not even valid XML 1.0.
        cases = []
        for r in results:
            body = ""
            if not r.ok:
                got = visible(f"expected {r.test.expect}, got {r.got}")
                body = f"<failure message={quoteattr(got)}>{escape(visible(r.detail))}</failure>"
            cases.append(f'  <testcase classname={quoteattr(visible(r.test.rule))}'
                         f' name={quoteattr(visible(r.test.name))}>{body}</testcase>')
        # A rule that fails --require-coverage is a failed case of its own: the report
        # must show why the run failed, as the text and JSON do.  Named after the flag,
        # which no test of the policy's own is likely to be (a tool keys cases by name).
        cases += [f'  <testcase classname={quoteattr(visible(code))} name="--require-coverage">'
                  f'<failure message={quoteattr(_UNCOVERED)}></failure></testcase>'
                  for code in missing]
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<testsuite name="orglint-policies" tests="{len(results) + len(missing)}"'
                f' failures="{len(failed) + len(missing)}">\n' + "\n".join(cases)
                + "\n</testsuite>\n")
    lines = []
    for r in results:
        mark = "ok  " if r.ok else "FAIL"
        extra = "" if r.ok else f" (expected {r.test.expect}, got {r.got}"
        extra += f": {r.detail})" if not r.ok and r.detail else (")" if not r.ok else "")
        # The policy file's text reaches a terminal or a CI log: escapes as text.
        lines.append(visible(f"{mark} {r.test.place} {r.test.rule} {r.test.name}{extra}"))
    lines += [visible(f"UNCOVERED {code}: {_UNCOVERED}") for code in missing]
    lines += [visible(f"note: {code} has no test expecting {what}")
              for code, what in covered.one_sided]
    lines.append(f"{plural(len(results), 'test')}, {len(results) - len(failed)} passed,"
                 f" {len(failed)} failed" + (f", {plural(len(missing), 'rule')} uncovered"
                                             if missing else ""))
    return "\n".join(lines) + "\n"


def files_under(paths: list[str], cwd: Path, limit: int) -> list[tuple[Path, str]]:
    from orglint.confine import boundary, inside
    from orglint.files import display_name, read_limited
    from orglint.fsutil import walk
    from orglint.loader import Limits
    from orglint.policy.find import declares_policy

    found: list[tuple[Path, str]] = []
    for name in paths:
        path = cwd / name
        if path.is_dir():
            # As for 'check' (spec 6.1): a walk reads no link that leaves the repository.
            top = boundary(path)
            candidates = sorted(p for current, dirs, names in walk(path) for name in names
                                if name.endswith((".yaml", ".yml"))
                                and (p := Path(current) / name).is_file() and inside(p, top))
        elif path.is_file():
            candidates = [path]
        else:
            raise PolicyError(f"{name}: no such file or folder")
        for candidate in candidates:
            raw = read_limited(candidate, limit)
            if declares_policy(raw, Limits(max_file_size=limit)):
                found.append((candidate, display_name(candidate, cwd)))
    return found


def load_for_test(files: list[tuple[Path, str]], matrix: Matrix, limits: Limits) -> PolicySet:
    from orglint.policy.policyset import load_policies, reserved_codes
    from orglint.rules import REGISTRY
    from orglint.rules.patterns import custom_rules

    if not files:
        raise PolicyError("no policy file found (kind: Policy)")
    policies = load_policies(files, matrix, limits, tests=True)
    # As check refuses them (exit 2): a rule taking a built-in or matrix rule's code or
    # name is a broken policy here too, whatever its tests say.
    known = dict(REGISTRY)
    for rule in custom_rules(matrix, set(REGISTRY)):
        known[rule.code] = rule
    reserved_codes(policies, known)
    return policies
