"""The workflow as configuration: every transition, and every refusal (wrong role, wrong
state, a second extension, late notices, outcomes reserved to their own events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ogi.records.fees import per_page_fee, per_request_fee, per_request_total
from ogi.records.outcomes import outcomes, row_for
from ogi.workflow.requests import (
    APPLICANT,
    BY_EVENT,
    OPEN_STATES,
    ROLES,
    STATES,
    TRANSITIONS,
    Context,
    Refused,
    allowed,
    due_of,
    fire,
)


@dataclass
class R:
    received_on: dt.date = dt.date(2026, 3, 2)
    state: str = "registered"
    corrected_on: dt.date | None = None
    correction_requested_on: dt.date | None = None
    correction_due: dt.date | None = None
    extension_days: int = 0
    fee_notice_on: dt.date | None = None
    fee_amount: Any = None
    pauses: list = field(default_factory=list)
    outcome: str | None = None
    answered_on: dt.date | None = None
    closed_on: dt.date | None = None


D = dt.date


def go(r: R, event: str, on: dt.date, role: str = "admin", **inputs: Any) -> dict:
    return fire(r, event, Context(on=on, role=role, inputs=inputs))


def test_configuration_is_consistent():
    for t in TRANSITIONS:
        assert set(t.sources) <= set(STATES) and (t.target is None or t.target in STATES)
        assert set(t.roles) <= set(ROLES) | {APPLICANT} and "supervisor" not in t.roles
        # The applicant can only withdraw, or send the correction asked for.
        assert APPLICANT not in t.roles or t.event in ("withdraw", "receive_correction")
        assert t.outcome is None or t.outcome in outcomes()
    # Every open state can be left; every state is reachable.
    assert {s for t in TRANSITIONS for s in t.sources} >= set(OPEN_STATES)
    assert {t.target for t in TRANSITIONS if t.target} | {"registered"} == set(STATES)


def test_outcome_codes_are_the_rows_of_table_three():
    assert len(outcomes()) == 21
    assert row_for("other.unpaid_fee", "2021") == "other.unpaid_fee"
    assert row_for("other.unpaid_fee", "2019") == "other"
    assert row_for("withheld.third_party", "2019") == "withheld.third_party"


def test_answer():
    r = R()
    changes = go(r, "answer", D(2026, 3, 20), role="reviewer", outcome="granted")
    assert (r.state, r.outcome, r.answered_on) == ("answered", "granted", D(2026, 3, 20))
    assert changes["state"] == ("registered", "answered")
    go(r, "archive", D(2026, 3, 25), role="clerk")
    assert r.state == "archived"


def test_correction_restarts_the_clock_and_lapse_closes_it():
    r = R()
    go(r, "request_correction", D(2026, 3, 5), role="clerk")
    assert r.state == "correction" and r.correction_due == D(2026, 3, 26)  # 15 working days
    assert due_of(r, D(2026, 3, 10)).status == "waiting"
    go(r, "receive_correction", D(2026, 3, 12), role="clerk")
    assert r.state == "registered" and due_of(r, D(2026, 3, 12)).due == D(2026, 4, 10)  # 20 from 3-12 (清明 4-4..4-6)
    # Counted from the correction, and said so (it named 3-12 a second 收到申请之日).
    assert due_of(r, D(2026, 3, 12)).explanation_zh.startswith("收到补正之日为2026年3月12日")
    r2 = R()
    go(r2, "request_correction", D(2026, 3, 5), role="clerk", correction_due=D(2026, 3, 16))
    with pytest.raises(Refused, match="尚未届满"):
        go(r2, "correction_lapsed", D(2026, 3, 16), role="clerk")
    go(r2, "correction_lapsed", D(2026, 3, 17), role="clerk")
    assert (r2.state, r2.outcome, r2.closed_on) == ("closed", "other.no_correction", D(2026, 3, 17))


def test_the_applicant_corrects_within_the_period_staff_also_after_it():
    """条例第三十条: the applicant's own correction is taken up to the last day of the period;
    past it, only staff record one (a letter posted in time, entered late)."""
    for role, day, taken in ((APPLICANT, D(2026, 3, 26), True), (APPLICANT, D(2026, 3, 27), False),
                             ("clerk", D(2026, 3, 27), True)):
        r = R()
        go(r, "request_correction", D(2026, 3, 5), role="clerk")
        assert r.correction_due == D(2026, 3, 26)
        if taken:
            go(r, "receive_correction", day, role=role)
            assert (r.state, r.corrected_on) == ("registered", day)
        else:
            with pytest.raises(Refused, match="补正期限已于2026年3月26日届满"):
                go(r, "receive_correction", day, role=role)
            assert (r.state, r.corrected_on) == ("correction", None)


def test_correction_only_once_and_within_seven_working_days():
    r = R()
    with pytest.raises(Refused, match="7个工作日"):
        go(r, "request_correction", D(2026, 3, 12), role="clerk")  # 3-11 is the 7th working day
    go(r, "request_correction", D(2026, 3, 11), role="clerk")
    go(r, "receive_correction", D(2026, 3, 12), role="clerk")
    with pytest.raises(Refused, match="一次性"):
        go(r, "request_correction", D(2026, 3, 12), role="clerk")


def test_consultation_pauses_the_clock():
    r = R()
    before = due_of(r, D(2026, 3, 2)).due
    go(r, "start_consultation", D(2026, 3, 9), role="clerk", party="某公司")
    assert r.state == "consulting" and due_of(r, D(2026, 3, 9)).due > before
    go(r, "end_consultation", D(2026, 3, 16), role="clerk")  # paused 3-9..3-13: five working days
    after = due_of(r, D(2026, 3, 16)).due
    assert r.state == "registered" and after == D(2026, 4, 7)
    assert before == D(2026, 3, 30)


def test_one_extension_by_an_approver():
    r = R()
    with pytest.raises(Refused, match="无权"):
        go(r, "extend", D(2026, 3, 20), role="clerk", days=20)
    with pytest.raises(Refused, match="1至20"):
        go(r, "extend", D(2026, 3, 20), role="reviewer", days=21)
    go(r, "extend", D(2026, 3, 20), role="reviewer", days=20)
    assert r.extension_days == 20 and due_of(r, D(2026, 3, 20)).due == D(2026, 4, 28)
    with pytest.raises(Refused, match="只能延长一次"):
        go(r, "extend", D(2026, 3, 21), role="admin", days=5)


def test_no_extension_once_the_period_is_over():
    """Art. 33: an extension decided after the answer was due would tell the applicant of
    a new date already past (received 3-2, due 3-30)."""
    r = R()
    with pytest.raises(Refused, match="2026-03-30 届满"):
        go(r, "extend", D(2026, 3, 31), role="reviewer", days=5)
    assert r.extension_days in (0, None)
    go(r, "extend", D(2026, 3, 30), role="reviewer", days=5)  # on the last day: in time
    assert due_of(r, D(2026, 3, 30)).due == D(2026, 4, 7)


def test_fees():
    r = R()
    with pytest.raises(Refused, match="应收金额为0"):
        go(r, "fee_notice", D(2026, 3, 5), role="clerk", basis="per_page", pages=30)
    with pytest.raises(Refused, match="需要页数"):
        go(r, "fee_notice", D(2026, 3, 5), role="clerk", basis="per_page")
    go(r, "fee_notice", D(2026, 3, 5), role="clerk", basis="per_page", pages=101)
    assert r.state == "fee_pending" and r.fee_amount == 720
    with pytest.raises(Refused, match="尚未届满"):
        go(r, "fee_lapsed", D(2026, 4, 2), role="clerk")  # 20 working days from 3-5 end 4-2
    go(r, "fee_lapsed", D(2026, 4, 3), role="clerk")
    assert (r.state, r.outcome) == ("closed", "other.unpaid_fee")
    assert r.pauses[0]["end"] == "2026-04-02"
    paid = R()
    go(paid, "fee_notice", D(2026, 3, 5), role="clerk", basis="per_request", nth_in_month=11)
    assert paid.fee_amount == 100
    go(paid, "fee_paid", D(2026, 3, 10), role="clerk")
    assert paid.state == "registered" and paid.pauses[0] == {"kind": "fee", "start": "2026-03-05", "end": "2026-03-09", "party": ""}


def test_withdrawal_from_every_open_state():
    for state in OPEN_STATES:
        r = R(state=state)
        go(r, "withdraw", D(2026, 3, 6), role="clerk")
        assert (r.state, r.outcome) == ("closed", "other.other")


@pytest.mark.parametrize("event", [t.event for t in TRANSITIONS])
def test_every_event_refused_in_a_wrong_state(event):
    t = BY_EVENT[event]
    wrong = next(s for s in STATES if s not in t.sources)
    r = R(state=wrong)
    with pytest.raises(Refused) as e:
        go(r, event, D(2026, 3, 6), outcome="granted", days=5, amount=100)
    assert e.value.code == "wrong_state"


@pytest.mark.parametrize("event", [t.event for t in TRANSITIONS])
def test_every_event_refused_to_a_supervisor(event):
    t = BY_EVENT[event]
    r = R(state=t.sources[0])
    with pytest.raises(Refused) as e:
        go(r, event, D(2026, 3, 6), role="supervisor")
    assert e.value.code == "forbidden"


def test_answer_needs_an_approver_and_a_table_outcome():
    r = R()
    with pytest.raises(Refused, match="无权"):
        go(r, "answer", D(2026, 3, 9), role="clerk", outcome="granted")
    with pytest.raises(Refused, match="表三"):
        go(r, "answer", D(2026, 3, 9), role="reviewer", outcome="nonsense")
    with pytest.raises(Refused, match="对应的操作"):
        go(r, "answer", D(2026, 3, 9), role="reviewer", outcome="other.unpaid_fee")
    with pytest.raises(Refused, match="早于"):
        go(r, "answer", D(2026, 3, 1), role="reviewer", outcome="granted")
    assert r.state == "registered" and r.outcome is None  # a refused event changes nothing


def test_allowed_lists_what_a_role_may_do():
    assert [t.event for t in allowed(R(), "supervisor")] == []
    clerk = {t.event for t in allowed(R(), "clerk")}
    assert "answer" not in clerk and "extend" not in clerk and "request_correction" in clerk
    assert {"answer", "extend"} <= {t.event for t in allowed(R(), "reviewer")}


def test_overdue_and_due_soon_are_derived():
    r = R()
    assert due_of(r, D(2026, 3, 2)).status == "ok"
    assert due_of(r, D(2026, 3, 24)).status == "due_soon"  # 4 working days left
    late = due_of(r, D(2026, 3, 31))
    assert late.status == "overdue" and late.days_left == -1


# --- fees (国办函〔2020〕109号) ------------------------------------------------------------

def test_fee_bands():
    assert [per_request_fee(n) for n in (1, 10, 11, 30, 31, 40, 41, 50, 51)] == [0, 0, 100, 100, 200, 200, 300, 300, 400]
    assert per_request_total(12) == 200
    assert [per_page_fee(p) for p in (0, 30, 31, 100, 101, 200, 201)] == [0, 0, 10, 700, 720, 2700, 2740]


@given(st.integers(0, 5000))
def test_page_fee_grows_by_the_band_price(p):
    step = per_page_fee(p + 1) - per_page_fee(p)
    assert step == (0 if p < 30 else 10 if p < 100 else 20 if p < 200 else 40)


@given(st.integers(1, 500))
def test_request_fee_never_decreases(n):
    assert per_request_fee(n + 1) >= per_request_fee(n)


def test_lateness_still_known_when_today_is_past_the_calendar():
    d = due_of(R(received_on=D(2026, 11, 2)), D(2027, 2, 1))
    # Working days late counted over 2027 as estimated: 12-01..12-31 (23), 2027-01 less 元旦 (20), 02-01 (1).
    assert d.status == "overdue" and d.days_left == -44 and d.due == D(2026, 11, 30) and not d.provisional


def test_an_open_request_running_into_an_unpublished_year_is_provisional():
    d = due_of(R(received_on=D(2026, 12, 10)), D(2026, 12, 11))
    assert d.provisional and d.due.year == 2027 and "2027年" in d.provisional_reason_zh and d.days_left > 0


# --- the machine ---------------------------------------------------------------------------------

def test_permitted_events_per_role_and_state_request():
    """Who may do what in each state, written out as the table an FOI office would check."""
    from ogi.workflow.requests import REQUESTS

    staff = {"registered": {"request_correction", "start_consultation", "fee_notice", "withdraw"},
             "correction": {"receive_correction", "correction_lapsed", "withdraw"},
             "consulting": {"end_consultation", "withdraw"},
             "fee_pending": {"fee_paid", "fee_lapsed", "withdraw"},
             "answered": {"archive"}, "closed": {"archive"}, "archived": set()}
    approver_only = {"registered": {"extend", "answer"}, "consulting": {"extend"},
                     "fee_pending": {"extend", "fee_reduce", "fee_waive"}}
    expected = {}
    for state in STATES:
        expected[("clerk", state)] = staff[state]
        expected[("reviewer", state)] = expected[("admin", state)] = staff[state] | approver_only.get(state, set())
        expected[("supervisor", state)] = set()
        expected[(APPLICANT, state)] = ({"withdraw"} if state in OPEN_STATES else set()) | (
            {"receive_correction"} if state == "correction" else set())
    assert {k: set(v) for k, v in REQUESTS.table().items()} == expected


def test_permitted_events_per_role_and_state_report():
    from ogi.workflow.reports import REPORTS

    expected = {("clerk", "draft"): {"submit"}, ("admin", "draft"): {"submit"},
                ("reviewer", "review"): {"return", "approve"}, ("admin", "review"): {"return", "approve"},
                ("reviewer", "approved"): {"return", "publish"}, ("admin", "approved"): {"return", "publish"},
                ("reviewer", "published"): {"correct"}, ("admin", "published"): {"correct"}}
    table = {k: set(v) for k, v in REPORTS.table().items() if v}
    assert table == expected


def test_a_machine_with_a_misspelt_or_unreachable_name_fails_when_built():
    from ogi.workflow.machine import Machine, MachineError, Transition

    states = {"a": "甲", "b": "乙"}
    m = Machine("t", states, "a", [Transition("go", "走", ("a",), "b", ("clerk",), ("ready",))], {"clerk": "经办人"})
    m.guard("redy")(lambda obj, ctx: None)
    with pytest.raises(MachineError, match="guard ready is not registered"):
        m.validate()
    lonely = Machine("t", {**states, "c": "丙"}, "a", [Transition("go", "走", ("a",), "b", ("clerk",))], {"clerk": "经办人"})
    with pytest.raises(MachineError, match="never reached"):
        lonely.validate()
    unknown = Machine("t", states, "a", [Transition("go", "走", ("a",), "b", ("nobody",))], {"clerk": "经办人"})
    with pytest.raises(MachineError, match="unknown roles"):
        unknown.validate()


def test_report_gate_blocks_errors_and_unacknowledged_warnings():
    from ogi.report import Finding
    from ogi.workflow import Context
    from ogi.workflow.reports import fire as fire_report

    @dataclass
    class Row:
        year: int = 2025
        state: str = "draft"
        frozen: Any = None
        submitted_by_id: Any = None
        issued_on: dt.date | None = None
        published_on: dt.date | None = None
        slug: str | None = None

    error = Finding("requests.balance", "error", "不平", "off")
    warning = Finding("metadata.date", "warning", "无日期", "no date")
    row = Row()
    with pytest.raises(Refused, match="1 处错误"):
        fire_report(row, "submit", Context(D(2026, 1, 5), "clerk", extra={"findings": [error, warning], "live": {}}))
    with pytest.raises(Refused, match="勾选"):
        fire_report(row, "submit", Context(D(2026, 1, 5), "clerk", extra={"findings": [warning], "live": {}}))
    assert row.state == "draft" and row.frozen is None
    # Not before the year is over: 31 December is still the year being reported on.
    with pytest.raises(Refused, match="2025年尚未结束"):
        fire_report(row, "submit", Context(D(2025, 12, 31), "clerk", extra={"findings": [], "live": {}}))
    fire_report(row, "submit", Context(D(2026, 1, 5), "clerk", extra={"findings": [warning], "acknowledged": True,
                                                                      "live": {"x": 1}, "actor": 7}))
    assert (row.state, row.frozen, row.submitted_by_id) == ("review", {"x": 1}, 7)
    # Four eyes: who submitted does not approve.
    with pytest.raises(Refused, match="不能由您本人批准"):
        fire_report(row, "approve", Context(D(2026, 1, 8), "admin", extra={"findings": [], "actor": 7}))
    assert row.state == "review"
    fire_report(row, "approve", Context(D(2026, 1, 8), "reviewer", extra={"findings": [], "acknowledged": False, "actor": 8}))
    assert row.issued_on == D(2026, 1, 8)
    fire_report(row, "publish", Context(D(2026, 1, 9), "reviewer", inputs={"issued_on": D(2026, 1, 7)}, extra={"findings": []}))
    assert (row.state, row.issued_on, row.published_on) == ("published", D(2026, 1, 7), D(2026, 1, 9)) and row.slug
