"""Content is data in every output (spec §6.1): no format lets a team file inject a
workflow command, a terminal escape or ill-formed XML."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import pytest

from orglint.escape import defused, github_data, github_property, line_start, uri, visible
from orglint.reporters import FORMATS
from tests.conftest import dedent

FORGED = "\n::error file=.github/workflows/ci.yml,line=1::forged\n::stop-commands::x"
# As YAML double-quoted escapes: ESC[2J, an OSC title with BEL, NUL, a C1 CSI, NEL,
# LINE SEPARATOR, a right-to-left override, a BOM.
TERMINAL = r"\e[2J\e]0;pwned\a\0\x9b31m\N\L\u202e\ufeffend"
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ufeff\ud800-\udfff]")

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata:
  name: t
  title: "{terminal}"
spec:
  maturity: pilot
  members:
    - id: kim
      name: "{terminal}"
      role: {forged}
    - id: sam
      title: "Wizard{terminal}"
    - id: ada
      role: "ml-engineer{terminal}"
"""
BROKEN = 'a: "orglint\n'
BAD_ID = 'apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: "u{terminal}"}}\nspec: {{}}\n'


def _team() -> str:
    return dedent(TEAM).format(forged=json.dumps(FORGED), terminal=TERMINAL)


@pytest.fixture
def hostile(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.yaml").write_text(_team())
    (tmp_path / "u.yaml").write_text(BAD_ID.format(terminal=TERMINAL))
    # ORG001 under a hostile name (broken YAML that names orglint, so it is ours to report)
    (tmp_path / "::error::x.yaml").write_text(BROKEN)
    (tmp_path / "b\n::warning::y \x1b[2J.yaml").write_text(BROKEN)
    (tmp_path / "é #%, :c.yaml").write_text(BROKEN)
    (tmp_path / os.fsdecode(b"\xff.yaml")).write_text(BROKEN)  # not UTF-8
    return tmp_path


CLOSING = re.compile(r"::notice title=orglint::\d+ more findings? not shown as annotations")
OURS = re.compile(r"::(error|warning|notice) file=[^:,]*,line=\d+,col=\d+,endLine=\d+,"
                  r"endColumn=\d+,title=ORG\d+::\[[a-z-]+\] ")


def test_text_output_under_github_actions(run_cli, hostile, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("check", ".", "-v", "--no-cache")
    assert result.code == 1, result.err
    assert not RAW_CONTROLS.search(result.out)
    lines = result.out.rstrip("\n").split("\n")
    # Every line that the runner reads as a command is one of our annotations, one per
    # finding of the text report.
    commands = [line for line in lines if line.lstrip().startswith(("::", "##["))]
    assert all(OURS.match(line) for line in commands), commands
    findings = [line for line in lines if re.search(r":\d+:\d+: (\[\*\] )?ORG\d+ \[", line)]
    assert len(commands) == len(findings) >= 9
    text = "\n".join(findings)
    assert "\\n::error file=.github/workflows/ci.yml,line=1::forged\\n::stop-commands::x" in text
    assert "\\x1b[2J\\x1b]0;pwned\\x07\\x00\\x9b31m\\x85\\u2028\\u202e\\ufeffend" in text
    assert "./::error::x.yaml:1:4: ORG001" in text
    assert "b\\n::warning::y \\x1b[2J.yaml:1:4: ORG001" in text
    annotations = "\n".join(commands)
    assert "file=%3A%3Aerror%3A%3Ax.yaml," in annotations
    assert "file=b\\n%3A%3Awarning%3A%3Ay \\x1b[2J.yaml," in annotations
    assert "file=é #%25%2C %3Ac.yaml," in annotations


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_writes_a_raw_control_character(run_cli, hostile, fmt):
    result = run_cli("check", ".", "--output-format", fmt, "--no-cache")
    assert result.code == 1, result.err
    assert not RAW_CONTROLS.search(result.out)
    assert "Traceback" not in result.err
    result.out.encode("utf-8")  # no lone surrogate either


def test_junit_is_well_formed_xml(run_cli, hostile):
    out = run_cli("check", ".", "--output-format", "junit", "--no-cache").out
    root = ET.fromstring(out)
    names = {case.get("name") for case in root.iter("testcase")}
    assert "b\\n::warning::y \\x1b[2J.yaml" in names
    messages = " ".join(f.get("message") or "" for f in root.iter("failure"))
    assert "\\x1b[2J" in messages and "\\x00" in messages


def test_sarif_uris_are_percent_encoded_and_valid(run_cli, hostile):
    import jsonschema_rs

    from tests.test_reporters import SARIF_SCHEMA

    log = json.loads(run_cli("check", ".", "--output-format", "sarif", "--no-cache").out)
    schema = json.loads(SARIF_SCHEMA.read_text())
    assert [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(log)] == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert uris == {"t.yaml", "u.yaml", "%3A%3Aerror%3A%3Ax.yaml", "%FF.yaml",
                    "%C3%A9%20%23%25%2C%20%3Ac.yaml", "b%0A%3A%3Awarning%3A%3Ay%20%1B%5B2J.yaml"}
    assert {unquote(u) for u in uris} >= {"é #%, :c.yaml", "b\n::warning::y \x1b[2J.yaml"}
    texts = " ".join(r["message"]["text"] for r in log["runs"][0]["results"])
    assert "\\x1b[2J" in texts and not RAW_CONTROLS.search(texts)


def test_gitlab_descriptions_are_escaped(run_cli, hostile):
    (hostile / "##[x] %.yaml").write_text(BROKEN)
    out = run_cli("check", ".", "--output-format", "gitlab", "--no-cache").out
    assert "##[" not in out
    issues = json.loads(out)
    text = json.dumps(issues, ensure_ascii=False)
    assert not RAW_CONTROLS.search(text)
    assert any("\\x1b[2J" in issue["description"] for issue in issues)
    # A name with no control or invisible character is given exactly: GitLab finds the
    # file by it (found by review: "##[" and "é" were written escaped).
    paths = {issue["location"]["path"] for issue in issues}
    assert {"##[x] %.yaml", "é #%, :c.yaml", "::error::x.yaml"} <= paths


MATRIX = """\
apiVersion: orglint/v1
kind: RoleMatrix
metadata: {name: acme}
spec:
  extends: ai-platform
  anti-patterns:
    - code: ACME001
      name: acme-rule
      severity: error
      kind: owns
      roles: [devops-sre]
      responsibilities: [training-pipelines]
      message: "{member}\\e[2J\\n::error::forged {why}"
      why: "because\\a\\n##[error]forged"
"""


def test_a_custom_matrix_cannot_inject_through_its_rule_texts(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "matrix.yaml").write_text(MATRIX)
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\nselect: [ACME]\n")
    (tmp_path / "t.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members: [{id: dmitri, role: devops-sre, owns: [training-pipelines]}]
        """))
    for fmt in FORMATS:
        result = run_cli("check", "t.yaml", "--output-format", fmt, "--no-cache")
        assert result.code == 1, result.err
        assert not RAW_CONTROLS.search(result.out), fmt
        assert "::error::forged" not in result.out.replace("\\n::error::forged", ""), fmt
    text = run_cli("check", "t.yaml", "--no-cache").out
    assert "dmitri\\x1b[2J\\n::error::forged because\\x07\\n#\\x23[error]forged" in text


@pytest.mark.parametrize("rule", ["ACME001", "acme-rule"])
def test_a_custom_matrix_cannot_inject_through_its_rule_page(run_cli, tmp_path, rule):
    (tmp_path / ".git").mkdir()
    (tmp_path / "matrix.yaml").write_text(MATRIX)
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\n")
    result = run_cli("rule", rule)
    assert result.code == 0, result.err
    assert not RAW_CONTROLS.search(result.out)
    assert [line for line in result.out.splitlines()
            if line.lstrip().startswith(("::", "##["))] == []
    assert "because\\x07" in result.out  # shown, as an escape


@pytest.mark.parametrize(("raw", "shown"), [
    ("plain text, é 漢字 emoji 😀", "plain text, é 漢字 emoji 😀"),
    ("a\nb\rc\td", "a\\nb\\rc\\td"),
    ("\x1b[2J\x07\x00\x7f\x85\x9b", "\\x1b[2J\\x07\\x00\\x7f\\x85\\x9b"),
    ("\u2028\u2029\u202e\u2066\u200f\ufeff", "\\u2028\\u2029\\u202e\\u2066\\u200f\\ufeff"),
    ("file\udcff.yaml", "file\\udcff.yaml"),
    # Characters that show nothing: a hidden word between two letters, a tag sentence.
    ("Wiz\u200bard\u2060\U000e0041\ufff9", "Wiz\\u200bard\\u2060\\U000e0041\\ufff9"),
    # Variation selectors smuggle bytes; Hangul fillers and U+034F show nothing either.
    ("a\ufe00\U000e0100\U000e01ef\u3164\u115f\u034f\u180e\uffa0b",
     "a\\ufe00\\U000e0100\\U000e01ef\\u3164\\u115f\\u034f\\u180e\\uffa0b"),
    # ... but the joiners scripts and emoji need, and the soft hyphen, are kept.
    ("\u0645\u06cc\u200c\u0634\u0648\u062f \U0001f469\u200d\U0001f4bb a\u00adb \u2764\ufe0f",
     "\u0645\u06cc\u200c\u0634\u0648\u062f \U0001f469\u200d\U0001f4bb a\u00adb \u2764\ufe0f"),
])
def test_visible(raw, shown):
    assert visible(raw) == shown


@pytest.mark.parametrize(("raw", "shown"), [
    ("##[error]x", "#\\x23[error]x"),
    ("owns ##[error file=a.yaml;line=1]forged", "owns #\\x23[error file=a.yaml;line=1]forged"),
    ("###[[", "##\\x23[["),
    ("\x1b##[stop-commands]x", "\\x1b#\\x23[stop-commands]x"),
])
def test_the_runners_legacy_command_is_escaped_anywhere_in_a_line(raw, shown):
    # The runner finds "##[" anywhere in a line, not only at its start.
    assert visible(raw) == shown and "##[" not in visible(raw, newlines=True)


LEGACY = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: t}
spec:
  maturity: pilot
  members:
    - id: kim
      name: "##[warning]name"
      role: "##[stop-commands]x"
      owns: ["##[error file=README.md;line=1]forged"]
"""


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_writes_the_runners_legacy_command(run_cli, tmp_path, monkeypatch, fmt):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (tmp_path / ".git").mkdir()
    (tmp_path / "##[warning]x").mkdir()
    (tmp_path / "##[warning]x" / "t.yaml").write_text(LEGACY)
    result = run_cli("check", ".", "-v", "--no-cache", "--output-format", fmt)
    assert result.code == 1, result.err
    assert "##[" not in result.out and "##[" not in result.err
    if fmt == "json":  # JSON escapes content itself: the same strings, once decoded
        assert "##[stop-commands]x" in json.dumps(json.loads(result.out))
    else:  # shown as an escape (Markdown also escapes the bracket)
        assert re.search(r"#\\{1,2}(x23|u0023)\\?\[stop-commands", result.out), result.out


def test_the_escapes_of_each_format():
    assert visible("a\nb", newlines=True) == "a\nb"
    assert line_start("::error::x") == "./::error::x"
    assert line_start("\u3000::error::x") == "./\u3000::error::x"
    assert line_start("##[error]x") == "#\\x23[error]x"  # escaped wherever it is
    assert line_start("teams/a.yaml") == "teams/a.yaml"
    assert github_data("100% done\r\n::x") == "100%25 done\\r\\n::x"
    assert github_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert uri("teams/my team#1%/é:x?.yaml") == "teams/my%20team%231%25/%C3%A9%3Ax%3F.yaml"
    assert uri("bad\udcff.yaml") == "bad%FF.yaml"


def test_error_messages_on_stderr_are_escaped(run_cli, tmp_path):
    result = run_cli("check", "missing\n::error::forged\x1b[2J.yaml")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "\x1b" not in result.err
    assert "missing\\n::error::forged\\x1b[2J.yaml" in result.err


def test_rule_all_escapes_the_configuration_error_it_notes(run_cli, tmp_path):
    # `rule --all` lists the built-in rules even when the configuration cannot be read;
    # the note says why, naming a key of the repository's configuration.
    (tmp_path / ".orglint.yaml").write_text(
        'paths: ["*.yaml"]\n"bad\\n::error title=PWN::owned\\e]52;c;ZXZpbA==\\a": 1\n')
    result = run_cli("rule", "--all")
    assert result.code == 0
    assert "the org's own rules are not listed" in result.err
    assert not _forges(result.err) and "\x1b" not in result.err and "\x07" not in result.err
    assert "bad\\n::error title=PWN::owned\\x1b]52" in result.err


@pytest.mark.parametrize("blank", ["\u3000", "\u00a0", "\u2003", "\u205f", " \u202f"])
def test_html_defuses_a_runner_command_after_any_unicode_blank(run_cli, tmp_path, blank):
    # The runner strips every Unicode blank (.NET's TrimStart) before it looks for a
    # command: the page, printed to a CI log, must leave no such line.
    forged = (f"Recsys\n{blank}::error file=.github/workflows/ci.yml,line=1::Leaked\n"
              f"{blank}::stop-commands::deadbeef\n{blank}##[error]x")
    (tmp_path / "t.yaml").write_text(dedent(f"""\
        apiVersion: orglint/v1
        kind: Team
        metadata:
          name: t1
          title: {json.dumps(forged)}
        spec: {{maturity: exploring, members: [{{id: a, name: A, title: Data Scientist}}]}}
        """))
    out = run_cli("check", "--no-cache", "--output-format", "html", "t.yaml").out
    assert "Recsys" in out
    lines = [line for line in out.splitlines() if line.lstrip().startswith(("::", "##["))]
    assert lines == []


def test_fix_messages_on_stderr_forge_no_workflow_command(tmp_path, run_cli):
    # --fix names each file at the start of a stderr line: a hostile file name there must
    # not become a workflow command, with or without -v.
    name = "::error::x.yaml"
    (tmp_path / name).write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: x}
        spec:
          maturity: pilot
          members:
            - {id: kim, name: Kim, title: MLOps Engineer}
        """))
    os.chmod(tmp_path / name, 0o444)  # read-only: "not fixed: ..." goes to stderr
    refused = run_cli("check", "--fix", "--no-cache", name, cwd=tmp_path)
    os.chmod(tmp_path / name, 0o644)
    written = run_cli("check", "--fix", "-v", "--no-cache", name, cwd=tmp_path)
    for err in (refused.err, written.err):
        assert name in err or "./" + name in err
        assert not any(line.lstrip().startswith("::") for line in err.splitlines()), err


# Every text a custom matrix gives the explorer and the composer, each holding terminal
# escapes and a line break before a workflow command; the job is long enough that,
# wrapped, a word of its own starts a line with '::'.
EXPLORED = r'''apiVersion: orglint/v1
kind: RoleMatrix
metadata: {name: acme}
spec:
  extends: ai-platform
  roles:
    evil:
      title: "::error::t\e]0;pwned\a\n::error::forged"
      summary: "::stop-commands::x \e[31m"
      work: "w\e[2J"
      job: "JOB ::error::wrapped"
      success: "s\e[2J\n::error::x"
      skill-bar: {day-one: "d\e[2J", month-three: "m\e[2J", senior: "s\e[2J"}
      core-skills: ["k\e[2J\n::error::x"]
      tools: ["t\e[2J\n::error::x"]
      anti-pattern: "a\e[2J\n::error::x"
      aliases: ["Evil\e[2J Person"]
  responsibilities:
    evil-thing: {owner: evil, title: "r\e[2J\n::error::x"}
  systems:
    evil-sys: {title: "y\e[2J\n::error::x", requires: [evil-thing]}
  practices:
    evil-practice: {title: "p\e[2J\n::error::x", description: "q\e[2J\n::error::x",
                    responsibility: evil-thing}
  maturity:
    evil-stage:
      title: "g\e[2J\n::error::x"
      description: "h\e[2J\n::error::x"
      seats: [{role: evil, reason: "i\e[2J\n::error::x", owns: [evil-thing]}]
      growth: [{role: evil, share: 1, reason: "j\e[2J\n::error::x", owns: [evil-thing]}]
      practices: [evil-practice]
      gaps: [{role: ml-engineer, message: "##[error]l\e[2J\n::error::x"}]
'''.replace("JOB", "x" * 86)


@pytest.mark.parametrize("args", [
    ["roles"], ["roles", "evil"], ["roles", "Evil\x1b[2J Person"],
    *(["roles", "--list", kind] for kind in
      ("roles", "responsibilities", "systems", "practices", "stages")),
    ["compose", "--size", "3", "--maturity", "evil-stage", "--systems", "evil-sys"],
    ["compose", "--size", "1", "--maturity", "evil-stage"],
])
def test_a_custom_matrix_cannot_inject_through_the_explorer(run_cli, tmp_path, args):
    (tmp_path / ".git").mkdir()
    (tmp_path / "matrix.yaml").write_text(EXPLORED)
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\n")
    result = run_cli(*args)
    assert result.code == 0, result.err
    assert not RAW_CONTROLS.search(result.out)
    commands = [line for line in result.out.splitlines()
                if line.lstrip().startswith(("::", "##["))]
    assert commands == []
    assert "\\x1b" in result.out  # shown, as an escape


def test_the_wrapped_explorer_text_shows_the_escapes(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "matrix.yaml").write_text(EXPLORED)
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\n")
    out = run_cli("roles", "evil").out
    assert out.startswith("\\x3a:error::t\\x1b]0;pwned\\x07\\n::error::forged (evil)\n")
    assert "\n\\x3a:stop-commands::x \\x1b[31m\n" in out
    assert "\n  \\x3a:error::wrapped\n" in out


def test_defused():
    assert defused("a\n  ::error::x\n##[group]y\nz ::w") == \
        "a\n  \\x3a:error::x\n\\x23#[group]y\nz ::w"


# The forged annotation in every field a finding can quote, in each kind, and in a path.
EVERY_FIELD = """\
apiVersion: orglint/v1
kind: Team
metadata: {{name: {f}, title: {f}, parent: {f}}}
spec:
  maturity: {f}
  systems: [{f}]
  practices: [{f}]
  members:
    - {{id: {f}, name: {f}, role: {f}, title: {f}, owns: [{f}], skills: [{f}], level: {f},
       allocation: {f}}}
    - {{id: {f}, title: {f}}}
    - person: {f}
    - {f}
    - {{{f}: 1}}
  {f}: 1
---
apiVersion: orglint/v1
kind: People
people: [{{id: {f}, name: {f}}}]
---
apiVersion: orglint/v1
kind: Group
metadata: {{name: {f}, parent: {f}}}
---
apiVersion: orglint/v1
kind: {f}
"""


@pytest.mark.parametrize("fmt", [["--output-format", "github"], []])  # [] annotates too
def test_no_field_forges_an_annotation(run_cli, tmp_path, monkeypatch, fmt):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (tmp_path / ".git").mkdir()
    text = EVERY_FIELD.format(f=json.dumps(FORGED + "\x1b[2J"))
    (tmp_path / "t.yaml").write_text(text)
    (tmp_path / "\n::error::path.yaml").write_text(text)
    args = ("check", ".", "--no-cache", "--select", "ALL")
    found = json.loads(run_cli(*args, "--output-format", "json").out)["findings"]
    result = run_cli(*args, "-v", *fmt)
    assert result.code == 1, result.err
    assert not RAW_CONTROLS.search(result.out + result.err)
    commands = [line for line in (result.out + result.err).splitlines()
                if line.lstrip().startswith(("::", "##["))]
    # GitHub shows ten annotations per severity: the rest stay in the log as plain
    # lines, and one closing notice of orglint's own says how many.
    notices = [line for line in commands if CLOSING.match(line)]
    annotated = [line for line in commands if OURS.match(line)]
    plain = [line for line in result.out.splitlines()
             if line.startswith("orglint (not annotated): ")]
    assert len(notices) <= 1 and len(annotated) + len(notices) == len(commands), commands
    assert len(annotated) + len(plain) == len(found) >= 20
    assert {f["file"] for f in found} == {"t.yaml", "\n::error::path.yaml"}


def test_warnings_and_verbose_notes_escape_the_paths_they_name(run_cli, tmp_path,
                                                               monkeypatch):
    # A checkout in a folder of a hostile name: the configuration's path (-v) and the
    # cache folder's (its warning) go to stderr, where the runner reads commands too.
    monkeypatch.delenv("ORGLINT_CACHE_DIR")
    repo = tmp_path / "x\n::error::forged\x1b[2J"
    (repo / ".git").mkdir(parents=True)
    (repo / ".orglint.yaml").write_text("select: [ALL]\n")
    (repo / "elsewhere").mkdir()
    (repo / ".orglint_cache").symlink_to("elsewhere")
    (repo / "t.yaml").write_text('apiVersion: orglint/v1\na: "\n')  # ORG001, still orglint's
    result = run_cli("check", "t.yaml", "-v", cwd=repo)
    assert result.code == 1
    assert "is a symbolic link; running without the cache" in result.err
    assert not RAW_CONTROLS.search(result.err)
    assert not [line for line in result.err.splitlines() if line.startswith("::")]
    assert "x\\n::error::forged\\x1b[2J/.orglint.yaml" in result.err


@pytest.mark.parametrize("fmt", ["text", "junit"])
def test_orglint_test_output_escapes_what_a_policy_file_says(run_cli, tmp_path, fmt):
    # A test's name and a rule's message come from the policy file: raw, a NUL made the
    # JUnit report ill-formed XML and an ESC reached the terminal.
    (tmp_path / "p.yaml").write_text(dedent(f"""\
        apiVersion: orglint/v1
        kind: Policy
        metadata: {{name: p}}
        spec:
          rules:
            - {{code: ACME010, name: r, target: team, expression: 'false',
               message: "{TERMINAL}"}}
          tests:
            - name: "{TERMINAL}"
              rule: ACME010
              expect: pass
              team: {{metadata: {{name: t}}, spec: {{maturity: pilot, members: []}}}}
        """))
    result = run_cli("test", "--output-format", fmt, "p.yaml")
    assert result.code == 1, result.err
    assert RAW_CONTROLS.search(result.out) is None, repr(result.out)
    assert "\\x1b[2J" in result.out
    if fmt == "junit":
        ET.fromstring(result.out)


def test_the_json_of_every_other_command_writes_no_runner_command(run_cli, tmp_path):
    # Found by a review: rule, roles, test and --show-settings printed '##[' raw in JSON.
    folder = tmp_path / "##[error]d"
    folder.mkdir()
    (folder / ".orglint.yaml").write_text("policies: [p.yaml]\n")
    (folder / "p.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Policy
        metadata: {name: p}
        spec:
          rules:
            - {code: ACME010, name: r, target: team, expression: "'##[' != ''",
               message: "##[warning]m", docs: {why: "##[warning]why text"}}
          tests:
            - name: "##[error] test name"
              rule: ACME010
              expect: fail
              team: {metadata: {name: t}, spec: {maturity: pilot, members: []}}
        """))
    for args in (["rule", "ACME010", "--output-format", "json"],
                 ["test", "--output-format", "json", "p.yaml"],
                 ["check", "--show-settings"]):
        result = run_cli(*args, cwd=folder)
        assert "##[" not in result.out, (args, result.out)
        assert "##[" in json.dumps(json.loads(result.out), ensure_ascii=False), args


