"""The JSON report's findings, written without a dict per finding, are byte for byte
what ``json.dumps`` wrote of ``Finding.to_dict``; and the run's sort key is
``Finding.sort_key``."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from orglint.findings import SORT_KEY, Finding, Fix, Location, Severity
from orglint.reporters import json_
from orglint.reporters.common import dump

texts = st.text(st.characters(codec=None), max_size=12)  # surrogates, controls, quotes
numbers = st.integers(min_value=-(2**70), max_value=2**70)
odd = st.one_of(st.none(), st.booleans(), numbers, st.floats(allow_nan=False), texts)


def _finding(draw: st.DrawFn, loose: bool) -> Finding:
    field = odd if loose else texts
    position = st.one_of(numbers, st.booleans(), st.floats(allow_nan=False)) if loose \
        else numbers
    related = draw(st.one_of(st.just(()), st.lists(
        st.builds(Location, texts, numbers, numbers), max_size=2).map(tuple)))
    fix = draw(st.one_of(st.none(), st.builds(Fix, st.just(0), st.just(("a",)),
                                              st.just("set"), texts, st.booleans(), texts)))
    return Finding(draw(field), draw(texts), draw(st.sampled_from(list(Severity))),
                   draw(field), draw(texts), draw(position), draw(position),
                   draw(numbers), draw(numbers), draw(st.one_of(st.none(), field)),
                   draw(st.one_of(st.none(), texts)), related, fix)


@st.composite
def findings(draw: st.DrawFn) -> list[Finding]:
    loose = draw(st.booleans())  # fields of other types than a rule writes
    return [_finding(draw, loose) for _ in range(draw(st.integers(0, 6)))]


def _reference(batch: list[Finding]) -> str | type[BaseException]:
    try:
        return dump([f.to_dict() for f in batch])[1:-1]
    except Exception as exc:  # the fast path must refuse what this refuses
        return type(exc)


def _fast(batch: list[Finding]) -> str | type[BaseException]:
    try:
        return json_.findings_json(batch)
    except Exception as exc:
        return type(exc)


@settings(max_examples=400, deadline=None)
@given(findings())
def test_findings_are_written_as_json_dumps_wrote_their_dicts(batch: list[Finding]) -> None:
    assert _fast(batch) == _reference(batch)


def test_the_usual_finding_takes_the_written_out_path(monkeypatch) -> None:
    # Pinned so that the fast path cannot silently turn into the dict path.
    calls = []
    monkeypatch.setattr(Finding, "to_dict", lambda self: calls.append(self) or {})
    plain = Finding("ORG401", "name", Severity.INFO, "message é \u2028", "teams/a.yaml", 3, 5,
                    3, 9, "ana", "detail")
    assert json_.findings_json([plain, plain._replace(entity=None)]) == \
        ('{"code":"ORG401","name":"name","severity":"info","message":"message \\u00e9'
         ' \\u2028","file":"teams/a.yaml","line":3,"column":5,"end_line":3,'
         '"end_column":9,"entity":"ana","fingerprint":"ORG401|teams/a.yaml|ana|detail"},'
         '{"code":"ORG401","name":"name","severity":"info","message":"message \\u00e9'
         ' \\u2028","file":"teams/a.yaml","line":3,"column":5,"end_line":3,'
         '"end_column":9,"entity":null,"fingerprint":"ORG401|teams/a.yaml||detail"}')
    assert calls == []


def test_the_sort_key_is_finding_sort_key() -> None:
    finding = Finding("ORG401", "name", Severity.INFO, "m", "teams/a.yaml", 3, 5, 3, 9)
    assert SORT_KEY(finding) == finding.sort_key()


def test_counts_are_the_findings_labels_counted() -> None:
    from collections import Counter

    from orglint.findings import Result

    severities = [Severity.INFO, Severity.ERROR, Severity.INFO, Severity.WARNING,
                  Severity.INFO]
    result = Result([Finding("ORG401", "n", s, "m", "a.yaml", 1, 1, 1, 2)
                     for s in severities])
    assert result.counts() == {"error": 1, "warning": 1, "info": 3}
    assert result.counts() == {label: Counter(s.label for s in severities)[label]
                               for label in ("error", "warning", "info")}
    assert Result().counts() == {"error": 0, "warning": 0, "info": 0}
