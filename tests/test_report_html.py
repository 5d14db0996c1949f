"""The HTML report, read as HTML (the browser tests are in test_report_browser.py)."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from html.parser import HTMLParser

import pytest

from orglint.explore import compose
from orglint.matrix import load_matrix
from orglint.reporters.composer_table import masks, table
from tests.conftest import ACME_MATRIX, REPO, dedent


class Page(HTMLParser):
    """The elements of a page as (tag, attributes, text) plus its script bodies."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []
        self.texts: dict[int, str] = {}
        self._open: list[int] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._text = dict(attrs), []
        if tag in ("td", "tr"):
            self._open.append(len(self.elements) - 1)
            self.texts[len(self.elements) - 1] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None
        if tag in ("td", "tr") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)
        for index in self._open:
            self.texts[index] += data

    def find(self, tag: str, **attrs: str) -> list[int]:
        return [i for i, (t, a) in enumerate(self.elements)
                if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def examples_html(tmp_path_factory):
    from orglint.cli import main

    folder = tmp_path_factory.mktemp("examples")
    shutil.copytree(REPO / "examples", folder / "examples",
                    ignore=shutil.ignore_patterns("policies"))
    out = folder / "report.html"
    import contextlib
    import io

    with contextlib.redirect_stderr(io.StringIO()):
        code = main(["check", str(folder / "examples"), "--no-cache", "--output-format",
                     "html", "--output-file", str(out)])
    assert code == 1
    return out.read_text(encoding="utf-8")


def test_coverage_table_has_a_row_per_team_and_a_cell_per_matrix_role(examples_html):
    page = Page(examples_html)
    assert len(page.find("table", id="coverage")) == 1
    teams = {page.elements[i][1]["data-team"] for i in page.find("tr") if
             "data-team" in page.elements[i][1]}
    assert teams == {"recsys", "ranking", "search", "search-infra", "ltv", "churn", "vision"}
    matrix = load_matrix(None)
    roles = [r for r in matrix.roles if matrix.in_matrix(r)]
    cells = [page.elements[i][1] for i in range(len(page.elements))
             if page.elements[i][0] == "td" and "data-role" in page.elements[i][1]]
    assert Counter(c["data-role"] for c in cells) == {r: len(teams) for r in roles}


def test_coverage_cells_hold_headcount_against_the_mix(examples_html):
    page = Page(examples_html)
    matrix = load_matrix(None)
    row = page.find("tr", data_team="recsys")[0]
    cells = {}
    for i in range(row + 1, len(page.elements)):
        tag, attrs = page.elements[i]
        if tag == "tr":
            break
        if tag == "td" and "data-role" in attrs:
            cells[attrs["data-role"]] = (page.texts[i], attrs["data-state"],
                                         attrs["data-recommended"])
    # examples/good/recsys-production.yaml: eight heads staffed as the composer says.
    mix = compose(matrix, 8, "production",
                  ["gpu-cluster", "model-registry", "model-serving"]).mix()
    assert {role: int(have) for role, (have, _, _) in cells.items()} == {
        "platform-engineer": 2, "mlops-engineer": 2, "ml-engineer": 2, "data-scientist": 1,
        "devops-sre": 0, "data-engineer": 1}
    for role, (have, state, want) in cells.items():
        assert int(want) == mix.get(role, 0)
        assert state == ("none" if int(have) == 0 == int(want) else "as-recommended")
    ranking = examples_html.split('data-team="ranking"')[1].split("</tr>")[0]
    assert 'data-role="platform-engineer" data-state="missing"' in ranking
    assert 'data-role="ml-engineer" data-state="over"' in ranking


def test_findings_by_team_link_to_file_line_and_rule(examples_html):
    page = Page(examples_html)
    assert page.find("section", id="findings")
    details = [page.elements[i][1] for i in page.find("details")
               if page.elements[i][1].get("data-team") == "ranking"]
    assert details
    assert 'href="examples/bad/coverage.yaml#L' in examples_html or re.search(
        r'href="[^"]*bad/coverage\.yaml#L\d+"', examples_html)
    codes = set(re.findall(r'href="#rule-(ORG\d+)"', examples_html))
    for code in codes:
        assert f'id="rule-{code}"' in examples_html
    # The team's findings are one click from its row.
    row = examples_html.split('data-team="ranking"')[1].split("</tr>")[0]
    anchor = re.search(r'class="count[^"]*"><a href="#(team-\d+)"', row)[1]
    assert f'<details id="{anchor}" data-team="ranking">' in examples_html


def test_risks_show_single_points_allocation_and_size(examples_html):
    risks = examples_html.split('<section id="risks">')[1].split("</section>")[0]
    assert "Single points of failure" in risks and "inference-handlers" in risks
    assert "120%" in risks  # kim, over-allocated across ltv and churn
    assert "Headcount against size" in risks


def test_headcount_against_size_counts_as_org303_does(run_cli, tmp_path):
    # A planned team of five engineers and their manager is no mismatch; a team of five
    # engineers planned as four is, and ORG303 says so too.
    def team(name: str, size: int, extra: str) -> str:
        members = "".join(f"    - {{id: {name}{i}, role: ml-engineer}}\n" for i in range(5))
        return (f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: {name}}}\nspec:\n"
                f"  maturity: pilot\n  size: {size}\n  members:\n{members}{extra}")
    (tmp_path / "a.yaml").write_text(team("led", 5, "    - {id: boss, role: manager}\n"))
    (tmp_path / "b.yaml").write_text(team("over", 4, ""))
    out = run_cli("check", "--no-cache", ".", "--output-format", "html").out
    risks = out.split('<section id="risks">')[1].split("</section>")[0]
    sizes = risks.split("Headcount against size")[1]
    assert 'data-team="over"' in sizes or ">over<" in sizes
    assert ">led<" not in sizes and 'data-team="led"' not in sizes
    text = run_cli("check", "--no-cache", ".", "--select", "ORG303").out
    assert "b.yaml" in text and "a.yaml" not in text


