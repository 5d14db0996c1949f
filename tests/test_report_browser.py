"""The HTML report in a real browser: Debian's chromium driven by playwright.

Nothing is downloaded at run time: playwright is pointed at /usr/bin/chromium
(`scripts/install-browser.sh` installs both).  Without them these tests skip.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from orglint.cli import main
from orglint.explore import compose, role_json
from orglint.matrix import load_matrix
from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (scripts/install-browser.sh)")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no browser at {CHROMIUM} (scripts/install-browser.sh installs Debian's"
                " chromium)", allow_module_level=True)


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    shutil.copytree(REPO / "examples", folder / "examples",
                    ignore=shutil.ignore_patterns("policies"))
    page = folder / "report.html"
    code, _ = _cli("check", str(folder / "examples"), "--no-cache", "--output-format",
                   "html", "--output-file", str(page))
    assert code == 1
    _, text = _cli("check", str(folder / "examples"), "--no-cache", "--output-format",
                   "json")
    return page, json.loads(text), folder / "examples"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def loaded(browser, report):
    """The examples' report, open, with every request it makes recorded."""
    path, _, _ = report
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []

    def route(r):
        url = r.request.url
        requests.append(url)
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    yield page, requests, errors
    page.close()


def test_page_makes_no_network_request(loaded):
    page, requests, errors = loaded
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert errors == []
    # Not even through a resource timing entry the route could have missed.
    names = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert [n for n in names if not n.startswith(("file:", "data:"))] == []


def test_coverage_table_agrees_with_the_files_and_the_json(loaded, report):
    page, _, _ = loaded
    _, found, folder = report
    rows = page.evaluate("""() => Array.from(document.querySelectorAll(
        'table#coverage tr[data-team]')).map(tr => ({
          team: tr.dataset.team,
          cells: Object.fromEntries(Array.from(tr.querySelectorAll('td[data-role]')).map(
            td => [td.dataset.role, [Number(td.textContent), td.dataset.state,
                                     Number(td.dataset.recommended)]])),
          findings: tr.querySelector('td.count').textContent}))""")
    names = set()
    for file in folder.rglob("*.yaml"):
        with contextlib.suppress(yaml.YAMLError):
            for doc in yaml.safe_load_all(file.read_text()):
                # A team is read whatever its maturity: one that is not a stage
                # gets its ORG003 and a row like the others.
                if isinstance(doc, dict) and doc.get("kind") == "Team":
                    names.add(doc["metadata"]["name"])
    assert {r["team"] for r in rows} == names
    # recsys writes every role: its cells are its members, and the composer's mix.
    recsys = next(r for r in rows if r["team"] == "recsys")
    doc = yaml.safe_load((folder / "good" / "recsys-production.yaml").read_text())
    have = Counter(m["role"] for m in doc["spec"]["members"])
    _, mix = _cli("compose", "--size", "8", "--maturity", "production", "--systems",
                  *doc["spec"]["systems"], "--output-format", "json")
    wanted = json.loads(mix)["mix"]
    for role, (count, state, recommended) in recsys["cells"].items():
        assert count == have.get(role, 0) and recommended == wanted.get(role, 0)
        assert state in ("as-recommended", "none")
    # Each row's count is the JSON output's findings inside that team's file.
    per_file = Counter(Path(f["file"]).name for f in found["findings"])
    assert recsys["findings"] == "none" and per_file["recsys-production.yaml"] == 0
    ranking = next(r for r in rows if r["team"] == "ranking")
    assert ranking["findings"] == f"{per_file['coverage.yaml']} findings"


def test_findings_are_one_click_from_a_row(loaded):
    page, _, _ = loaded
    anchor = page.locator('tr[data-team="ranking"] td.count a')
    target = anchor.get_attribute("href")[1:]
    assert not page.locator(f"details#{target}").evaluate("d => d.open")
    anchor.click()
    assert page.locator(f"details#{target}").evaluate("d => d.open")
    assert page.locator(f"details#{target} li").count() == 7


def test_explorer_shows_every_role(loaded):
    page, _, _ = loaded
    matrix = load_matrix(None)
    for role in matrix.roles:
        page.select_option("select#role", role)
        visible = page.locator("#explorer article.role:visible")
        assert visible.count() == 1
        assert visible.get_attribute("data-role") == role
        data = role_json(matrix, role)
        text = visible.inner_text()
        if data["job"]:
            assert " ".join(data["job"].split()) in " ".join(text.split())
        for tool in data["tools"]:
            assert tool in text
        if data["skill_bar"]:
            assert " ".join(data["skill_bar"]["day_one"].split()) in " ".join(text.split())
        for pattern in data["anti_patterns"]:
            assert pattern["code"] in text


