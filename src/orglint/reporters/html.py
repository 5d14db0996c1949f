"""HTML: one self-contained page about the org for the people who decide its staffing.

Everything is inline (style, script, data) and a Content-Security-Policy allows nothing
else, so the page opens offline and can fetch nothing even if it were made to try.
Every piece of content (ids, names, titles, messages, the matrix's own text) is escaped
here; what the scripts show they set with ``textContent``.  The composer's answers are
precomputed by ``orglint compose``'s own code (see ``composer_table``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

from orglint import __version__
from orglint.escape import json_safe, visible
from orglint.explore import role_json
from orglint.findings import Finding, Result
from orglint.orgview import NO_STAGE, OrgView, allocations, single_points
from orglint.reporters import ReportContext, common
from orglint.reporters.common import joined, repo_path, repo_root
from orglint.reporters.composer_table import table
from orglint.reporters.orgreport import (
    STATE_LABELS,
    Group,
    Row,
    by_team,
    counts_by_rule,
    coverage,
)

MAX_ROWS = 500  # rows per list of the risks section; the rest are counted
# A line of the page that starts, after blanks, with what the GitHub runner reads as a
# command: its first character is written as an entity.  The runner strips every Unicode
# blank (.NET's TrimStart: U+3000, U+00A0, ...) before it looks, so these are blanks too.
_RUNNER_LINE = re.compile(r"(?m)^([^\S\n]*)(?=::|##\[)(?:.)")


def e(value: object) -> str:
    """Text as HTML: control characters escaped as orglint shows them everywhere (HTML
    forbids them), markup escaped, and no line left that a CI runner reading the page
    in its log would take as a command (``::error::``)."""
    text = html.escape(visible(str(value), newlines=True), quote=True)
    return _RUNNER_LINE.sub(lambda m: f"{m[1]}&#{ord(m[0][-1])};", text)


def script_json(value: object) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can end the element or start one."""
    text = json_safe(json.dumps(value, separators=(",", ":")))  # and no "##[" command
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _q(text: str) -> str:
    # A file name that is not UTF-8 keeps its bytes, percent-encoded.
    return quote(text, errors="surrogateescape")


def _link(f: Finding, root: str | None, rel: str) -> str:
    """Where a finding's line is: on github.com under GitHub Actions, else the file."""
    if root is not None:
        return f"{root}/{_q(rel)}#L{f.line}"
    return f"{_q(f.file)}#L{f.line}"


def _blob_root() -> str | None:
    server = os.environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    repo, sha = os.environ.get("GITHUB_REPOSITORY", ""), os.environ.get("GITHUB_SHA", "")
    if os.environ.get("GITHUB_ACTIONS") != "true" or not (server and repo and sha):
        return None
    return f"{e(server)}/{_q(repo)}/blob/{_q(sha)}"


def pieces(result: Result, ctx: ReportContext) -> Iterator[str]:
    """The page's parts, one line apart; the findings a batch of teams at a time."""
    view = ctx.org
    groups = by_team(result, view)
    anchors = {id(g): f"team-{n}" for n, g in enumerate(groups)}
    # Only a team with findings has a section to link to (none is written for the rest).
    # A coverage row links to its own team's; a team named by id (a risk) to the first
    # team of that id (two teams with one id are ORG010's case, and the table shows both).
    anchor_of: dict[int, str] = {}
    team_anchor: dict[str, str] = {}
    for g in groups:
        if g.team is not None and g.findings:
            anchor_of[id(g.team)] = anchors[id(g)]
            team_anchor.setdefault(g.team.id, anchors[id(g)])
    counts = result.counts()
    yield _head() + "\n" + _header(result, counts, view) + "\n"
    if view is not None:
        yield from _coverage(coverage(view, result.related_roles), groups, anchor_of)
        yield "\n" + _risks(view, team_anchor) + "\n"
    yield from _findings(result, ctx, groups, anchors)
    yield "\n" + _rules(result, ctx) + "\n"
    if view is not None:
        yield _explorer(view) + "\n"
        yield _composer(view) + "\n"
    yield f"<footer>orglint {e(__version__)}</footer></main>\n" + _script() + "\n</body></html>\n"


