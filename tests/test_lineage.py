"""Coverage findings a parent team or a sub-team answers (rules.lineage): hub and spoke."""

from __future__ import annotations

PLATFORM = """\
    apiVersion: orglint/v1
    kind: Team
    metadata: {name: ml-platform}
    spec:
      maturity: scale
      systems: [gpu-cluster, model-registry, model-serving]
      members:
        - {id: pia, title: AI Infrastructure Engineer, level: senior, owns: [gpu-operator, gpu-scheduling, gpu-fairness, model-registry-deployment, serving-runtime]}
        - {id: omar, title: ML Infra Engineer, level: senior, owns: [gpu-operator, gpu-scheduling, gpu-cluster-ops, model-registry-deployment, serving-runtime]}
    """  # noqa: E501

SEARCH = """\
    apiVersion: orglint/v1
    kind: Team
    metadata: {name: search-ml, parent: ml-platform}
    spec:
      maturity: production
      systems: [model-serving]
      practices: [eval-gate]
      members:
        - {id: ivo, title: Machine Learning Engineer, owns: [inference-handlers, training-code]}
        - {id: raj, title: MLOps Engineer, owns: [model-rollback, promotion-gates]}
        - {id: sol, title: Data Scientist, owns: [model-design]}
    """

COVERAGE = ["ORG201", "ORG202", "ORG203", "ORG204", "ORG205", "ORG206"]


def test_a_platform_team_and_its_users_answer_each_others_coverage(lint):
    # Judged alone, the platform team was told nobody owns rollback, eval or inference
    # handlers (its users' work), and its users' team that it has no platform engineer.
    alone = lint.findings(PLATFORM, select=COVERAGE)
    assert {f.code for f in alone} == {"ORG202", "ORG203", "ORG204", "ORG206"}
    lint.check(PLATFORM, files={"search.yaml": SEARCH}, select=COVERAGE, expected=[
        # Nobody in the lineage owns the registry's contract: still reported.
        (6, 26, "ORG202")])
    assert [f.code for f in lint.findings(SEARCH, select=COVERAGE)] == ["ORG205", "ORG206"]
    lint.check(SEARCH, files={"platform.yaml": PLATFORM}, select=COVERAGE, expected=[])


def test_what_no_related_team_does_is_still_reported(lint):
    # The users' team owns no model-registry-contract and has no data engineer: the
    # platform team's feature store is nobody's work, above or below.
    platform = PLATFORM.replace("systems: [gpu-cluster, model-registry, model-serving]",
                                "systems: [gpu-cluster, model-registry, feature-store]")
    found = lint.check(platform, files={"search.yaml": SEARCH}, select=COVERAGE, expected=[
        (5, 13, "ORG206"), (6, 26, "ORG202"), (6, 42, "ORG201")])
    # The mix still asks for the data engineer (a gap the lineage answers in part is
    # reported whole).
    assert "data-engineer" in found[0].message
    assert "feature-store" in found[2].message


def test_a_sibling_is_no_lineage(lint):
    # Two teams under one group: the ranking team's platform engineer is not search's.
    ranking = """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: ranking, parent: ml}
        spec:
          maturity: production
          members:
            - {id: kofi, role: platform-engineer, owns: [serving-runtime]}
        ---
        apiVersion: orglint/v1
        kind: Group
        metadata: {name: ml}
        ---
        apiVersion: orglint/v1
        kind: Group
        metadata: {name: ml-platform, parent: ml}
        """
    lint.check(SEARCH, files={"ranking.yaml": ranking}, select=["ORG205"],
               expected=[(5, 13, "ORG205")])


def test_the_lineage_goes_through_groups_and_across_files(lint):
    # platform team -> a group -> the users' team, each in its own file, one file named.
    group = """\
        apiVersion: orglint/v1
        kind: Group
        metadata: {name: search, parent: ml-platform}
        """
    search = SEARCH.replace("parent: ml-platform", "parent: search")
    lint.check(search, files={"platform.yaml": PLATFORM, "group.yaml": group},
               select=["ORG205", "ORG206"], expected=[])


def test_a_partial_mix_gap_stays(lint):
    # ORG206 is withdrawn only when the lineage has every role it asks for.
    search = SEARCH.replace("        - {id: raj, title: MLOps Engineer, owns: [model-rollback,"
                            " promotion-gates]}\n", "")
    found = lint.findings(search, files={"platform.yaml": PLATFORM}, select=["ORG206"])
    assert [f.code for f in found] == ["ORG206"] and "mlops-engineer" in found[0].message