DRIVE = """(cases) => {
  const size = document.getElementById('size');
  const maturity = document.getElementById('maturity');
  const boxes = Array.from(document.querySelectorAll('#composer input[name=system]'));
  return cases.map(([n, stage, systems], k) => {
    // Alternate the events: the composer must follow 'input' and 'change' alike.
    const kind = k % 2 ? 'input' : 'change';
    size.value = String(n);
    size.dispatchEvent(new Event(kind, {bubbles: true}));
    maturity.value = stage;
    maturity.dispatchEvent(new Event(kind, {bubbles: true}));
    for (const box of boxes) {
      const want = systems.includes(box.value);
      if (box.checked !== want) {
        box.checked = want;
        box.dispatchEvent(new Event(kind, {bubbles: true}));
      }
    }
    return {
      seats: Array.from(document.querySelectorAll('ol#mix > li')).map(li => li.dataset.role),
      practices: Array.from(document.querySelectorAll('ul#practices > li')).map(
        li => li.dataset.practice),
      gaps: Array.from(document.querySelectorAll('ul#gaps > li')).map(li => li.textContent),
    };
  });
}"""


def test_composer_gives_what_compose_gives(loaded):
    page, _, _ = loaded
    matrix = load_matrix(None)
    sets = [[], ["feature-store"], ["gpu-cluster", "model-serving"],
            ["streaming", "data-warehouse", "model-registry"], list(matrix.systems)]
    cases = [(n, stage, systems) for stage in matrix.spec.maturity for n in range(1, 41)
             for systems in sets]
    got = page.evaluate(DRIVE, cases)
    for (n, stage, systems), answer in zip(cases, got, strict=True):
        want = compose(matrix, n, stage, systems).to_json()
        assert answer == {"seats": [s["role"] for s in want["seats"]],
                          "practices": [p["id"] for p in want["practices"]],
                          "gaps": want["gaps"]}, (n, stage, systems)


def test_composer_follows_real_typing(loaded):
    page, _, _ = loaded
    matrix = load_matrix(None)
    page.fill("input#size", "12")
    page.select_option("select#maturity", "scale")
    for box in page.locator("#composer input[name=system]").all():
        box.uncheck()
    page.check('input[name=system][value="feature-store"]')
    want = compose(matrix, 12, "scale", ["feature-store"]).to_json()
    seats = page.eval_on_selector_all("ol#mix > li", "els => els.map(e => e.dataset.role)")
    assert seats == [s["role"] for s in want["seats"]]
    page.fill("input#size", "41")
    assert page.locator("ol#mix > li").count() == 0
    assert "orglint compose --size 41" in page.inner_text("#compose-note")
    # A size compose cannot take gets no command to run (found by review: "--size 0",
    # "--size  --maturity").
    for typed in ("0", "7.5", "", "-3", "41.0", "5e1"):
        page.fill("input#size", typed)
        note = page.inner_text("#compose-note")
        assert page.locator("ol#mix > li").count() == 0
        assert "whole number of people" in note and "--size" not in note, (typed, note)
    page.fill("input#size", "5000")
    assert "takes teams of 1 to 1000 people" in page.inner_text("#compose-note")


NO_STAGES = """\
apiVersion: orglint/v1
kind: RoleMatrix
metadata: {name: tiny}
spec:
  roles: {solo: {title: Solo, aliases: ["Solo Dev"]}}
  responsibilities: {x: {owner: solo}}
  systems: {}
  practices: {}
  anti-patterns: []
"""


def test_a_matrix_that_recommends_no_mix_still_gives_a_working_page(browser, tmp_path):
    # Found by review: the composer took the first of no stages, and the run ended with
    # an internal error after half a page was written.
    (tmp_path / "m.yaml").write_text(NO_STAGES)
    (tmp_path / ".orglint.yaml").write_text("matrix: m.yaml\n")
    (tmp_path / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n  maturity: pilot\n"
        "  members:\n    - {id: a, title: Solo Dev, owns: [x]}\n")
    path = tmp_path / "report.html"
    code, _ = _cli("check", str(tmp_path / "t.yaml"), "--config", str(tmp_path / ".orglint.yaml"),
                   "--no-cache", "--output-format", "html", "--output-file", str(path))
    assert code == 0
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert "nothing to compose" in page.inner_text("#composer")
    assert page.locator("#explorer article.role[data-role=solo]").is_visible()
    assert errors == []
    page.close()
