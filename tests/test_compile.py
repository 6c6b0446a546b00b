"""Compiling the annual report from the records: property tests over random three-year
ledgers taken through the real workflow, and the drill-down."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.checks import check_all
from ogi.records.compile import CaseRecord, DocumentRecord, RequestRecord, compile_report
from ogi.records.draft import draft_overview, fee_sentence
from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes
from ogi.workdays import default_calendar
from ogi.workflow.requests import Context, Refused, fire

from .test_workflow import R

ARITHMETIC = {"requests.balance", "requests.processed_total", "requests.row_total", "appeals.total", "continuity.carried"}
CAL = default_calendar()
YEARS = (2023, 2024, 2025)


@st.composite
def ledger(draw):  # type: ignore[no-untyped-def]
    """Requests received over three years, each taken through random workflow events
    (corrections, consultations, extensions, fees, withdrawals, answers); some left open."""
    records = []
    n = draw(st.integers(5, 40))
    for i in range(n):
        received = draw(st.dates(dt.date(2023, 1, 3), dt.date(2025, 12, 30)))
        while not CAL.is_workday(received):
            received += dt.timedelta(days=1)
        r = R(received_on=received)
        day = received
        for _ in range(draw(st.integers(0, 5))):
            event = draw(st.sampled_from(["request_correction", "receive_correction", "correction_lapsed", "start_consultation",
                                          "end_consultation", "extend", "fee_notice", "fee_paid", "fee_lapsed", "withdraw",
                                          "answer", "answer"]))
            day = day + dt.timedelta(days=draw(st.integers(1, 40)))
            if day.year > 2026:
                break
            try:
                fire(r, event, Context(on=day, role="admin", inputs={
                    "outcome": draw(st.sampled_from([c for c in outcomes() if not c.startswith("other.")])),
                    "days": draw(st.integers(1, 20)), "basis": "per_page", "pages": 101}))
            except Refused:
                pass
        done = r.answered_on or r.closed_on
        records.append(RequestRecord(f"R{i}", received, draw(st.sampled_from(list(APPLICANT_CATEGORIES))),
                                     r.outcome if done else None, done))
    docs = [DocumentRecord(f"D{i}", draw(st.sampled_from(["regulations", "normative"])),
                           draw(st.dates(dt.date(2018, 1, 1), dt.date(2025, 12, 31))),
                           draw(st.none() | st.dates(dt.date(2023, 1, 1), dt.date(2026, 6, 30))))
            for i in range(draw(st.integers(0, 8)))]
    docs = [d for d in docs if d.repealed_on is None or d.repealed_on > d.issued_on]
    cases = []
    for i in range(draw(st.integers(0, 6))):
        filed = draw(st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31)))
        decided = draw(st.none() | st.dates(filed, dt.date(2026, 6, 30)))
        cases.append(CaseRecord(f"C{i}", draw(st.sampled_from(["review", "litigation_direct", "litigation_after_review"])), filed,
                                draw(st.sampled_from(["upheld", "corrected", "other"])) if decided else None, decided))
    return records, docs, cases


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger())
def test_random_ledgers_compile_to_consistent_continuous_reports(data):
    records, docs, cases = data
    compiled = [compile_report("某某局", y, records, docs, cases) for y in YEARS]
    reports = [c.report for c in compiled]
    for r in reports:
        r.sections["overview"] = draft_overview(r)
    findings = check_all(reports)
    assert [f for fs in findings for f in fs if f.rule in ARITHMETIC or f.rule == "narrative.numbers"] == []
    # in_force continuity holds exactly when the register is the only source.
    assert [f for fs in findings for f in fs if f.rule == "continuity.in_force"] == []
    for c in compiled:
        for cid, keys in c.sources.items():
            assert c.report.cells[cid].value == len(keys), cid  # the drill-down lists exactly the cell's records


def test_counting_rules():
    recs = [
        RequestRecord("old-open", dt.date(2024, 12, 20), "natural"),  # open across both year ends
        RequestRecord("old-done", dt.date(2024, 12, 20), "natural", "granted", dt.date(2025, 1, 10)),
        RequestRecord("done-before", dt.date(2024, 3, 1), "natural", "granted", dt.date(2024, 4, 1)),
        RequestRecord("new-done", dt.date(2025, 3, 1), "legal_service", "other.unpaid_fee", dt.date(2025, 4, 1)),
        RequestRecord("new-open", dt.date(2025, 12, 29), "commercial"),
        RequestRecord("next-year", dt.date(2026, 1, 5), "natural"),
    ]
    c = compile_report("某某局", 2025, recs)
    s = c.sources
    assert s["requests.carried_in.natural"] == ["old-open", "old-done"]
    assert s["requests.new.legal_service"] == ["new-done"] and s["requests.new.commercial"] == ["new-open"]
    assert s["requests.granted.natural"] == ["old-done"] and s["requests.other.unpaid_fee.legal_service"] == ["new-done"]
    assert sorted(s["requests.carried_out.total"]) == ["new-open", "old-open"]
    c19 = compile_report("某某局", 2020, [RequestRecord("x", dt.date(2020, 3, 1), "natural", "other.no_correction", dt.date(2020, 4, 1))])
    assert c19.report.edition == "2019" and c19.sources["requests.other.natural"] == ["x"]


def test_documents_and_cases():
    docs = [DocumentRecord("a", "normative", dt.date(2020, 1, 1)), DocumentRecord("b", "normative", dt.date(2025, 2, 1)),
            DocumentRecord("c", "normative", dt.date(2021, 1, 1), dt.date(2025, 6, 1))]
    cases = [CaseRecord("k1", "review", dt.date(2024, 11, 1), "corrected", dt.date(2025, 2, 1)),
             CaseRecord("k2", "review", dt.date(2025, 10, 1)),
             CaseRecord("k3", "litigation_direct", dt.date(2024, 1, 1), "upheld", dt.date(2024, 6, 1))]
    r = compile_report("某某局", 2025, [], docs, cases).report
    assert [r.cells[f"active.normative.{k}"].value for k in ("issued", "repealed", "in_force")] == [1, 1, 2]
    assert [r.cells[f"appeals.review.{k}"].value for k in ("corrected", "pending", "total")] == [1, 1, 2]
    assert r.cells["appeals.litigation_direct.total"].value == 0  # decided in an earlier year


def test_drafts():
    r = compile_report("某某局", 2025, [RequestRecord("a", dt.date(2025, 3, 1), "natural", "granted", dt.date(2025, 3, 20))]).report
    text = draft_overview(r)
    assert "全年共收到政府信息公开申请1件" in text and "结转下年度继续办理0件" in text
    assert fee_sentence(2025, 0, 0) == "2025年度，本机关未收取政府信息公开信息处理费。"
    assert "共计720元" in fee_sentence(2025, 720, 1)
