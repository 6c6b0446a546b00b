"""Property tests of the arithmetic: consistent reports raise nothing; one changed cell
is always named."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.checks import RULES, check
from ogi.checks.arithmetic import evaluate
from ogi.editions import load_edition
from ogi.report import Report, Value

from .strategies import consistent_reports

ARITHMETIC = {"requests.balance", "requests.processed_total", "requests.row_total", "appeals.total"}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def arithmetic_findings(report: Report):
    return [f for f in check(report) if f.rule in ARITHMETIC]


def test_arithmetic_rules_registered():
    assert ARITHMETIC <= set(RULES)


@SETTINGS
@given(consistent_reports())
def test_consistent_report_has_no_arithmetic_finding(report):
    assert arithmetic_findings(report) == []
    assert all(o.ok for o in evaluate(report))


def _signature(edition_id: str) -> dict[str, frozenset[int]]:
    ed = load_edition(edition_id)
    sig: dict[str, set[int]] = {}
    for i, ident in enumerate(ed.identities):
        for c in ident.left + ident.right:
            sig.setdefault(c, set()).add(i)
    return {c: frozenset(s) for c, s in sig.items()}


@SETTINGS
@given(consistent_reports(), st.data())
def test_one_changed_cell_is_named(report, data):
    sig = _signature(report.edition)
    cell = data.draw(st.sampled_from(sorted(sig)))
    original = report.cells[cell].value
    delta = data.draw(st.integers(-30, 30).filter(lambda d: d != 0 and original + d >= 0))
    report.cells[cell] = Value("value", original + delta, str(original + delta))
    findings = arithmetic_findings(report)
    assert findings, "a changed cell must break at least one identity"
    assert len(findings) == len(sig[cell])
    for f in findings:
        assert cell in f.cells
    unique = [c for c, s in sig.items() if s == sig[cell]] == [cell]
    if unique and len(sig[cell]) >= 2:
        assert {f.culprit for f in findings} == {cell}
        assert {f.expected for f in findings} == {original}
        assert {f.found for f in findings} == {original + delta}


@SETTINGS
@given(consistent_reports(), st.data())
def test_changing_a_cell_outside_identities_raises_no_arithmetic_finding(report, data):
    sig = _signature(report.edition)
    free = sorted(c for c in report.cells if c not in sig)
    cell = data.draw(st.sampled_from(free))
    v = report.cells[cell].value
    report.cells[cell] = Value("value", v + 1, str(v + 1))
    assert arithmetic_findings(report) == []


@SETTINGS
@given(consistent_reports(), st.data())
def test_missing_cell_never_yields_arithmetic_guess(report, data):
    cell = data.draw(st.sampled_from(sorted(report.cells)))
    report.cells[cell] = Value("missing")
    findings = check(report)
    assert not [f for f in findings if f.rule in ARITHMETIC]
    assert [f.cells for f in findings if f.rule == "cell.missing"] == [[cell]]