def test_page_is_self_contained(examples_html):
    assert not re.search(r'\b(src|href|action)="(https?:)?//', examples_html)
    assert "@import" not in examples_html and "url(" not in examples_html
    assert "Content-Security-Policy" in examples_html and "default-src 'none'" in examples_html


def test_explorer_has_every_role_and_composer_every_control(examples_html):
    page = Page(examples_html)
    matrix = load_matrix(None)
    assert page.find("select", id="role") and page.find("section", id="explorer")
    options = [page.elements[i][1]["value"] for i in page.find("option")
               if page.elements[i][1].get("value") in matrix.roles]
    assert set(options) == set(matrix.roles)
    panels = [a["data-role"] for t, a in page.elements if t == "article"]
    assert panels == list(matrix.roles)
    assert page.find("input", id="size") and page.find("select", id="maturity")
    boxes = [a["value"] for t, a in page.elements if t == "input" and a.get("name") == "system"]
    assert boxes == list(matrix.systems)
    assert page.find("ol", id="mix") and page.find("ul", id="gaps")


def test_explorer_lists_each_rule_of_a_role_once_with_its_reasons(examples_html):
    # ORG107 is a pattern for each direction of its pair: one item, both reasons; and
    # ORG109's reason has its team size filled in (found by review).
    panel = examples_html.split('<article class="role" data-role="mlops-engineer"', 1)[1]
    panel = panel.split("</article>", 1)[0]
    assert panel.count("<code>ORG107</code>") == 1
    org107 = panel.split("<code>ORG107</code>", 1)[1].split("</li>", 1)[0]
    assert org107.count("<br>") == 2  # the severity's line break, then the two reasons'
    assert "past a team size of 5," in panel and "{limit}" not in panel


def _answer(data, size, maturity, systems):
    """What the page's script looks up: no logic but the index."""
    mask = sum(1 << data["systems"].index(s) for s in systems)
    seats, practices, gaps = data["answers"][
        data["index"][maturity][size - 1][data["masks"].index(mask)]]
    return {"seats": [data["roles"][data["seats"][k][0]] for k in seats],
            "practices": [data["practices"][k][0] for k in practices],
            "gaps": [data["gaps"][k] for k in gaps]}


SYSTEM_SETS = ([], ["feature-store"], ["model-serving", "gpu-cluster"], None)


def test_composer_data_is_compose_itself(examples_html):
    page = Page(examples_html)
    data = json.loads(next(body for attrs, body in page.scripts
                           if attrs.get("id") == "composer-data"))
    matrix = load_matrix(None)
    for maturity in matrix.spec.maturity:
        for size in range(1, 41):
            for systems in SYSTEM_SETS:
                chosen = list(matrix.systems) if systems is None else systems
                want = compose(matrix, size, maturity, chosen).to_json()
                assert _answer(data, size, maturity, chosen) == {
                    "seats": [s["role"] for s in want["seats"]],
                    "practices": [p["id"] for p in want["practices"]],
                    "gaps": want["gaps"]}, (size, maturity, chosen)


