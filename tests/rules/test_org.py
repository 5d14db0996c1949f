"""ORG008–ORG011 and ORG301: rules that see every file of the org."""

from __future__ import annotations

from tests.conftest import at

PEOPLE = """\
apiVersion: orglint/v1
kind: People
spec:
  people:
    - {id: alice, name: Alice Chen, title: Senior ML Engineer, level: senior}
    - {id: bo, name: Bo Li, title: MLOps Engineer, level: mid}
"""


def team(name: str, members: list[str], parent: str | None = None) -> str:
    meta = f"{{name: {name}" + (f", parent: {parent}" if parent else "") + "}"
    return (f"apiVersion: orglint/v1\nkind: Team\nmetadata: {meta}\nspec:\n"
            "  maturity: pilot\n  members:" + ("\n" if members else " []\n")
            + "".join(f"    - {m}\n" for m in members))


def test_org011_a_cycle_through_a_shared_id_does_not_depend_on_the_files_named(lint):
    # Two teams share the id t0 (ORG010); the one last in path order gives its parent.
    # Named alone, team.yaml is read before a.yaml: the cycle must still be seen, as
    # the whole org's run sees it.
    source = team("t0", [], parent="t0")
    lint.check(source, select=["ORG011"], files={"a.yaml": team("t0", [])},
               expected=[(*at(source, "t0}"), "ORG011")])


def test_org008_unknown_person_only_with_people_files(lint):
    source = team("t", ["{id: alice, role: ml-engineer}", "{id: alcie, role: ml-engineer}",
                        "{id: zed, name: Zed, role: ml-engineer}"])
    found = lint.check(source, select=["ORG008"], files={"people.yaml": PEOPLE},
                       expected=[(*at(source, "alcie"), "ORG008")])
    assert "did you mean 'alice'" in found[0].message
    lint.check(source, select=["ORG008"], expected=[])
    # Named on another team of the org, a person has details somewhere (spec: "no person
    # details anywhere"): known, whichever file is checked.
    other = team("u", ["{id: uma, name: Uma Rao, title: AI Platform Engineer}"])
    here = team("t", ["{id: uma, allocation: 20}", "{id: umaa, allocation: 20}"])
    lint.check(here, select=["ORG008"], files={"people.yaml": PEOPLE, "u.yaml": other},
               expected=[(*at(here, "umaa"), "ORG008")])


def test_people_file_supplies_the_role_title(lint):
    # bo has no role or title inline: the People file's title makes bo an MLOps engineer.
    source = team("t", ["{id: bo, owns: [training-pipelines, data-pipelines]}"])
    lint.check(source, select=["ORG004", "ORG107"], files={"people.yaml": PEOPLE},
               expected=[(*at(source, "data-pipelines"), "ORG107")])


def test_a_people_file_in_flow_style_is_read_before_the_teams(lint):
    # JSON is YAML too: `"kind": "People"` on one line must still make the file a
    # registry that team files are checked against.
    flow = ('{"apiVersion": "orglint/v1", "kind": "People", "spec": {"people": ['
            '{"id": "bo", "name": "Bo Li", "title": "MLOps Engineer", "level": "mid"}]}}\n')
    source = team("t", ["{id: bo, owns: [training-pipelines, data-pipelines]}"])
    lint.check(source, select=["ORG004", "ORG107"], files={"people.json.yaml": flow},
               expected=[(*at(source, "data-pipelines"), "ORG107")])


def test_org009_conflicting_person_at_the_differing_field(lint):
    source = team("t", ["{id: alice, level: mid, role: ml-engineer}"])
    found = lint.check(source, select=["ORG009"], files={"people.yaml": PEOPLE},
                       expected=[(*at(source, "mid"), "ORG009")])
    assert found[0].message == "alice's level is 'mid' here but 'senior' at people.yaml:5"


