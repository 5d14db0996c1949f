"""The Markdown summary, and what orglint does under GitHub Actions."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from orglint.config import Settings
from orglint.engine import plan, run
from orglint.files import Request, gather
from orglint.orgview import build
from orglint.reporters import ReportContext
from orglint.reporters.markdown import render_capped
from tests.conftest import REPO, dedent


@pytest.fixture
def examples(tmp_path):
    # The good and bad teams; the policies' own seeded teams have tests of their own.
    shutil.copytree(REPO / "examples", tmp_path / "examples",
                    ignore=shutil.ignore_patterns("policies"))
    return tmp_path


def test_markdown_has_counts_rules_coverage_and_findings(run_cli, examples):
    result = run_cli("check", "examples", "--output-format", "markdown")
    assert result.code == 1
    out = result.out
    assert out.startswith("## orglint: 20 errors, 17 warnings, 7 info in 7 files")
    assert "| ORG104 | devops-runs-model-lifecycle | error | 1 |" in out
    assert "| recsys | production | 8 | 2/2 ✅ | 2/2 ✅ | 2/2 ✅ | 1/1 ✅ | 0/0 | 1/1 ✅ |" in out
    assert "| ranking | production | 3 | 0/1 🟥 |" in out
    assert "<details><summary>ranking (examples/bad/coverage.yaml): 7 findings</summary>" in out
    assert "- examples/bad/role\\-fit.yaml:" not in out  # '-' needs no escape
    assert "- examples/bad/role-fit.yaml:18:26 **ORG104** \\[error\\]" in out


def test_markdown_heading_says_one_error_and_one_warning(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
        "  maturity: pilot\n  members:\n    - {id: a, role: devops-sre,"
        " owns: [training-pipelines]}\n")
    out = run_cli("check", "--no-cache", "--select", "ORG104", "t.yaml",
                  "--output-format", "markdown", cwd=tmp_path).out
    assert out.startswith("## orglint: 1 error, 0 warnings, 0 info in 1 file\n"), out


def test_markdown_escapes_content(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: "x|y <script>alert(1)</script> *b* [l](http://e)"}
            - {id: b, role: "@octocat see https://evil.example #1 www.x.io GH-7"}
        """))
    out = run_cli("check", "t.yaml", "--output-format", "markdown").out
    assert "<script>" not in out
    assert ("x\\|y &lt;script&gt;alert(1)&lt;/script&gt; \\*b\\* \\[l\\](http:&#8203;//e)"
            in out)
    # Posted as a PR comment, content must not ping anyone or link anywhere by itself.
    assert ("@&#8203;octocat see https:&#8203;//evil.example #&#8203;1 www&#8203;.x.io"
            " GH-&#8203;7") in out


def test_markdown_renders_no_math(run_cli, tmp_path):
    # Found by review: GitHub renders $...$ as math, large enough to imitate the
    # report's own "All checks passed".
    (tmp_path / "$$x$$.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: "$$\\\\Huge\\\\textsf{All checks passed}$$"}
        """))
    out = run_cli("check", ".", "--no-cache", "--output-format", "markdown").out
    assert "\\$\\$\\\\Huge" in out
    assert "<summary>" in out and "&#36;&#36;x&#36;&#36;.yaml" in out
    assert "$$" not in out


def test_markdown_group_headings_link_and_ping_nobody(run_cli, tmp_path):
    # A file's name is shown in a <summary>, where GitHub links and pings too.
    team = dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: NAME}
        spec: {maturity: pilot, members: [{id: a, role: "x"}]}
        """)
    (tmp_path / "@acme").mkdir()
    (tmp_path / "@acme" / "platform.yaml").write_text(team.replace("NAME", "t1"))
    (tmp_path / "fixes #1 see www.evil.example.yaml").write_text(team.replace("NAME", "t2"))
    out = run_cli("check", ".", "--no-cache", "--output-format", "markdown").out
    summaries = [line for line in out.splitlines() if "<summary>" in line]
    assert len(summaries) == 2, out
    assert any("@&#8203;acme/platform.yaml" in line for line in summaries)
    assert any("fixes #&#8203;1 see www&#8203;.evil.example.yaml" in line for line in summaries)
    assert not any("@acme" in line or "#1" in line or "www." in line for line in summaries)


def _report(folder: Path) -> tuple:
    settings = Settings(root=folder, select=["ALL"], cache=False)
    the_plan = plan(settings)
    gathered = gather(settings, ["examples"], cwd=folder)
    result = run(the_plan, Request(["examples"], cwd=folder), gathered)
    view = build(the_plan.matrix, gathered, settings.limits)
    return result, ReportContext(rules=the_plan.rules, root=folder, org=view)