def test_many_systems_keep_the_composer_bounded():
    matrix = load_matrix(None)
    every = masks(matrix, [])
    assert len(every) == 2 ** len(matrix.systems)
    # A budget for 30 system sets: the empty set, each system alone, every pair (1 + 7
    # + 21), and the sets teams run.
    used = [["feature-store", "streaming", "gpu-cluster"]]
    some = masks(matrix, used, budget=4 * 40 * 30)
    assert len(some) == 30
    assert max(bin(m).count("1") for m in some) == 3
    bits = {s: 1 << i for i, s in enumerate(matrix.systems)}
    assert sum(bits[s] for s in used[0]) in some
    small = table(matrix, used, max_size=3, budget=4 * 3 * 30)
    assert small["masks"] == some and len(small["index"]["pilot"]) == 3


def test_the_teams_own_system_sets_stay_within_the_composer_budget():
    # Three thousand teams each running another set of systems made the page's
    # precompute 70 s: the sets teams run count against the budget too, the most
    # common kept first.
    matrix = load_matrix(None)
    systems = list(matrix.systems)
    used = [[s for i, s in enumerate(systems) if n >> i & 1] for n in range(1, 128)] * 2
    used += [["feature-store"]] * 5
    budget = 4 * 40 * 10
    chosen = masks(matrix, used, budget=budget)
    assert len(chosen) * 4 * 40 <= budget
    assert 1 << systems.index("feature-store") in chosen  # the most common set


HOSTILE = """\
apiVersion: orglint/v1
kind: Team
metadata:
  name: evil
  title: "</script><script>alert('title')</script>"
spec:
  maturity: pilot
  members:
    - id: mallory
      name: "<script>alert('name')</script>"
      title: "<img src=x onerror=alert('t')>"
      role: "</td><script>alert('role')</script>"
      allocation: 70
"""
OTHER = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: other}
spec:
  maturity: pilot
  members:
    - {id: mallory, name: "<b onmouseover=alert(1)>", role: ml-engineer, allocation: 70}
"""


def test_hostile_content_is_escaped(run_cli, tmp_path):
    (tmp_path / "evil.yaml").write_text(dedent(HOSTILE))
    (tmp_path / "other.yaml").write_text(dedent(OTHER))
    result = run_cli("check", "evil.yaml", "other.yaml", "--output-format", "html")
    assert result.code == 1
    page = Page(result.out)
    # Two script elements only: the composer's JSON and the page's own code.
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None]
    assert "alert(" not in page.scripts[1][1]
    assert "<script>alert" not in result.out and "<img src=x" not in result.out
    assert "<b onmouseover" not in result.out
    # Shown, as text: the title (coverage), the role (ORG004), the name (allocation).
    for text in ("title", "role", "name"):
        assert f"&lt;script&gt;alert(&#x27;{text}&#x27;)&lt;/script&gt;" in result.out
    json.loads(page.scripts[0][1])  # still valid JSON
    # Every tag in the page is one the reporter writes.
    assert {t for t, _ in page.elements} <= {
        "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2",
        "h3", "h4", "p", "ul", "ol", "li", "strong", "nav", "a", "section", "table",
        "thead", "tbody", "tr", "th", "td", "span", "small", "div", "code", "details",
        "summary", "pre", "label", "select", "option", "article", "dl", "dt", "dd", "br",
        "form", "input", "fieldset", "legend", "footer", "script", "wbr"}


def test_allocation_counts_the_whole_org_for_a_file_named(run_cli, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(dedent(f"""\
            apiVersion: orglint/v1
            kind: Team
            metadata: {{name: {name}}}
            spec:
              maturity: exploring
              members:
                - {{id: kim, name: Kim, role: ml-engineer, allocation: 70}}
            """))
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\n")
    out = run_cli("check", "a.yaml", "--output-format", "html").out
    risks = out.split('<section id="risks">')[1].split("</section>")[0]
    assert "140%" in risks
    assert 'data-team="a"' in out and 'data-team="b"' not in out


def test_page_uses_the_orgs_own_matrix(run_cli, tmp_path):
    (tmp_path / "matrix.yaml").write_text(ACME_MATRIX)
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\n")
    (tmp_path / "t.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          systems: [llm-gateway]
          members: [{id: a, role: ml-engineer}]
        """))
    out = run_cli("check", "t.yaml", "--output-format", "html").out
    assert '<input type="checkbox" name="system" value="llm-gateway">' in out
    data = json.loads(Page(out).scripts[0][1])
    # Eight systems are past the budget for every subset (4 x 40 x 256 composes): every
    # subset of up to three systems (1 + 8 + 28 + 56) and the teams' own sets.
    assert data["systems"][-1] == "llm-gateway"
    assert len(data["masks"]) == 93 and 1 << 7 in data["masks"]
    matrix = load_matrix(tmp_path / "matrix.yaml")
    want = compose(matrix, 3, "production", ["llm-gateway"]).to_json()
    assert _answer(data, 3, "production", ["llm-gateway"])["gaps"] == want["gaps"]