def test_org009_is_silent_on_the_same_words_written_differently(lint):
    # Case, spacing, punctuation and "Sr." for "Senior" say nothing different.
    source = team("t", ['{id: alice, name: "alice  chen", title: "Sr. ML engineer"}',
                        "{id: bo, name: Bo Li, title: MLOps Eng.}"])
    lint.check(source, select=["ORG009"], files={"people.yaml": PEOPLE}, expected=[])
    # Nor does how a qualifier is set off.
    people = PEOPLE.replace("title: MLOps Engineer", 'title: "MLOps Engineer, Search"')
    for written in ("MLOps Engineer (Search)", "MLOps Engineer - Search"):
        source = team("t", [f"{{id: bo, title: {written}}}"])
        lint.check(source, select=["ORG009"], files={"people.yaml": people}, expected=[])
    # Nor do the long and short forms the matrix reads as one ("Machine Learning" is
    # "ML", "MLOps" is "ML Ops").
    for written in ("Senior Machine Learning Engineer", "Sr. machine-learning engineer"):
        source = team("t", [f"{{id: alice, title: {written}}}"])
        lint.check(source, select=["ORG009"], files={"people.yaml": PEOPLE}, expected=[])
    source = team("t", ["{id: bo, title: ML Ops Engineer}"])
    lint.check(source, select=["ORG009"], files={"people.yaml": PEOPLE}, expected=[])
    # A different word is a different title: a promotion the People file missed.
    source = team("t", ["{id: alice, title: Staff ML Engineer}"])
    found = lint.check(source, select=["ORG009"], files={"people.yaml": PEOPLE},
                       expected=[(*at(source, "Staff ML Engineer"), "ORG009")])
    assert "'Staff ML Engineer' here but 'Senior ML Engineer'" in found[0].message
    # A qualifier set off or not is another role: "Engineering Manager, MLOps" is a
    # manager, "Engineering Manager MLOps" an MLOps engineer.
    people = PEOPLE.replace("title: MLOps Engineer", 'title: "Engineering Manager, MLOps"')
    source = team("t", ["{id: bo, title: Engineering Manager MLOps}"])
    lint.check(source, select=["ORG009"], files={"people.yaml": people},
               expected=[(*at(source, "Engineering Manager MLOps"), "ORG009")])
    # The marks between alternatives are read: "ML/DevOps" is two roles, "ML DevOps" one.
    people = PEOPLE.replace("title: MLOps Engineer", "title: ML/DevOps Engineer")
    source = team("t", ["{id: bo, title: ML DevOps Engineer}"])
    lint.check(source, select=["ORG009"], files={"people.yaml": people},
               expected=[(*at(source, "ML DevOps Engineer"), "ORG009")])


def test_org009_is_also_at_the_record_the_others_disagree_with(lint):
    # The People entry is a place of the conflict too: a pre-commit run naming only the
    # People file (a level just changed there) said nothing of it.
    source = team("t", ["{id: alice, level: mid, role: ml-engineer}"])
    other = team("u", ["{id: alice, level: junior, role: ml-engineer}"])
    found = lint.check(PEOPLE, name="people.yaml", select=["ORG009"],
                       files={"teams/t.yaml": source, "teams/u.yaml": other},
                       expected=[(*at(PEOPLE, "senior"), "ORG009"),
                                 (*at(source, "mid"), "ORG009"),
                                 (*at(other, "junior"), "ORG009")])
    ours = next(f for f in found if f.file == "people.yaml")
    assert ours.message == ("alice's level is 'senior' here but 'mid' at teams/t.yaml:7,"
                            " 'junior' at teams/u.yaml:7")
    assert [(r.file, r.line) for r in ours.related] == [("teams/t.yaml", 7),
                                                        ("teams/u.yaml", 7)]


def test_org010_duplicate_team_reported_in_the_named_file(lint):
    source = team("recsys", ["{id: a, name: A, role: ml-engineer}"])
    found = lint.check(source, select=["ORG010"],
                       files={"teams/other.yaml": team("recsys", ["{id: b, name: B}"])},
                       expected=[(*at(source, "recsys"), "ORG010")])
    assert "teams/other.yaml:3" in found[0].message


def test_org011_unknown_parent_and_cycle(lint):
    source = team("a", ["{id: x, name: X}"], parent="ml-divison")
    found = lint.check(source, select=["ORG011"], files={"div.yaml": team("ml-division", [])},
                       expected=[(*at(source, "ml-divison"), "ORG011")])
    assert "did you mean 'ml-division'" in found[0].message
    source = team("a", ["{id: x, name: X}"], parent="b")
    found = lint.check(source, select=["ORG011"], files={"b.yaml": team("b", [], parent="a")},
                       expected=[(*at(source, "b}"), "ORG011")])
    assert found[0].severity.label == "error"
    assert "a -> b -> a" in found[0].message


def test_org011_says_when_the_parent_may_be_in_a_file_left_unread(lint):
    # The group file's YAML error costs its document: the parent cannot be found, and
    # the message says it may be in the part left unread rather than flatly absent.
    source = team("a", ["{id: x, name: X}"], parent="ml-division")
    groups = ("apiVersion: orglint/v1\nkind: Group\nmetadata: {name: ml-division\n"
              "spec: {}\n")
    found = lint.findings(source, select=["ORG011"], files={"groups.yaml": groups})
    # The unreadable file is reported too (never a pass), before the team's file.
    assert [(f.file, f.line, f.column, f.code) for f in found] == [
        ("groups.yaml", 4, 5, "ORG001"), ("team.yaml", *at(source, "ml-division"), "ORG011")]
    found = found[1:]
    assert found[0].message.endswith("a YAML error left part of groups.yaml unread, and"
                                      " it may be there")