render = joined(pieces)


def _head() -> str:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        f"style-src 'unsafe-inline'; script-src '{_script_hash()}'; img-src data:\">"
        f"<title>orglint report</title><style>{CSS}</style></head><body><main>")


def _header(result: Result, counts: dict[str, int], view: OrgView | None) -> str:
    teams = len(view.shown) if view else 0
    stats = "".join(
        f"<li class=\"sev-{k}\"><strong>{counts[k]}</strong> {label}</li>"
        for k, label in (("error", "errors"), ("warning", "warnings"), ("info", "info")))
    return (
        "<header><h1>orglint report</h1>"
        f"<p class=\"lead\">{teams} team{'s' if teams != 1 else ''} in "
        f"{result.files_checked} file{'s' if result.files_checked != 1 else ''}</p>"
        f"<ul class=\"stats\">{stats}</ul>"
        "<nav><a href=\"#coverage-section\">Coverage</a> <a href=\"#risks\">Risks</a> "
        "<a href=\"#findings\">Findings</a> <a href=\"#explorer\">Role explorer</a> "
        "<a href=\"#composer\">Team composer</a></nav></header>")


def _coverage(rows: list[Row], groups: list[Group], anchor_of: dict[int, str]
              ) -> Iterator[str]:
    """The coverage table, a batch of rows at a time (a row per team: 14 MB of HTML at
    20,000 teams).  ``anchor_of``: a team's section, by the identity of its view (two
    teams may share an id)."""
    if not rows:
        yield ("<section id=\"coverage-section\"><h2>Coverage</h2><p>No team.</p>"
               "<table id=\"coverage\"></table></section>")
        return
    roles = [c.role for c in rows[0].cells]
    found = {id(g.team): g.findings for g in groups if g.team is not None}
    # Role ids break only after their hyphens, never inside a word (phones).
    head = "".join(f"<th scope=\"col\" data-role=\"{e(r)}\"><span>"
                   f"{'-<wbr>'.join(e(part) for part in r.split('-'))}</span></th>"
                   for r in roles)
    legend = "".join(f"<li data-state=\"{k}\">{v}</li>" for k, v in STATE_LABELS.items())
    body = [
        "<section id=\"coverage-section\"><h2>Coverage</h2>"
        "<p>Headcount per role; the small number is what <code>orglint compose</code> "
        "recommends for the team's size, maturity and systems.</p>"
        f"<ul class=\"legend\">{legend}</ul><div class=\"scroll\"><table id=\"coverage\">"
        f"<thead><tr><th scope=\"col\">Team</th>{head}<th scope=\"col\">Findings</th>"
        "</tr></thead><tbody>"]
    for row in rows:
        team = row.team
        findings = found.get(id(team), [])
        anchor = anchor_of.get(id(team))
        cells = "".join(
            f"<td data-role=\"{e(c.role)}\" data-state=\"{c.state}\" data-recommended="
            f"\"{c.want}\"{_cell_notes(c.role, c.shared, c.related)}>{c.have}</td>"
            for c in row.cells)
        worst = _worst(findings)
        label = (f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings
                 else "none")
        title = f"<small>{e(team.title)}</small>" if team.title else ""
        body.append(
            f"<tr data-team=\"{e(team.id)}\"><th scope=\"row\">"
            + _opens(e(team.id), anchor) + f"{title}<small>"
            f"{e(team.maturity or NO_STAGE)}, "
            f"{row.size} head{'s' if row.size != 1 else ''}</small></th>{cells}"
            f"<td class=\"count sev-{worst}\">"
            + _opens(label, anchor)
            + "</td></tr>")
        if len(body) >= common.BATCH // 8:
            yield "".join(body)
            body.clear()
    yield "".join(body) + "</tbody></table></div></section>"


def _count(n: int, severity: str) -> str:
    return f"{n} {severity}{'s' if n != 1 and severity != 'info' else ''}"