def test_a_parent_cycle_is_no_relation(lint):
    # Found by review: a cycle (ORG011) answered its teams' findings; an invalid
    # structure answers nothing, as a missing parent does.
    a = SEARCH.replace("parent: ml-platform", "parent: loop")
    b = PLATFORM.replace("{name: ml-platform}", "{name: loop, parent: search-ml}")
    found = lint.findings(a, files={"b.yaml": b}, select=["ORG011", "ORG205"])
    assert [f.code for f in found] == ["ORG011", "ORG205"]


def test_a_repeated_id_is_no_relation(lint):
    # Found by review: a second team named search-ml, with no parent, took the first
    # one's relation to the platform team (ORG010 is reported either way).
    again = SEARCH.replace("parent: ml-platform", "title: Search again").replace(
        "id: ivo", "id: ivo2").replace("id: raj", "id: raj2").replace("id: sol", "id: sol2")
    found = lint.findings(again, files={"platform.yaml": PLATFORM, "search.yaml": SEARCH},
                          select=["ORG010", "ORG205"])
    assert sorted(f.code for f in found) == ["ORG010", "ORG205"]


def test_the_lineage_is_worked_out_without_recursion():
    # A platform team, a chain of 20,000 groups below it, and a team under each group:
    # each team's nearest team above is the platform team, however deep.
    from orglint.facts import Place, TeamFact
    from orglint.findings import Finding, Severity
    from orglint.matrix import load_matrix
    from orglint.rules.lineage import answered, encode_cover

    place = Place("t.yaml", 1, 1, 1, 1)
    n = 20_000
    matrix = load_matrix()
    teams = [TeamFact("hub", place, None, None, "Team",
                      encode_cover(matrix, ["@platform-engineer"]))]
    teams += [TeamFact(f"g{i}", place, f"g{i - 1}" if i else "hub", place, "Group")
              for i in range(n)]
    teams += [TeamFact(f"t{i}", place, f"g{i}", place, "Team",
                       encode_cover(matrix, ["@ml-engineer"])) for i in range(n)]
    found = [Finding("ORG205", "production-without-substrate-owner", Severity.WARNING,
                     "m", "t.yaml", 1, 1, 1, 1, f"t{i}", "ml-engineer", (), None)
             for i in range(n)]
    assert answered(found, teams, matrix) == {id(f) for f in found}


def test_only_the_nearest_team_above_and_below_counts(lint):
    # A division's head team above the platform team does not staff the users' team.
    head = PLATFORM.replace("{name: ml-platform}", "{name: division}")
    middle = """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: ml-platform, parent: division}
        spec:
          maturity: pilot
          members: [{id: lee, role: ml-engineer}]
        """
    lint.check(SEARCH, files={"head.yaml": head, "middle.yaml": middle}, select=["ORG205"],
               expected=[(5, 13, "ORG205")])


def test_a_pre_commit_run_reads_the_lineage_from_the_cache(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "teams").mkdir()
    from textwrap import dedent

    (tmp_path / "teams" / "platform.yaml").write_text(dedent(PLATFORM))
    (tmp_path / "teams" / "search.yaml").write_text(dedent(SEARCH))
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\n")
    whole = run_cli("check", "--select", ",".join(COVERAGE), cwd=tmp_path)
    assert "ORG205" not in whole.out and "ORG203" not in whole.out, whole.out
    for _ in range(2):  # the other file's facts from the cache, then the whole report
        one = run_cli("check", "--select", ",".join(COVERAGE), "teams/search.yaml",
                      cwd=tmp_path)
        assert one.code == 0 and "ORG205" not in one.out, one.out