def test_org011_known_parent_is_fine(lint):
    lint.check(team("a", ["{id: x, name: X}"], parent="b"), select=["ORG011"],
               files={"b.yaml": team("b", [])}, expected=[])


def test_org301_over_allocated_across_files(lint):
    source = team("recsys", ["{id: kim, name: Kim, allocation: 60}"])
    other = team("ltv", ["{id: kim, name: Kim, allocation: 60}"])
    found = lint.check(source, select=["ORG301"], files={"teams/ltv.yaml": other},
                       expected=[(*at(source, "60"), "ORG301")])
    assert found[0].message == "kim is allocated 120%: 60% here, 60% in teams/ltv.yaml:7"
    assert found[0].related[0].file == "teams/ltv.yaml"


def test_org301_says_which_allocation_is_the_default(lint):
    # Found by review: "101%: 1% here" named a number no file holds.
    source = team("recsys", ["{id: kim, name: Kim}"])
    other = team("ltv", ["{id: kim, name: Kim, allocation: 60}"])
    found = lint.check(source, select=["ORG301"], files={"teams/ltv.yaml": other},
                       expected=[(*at(source, "kim"), "ORG301")])
    assert found[0].message == ("kim is allocated 160%: 100% here (not written: the"
                                " default), 60% in teams/ltv.yaml:7")


def test_org301_counts_a_person_listed_twice_on_one_team_once(lint):
    source = team("recsys", ["{id: kim, name: Kim, allocation: 60}",
                             "{id: kim, name: Kim, allocation: 60}"])
    lint.check(source, select=["ORG301"], expected=[])
    other = team("ltv", ["{id: kim, name: Kim, allocation: 50}"])
    found = lint.check(source, select=["ORG301"], files={"teams/ltv.yaml": other},
                       expected=[(*at(source, "60"), "ORG301")])
    assert found[0].message == "kim is allocated 110%: 60% here, 50% in teams/ltv.yaml:7"


def test_org301_silent_at_100(lint):
    other = team("ltv", ["{id: kim, name: Kim, allocation: 60}"])
    lint.check(team("recsys", ["{id: kim, name: Kim, allocation: 40}"]), select=["ORG301"],
               files={"teams/ltv.yaml": other}, expected=[])


def test_one_file_run_sees_the_whole_org(lint, tmp_path):
    """Three files checked whole, then one at a time: the same cross-file findings."""
    from orglint.config import Settings
    from orglint.engine import Request, plan, run

    folder = tmp_path / "three"
    (folder / "teams").mkdir(parents=True)
    (folder / "people.yaml").write_text(PEOPLE)
    (folder / "teams" / "a.yaml").write_text(
        team("a", ["{id: alice, allocation: 70, role: ml-engineer}"]))
    (folder / "teams" / "b.yaml").write_text(
        team("a", ["{id: alice, allocation: 50, role: ml-engineer}", "{id: ghost, role: other}"]))
    settings = Settings(root=folder, cache=False, select=["ORG008", "ORG010", "ORG301"],
                        paths=["people.yaml", "teams/*.yaml"])
    whole = run(plan(settings), Request([], cwd=folder)).findings
    by_file: dict[str, list[tuple[int, int, str]]] = {}
    for f in whole:
        by_file.setdefault(f.file, []).append((f.line, f.column, f.code))
    assert set(by_file) == {"teams/a.yaml", "teams/b.yaml"}
    for name in ("teams/a.yaml", "teams/b.yaml"):
        one = run(plan(settings), Request([name], cwd=folder)).findings
        assert [(f.line, f.column, f.code) for f in one] == by_file.get(name, [])
        assert {f.file for f in one} <= {name}
    # Every file depends on a People file: naming it checks and reports the whole org.
    assert run(plan(settings), Request(["people.yaml"], cwd=folder)).findings == whole


def test_org009_silent_when_details_agree(lint):
    lint.check(team("t", ["{id: alice, level: senior, title: Senior ML Engineer}"]),
               select=["ORG009"], files={"people.yaml": PEOPLE}, expected=[])


def test_org010_silent_for_distinct_teams(lint):
    lint.check(team("recsys", ["{id: a, name: A}"]), select=["ORG010"],
               files={"teams/other.yaml": team("ranking", ["{id: b, name: B}"])}, expected=[])


def test_people_file_roles_are_checked(lint):
    source = PEOPLE.replace("level: mid}", "level: mid, role: mlops-engneer}")
    found = lint.check(source, name="people.yaml", select=["ORG004"],
                       expected=[(*at(source, "mlops-engneer"), "ORG004")])
    assert found[0].entity == "bo"
    assert "did you mean 'mlops-engineer'" in found[0].message