def _cell_notes(role: str, shared: int, near: bool) -> str:
    """A cell's attributes and one tooltip for what fills it beside the team's own
    headcount: members of another role who also do this one's work (``shared``), and
    the nearest team above or below (``near``)."""
    if not shared and not near:
        return ""
    attributes = f" data-shared=\"{shared}\"" if shared else ""
    if near:
        attributes += " data-related=\"true\""
    said = []
    if shared:
        who = "a member" if shared == 1 else f"{shared} members"
        said.append(f"+{shared}: {who} of another role also"
                    f" {'does' if shared == 1 else 'do'} {e(role)} work (in a small team one"
                    " person does both)")
    if near:
        said.append(f"\u2195: the nearest team above or below has a {e(role)}, which counts"
                    " for this team (rules ORG201 to ORG206)")
    return f"{attributes} title=\"{'; '.join(said)}\""


def _worst(findings: list[Finding]) -> str:
    return max(findings, key=lambda f: f.severity).severity.label if findings else "none"


def _limited(rows: list[str], total: int, columns: int) -> str:
    if total > len(rows):
        rows.append(f"<tr><td colspan=\"{columns}\">and {total - len(rows)} more</td></tr>")
    return "".join(rows)


def _opens(html: str, anchor: str | None) -> str:
    """``html`` linking to a team's findings (whose ``<details>`` the link opens)."""
    return f"<a href=\"#{anchor}\" class=\"open\">{html}</a>" if anchor else html


def _team_link(team: str, team_anchor: dict[str, str]) -> str:
    return _opens(e(team), team_anchor.get(team))