def test_markdown_is_cut_with_a_note_past_its_cap(examples):
    result, ctx = _report(examples)
    whole = render_capped(result, ctx, 1024 * 1024)
    assert "Cut to stay" not in whole
    size = len(whole.encode())
    for cap in (size - 1, size // 2, 3000, 1500):
        text = render_capped(result, ctx, cap)
        assert len(text.encode()) <= cap
        assert "Cut to stay under" in text and "more finding" in text
        assert text.startswith("## orglint: 20 errors")
    # The coverage table takes at most half: findings are still shown.
    assert "<details>" in render_capped(result, ctx, 6000)


@pytest.fixture
def actions(monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    return summary


def test_summary_is_appended_under_github_actions(run_cli, examples, actions):
    actions.write_text("earlier step\n")
    result = run_cli("check", "examples", "--output-format", "sarif")
    assert result.code == 1 and result.out.startswith("{")
    text = actions.read_text()
    assert text.startswith("earlier step\n## orglint: 20 errors")
    run_cli("check", "examples/good")
    assert actions.read_text().startswith(text)
    assert actions.read_text().count("## orglint:") == 2


def test_summary_never_follows_a_symlink(run_cli, examples, actions):
    victim = examples / "victim.txt"
    victim.write_text("keep\n")
    actions.symlink_to(victim)
    result = run_cli("check", "examples/good")
    assert result.code == 0
    assert "cannot append the summary" in result.err
    assert victim.read_text() == "keep\n"


def _org(folder: Path, teams: dict[str, int]) -> None:
    """Teams whose every member holds an unknown role: one error each."""
    for name, count in teams.items():
        members = "".join(f"    - {{id: {name}{i}, role: nope}}\n" for i in range(count))
        (folder / f"{name}.yaml").write_text(
            f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: {name}}}\nspec:\n"
            f"  maturity: exploring\n  members:\n{members}")


def _errors(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("::error ")]


def test_annotations_put_named_files_first_and_say_what_is_hidden(run_cli, tmp_path,
                                                                   actions):
    _org(tmp_path, {"aaa": 8, "zzz": 8})
    result = run_cli("check", ".", "zzz.yaml", "--output-format", "github",
                     "--select", "ORG004")
    errors = _errors(result.out)
    assert len(errors) == 10
    assert all("file=zzz.yaml" in line for line in errors[:8])
    lines = result.out.splitlines()
    assert lines[-1].startswith("::notice title=orglint::6 more findings not shown")
    assert "job summary" in lines[-1]
    rest = [line for line in lines if "not annotated" in line]
    assert len(rest) == 6 and not any(line.startswith("::") for line in rest)


def test_annotations_follow_the_pull_requests_diff(run_cli, tmp_path, actions, monkeypatch):
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    _org(tmp_path, {"aaa": 8, "mmm": 8, "zzz": 8})
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    subprocess.run([*git, "checkout", "-qb", "change"], check=True)
    (tmp_path / "mmm.yaml").write_text((tmp_path / "mmm.yaml").read_text() + "# edited\n")
    subprocess.run([*git, "commit", "-qam", "edit"], check=True)
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    result = run_cli("check", ".", "--select", "ORG004")  # text, plus annotations
    errors = _errors(result.out)
    assert len(errors) == 10
    assert all("file=mmm.yaml" in line for line in errors[:8])
    assert "14 more findings not shown" in result.out


def test_annotations_follow_a_changed_file_whose_name_is_not_ascii(run_cli, tmp_path, actions,
                                                                  monkeypatch):
    # git quotes such a name in `diff --name-only` unless asked for -z: "\303\251..."
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    _org(tmp_path, {"aaa": 8, "mmm": 8})
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    subprocess.run([*git, "checkout", "-qb", "change"], check=True)
    _org(tmp_path, {"\u00e9quipe \"q\"": 8})
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "add"], check=True)
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    errors = _errors(run_cli("check", ".", "--select", "ORG004").out)
    assert len(errors) == 10
    assert all("file=\u00e9quipe \"q\".yaml" in line for line in errors[:8]), errors


def test_few_annotations_need_no_notice(run_cli, tmp_path, actions):
    _org(tmp_path, {"aaa": 3})
    out = run_cli("check", ".", "--output-format", "github", "--select", "ORG004").out
    assert len(_errors(out)) == 3 and "::notice" not in out


def test_markdown_reads_again_only_the_files_named(run_cli, tmp_path, monkeypatch):
    import orglint.orgview

    _org(tmp_path, {"aaa": 1, "bbb": 1, "ccc": 1})
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\n")
    loaded = []
    real = orglint.orgview.load
    monkeypatch.setattr(orglint.orgview, "load",
                        lambda raw, file, limits: loaded.append(file) or real(raw, file, limits))
    out = run_cli("check", "bbb.yaml", "--output-format", "markdown").out
    assert loaded == ["bbb.yaml"]
    assert "| bbb | exploring |" in out and "| aaa |" not in out


def test_the_closing_notice_is_among_the_ten_notices_shown(tmp_path):
    from orglint.findings import Finding, Result, Severity
    from orglint.ghactions import annotate

    def finding(n: int, severity: Severity) -> Finding:
        return Finding("ORG206", "role-mix-gap", severity, "m", f"t{n}.yaml", 1, 1, 1, 2)

    result = Result([finding(n, Severity.INFO) for n in range(12)]
                    + [finding(n, Severity.ERROR) for n in range(11)])
    lines = annotate(result, ReportContext(rules={}, root=tmp_path), set(), None
                     ).splitlines()
    notices = [line for line in lines if line.startswith("::notice")]
    assert len(notices) == 10 and notices[-1] == lines[-1]
    assert "4 more findings not shown" in lines[-1]  # 3 notices and 1 error
    assert len([line for line in lines if line.startswith("::error")]) == 10