def test_org_rules_stay_linear_on_a_pathological_org(tmp_path):
    """Thousands of teams with one id, one person everywhere, and a 3,000-long parent
    chain closing on itself: bounded messages, no quadratic blow-up."""
    import time

    from orglint.config import Settings
    from orglint.engine import Request, plan, run

    folder = tmp_path / "big"
    folder.mkdir()
    count = 3000
    for i in range(count):
        parent = f"t{(i + 1) % count}"
        (folder / f"t{i}.yaml").write_text(
            f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: t{i}, parent: {parent}}}\n"
            "spec:\n  maturity: pilot\n  members:\n    - {id: kim, name: Kim, allocation: 10}\n")
    (folder / "dup.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t0}\n"
        "spec:\n  maturity: pilot\n  members: []\n")
    settings = Settings(root=folder, cache=False, select=["ORG010", "ORG011", "ORG301"],
                        paths=["*.yaml"])
    start = time.perf_counter()
    result = run(plan(settings), Request([], cwd=folder, jobs=1))
    assert time.perf_counter() - start < 60
    by_code: dict[str, int] = {}
    for f in result.findings:
        by_code[f.code] = by_code.get(f.code, 0) + 1
        assert len(f.message) < 400, f.message
    assert by_code == {"ORG010": 2, "ORG011": count, "ORG301": count}
    over = next(f for f in result.findings if f.code == "ORG301")
    assert over.message.startswith("kim is allocated 30000%: 10% here, 10% in t")
    assert over.message.endswith(f"and {count - 6} more")


def test_rules_that_report_at_each_record_see_only_the_people_of_the_named_files():
    # A pre-commit run names one file of thousands: ORG009 and ORG301 need the records
    # of its people only (wherever they are), not everyone's.
    from orglint.facts import FileFacts, PersonFact
    from orglint.rules.org import OrgContext

    files: dict[str, FileFacts] = {}
    for i in range(10):
        facts = files[f"t{i}.yaml"] = FileFacts()
        facts.persons = [PersonFact(pid, f"t{i}.yaml", 0, 0, f"t{i}", 60, -1, True, ())
                         for pid in (f"own{i}", "kim")]
    named = OrgContext(files, {"t3.yaml"}).persons_named()
    assert sorted((p.id, p.file) for p in named) == sorted(
        [("own3", "t3.yaml")] + [("kim", f"t{i}.yaml") for i in range(10)])
    # Most files named (or none said): every record, unfiltered.
    assert len(OrgContext(files, set(files)).persons_named()) == 20
    assert len(OrgContext(files).persons_named()) == 20


def test_the_org_reads_a_person_as_the_first_people_entry_in_path_order(tmp_path):
    # Two People entries disagree on kim's role.  Named alone (read first), the team's
    # file must not make its own entry the org's: a pre-commit run reports what the
    # whole org's run reports for that file.
    from orglint.config import Settings
    from orglint.engine import Request, plan, run

    (tmp_path / "a.yaml").write_text(
        "apiVersion: orglint/v1\nkind: People\nspec:\n  people:\n"
        "    - {id: kim, role: data-scientist}\n")
    (tmp_path / "team.yaml").write_text(
        "apiVersion: orglint/v1\nkind: People\nspec:\n  people:\n"
        "    - {id: kim, role: devops-sre}\n---\n"
        + team("t", ["{id: kim, owns: [training-pipelines]}"]))

    def findings(named: list[str]) -> list[tuple[str, int, int, str]]:
        settings = Settings(root=tmp_path, select=["ALL"], cache=False)
        settings.paths = ["*.yaml"]
        result = run(plan(settings), Request(named, cwd=tmp_path))
        return [(f.code, f.line, f.column, f.message) for f in result.findings
                if f.file == "team.yaml"]

    whole = findings([])
    assert findings(["team.yaml"]) == whole
    assert any("data-scientist" in message for *_, message in whole)


def test_org301_names_the_other_places_in_path_order_however_the_files_were_read(run_cli,
                                                                                  tmp_path):
    # Found by the trust review: a cached run named them in another order than a run
    # without the cache (a file checked since the cache was filled came back last).
    def write(name: str) -> None:
        (tmp_path / name).write_text(team(name[:-5].replace("0", "z"),
                                          ["{id: lee, role: ml-engineer, allocation: 50}"]))

    write("a.yaml")
    write("b.yaml")
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\n")
    run_cli("check", "--select", "ORG301", cwd=tmp_path)  # fills the cache
    write("0first.yaml")
    plain = run_cli("check", "a.yaml", "--no-cache", "--select", "ORG301", cwd=tmp_path).out
    assert "50% in 0first.yaml:7, 50% in b.yaml:7" in plain, plain
    for _ in range(2):
        assert run_cli("check", "a.yaml", "--select", "ORG301", cwd=tmp_path).out == plain