def _risks(view: OrgView, team_anchor: dict[str, str]) -> str:
    spofs = single_points(view)
    spof_rows = [f"<tr><td>{_team_link(s.team, team_anchor)}</td><td>{e(s.system)}</td>"
                 f"<td>{e(s.responsibility)}</td><td>{e(s.person)}</td></tr>"
                 for s in spofs[:MAX_ROWS]]
    spread = allocations(view)
    alloc_rows = [f"<tr><td>{e(a.person)}{f' <small>{e(a.name)}</small>' if a.name else ''}"
                  f"</td><td class=\"num{' over' if a.total > 100 else ''}\">{a.total}%</td>"
                  f"<td>{', '.join(_team_link(t, team_anchor) for t in a.teams[:10])}"
                  f"{f' and {len(a.teams) - 10} more' if len(a.teams) > 10 else ''}</td></tr>"
                  for a in spread[:MAX_ROWS]]
    # As ORG303 counts: a team of five engineers and their manager is a team of five.
    sized = [t for t in view.shown if t.size is not None and t.size != t.headcount]
    size_rows = [f"<tr><td>{_team_link(t.id, team_anchor)}</td><td class=\"num\">{t.size}"
                 f"</td><td class=\"num\">{len({m.id for m in t.members})}</td>"
                 f"<td class=\"num\">{t.headcount}</td></tr>" for t in sized[:MAX_ROWS]]

    def block(title: str, about: str, head: str, rows: str, empty: str) -> str:
        if not rows:
            return f"<h3>{title}</h3><p class=\"ok\">{empty}</p>"
        return (f"<h3>{title}</h3><p>{about}</p><div class=\"scroll\"><table class=\"list\">"
                f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")

    return (
        "<section id=\"risks\"><h2>Risks across the org</h2>"
        + block("Single points of failure", "A responsibility a system of a team at"
                " production or scale requires that one person holds (ORG207's stages).",
                "<th>Team</th><th>System</th><th>Responsibility</th><th>Person</th>",
                _limited(spof_rows, len(spofs), 4), "None at production or scale: every"
                " responsibility their systems require that is held has two holders.")
        + block("Allocation", "People over 100% across all teams, or on three teams or"
                " more.", "<th>Person</th><th>Total</th><th>Teams</th>",
                _limited(alloc_rows, len(spread), 3), "Nobody is over 100% or spread"
                " over three teams or more.")
        + block("Headcount against size", "Teams whose planned <code>size</code> differs"
                " from their headcount in matrix roles, the size the rules use (ORG303);"
                " managers and product managers are members but not part of either.",
                "<th>Team</th><th>Size</th><th>Members</th><th>Matrix roles</th>",
                _limited(size_rows, len(sized), 4), "Every team with a size has that"
                " many people in matrix roles.")
        + "</section>")


def _findings(result: Result, ctx: ReportContext, groups: list[Group],
              anchors: dict[int, str]) -> Iterator[str]:
    root = repo_root(ctx.root)
    blob = _blob_root()
    out = ["<section id=\"findings\"><h2>Findings by team</h2>"]
    if not result.findings:
        out.append("<p class=\"ok\">No findings.</p>")
    for group in groups:
        if not group.findings:
            continue
        name = (f"{e(group.team.id)} <small>{e(group.file)}</small>" if group.team
                else f"{e(group.file)} <small>outside any team</small>")
        sev = Counter(f.severity.label for f in group.findings)
        badge = " ".join(f"<span class=\"sev-{k}\">{_count(sev[k], k)}</span>"
                         for k in ("error", "warning", "info") if sev[k])
        items = []
        # The group's summary names the file; a finding shows its line and column.
        for f in group.findings:
            href = _link(f, blob, repo_path(f.file, root))
            items.append(
                f"<li class=\"sev-{f.severity.label}\"><a class=\"loc\" href=\"{href}\">"
                f"{f.line}:{f.column}</a> <a class=\"rule\" href=\"#rule-"
                f"{e(f.code)}\">{e(f.code)} {e(f.name)}</a> <span class=\"msg\">"
                f"{e(f.message)}</span></li>")
        team_attr = f" data-team=\"{e(group.team.id)}\"" if group.team else ""
        out.append(f"<details id=\"{anchors[id(group)]}\"{team_attr}><summary>{name} "
                   f"{badge}</summary><ul class=\"findings\">{''.join(items)}</ul>"
                   "</details>")
        if len(out) >= common.BATCH // 8:  # a team's group holds several findings
            yield "".join(out)
            out.clear()
    out.append("</section>")
    yield "".join(out)


def _rules(result: Result, ctx: ReportContext) -> str:
    codes = [code for code, *_ in counts_by_rule(result)]
    if not codes:
        return ""
    out = ["<section id=\"rules\"><h2>Rules</h2><p>What each rule found checks, and why"
           " it matters (<code>orglint rule CODE</code>).</p><div>"]
    for code, name, sev, count in counts_by_rule(result):
        rule = ctx.rules.get(code)
        docs = rule.docs() if rule is not None else ""
        out.append(f"<details id=\"rule-{e(code)}\"><summary><code>{e(code)}</code> "
                   f"{e(name)} <span class=\"sev-{sev}\">{_count(count, sev)}</span></summary>"
                   f"<pre class=\"doc\">{e(docs)}</pre></details>")
    out.append("</div></section>")
    return "".join(out)


def _explorer(view: OrgView) -> str:
    matrix = view.matrix
    options = "".join(f"<option value=\"{e(r)}\">{e(matrix.roles[r].title or r)}</option>"
                      for r in matrix.roles)
    panels = []
    for n, role_id in enumerate(matrix.roles):
        data = role_json(matrix, role_id, view.sizes)
        bar = data["skill_bar"] or {}
        bar_html = "".join(
            f"<dt>{label}</dt><dd>{e(bar[key])}</dd>"
            for key, label in (("day_one", "Day one"), ("month_three", "Month three"),
                               ("senior", "Senior")) if bar.get(key))
        tools = "".join(f"<li>{e(t)}</li>" for t in data["tools"])
        # One item a rule: ORG107 is a pattern for each direction of its pair.
        rules: dict[str, list[dict[str, object]]] = {}
        for p in data["anti_patterns"]:
            rules.setdefault(p["code"], []).append(p)
        patterns = "".join(
            f"<li><code>{e(p['code'])}</code> {e(p['name'])} <span class=\"sev-"
            f"{e(p['severity'])}\">{e(p['severity'])}</span><br><small>"
            + "<br>".join(e(q["why"]) for q in same if q["why"]) + "</small></li>"
            for same in rules.values() for p in same[:1])
        owns = "".join(f"<li><code>{e(k)}</code> {e(v)}</li>" for k, v in data["owns"].items())
        panels.append(
            f"<article class=\"role\" data-role=\"{e(role_id)}\"{'' if n == 0 else ' hidden'}>"
            f"<h3>{e(data['title'] or role_id)} <code>{e(role_id)}</code></h3>"
            f"<p>{e(data['summary'] or '')}</p>"
            f"<h4>Job to be done</h4><p class=\"job\">{e(data['job'] or 'Not in the matrix.')}"
            "</p>"
            + (f"<h4>Measure of success</h4><p class=\"success\">{e(data['success'])}</p>"
               if data["success"] else "")
            + f"<h4>Skill bar</h4><dl class=\"skill-bar\">{bar_html or '<dd>None set.</dd>'}"
            f"</dl><h4>Tools</h4><ul class=\"tools chips\">{tools or '<li>None set.</li>'}"
            f"</ul><h4>Owns</h4><ul class=\"owns\">{owns or '<li>Nothing.</li>'}</ul>"
            f"<h4>Anti-patterns</h4><p class=\"anti-pattern\">{e(data['anti_pattern'] or '')}"
            f"</p><ul class=\"anti-patterns\">{patterns or '<li>None.</li>'}</ul></article>")
    return ("<section id=\"explorer\"><h2>Role matrix explorer</h2>"
            f"<p>The <code>{e(matrix.name)}</code> matrix, as <code>orglint roles</code> "
            "shows it.</p><label>Role <select id=\"role\">"
            f"{options}</select></label>{''.join(panels)}</section>")


def _composer(view: OrgView) -> str:
    matrix = view.matrix
    data = table(matrix, (t.systems for t in view.teams))
    maturities = list(matrix.spec.maturity)
    if not maturities:
        # A custom matrix may recommend no mix at all (`maturity: {}`): nothing to compose,
        # and no data for the page's script, which then leaves the section alone.
        return ("<section id=\"composer\"><h2>Team composer</h2><p class=\"note\">The"
                f" <code>{e(matrix.name)}</code> matrix recommends no mix for any maturity"
                " stage: there is nothing to compose.</p></section>")
    default = "production" if "production" in maturities else maturities[0]
    options = "".join(f"<option value=\"{e(m)}\"{' selected' if m == default else ''}>"
                      f"{e(m)}</option>" for m in maturities)
    boxes = "".join(f"<label><input type=\"checkbox\" name=\"system\" value=\"{e(sid)}\"> "
                    f"{e(sid)}</label>" for sid in matrix.systems)
    return (
        "<section id=\"composer\"><h2>Team composer</h2>"
        "<p>The mix <code>orglint compose</code> recommends, for teams of 1 to "
        f"{data['max']}.</p><form class=\"compose\">"
        f"<label>Size <input id=\"size\" type=\"number\" min=\"1\" max=\"{data['max']}\" "
        f"value=\"6\" inputmode=\"numeric\"></label><label>Maturity <select id=\"maturity\">"
        f"{options}</select></label><fieldset><legend>Systems</legend>{boxes}</fieldset>"
        "</form><p id=\"compose-note\" class=\"note\" hidden></p>"
        "<h3>Mix</h3><ol id=\"mix\"></ol><h3>Practices</h3><ul id=\"practices\"></ul>"
        "<h3>Staffing gaps</h3><ul id=\"gaps\"></ul><p id=\"no-gaps\" class=\"ok\" hidden>"
        "None flagged.</p>"
        f"<script type=\"application/json\" id=\"composer-data\">{script_json(data)}"
        "</script></section>")


def _script_hash() -> str:
    digest = hashlib.sha256(SCRIPT.encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def _script() -> str:
    return f"<script>{SCRIPT}</script>"


SCRIPT = """
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  // Links to a team's findings open its <details>.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a.open");
    if (!a) { return; }
    var target = $(a.getAttribute("href").slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  });
  var select = $("role");
  if (select) {
    var showRole = function () {
      var panels = document.querySelectorAll("#explorer article.role");
      for (var i = 0; i < panels.length; i++) {
        panels[i].hidden = panels[i].getAttribute("data-role") !== select.value;
      }
    };
    select.addEventListener("change", showRole);
    select.addEventListener("input", showRole);
    showRole();
  }
  var node = $("composer-data");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var position = {};
  for (var i = 0; i < data.masks.length; i++) { position[data.masks[i]] = i; }
  var size = $("size"), maturity = $("maturity"), note = $("compose-note");
  var boxes = document.querySelectorAll("#composer input[name=system]");
  document.querySelector("form.compose").addEventListener("submit", function (ev) {
    ev.preventDefault();
  });
  function clear(list) { while (list.firstChild) { list.removeChild(list.firstChild); } }
  function item(list, text, attr, value) {
    var li = document.createElement("li");
    if (attr) { li.setAttribute(attr, value); }
    li.textContent = text;
    list.appendChild(li);
    return li;
  }
  function say(text) { note.textContent = text; note.hidden = !text; }
  function update() {
    var mix = $("mix"), practices = $("practices"), gaps = $("gaps");
    clear(mix); clear(practices); clear(gaps);
    $("no-gaps").hidden = true;
    var n = Number(size.value), mask = 0, chosen = [];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) {
        mask += Math.pow(2, data.systems.indexOf(boxes[i].value));
        chosen.push(boxes[i].value);
      }
    }
    var command = "orglint compose --size " + n + " --maturity " + maturity.value +
      (chosen.length ? " --systems " + chosen.join(",") : "");
    // A command only for a size compose takes, written as compose reads it ("41.0" and
    // "5e1" are no --size; 5000 is past compose's own bound).
    if (!Number.isInteger(n) || n < 1 || String(n) !== size.value.trim()) {
      say("A team's size is a whole number of people, 1 or more.");
      return;
    }
    if (n > data.compose_max) {
      say("orglint compose takes teams of 1 to " + data.compose_max + " people.");
      return;
    }
    if (n > data.max) {
      say("The page knows teams of 1 to " + data.max + "; run: " + command);
      return;
    }
    var rows = data.index[maturity.value], at = position[mask];
    if (!rows || at === undefined) {
      say("This combination is not in the page; run: " + command);
      return;
    }
    say("");
    var answer = data.answers[rows[n - 1][at]];
    answer[0].forEach(function (k) {
      var seat = data.seats[k], role = data.roles[seat[0]];
      var li = item(mix, "", "data-role", role);
      var strong = document.createElement("strong");
      strong.textContent = role;
      li.appendChild(strong);
      li.appendChild(document.createTextNode(" " + seat[1]));
    });
    answer[1].forEach(function (k) {
      var p = data.practices[k];
      item(practices, p[0] + ": " + p[1], "data-practice", p[0]);
    });
    answer[2].forEach(function (k) { item(gaps, data.gaps[k]); });
    $("no-gaps").hidden = answer[2].length > 0;
  }
  [size, maturity].forEach(function (el) {
    el.addEventListener("input", update);
    el.addEventListener("change", update);
  });
  for (var j = 0; j < boxes.length; j++) {
    boxes[j].addEventListener("input", update);
    boxes[j].addEventListener("change", update);
  }
  update();
})();
"""

CSS = """
:root{--bg:#fff;--fg:#1d2330;--muted:#5d6678;--line:#dde2ea;--missing:#f6c3bf;
--thin:#fde7b0;--ok:#c9ebcf;--over:#c8daf8;--none:#f3f5f8;--error:#b42318;
--warning:#9a6700;--info:#175cd3}
*{box-sizing:border-box}
body{margin:0;background:#f6f7f9;color:var(--fg);font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:16px}
header,section{background:var(--bg);border:1px solid var(--line);border-radius:10px;
padding:16px 20px;margin:0 0 16px}
h1{margin:0 0 4px;font-size:1.6rem}h2{margin:0 0 8px;font-size:1.25rem}
h3{font-size:1.05rem;margin:16px 0 6px}h4{margin:12px 0 4px;font-size:.95rem}
.lead{margin:0;color:var(--muted)}
.stats{display:flex;gap:12px;list-style:none;padding:0;margin:12px 0;flex-wrap:wrap}
.stats li{padding:6px 12px;border-radius:8px;background:var(--none)}
.stats strong{font-size:1.3rem}
nav{display:flex;gap:14px;flex-wrap:wrap}nav a{color:var(--info)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
#coverage th[data-role]{font-size:.78rem;font-weight:600;text-align:center;min-width:64px;
vertical-align:bottom}
#coverage tbody th{min-width:150px;position:sticky;left:0;background:var(--bg);z-index:1}
#coverage td{vertical-align:middle}
td.count a{color:inherit;font-weight:600}
#coverage tbody th small{display:block;color:var(--muted);font-weight:400}
#coverage td[data-role]{text-align:center;font-weight:600;font-size:1.05rem}
#coverage td[data-role]::after{content:"/" attr(data-recommended);font-size:.72rem;
font-weight:400;color:var(--muted)}
#coverage td[data-shared]::after{content:" +" attr(data-shared) "/" attr(data-recommended)}
#coverage td[data-related]::after{content:" \\2195/" attr(data-recommended)}
#coverage td[data-shared][data-related]::after{content:" +" attr(data-shared) " \\2195/"
attr(data-recommended)}
[data-state=missing]{background:var(--missing)}[data-state=thin]{background:var(--thin)}
[data-state=as-recommended]{background:var(--ok)}[data-state=over]{background:var(--over)}
[data-state=none]{background:var(--none);color:var(--muted)}
.legend{display:flex;gap:8px;flex-wrap:wrap;list-style:none;padding:0;margin:8px 0}
.legend li{padding:2px 10px;border-radius:12px;font-size:.85rem}
td.count{white-space:nowrap}
.sev-error{color:var(--error)}.sev-warning{color:var(--warning)}.sev-info{color:var(--info)}
.sev-none{color:var(--muted)}
summary span[class^=sev-]{font-size:.85rem;margin-left:6px}
.num{text-align:right;font-variant-numeric:tabular-nums}.over{color:var(--error);
font-weight:700}
.ok{color:#067647}
details{border-top:1px solid var(--line);padding:6px 0}
details:target,details[open]{background:#fbfcfe}
summary{cursor:pointer;font-weight:600;padding:4px 0}
summary small{color:var(--muted);font-weight:400;margin-left:6px}
ul.findings{list-style:none;padding:0 0 0 8px;margin:6px 0}
ul.findings li{padding:6px 0 6px 10px;border-left:3px solid currentColor;margin:4px 0;
overflow-wrap:anywhere}
ul.findings .msg{color:var(--fg)}
a.loc{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;
color:var(--muted)}
a.rule{font-weight:600;color:inherit;text-decoration:none}
a.rule:hover{text-decoration:underline}
table.list{width:auto;min-width:50%}
#rules>div{columns:2 340px;column-gap:24px}
#rules details{break-inside:avoid}
pre.doc{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--none);padding:10px;
border-radius:6px;font-size:.85rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}
select,input[type=number]{font:inherit;padding:6px 8px;border:1px solid var(--line);
border-radius:6px;min-height:40px}
form.compose{display:flex;flex-wrap:wrap;gap:12px 20px;align-items:flex-end}
form.compose label{display:flex;flex-direction:column;gap:4px;font-weight:600}
fieldset{border:1px solid var(--line);border-radius:8px;display:flex;flex-wrap:wrap;
gap:6px 14px;width:100%}
fieldset label{flex-direction:row !important;font-weight:400 !important;align-items:center;
min-height:32px}
#mix li{margin:4px 0}#gaps li{margin:4px 0;color:var(--error)}
.note{background:var(--thin);padding:8px 12px;border-radius:6px}
article.role dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}
article.role dt{font-weight:600}article.role dd{margin:0}
ul.chips{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px}
ul.chips li{background:var(--none);border:1px solid var(--line);border-radius:12px;
padding:2px 10px;font-size:.88rem}
#findings details,#rules{content-visibility:auto;contain-intrinsic-size:auto 40px}
footer{color:var(--muted);font-size:.85rem;text-align:center;padding:8px}
@media (max-width:640px){main{padding:8px}header,section{padding:12px;border-radius:8px}
#coverage tbody th{min-width:104px;max-width:130px;overflow-wrap:anywhere}
#coverage td,#coverage th{padding:4px}
article.role dl{grid-template-columns:1fr}}
"""
