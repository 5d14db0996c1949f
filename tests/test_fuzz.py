"""Property tests: no input raises out of the per-file pipeline or the CLI."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orglint.engine import Job, check_bytes
from orglint.loader import Limits
from orglint.matrix import load_matrix
from orglint.rules import RULES

MATRIX = load_matrix()
JOB = Job(MATRIX, [r() for r in RULES if r.scope == "team"], Limits(), {})

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(
                        [*MATRIX.roles, *MATRIX.responsibilities, *MATRIX.systems,
                         "production", "scale", "junior", "senior", "orglint/v1", "Team"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=30)
ids = st.sampled_from(["a", "b", "c", "kim", "dmitri"])
members = st.fixed_dictionaries(
    {"id": ids},
    optional={
        "role": st.sampled_from([*MATRIX.roles, "SRE", "nope", 3]),
        "title": st.sampled_from(["Senior DevOps Engineer", "ML Engineer", "Wizard", ""]),
        "level": st.sampled_from(["junior", "mid", "senior", "staff", "bogus"]),
        "allocation": st.integers(-5, 150),
        "owns": st.lists(st.sampled_from([*MATRIX.responsibilities, "typo"]), max_size=6),
        "skills": st.lists(st.sampled_from(["python", "excel", "kubernetes"]), max_size=3),
        "name": st.text(max_size=5),
    })
teams = st.fixed_dictionaries({
    "apiVersion": st.just("orglint/v1"),
    "kind": st.just("Team"),
    "metadata": st.fixed_dictionaries({"name": ids}, optional={"parent": ids}),
    "spec": st.fixed_dictionaries(
        {"maturity": st.sampled_from(["exploring", "pilot", "production", "scale"]),
         "members": st.lists(members, max_size=8)},
        optional={"systems": st.lists(st.sampled_from([*MATRIX.systems, "x"]), max_size=4,
                                      unique=True),
                  "practices": st.lists(st.sampled_from([*MATRIX.practices]), max_size=2,
                                        unique=True),
                  "size": st.integers(0, 12), "extra": values}),
})

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(raw):
    check_bytes("f.yaml", raw, JOB)


@FAST
@given(st.text(max_size=400))
def test_random_text_never_raises(text):
    check_bytes("f.yaml", text.encode("utf-8", "surrogatepass"), JOB)


@FAST
@given(values)
def test_random_yaml_documents_never_raise(value):
    check_bytes("f.yaml", yaml.safe_dump(value).encode(), JOB)


@FAST
@given(teams, st.booleans())
def test_random_teams_never_raise_and_point_inside_the_file(team, flow):
    _points_inside(yaml.safe_dump(team, default_flow_style=flow, sort_keys=False))


def _points_inside(text: str) -> None:
    """Checked, ``text`` raises nothing and every finding points at a line of it."""
    result = check_bytes("f.yaml", text.encode(), JOB)
    lines = text.count("\n") + 1
    for finding in result.findings:
        assert 1 <= finding.line <= lines, finding
        assert finding.column >= 1


# The envelope errors a document is still checked through (a loose name, a misspelt or
# missing apiVersion, a kind in another case) and numeric ids, read as text.
loose_members = st.fixed_dictionaries(
    {"id": st.one_of(ids, st.integers(-3, 3000), st.just("Recsys Team"))},
    optional={"role": st.sampled_from([*MATRIX.roles, "nope"]),
              "title": st.sampled_from(["ML/DevOps Engineer", "M.L. Engineer", "Wizard"]),
              "owns": st.lists(st.sampled_from([*MATRIX.responsibilities, "TRAINING_CODE"]),
                               max_size=4),
              "allocation": st.integers(-5, 150)})
loose_teams = st.fixed_dictionaries(
    {"kind": st.sampled_from(["Team", "team", "TEAM", "Teams", "People"]),
     "metadata": st.fixed_dictionaries(
         {"name": st.one_of(ids, st.just("Recsys Team"), st.integers(0, 9), st.just(" "))}),
     "spec": st.fixed_dictionaries(
         {"maturity": st.sampled_from(["pilot", "production", "prod"]),
          "members": st.lists(loose_members, max_size=5)},
         optional={"people": st.lists(loose_members, max_size=3)})},
    optional={"apiVersion": st.sampled_from(["orglint/v1", "orglint.dev/v1", "Orglint/V2",
                                             "kyverno.io/v1"])})


@FAST
@given(st.lists(loose_teams, min_size=1, max_size=3), st.booleans())
def test_loose_envelopes_never_raise_and_point_inside_the_file(docs, flow):
    _points_inside(yaml.safe_dump_all(docs, default_flow_style=flow, sort_keys=False))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(teams, loose_teams), min_size=1, max_size=3),
       st.sampled_from(["", "  # orglint: ignore[ORG104]", "  # orglint: ignore-file[ALL]",
                        "  # orglint: ignore[ORG3] until=2000-01-01"]))
def test_whole_runs_and_every_reporter_never_raise(tmp_path_factory, org, comment):
    """Org rules, suppressions and every reporter on generated orgs (loose envelopes and
    numeric ids among them: ORG302's facts across files)."""
    from pathlib import Path

    from orglint.config import Settings
    from orglint.engine import Request, plan, run
    from orglint.reporters import FORMATS, ReportContext, get

    folder = tmp_path_factory.mktemp("org")
    names = []
    for index, team in enumerate(org):
        text = yaml.safe_dump(team, sort_keys=False)
        lines = text.splitlines()
        lines[index % len(lines)] += comment
        (folder / f"t{index}.yaml").write_text("\n".join(lines) + "\n")
        names.append(f"t{index}.yaml")
    the_plan = plan(Settings(root=folder, cache=False, paths=["*.yaml"]))
    result = run(the_plan, Request(names[:1], cwd=folder))
    for fmt in FORMATS:
        get(fmt)(result, ReportContext(rules=the_plan.rules, root=Path(folder)))


# -- orglint import: whatever the export holds, an import or exit 2 (ImportFailed) ----

_SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
_SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
              st.sampled_from(["ab", "a@x.io", "1", "User", "Group", _SCIM_USER])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["value", "type", "display", "primary", "givenName",
                                 "department", "x"]), inner, max_size=4)),
    max_leaves=20)