def test_the_org_view_reads_people_in_path_order_whatever_is_named(tmp_path):
    # The view behind the HTML and Markdown reports read People files in gathered order
    # (named first): naming b.yaml made its entry for ana the one shown, not the one
    # the findings used (the first in path order).
    from orglint.loader import Limits
    from orglint.matrix import load_matrix

    people = "apiVersion: orglint/v1\nkind: People\nspec: {{people: [{{id: ana, role: {r}}}]}}\n"
    (tmp_path / "a.yaml").write_text(people.format(r="data-engineer"))
    (tmp_path / "b.yaml").write_text(people.format(r="ml-engineer"))
    (tmp_path / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
                                     "spec: {maturity: pilot, members: [{id: ana}]}\n")
    settings = Settings(root=tmp_path, cache=False)
    settings.paths = ["*.yaml"]
    roles = []
    for named in (["t.yaml"], ["b.yaml", "t.yaml"]):
        gathered = gather(settings, named, cwd=tmp_path)
        view = build(load_matrix(None), gathered, Limits())
        roles.append([m.role for t in view.teams for m in t.members])
    assert roles == [["data-engineer"], ["data-engineer"]]


def test_the_coverage_table_counts_a_member_who_does_both_as_orgs206_does(run_cli, tmp_path):
    # A pilot team of three whose ML engineer also does the MLOps work: ORG206 is
    # silent (one person does both), and the table must not show an MLOps gap.
    (tmp_path / "t.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: small}
        spec:
          maturity: pilot
          members:
            - {id: pat, role: platform-engineer, owns: [gpu-operator]}
            - {id: ada, role: ml-engineer, owns: [training-code, training-pipelines]}
            - {id: sam, role: data-scientist, owns: [model-design]}
        """))
    out = run_cli("check", "t.yaml", "--no-cache", "--output-format", "markdown").out
    assert "ORG206" not in out
    row = next(line for line in out.splitlines() if line.startswith("| small |"))
    assert "🟥" not in row, row
    # Found by review: the seat was counted as headcount, a team of three read as four
    # people; the headcount is 0 and the shared seat is shown apart.
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[4:6] == ["0 +1/1 ✅", "1/1 ✅"], cells  # mlops-engineer, ml-engineer
    html = run_cli("check", "t.yaml", "--no-cache", "--output-format", "html").out
    cell = re.search(r'<tr data-team="small">.*?<td data-role="mlops-engineer"([^>]*)>(\d+)</td>',
                     html)
    assert cell is not None and cell[2] == "0", cell
    assert 'data-state="as-recommended"' in cell[1] and 'data-shared="1"' in cell[1]


def test_the_coverage_table_uses_the_team_size_the_configuration_gives(run_cli, tmp_path):
    # ORG109 `team-size: 2`: on a team of three one person doing both is no longer the
    # article's small team, ORG206 names the MLOps gap, and so must the table.
    (tmp_path / "t.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: small}
        spec:
          maturity: pilot
          members:
            - {id: pat, role: platform-engineer, owns: [gpu-operator]}
            - {id: ada, role: ml-engineer, owns: [training-code, training-pipelines]}
            - {id: sam, role: data-scientist, owns: [model-design]}
        """))
    (tmp_path / ".orglint.yaml").write_text("rules:\n  ORG109: {team-size: 2}\n")
    out = run_cli("check", "t.yaml", "--no-cache", "--output-format", "markdown").out
    assert "ORG206" in out and "mlops-engineer" in out, out
    row = next(line for line in out.splitlines() if line.startswith("| small |"))
    assert "🟥" in row, row


def test_a_team_without_a_stage_gets_no_verdict_in_the_coverage_table(run_cli, tmp_path):
    # 'prod' is no stage: there is no recommended mix, so no cell is "over" (ORG206
    # says nothing of it either).
    (tmp_path / "t.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: nostage}
        spec:
          maturity: prod
          members:
            - {id: a, role: ml-engineer}
        """))
    out = run_cli("check", "t.yaml", "--no-cache", "--output-format", "markdown").out
    row = next(line for line in out.splitlines() if line.startswith("| nostage |"))
    assert "no valid stage" in row and "🟦" not in row and "🟥" not in row, row


def test_the_coverage_table_counts_the_heads_the_findings_count(run_cli, tmp_path):
    # A numeric id is read as the text it spells by the check (ORG206's "team of 2");
    # the coverage table read the document without it (1 head).
    (tmp_path / "team.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: search}
        spec:
          maturity: pilot
          members:
            - {id: jules, name: Jules, title: Senior ML Engineer, owns: [training-code]}
            - {id: 2024, name: Year Hire, title: Data Engineer, owns: [warehouse]}
        """))
    result = run_cli("check", "--no-config", "team.yaml", "--output-format", "markdown",
                     cwd=tmp_path)
    assert "team of 2" in result.out
    assert "| search | pilot | 2 |" in result.out, result.out
