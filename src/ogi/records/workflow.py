"""The request workflow as configuration: states, events, who may fire them and the
guards that must hold (Regulation on OGI Art. 30–33, 国办函〔2020〕109号). Plain Python:
the web application, the API and the tests all go through `fire`.

A request object needs the attributes of `Ledgered` below; the Django model has them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from ..workdays import Calendar, deadline, default_calendar, final_when_zh, provisional_reason_zh
from .fees import fee_for
from .outcomes import outcomes

STATES = {
    "registered": "办理中",
    "correction": "待补正",
    "consulting": "征求意见中",
    "fee_pending": "待缴费",
    "answered": "已答复",
    "closed": "已终止",
    "archived": "已归档",
}
OPEN_STATES = ("registered", "correction", "consulting", "fee_pending")
ROLES = {"clerk": "经办人", "reviewer": "审核人", "admin": "机关管理员", "supervisor": "监督（只读）"}
# The applicant acts too, without an account: withdrawing the request on the tracking page.
APPLICANT = "applicant"
ACTORS = {**ROLES, APPLICANT: "申请人"}
STAFF = ("clerk", "reviewer", "admin")
APPROVERS = ("reviewer", "admin")

CORRECTION_NOTICE_DAYS = 7  # Art. 30: the notice to correct within 7 working days of receipt
CORRECTION_PERIOD_DAYS = 15  # a reasonable period for the applicant, stated in the notice
THIRD_PARTY_DAYS = 15  # Art. 32: the third party answers within 15 working days
MAX_EXTENSION = 20  # Art. 33: extended once, by at most 20 working days
FEE_PAYMENT_DAYS = 20  # 国办函〔2020〕109号: payment within 20 working days of the notice


@dataclass(frozen=True)
class Transition:
    event: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    outcome: str | None = None  # the outcome a closing event records
    inputs: tuple[str, ...] = ()  # what the user supplies
    public: str = ""  # what the applicant's tracking page says happened; "" shows nothing


TRANSITIONS: tuple[Transition, ...] = (
    Transition("request_correction", "通知补正", ("registered",), "correction", STAFF,
               ("correction_in_time", "not_corrected_before"), inputs=("note", "correction_due"), public="通知补正申请"),
    Transition("receive_correction", "收到补正", ("correction",), "registered", STAFF, inputs=("note",),
               public="收到补正后的申请，答复期限自收到之日起重新计算"),
    Transition("correction_lapsed", "逾期未补正，不再处理", ("correction",), "closed", STAFF,
               ("correction_period_over",), outcome="other.no_correction", public="逾期未补正，不再处理该申请"),
    Transition("start_consultation", "征求第三方或其他机关意见", ("registered",), "consulting", STAFF,
               inputs=("party", "note"), public="征求第三方或其他机关意见，所需时间不计入答复期限"),
    Transition("end_consultation", "收到意见（或期满）", ("consulting",), "registered", STAFF, inputs=("note",),
               public="征求意见结束，继续办理"),
    Transition("extend", "延长答复期限", ("registered", "consulting", "fee_pending"), None, APPROVERS,
               ("not_extended", "extension_within_limit"), inputs=("days", "note"), public="延长答复期限"),
    Transition("fee_notice", "发出收费通知", ("registered",), "fee_pending", STAFF, ("fee_positive",),
               inputs=("basis", "pages", "note"), public="发出收费通知"),
    # A reduction or waiver is the reviewer's reasoned decision, never an amount typed over the rule's.
    Transition("fee_reduce", "减免信息处理费（部分）", ("fee_pending",), None, APPROVERS, ("fee_reduced",),
               inputs=("amount", "reason"), public="减免部分信息处理费"),
    Transition("fee_waive", "免收信息处理费", ("fee_pending",), "registered", APPROVERS, inputs=("reason",),
               public="免收信息处理费，继续办理"),
    Transition("fee_paid", "申请人已缴费", ("fee_pending",), "registered", STAFF, inputs=("note",),
               public="收到信息处理费"),
    Transition("fee_lapsed", "逾期未缴费，不再处理", ("fee_pending",), "closed", STAFF, ("fee_period_over",),
               outcome="other.unpaid_fee", public="逾期未缴纳信息处理费，不再处理该申请"),
    Transition("withdraw", "申请人撤回申请", OPEN_STATES, "closed", (*STAFF, APPLICANT), outcome="other.other", inputs=("note",),
               public="申请人撤回申请"),
    Transition("answer", "答复", ("registered",), "answered", APPROVERS, ("outcome_allowed",), inputs=("outcome", "withheld", "note"),
               public="作出答复"),
    Transition("archive", "归档", ("answered", "closed"), "archived", STAFF),
)
BY_EVENT = {t.event: t for t in TRANSITIONS}
# Outcomes that only their own events record.
_EVENT_ONLY = {t.outcome for t in TRANSITIONS if t.outcome and t.event != "withdraw"}


class Ledgered(Protocol):
    state: str
    received_on: dt.date
    corrected_on: dt.date | None
    correction_requested_on: dt.date | None
    correction_due: dt.date | None
    extension_days: int
    fee_notice_on: dt.date | None
    fee_amount: Any
    pauses: list
    outcome: str | None
    answered_on: dt.date | None
    closed_on: dt.date | None


class Refused(Exception):
    """An event that may not happen now; the reason in Chinese."""

    def __init__(self, message_zh: str, code: str = "refused"):
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.code = code


@dataclass
class Context:
    on: dt.date
    role: str
    inputs: dict[str, Any] = field(default_factory=dict)
    calendar: Calendar | None = None

    @property
    def cal(self) -> Calendar:
        return self.calendar or default_calendar()


def _guard(name: str, r: Ledgered, ctx: Context) -> str | None:
    """None when the guard holds, else why not (Chinese)."""
    cal = ctx.cal
    if name == "correction_in_time":
        due = deadline(r.received_on, CORRECTION_NOTICE_DAYS, calendar=cal).due
        if ctx.on > due:
            return f"补正通知应在收到申请后7个工作日内（{due.isoformat()} 前）一次性发出"
    elif name == "not_corrected_before":
        if r.correction_requested_on is not None:
            return "补正应一次性告知，本申请已通知过补正"
    elif name == "correction_period_over":
        if r.correction_due is None or ctx.on <= r.correction_due:
            return f"补正期限（{r.correction_due}）尚未届满"
    elif name == "not_extended":
        if r.extension_days:
            return "答复期限只能延长一次，本申请已延长过"
    elif name == "extension_within_limit":
        days = int(ctx.inputs.get("days") or 0)
        if not 1 <= days <= MAX_EXTENSION:
            return f"延长期限应为1至{MAX_EXTENSION}个工作日"
    elif name == "fee_positive":
        try:
            amount = float(ctx.inputs.get("amount") or 0)
        except (TypeError, ValueError):
            amount = 0
        if amount <= 0:
            return "按收费标准应收金额为0（不收费的无需发出收费通知）"
    elif name == "fee_reduced":
        try:
            amount = Decimal(str(ctx.inputs.get("amount")))
        except (InvalidOperation, ValueError):
            return "请填写减免后的金额"
        if r.fee_amount is None or not 0 < amount < Decimal(str(r.fee_amount)):
            return f"减免后的金额应大于0且低于原收费金额（{r.fee_amount} 元）；全部免收请用“免收信息处理费”"
    elif name == "fee_period_over":
        if r.fee_notice_on is None:
            return "尚未发出收费通知"
        due = deadline(r.fee_notice_on, FEE_PAYMENT_DAYS, calendar=cal).due
        if ctx.on <= due:
            return f"缴费期限（{due.isoformat()}）尚未届满"
    elif name == "outcome_allowed":
        code = ctx.inputs.get("outcome")
        if code not in outcomes():
            return "请选择表三所列的一种办理结果"
        if code in _EVENT_ONLY:
            return "逾期不补正、逾期未缴费的请用对应的操作办理"
    return None


def allowed(r: Ledgered, role: str) -> list[Transition]:
    """The events a user of this role could fire on the request in its state."""
    return [t for t in TRANSITIONS if r.state in t.sources and role in t.roles]


def fire(r: Ledgered, event: str, ctx: Context) -> dict[str, tuple[Any, Any]]:
    """Apply an event; returns {field: (before, after)} for the audit log. Raises Refused."""
    t = BY_EVENT.get(event)
    if t is None:
        raise Refused("没有这个操作", "unknown_event")
    if ctx.role not in t.roles:
        raise Refused(f"“{ACTORS.get(ctx.role, ctx.role)}”无权执行“{t.label}”", "forbidden")
    if r.state not in t.sources:
        raise Refused(f"申请处于“{STATES.get(r.state, r.state)}”状态，不能执行“{t.label}”", "wrong_state")
    if ctx.on < r.received_on:
        raise Refused("操作日期早于收到申请之日", "bad_date")
    if t.event == "fee_notice":
        # 国办函〔2020〕109号: the amount follows from the basis, never typed by hand.
        try:
            ctx.inputs["amount"] = fee_for(str(ctx.inputs.get("basis") or ""), ctx.inputs.get("nth_in_month"),
                                           ctx.inputs.get("pages"))
        except (ValueError, TypeError) as e:
            raise Refused(f"无法计算收费金额：{e}", "guard") from None
    for g in t.guards:
        why = _guard(g, r, ctx)
        if why:
            raise Refused(why, "guard")
    before = _snapshot(r)
    _effects(t, r, ctx)
    if t.target:
        r.state = t.target
    if t.outcome:
        r.outcome = t.outcome
    after = _snapshot(r)
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def _close_pause(r: Ledgered, kind: str, on: dt.date) -> None:
    for p in r.pauses:
        if p["kind"] == kind and p.get("end") is None:
            # The day the answer or payment arrives counts again.
            p["end"] = (on - dt.timedelta(days=1)).isoformat()


def _effects(t: Transition, r: Ledgered, ctx: Context) -> None:
    on, inputs = ctx.on, ctx.inputs
    if t.event == "request_correction":
        r.correction_requested_on = on
        given = inputs.get("correction_due")
        r.correction_due = given if isinstance(given, dt.date) else deadline(on, CORRECTION_PERIOD_DAYS, calendar=ctx.cal).due
    elif t.event == "receive_correction":
        r.corrected_on = on  # Art. 30: the time limit runs from receipt of the corrected request
    elif t.event in ("start_consultation", "fee_notice"):
        kind = "consultation" if t.event == "start_consultation" else "fee"
        r.pauses = [*r.pauses, {"kind": kind, "start": on.isoformat(), "end": None, "party": inputs.get("party") or ""}]
        if t.event == "fee_notice":
            r.fee_notice_on = on
            r.fee_amount = inputs.get("amount")
    elif t.event == "fee_reduce":
        r.fee_amount = Decimal(str(inputs["amount"]))
    elif t.event == "fee_waive":
        r.fee_amount = Decimal(0)
        r.pauses = [dict(p) for p in r.pauses]
        _close_pause(r, "fee", on)
    elif t.event in ("end_consultation", "fee_paid"):
        r.pauses = [dict(p) for p in r.pauses]
        _close_pause(r, "consultation" if t.event == "end_consultation" else "fee", on)
    elif t.event == "extend":
        r.extension_days = int(inputs["days"])
    elif t.event == "answer":
        r.outcome = inputs["outcome"]
        r.answered_on = on
    if t.target == "closed":
        r.closed_on = on
        r.pauses = [dict(p) for p in r.pauses]
        for kind in ("consultation", "fee"):
            _close_pause(r, kind, on)


_FIELDS = ("state", "corrected_on", "correction_requested_on", "correction_due", "extension_days", "fee_notice_on",
           "fee_amount", "outcome", "answered_on", "closed_on", "pauses")


def _snapshot(r: Ledgered) -> dict[str, Any]:
    out = {}
    for f in _FIELDS:
        v = getattr(r, f)
        out[f] = v.isoformat() if isinstance(v, dt.date) else (str(v) if f == "fee_amount" and v is not None else v)
    out["pauses"] = [dict(p) for p in r.pauses]
    return out


# --- the derived deadline ------------------------------------------------------------------

DUE_SOON = 5  # working days


@dataclass
class Due:
    due: dt.date | None
    days_left: int | None  # working days from tomorrow to the due date; negative when late
    status: str  # ok | due_soon | overdue | waiting (on the applicant) | done
    explanation_zh: str
    # Counted over a year whose holiday notice is not yet published: an estimate (推定).
    provisional: bool = False
    provisional_reason_zh: str = ""
    final_when_zh: str = ""


def due_of(r: Ledgered, today: dt.date, calendar: Calendar | None = None) -> Due:
    """Due date and status, computed when read — never stored."""
    cal = calendar or default_calendar()
    if r.state not in OPEN_STATES:
        return Due(None, None, "done", STATES.get(r.state, "状态数据有误"))
    if r.state == "correction":
        asked = r.correction_requested_on or r.received_on
        years = cal.unpublished_years(asked + dt.timedelta(days=1), r.correction_due) if r.correction_due else []
        return Due(r.correction_due, _left(cal, today, r.correction_due), "waiting",
                   f"已于 {r.correction_requested_on} 通知补正，等待申请人在 {r.correction_due} 前补正；"
                   f"收到补正后重新计算20个工作日", bool(years), provisional_reason_zh(years, cal),
                   final_when_zh(years) if years else "")
    start = r.corrected_on or r.received_on
    if not isinstance(start, dt.date):
        return Due(None, None, "done", "收到申请之日缺失，无法计算期限")
    pauses = []
    for p in r.pauses if isinstance(r.pauses, list) else ():
        try:
            a = dt.date.fromisoformat(p["start"])
            # An open pause runs to today: while paused, the due date moves each day.
            b = dt.date.fromisoformat(p["end"]) if p.get("end") else max(today, a)
        except (TypeError, KeyError, ValueError, AttributeError):
            continue  # a pause stored in another shape: the row shows its problem, the count goes on
        if b >= a:
            pauses.append((a, b))
    extension = min(max(int(r.extension_days or 0), 0), MAX_EXTENSION)
    d = deadline(start, 20, pauses, extension, calendar=cal)
    left = _left(cal, today, d.due)
    status = "overdue" if today > d.due else "due_soon" if left is not None and left <= DUE_SOON else "ok"
    note = "（按补正后的申请重新计算）" if r.corrected_on else ""
    if r.state in ("consulting", "fee_pending"):
        note += "（暂停计算中，截止日随暂停顺延）"
    return Due(d.due, left, status, d.explanation_zh + note, d.provisional, d.provisional_reason_zh, d.final_when_zh)


def _left(cal: Calendar, today: dt.date, due: dt.date | None) -> int | None:
    """Working days from today to the due date (negative when late)."""
    if due is None:
        return None
    if due >= today:
        return cal.workdays(today + dt.timedelta(days=1), due)
    return -cal.workdays(due + dt.timedelta(days=1), today)