def test_the_escaping_patterns_are_compiled_at_their_first_use_only():
    # 7 M instructions at every start, which a warm run served from its kept report
    # never needs; once used, the module holds the compiled patterns themselves.
    import re
    import subprocess
    import sys

    probe = ("import re, sys\ncompiled = []\nreal = re.compile\n"
             "re.compile = lambda p, f=0: compiled.append(p) or real(p, f)\n"
             "from orglint import escape\nprint(len([p for p in compiled if '\\u2066' in p]))\n"
             "print(escape.visible('a\\x1b'), escape.visible('b\\nc\\x1b', newlines=True))\n"
             "print(len([p for p in compiled if '\\u2066' in p]))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[:3] == ["0", "a\\x1b b", "c\\x1b"] and out[3] == "2"
    from orglint import escape

    escape.visible("x")
    escape.visible("y", newlines=True)
    assert type(escape._UNSAFE) is re.Pattern and type(escape._UNSAFE_BUT_NEWLINE) is re.Pattern


def test_printable_text_skips_the_patterns_exactly():
    # visible() returns printable text as it is without asking its patterns: exact
    # only because every character they match is one str.isprintable refuses.
    import re
    import subprocess
    import sys

    from orglint import escape

    hidden = re.compile(escape._HIDDEN.pattern)  # the printable ones, looked for apart
    for name in ("_UNSAFE", "_UNSAFE_BUT_NEWLINE"):
        pattern = re.compile(getattr(escape, name).pattern)
        assert not [c for c in map(chr, range(0x110000))
                    if c.isprintable() and pattern.match(c) and not hidden.match(c)], name
        assert all(pattern.match(c) for c in map(chr, range(0x80, 0x110000))
                   if hidden.match(c)), name
    # Printable text with one of them alone is escaped all the same.
    assert escape.visible("caf\u00e9\ufe01\U000e0101") == "caf\u00e9\\ufe01\\U000e0101"
    probe = ("import sys\nfrom orglint import escape\n"
             "text = 'team-01 \u2014 caf\u00e9: ok'\n"
             "assert escape.visible(text) == text\n"
             "print(type(escape._UNSAFE).__name__, type(escape._UNSAFE_BUT_NEWLINE).__name__)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["_Compiled", "_Compiled"]  # neither compiled
    assert escape.visible("a\u00adb") == "a\u00adb"  # not printable, yet safe: the pattern says
    assert escape.visible("a\u202eb\x1b") == "a\\u202eb\\x1b"


def _forges(text: str) -> list[str]:
    """The lines of ``text`` the GitHub runner would read as a command, or that carry a
    raw control or bidi character."""
    return [line for line in text.splitlines()
            if line.lstrip().startswith(("::", "##[")) or "##[" in line
            or re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", line)]


def test_the_diff_of_a_fix_shows_hostile_content_and_names_escaped(tmp_path, run_cli):
    # --diff prints lines of the file around each change: a context line is the file's
    # own text after one blank, which the runner strips before it looks for a command.
    name = "f\n::warning::n.yaml"
    (tmp_path / name).write_text(dedent("""\
        apiVersion: orglint/v1
        kind: Team
        metadata:
          name: t
        spec:
          maturity: pilot
          members:
            - id: a
              x-note: |
                ::error file=README.md,line=1::forged annotation
                see ##[warning]legacy command \u202e reversed
              title: DevOps Engineer
        """))
    result = run_cli("check", "--no-cache", "--no-config", "--diff", name, cwd=tmp_path)
    assert result.code == 1
    assert "+      role: devops-sre" in result.out, result.out
    assert "error file=README.md" in result.out  # shown, as data
    assert _forges(result.out) == [], result.out


def test_import_notes_forge_no_workflow_command(tmp_path, run_cli):
    (tmp_path / "hr.csv").write_text('id,name,team,title,level\n'
                                     'alice,A,t,"Wizard ##[error]forged",lead ##[warning]x\n')
    result = run_cli("import", "csv", "hr.csv", "--output", "out", cwd=tmp_path)
    assert "Wizard" in result.out + result.err
    assert _forges(result.out) == [] and _forges(result.err) == [], result.out + result.err