def _nearest(start: str, links: dict[str, list[str]], teams: set[str]) -> set[str]:
    """The teams reached from ``start`` through ``links``, passing through groups only:
    the obvious breadth-first walk, for comparing."""
    found: set[str] = set()
    seen = {start}
    todo = list(links.get(start, ()))
    while todo:
        node = todo.pop()
        if node in teams:
            found.add(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        todo.extend(links.get(node, ()))
    return found


def test_the_lineage_is_what_an_obvious_walk_finds():
    # Random orgs of teams and groups (repeated ids, cycles, dangling parents included):
    # what answered() withdraws is what a plain walk to the nearest teams says.
    import random

    from orglint.facts import Place, TeamFact
    from orglint.findings import Finding, Severity
    from orglint.matrix import load_matrix
    from orglint.rules.lineage import answered, encode_cover

    matrix = load_matrix()
    place = Place("t.yaml", 1, 1, 1, 1)
    tokens = ["@platform-engineer", "@data-engineer", "serving-runtime", "model-rollback",
              "+eval-gate", "eval-gate", "@mlops-engineer"]
    asks = [("ORG205", "model-serving", ("@platform-engineer",), False),
            ("ORG201", "feature-store", ("@data-engineer",), False),
            ("ORG202", "model-serving:serving-runtime", ("serving-runtime",), False),
            ("ORG203", "model-rollback,promotion-gates", ("model-rollback", "promotion-gates"),
             False),
            ("ORG204", "eval-gate", ("eval-gate", "+eval-gate"), False),
            ("ORG206", "platform-engineer,mlops-engineer",
             ("@platform-engineer", "@mlops-engineer"), True)]
    rng = random.Random(11)
    for _ in range(1000):
        n = rng.randint(1, 12)
        ids = [f"n{i}" for i in range(n)]
        held = [rng.sample(tokens, rng.randint(0, 3)) for _ in range(rng.randint(1, 14))]
        facts = [TeamFact(rng.choice(ids), place, rng.choice([None, "gone", *ids]), place,
                          rng.choice(["Team", "Team", "Group"]), encode_cover(matrix, words))
                 for words in held]
        found = [Finding(code, "x", Severity.WARNING, "m", "t.yaml", 1, 1, 1, 1,
                         rng.choice(ids), detail, (), None)
                 for code, detail, _, _ in rng.choices(asks, k=6)]
        gone = answered(found, facts, matrix)
        # Left out: a repeated id, and an id on a parent cycle (followed naively).
        counts = {f.id: sum(g.id == f.id for g in facts) for f in facts}
        single = {f.id: f for f in facts if counts[f.id] == 1}
        out = {i for i, c in counts.items() if c > 1}
        for start in single:
            seen, at = [], start
            while at in single and at not in seen:
                seen.append(at)
                at = single[at].parent
            if at in seen:
                out.update(seen[seen.index(at):])
        teams = {i for i, f in single.items() if f.kind == "Team" and i not in out}
        up: dict[str, list[str]] = {}
        down: dict[str, list[str]] = {}
        covers: dict[str, set[str]] = {}
        for k, f in enumerate(facts):
            if f.id in single and f.id not in out:
                covers[f.id] = set(held[k])
        for i, f in single.items():
            if i in out:
                continue
            if f.parent in single and f.parent != i and f.parent not in out:
                up.setdefault(i, []).append(f.parent)
                down.setdefault(f.parent, []).append(i)
        for finding in found:
            if finding.entity in out:
                assert id(finding) not in gone
                continue
            near = _nearest(finding.entity, up, teams) | _nearest(finding.entity, down, teams)
            have = set().union(*(covers.get(t, set()) for t in near))
            wanted = next(a for a in asks if a[0] == finding.code)[2]
            every = next(a for a in asks if a[0] == finding.code)[3]
            expect = all(t in have for t in wanted) if every else any(t in have for t in wanted)
            assert (id(finding) in gone) == expect, (facts, finding)


def test_nothing_answers_through_a_cycle_of_groups():
    # g1 -> g2 -> g1 (a cycle, ORG011) above the team t.  Asked about g2 first, an
    # early version kept g1's answer from inside g2's walk; now no team on or under
    # the cycle is answered through it, whichever is asked first.
    from orglint.facts import Place, TeamFact
    from orglint.findings import Finding, Severity
    from orglint.matrix import load_matrix
    from orglint.rules.lineage import answered, encode_cover

    place = Place("t.yaml", 1, 1, 1, 1)
    facts = [TeamFact("g1", place, "g2", place, "Group"),
             TeamFact("g2", place, "g1", place, "Group"),
             TeamFact("t", place, "g2", place, "Team",
                      encode_cover(load_matrix(), ["+eval-gate"])),
             TeamFact("u", place, "g2", place, "Team")]
    found = [Finding("ORG204", "x", Severity.WARNING, "m", "t.yaml", 1, 1, 1, 1, entity,
                     "eval-gate", (), None) for entity in ("g2", "g1", "u")]
    assert answered(found, facts, load_matrix()) == set()


def test_patterns_sharing_a_code_are_told_apart_by_what_the_finding_names(run_cli,
                                                                          tmp_path):
    # Found by review: two missing-role patterns of one code, and every finding of the
    # code was asked the last one's question (the hub's platform engineer answered the
    # spoke's missing data engineer).
    (tmp_path / ".git").mkdir()
    (tmp_path / "matrix.yaml").write_text(
        "apiVersion: orglint/v1\nkind: RoleMatrix\nmetadata: {name: acme}\nspec:\n"
        "  extends: ai-platform\n  anti-patterns:\n"
        + "".join(
            f"    - {{code: ACME001, name: missing-specialist, severity: error,"
            f" kind: missing-role, roles: [{role}], systems: [{system}], at: system,"
            " message: 'team {team} runs {system} but has no {missing}', why: x}\n"
            for role, system in (("data-engineer", "feature-store"),
                                 ("platform-engineer", "gpu-cluster"))))
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\nselect: [ACME001]\n")
    (tmp_path / "hub.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: hub}\nspec:\n"
        "  maturity: production\n  systems: [gpu-cluster]\n"
        "  members: [{id: pia, role: platform-engineer, owns: [gpu-scheduling]}]\n")
    (tmp_path / "spoke.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: spoke, parent: hub}\nspec:\n"
        "  maturity: production\n  systems: [feature-store, gpu-cluster]\n"
        "  members: [{id: ivo, role: ml-engineer, owns: [training-code]}]\n")
    done = run_cli("check", "--no-cache", "hub.yaml", "spoke.yaml", cwd=tmp_path)
    # The data engineer nobody in the lineage is: still reported; the platform
    # engineer the hub has: answered.
    assert done.out.count("ACME001") == 1, done.out + done.err
    assert "spoke runs feature-store but has no data-engineer" in done.out


def test_the_reports_coverage_table_counts_the_lineage_as_the_check_does(run_cli, tmp_path):
    # Found by review: the tables showed red gaps (the spoke's platform engineer, the
    # platform team's MLOps engineer) where the check, counting the related team,
    # reported nothing.  The cell still holds the team's own headcount.
    import re
    from textwrap import dedent

    (tmp_path / "platform.yaml").write_text(dedent(PLATFORM))
    (tmp_path / "search.yaml").write_text(dedent(SEARCH))
    out = run_cli("check", "--no-cache", "--output-format", "markdown", "platform.yaml",
                  "search.yaml", cwd=tmp_path).out
    row = next(line for line in out.splitlines() if line.startswith("| search-ml |"))
    assert "0 ↕/1 ✅" in row and "🟥" not in row, row
    html = run_cli("check", "--no-cache", "--output-format", "html", "platform.yaml",
                   "search.yaml", cwd=tmp_path).out
    cell = re.search(r'<tr data-team="search-ml">.*?<td data-role="platform-engineer"'
                     r'([^>]*)>(\d+)</td>', html)
    assert cell is not None and cell[2] == "0"
    assert 'data-state="as-recommended"' in cell[1] and 'data-related="true"' in cell[1]
    # Alone, the spoke's gap is red again.
    alone = run_cli("check", "--no-cache", "--output-format", "markdown", "search.yaml",
                    cwd=tmp_path).out
    row = next(line for line in alone.splitlines() if line.startswith("| search-ml |"))
    assert "0/1 🟥" in row, row


def _team_file(name: str, parent: str | None, maturity: str | None, members: str) -> str:
    meta = f"{{name: {name}" + (f", parent: {parent}" if parent else "") + "}"
    stage = f"  maturity: {maturity}\n" if maturity else ""
    return (f"apiVersion: orglint/v1\nkind: Team\nmetadata: {meta}\nspec:\n{stage}"
            f"  members: [{members}]\n")


def test_a_gap_the_lineage_answers_in_part_stays_red_in_the_table(run_cli, tmp_path):
    # Found by review: the MLOps cell showed ↕ and green while ORG206, answered only in
    # part (no platform engineer anywhere), was still reported naming it.
    (tmp_path / "hub.yaml").write_text(
        _team_file("hub", None, None, "{id: mo, role: mlops-engineer}"))
    (tmp_path / "spoke.yaml").write_text(_team_file(
        "spoke", "hub", "production",
        "{id: a, role: ml-engineer}, {id: b, role: data-scientist}"))
    out = run_cli("check", "--no-cache", "--output-format", "markdown", "hub.yaml",
                  "spoke.yaml", cwd=tmp_path).out
    assert "ORG206" in out and "mlops-engineer" in out
    row = next(line for line in out.splitlines() if line.startswith("| spoke |"))
    assert "↕" not in row and row.count("🟥") == 2, row


def test_a_cell_both_shared_and_related_has_one_tooltip(run_cli, tmp_path):
    # Found by review: two title attributes (invalid HTML; the second was lost).
    import re

    (tmp_path / "hub.yaml").write_text(
        _team_file("hub", None, None, "{id: mo, role: ml-engineer}"))
    (tmp_path / "spoke.yaml").write_text(_team_file(
        "spoke", "hub", "production",
        "{id: p, role: platform-engineer}, {id: b, role: mlops-engineer, owns: [training-code]},"
        " {id: c, role: data-scientist}, {id: d, role: data-scientist},"
        " {id: s, role: devops-sre}"))
    html = run_cli("check", "--no-cache", "--output-format", "html", "hub.yaml",
                   "spoke.yaml", cwd=tmp_path).out
    cells = re.findall(r'<td data-role="[^"]+"[^>]*data-related[^>]*>', html)
    assert cells and all(cell.count(" title=") == 1 for cell in cells), cells