def test_links_point_at_the_commit_under_github_actions(run_cli, tmp_path, monkeypatch):
    (tmp_path / "t.yaml").write_text(dedent(HOSTILE))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/org")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    out = run_cli("check", "t.yaml", "--output-format", "html").out
    assert re.search(r'href="https://github.com/acme/org/blob/abc123/t.yaml#L\d+"', out)


def test_single_points_are_listed_where_org207_reports_them(tmp_path):
    # The page listed a pilot team's sole owner, which ORG207 (production and scale)
    # never reports.
    from orglint.config import Settings
    from orglint.files import gather
    from orglint.orgview import build, single_points

    for name, stage in (("pilot", "pilot"), ("prod", "production")):
        (tmp_path / f"{name}.yaml").write_text(
            f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: {name}}}\nspec:\n"
            f"  maturity: {stage}\n  systems: [streaming]\n  members:\n"
            "    - {id: a, role: data-engineer, owns: [streaming-pipelines]}\n")
    settings = Settings(root=tmp_path, cache=False, paths=["*.yaml"])
    view = build(load_matrix(None), gather(settings, [], cwd=tmp_path), settings.limits)
    assert [(p.team, p.responsibility) for p in single_points(view)] == [
        ("prod", "streaming-pipelines")]


def test_every_link_within_the_page_has_its_target(examples_html):
    # A team without findings has no section: its name linked to '#team-N', which
    # did not exist.
    import re

    ids = set(re.findall(r'\bid="([^"]+)"', examples_html))
    targets = set(re.findall(r'href="#([^"]+)"', examples_html))
    assert targets and targets <= ids, sorted(targets - ids)


def test_two_teams_with_one_id_each_get_their_own_row(tmp_path, run_cli):
    # Found by review: the coverage table took both rows' counts, colour and link from
    # the last team of that id.
    bad = (REPO / "examples" / "bad" / "role-fit.yaml").read_text()
    (tmp_path / "a.yaml").write_text(re.sub(r"name: \S+", "name: dup", bad, count=1))
    (tmp_path / "b.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: dup}\nspec:\n"
        "  maturity: exploring\n  members:\n    - {id: zed, title: Data Scientist}\n")
    html = run_cli("check", ".", "--no-cache", "--output-format", "html", cwd=tmp_path).out
    rows = re.findall(r'<tr data-team="dup">.*?</tr>', html)
    assert len(rows) == 2
    links = [re.findall(r'href="#(team-\d+)"', row) for row in rows]
    assert links[0] and links[1] and links[0][0] != links[1][0], links
    counts = [re.search(r'class="count sev-(\w+)"><a [^>]*>(\d+) finding', row).groups()
              for row in rows]
    assert counts[0][0] == "error" and int(counts[0][1]) > int(counts[1][1]), counts


def test_the_risks_say_single_points_are_listed_at_production_and_scale(tmp_path, run_cli):
    # Found by review: on a pilot team with one holder per responsibility, the page said
    # "every required responsibility that is held has two holders".
    (tmp_path / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n  maturity: pilot\n"
        "  systems: [model-registry]\n  members:\n"
        "    - {id: ana, role: platform-engineer, owns: [model-registry-deployment]}\n"
        "    - {id: ben, role: mlops-engineer, owns: [model-registry-contract]}\n")
    html = run_cli("check", "t.yaml", "--no-cache", "--output-format", "html", cwd=tmp_path).out
    risks = html[html.index('<section id="risks">'):]
    assert "None at production or scale" in risks
    assert "has two holders." in risks and "None: every" not in risks