scim_resources = st.lists(st.fixed_dictionaries(
    {"schemas": st.sampled_from([[_SCIM_USER], [_SCIM_GROUP], "x", [1]])},
    optional={key: json_values for key in (
        "id", "userName", "displayName", "name", "emails", "title", "active", "members",
        "meta", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")}), max_size=6)


# Each example writes files: fewer of them keep the suite quick (1,500 found nothing more).
IMPORTS = settings(max_examples=40, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])


def _import(folder, source: str, raw: bytes) -> None:
    from orglint.importers import Imported, ImportFailed
    from orglint.importers.sources import read_csv, read_scim
    from orglint.importers.writer import write

    path = folder / "in"
    path.write_bytes(raw)
    imported = Imported(source, [str(path)])
    try:
        if source == "csv":
            read_csv([path], {}, imported)
        else:
            read_scim([path], imported)
        write(imported, folder / "out", "pilot", MATRIX)
    except ImportFailed:
        pass


@IMPORTS
@given(st.lists(st.lists(st.text(max_size=8), max_size=9), max_size=6),
       st.sampled_from(["id,name,email,title,team,allocation,level,role",
                        "Name,TEAM,Level", "email,email,team"]))
def test_any_csv_imports_or_is_exit_2(tmp_path_factory, rows, header):
    import csv
    import io

    text = io.StringIO()
    csv.writer(text).writerows([header.split(","), *rows])
    _import(tmp_path_factory.mktemp("csv"), "csv", text.getvalue().encode("utf-8", "replace"))


@IMPORTS
@given(scim_resources, st.booleans())
def test_any_scim_imports_or_is_exit_2(tmp_path_factory, resources, wrapped):
    import json

    data = {"Resources": resources} if wrapped else resources
    _import(tmp_path_factory.mktemp("scim"), "scim", json.dumps(data).encode())
