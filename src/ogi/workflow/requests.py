"""A disclosure request's way through the office (Regulation on OGI Art. 30–33, 国办函〔2020〕
109号): its states, the events that move it, who may fire them, the guards that must hold
and what each event changes — and the due date derived from it. The web application, the
API, the import and the tests all go through `fire`.

A request object needs the attributes of `Ledgered` below; the Django model has them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from ..records.fees import fee_for
from ..records.outcomes import outcomes, public_outcome
from ..workdays import Calendar, deadline, default_calendar, final_when_zh, provisional_reason_zh
from .machine import Context, Machine, Refused, Transition

__all__ = ["ACTORS", "APPLICANT", "APPROVERS", "BY_EVENT", "DUE_SOON", "DUE_STATUS", "MAX_EXTENSION", "OPEN_STATES", "REQUESTS", "ROLES",
           "STAFF", "STATES", "TRANSITIONS", "Context", "Due", "Refused", "Transition", "allowed", "due_of", "fire",
           "public_text"]

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
ROLES = {"clerk": "经办人", "reviewer": "审核人", "admin": "机关管理员", "supervisor": "监督（台账只读）"}
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

TRANSITIONS: tuple[Transition, ...] = (
    Transition("request_correction", "通知补正", ("registered",), "correction", STAFF,
               ("correction_in_time", "not_corrected_before"), ("ask_correction",), inputs=("note", "correction_due"),
               public="通知补正申请，请于{correction_due}前补正"),
    # The applicant sends the correction on the tracking page, or staff record one received otherwise.
    Transition("receive_correction", "收到补正", ("correction",), "registered", (*STAFF, APPLICANT), ("applicant_in_period",),
               ("restart_clock",),
               inputs=("note",), public="收到补正后的申请，答复期限自收到之日起重新计算"),
    Transition("correction_lapsed", "逾期未补正，不再处理", ("correction",), "closed", STAFF, ("correction_period_over",),
               ("close",), outcome="other.no_correction", public="逾期未补正，不再处理该申请"),
    Transition("start_consultation", "征求第三方或其他机关意见", ("registered",), "consulting", STAFF, (), ("pause_consultation",),
               inputs=("party", "note"), public="征求第三方或其他机关意见，所需时间不计入答复期限"),
    Transition("end_consultation", "收到意见（或期满）", ("consulting",), "registered", STAFF, (), ("resume_consultation",),
               inputs=("note",), public="征求意见结束，继续办理"),
    Transition("extend", "延长答复期限", ("registered", "consulting", "fee_pending"), None, APPROVERS,
               ("not_extended", "extension_within_limit", "extension_in_time"), ("extend",), inputs=("days", "note"),
               public="延长答复期限 {extension_days} 个工作日"),
    Transition("fee_notice", "发出收费通知", ("registered",), "fee_pending", STAFF, ("fee_by_rule",), ("notify_fee",),
               inputs=("basis", "pages", "note"), public="发出收费通知，金额 {fee_amount} 元"),
    # A reduction or waiver is the reviewer's reasoned decision, never an amount typed over the rule's.
    Transition("fee_reduce", "减免信息处理费（部分）", ("fee_pending",), None, APPROVERS, ("fee_reduced",), ("reduce_fee",),
               inputs=("amount", "reason"), public="减免部分信息处理费，应缴金额改为 {fee_amount} 元"),
    Transition("fee_waive", "免收信息处理费", ("fee_pending",), "registered", APPROVERS, (), ("waive_fee",), inputs=("reason",),
               public="免收信息处理费，继续办理"),
    Transition("fee_paid", "申请人已缴费", ("fee_pending",), "registered", STAFF, (), ("resume_fee",), inputs=("note",),
               public="收到信息处理费"),
    Transition("fee_lapsed", "逾期未缴费，不再处理", ("fee_pending",), "closed", STAFF, ("fee_period_over",), ("close",),
               outcome="other.unpaid_fee", public="逾期未缴纳信息处理费，不再处理该申请"),
    Transition("withdraw", "申请人撤回申请", OPEN_STATES, "closed", (*STAFF, APPLICANT), (), ("close",), outcome="other.other",
               inputs=("note",), public="申请人撤回申请"),
    Transition("answer", "答复", ("registered",), "answered", APPROVERS, ("outcome_allowed",), ("answer",),
               inputs=("outcome", "withheld", "note"), public="作出答复：{outcome}"),
    Transition("archive", "归档", ("answered", "closed"), "archived", STAFF),
)
REQUESTS = Machine("requests", STATES, "registered", TRANSITIONS, ACTORS)
BY_EVENT = REQUESTS.by_event
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


# --- guards: None when it holds, else why not ------------------------------------------------

@REQUESTS.guard("correction_in_time")
def _correction_in_time(r: Ledgered, ctx: Context) -> str | None:
    due = deadline(r.received_on, CORRECTION_NOTICE_DAYS, calendar=ctx.cal).due
    return f"补正通知应在收到申请后7个工作日内（{due.isoformat()} 前）一次性发出" if ctx.on > due else None


@REQUESTS.guard("not_corrected_before", standing=True)
def _not_corrected_before(r: Ledgered, ctx: Context) -> str | None:
    return "补正应一次性告知，本申请已通知过补正" if r.correction_requested_on is not None else None


@REQUESTS.guard("correction_period_over")
def _correction_period_over(r: Ledgered, ctx: Context) -> str | None:
    if r.correction_due is None or ctx.on <= r.correction_due:
        return f"补正期限（{r.correction_due}）尚未届满"
    return None


@REQUESTS.guard("applicant_in_period")
def _applicant_in_period(r: Ledgered, ctx: Context) -> str | None:
    """Art. 30: not corrected within the period, the request counts as given up. Staff may still
    record a correction that reached them in time by post and was entered late; the applicant's
    own online correction is dated the day it is sent, so past the period it is refused."""
    if ctx.role != APPLICANT or r.correction_due is None or ctx.on <= r.correction_due:
        return None
    return (f"补正期限已于{r.correction_due.year}年{r.correction_due.month}月{r.correction_due.day}日届满，无法再在网上提交补正。"
            "依照《政府信息公开条例》第三十条，申请人无正当理由逾期不补正的，视为放弃申请；如有正当理由，请与本机关联系")


@REQUESTS.guard("not_extended", standing=True)
def _not_extended(r: Ledgered, ctx: Context) -> str | None:
    return "答复期限只能延长一次，本申请已延长过" if r.extension_days else None


@REQUESTS.guard("extension_within_limit")
def _extension_within_limit(r: Ledgered, ctx: Context) -> str | None:
    try:
        days = int(ctx.inputs.get("days") or 0)
    except (TypeError, ValueError):
        days = 0
    return f"延长期限应为1至{MAX_EXTENSION}个工作日" if not 1 <= days <= MAX_EXTENSION else None


@REQUESTS.guard("extension_in_time")
def _extension_in_time(r: Ledgered, ctx: Context) -> str | None:
    """Art. 33: the extension is decided, and the applicant told, within the period it
    extends; past it, the letter would promise an answer by a day gone."""
    due = due_of(r, ctx.on, ctx.cal).due
    if due is not None and ctx.on > due:
        return f"答复期限已于 {due.isoformat()} 届满，不能再延长：延长须在答复期限内决定并告知申请人（《条例》第三十三条）"
    return None


@REQUESTS.guard("fee_by_rule")
def _fee_by_rule(r: Ledgered, ctx: Context) -> str | None:
    """国办函〔2020〕109号: the amount follows from the basis, never typed by hand."""
    try:
        amount = fee_for(str(ctx.inputs.get("basis") or ""), ctx.inputs.get("nth_in_month"), ctx.inputs.get("pages"))
    except (ValueError, TypeError) as e:
        return f"无法计算收费金额：{e}"
    if amount <= 0:
        return "按收费标准应收金额为0（不收费的无需发出收费通知）"
    ctx.extra["amount"] = amount
    return None


@REQUESTS.guard("fee_reduced")
def _fee_reduced(r: Ledgered, ctx: Context) -> str | None:
    try:
        amount = Decimal(str(ctx.inputs.get("amount")))
    except (InvalidOperation, ValueError):
        return "请填写减免后的金额"
    if r.fee_amount is None or not 0 < amount < Decimal(str(r.fee_amount)):
        return f"减免后的金额应大于0且低于原收费金额（{r.fee_amount} 元）；全部免收请用“免收信息处理费”"
    return None


@REQUESTS.guard("fee_period_over")
def _fee_period_over(r: Ledgered, ctx: Context) -> str | None:
    if r.fee_notice_on is None:
        return "尚未发出收费通知"
    due = deadline(r.fee_notice_on, FEE_PAYMENT_DAYS, calendar=ctx.cal).due
    return f"缴费期限（{due.isoformat()}）尚未届满" if ctx.on <= due else None


@REQUESTS.guard("outcome_allowed")
def _outcome_allowed(r: Ledgered, ctx: Context) -> str | None:
    code = ctx.inputs.get("outcome")
    if code not in outcomes():
        return "请选择表三所列的一种办理结果"
    if code in _EVENT_ONLY:
        return "逾期不补正、逾期未缴费的请用对应的操作办理"
    return None


# --- effects -----------------------------------------------------------------------------------

def _close_pause(r: Ledgered, kind: str, on: dt.date) -> None:
    r.pauses = [dict(p) for p in r.pauses]
    for p in r.pauses:
        if p["kind"] == kind and p.get("end") is None:
            # The day the answer or payment arrives counts again.
            p["end"] = (on - dt.timedelta(days=1)).isoformat()


def _open_pause(r: Ledgered, kind: str, ctx: Context) -> None:
    r.pauses = [*r.pauses, {"kind": kind, "start": ctx.on.isoformat(), "end": None, "party": ctx.inputs.get("party") or ""}]


@REQUESTS.effect("ask_correction")
def _ask_correction(r: Ledgered, t: Transition, ctx: Context) -> None:
    r.correction_requested_on = ctx.on
    given = ctx.inputs.get("correction_due")
    r.correction_due = given if isinstance(given, dt.date) else deadline(ctx.on, CORRECTION_PERIOD_DAYS, calendar=ctx.cal).due


@REQUESTS.effect("restart_clock")
def _restart_clock(r: Ledgered, t: Transition, ctx: Context) -> None:
    r.corrected_on = ctx.on  # Art. 30: the time limit runs from receipt of the corrected request


@REQUESTS.effect("pause_consultation")
def _pause_consultation(r: Ledgered, t: Transition, ctx: Context) -> None:
    _open_pause(r, "consultation", ctx)


@REQUESTS.effect("resume_consultation")
def _resume_consultation(r: Ledgered, t: Transition, ctx: Context) -> None:
    _close_pause(r, "consultation", ctx.on)


@REQUESTS.effect("notify_fee")
def _notify_fee(r: Ledgered, t: Transition, ctx: Context) -> None:
    _open_pause(r, "fee", ctx)
    r.fee_notice_on = ctx.on
    r.fee_amount = ctx.extra["amount"]
    ctx.inputs["amount"] = ctx.extra["amount"]  # for the notice that goes out with the event


@REQUESTS.effect("reduce_fee")
def _reduce_fee(r: Ledgered, t: Transition, ctx: Context) -> None:
    r.fee_amount = Decimal(str(ctx.inputs["amount"]))


@REQUESTS.effect("waive_fee")
def _waive_fee(r: Ledgered, t: Transition, ctx: Context) -> None:
    r.fee_amount = Decimal(0)
    _close_pause(r, "fee", ctx.on)


@REQUESTS.effect("resume_fee")
def _resume_fee(r: Ledgered, t: Transition, ctx: Context) -> None:
    _close_pause(r, "fee", ctx.on)


@REQUESTS.effect("extend")
def _extend(r: Ledgered, t: Transition, ctx: Context) -> None:
    r.extension_days = int(ctx.inputs["days"])


@REQUESTS.effect("answer")
def _answer(r: Ledgered, t: Transition, ctx: Context) -> None:
    r.outcome = ctx.inputs["outcome"]
    r.answered_on = ctx.on


@REQUESTS.effect("close")
def _close(r: Ledgered, t: Transition, ctx: Context) -> None:
    r.closed_on = ctx.on
    if t.outcome:
        r.outcome = t.outcome
    for kind in ("consultation", "fee"):
        _close_pause(r, kind, ctx.on)


REQUESTS.validate()


def public_text(t: Transition, r: Ledgered, changes: dict[str, Any] | None = None) -> str:
    """What the applicant's tracking page says an event did, filled from what the event
    set (its audit entry's changes: the fee as the notice stated it, not as a later
    reduction left it), else from the request; a detail neither holds is left out
    rather than shown empty."""
    now = {f: getattr(r, f, None) for f in ("correction_due", "extension_days", "fee_amount", "outcome")}
    for f, change in (changes or {}).items():
        if f in now and isinstance(change, (list, tuple)) and len(change) == 2:
            now[f] = change[1]
    due = now["correction_due"]
    if isinstance(due, str):
        try:
            due = dt.date.fromisoformat(due)
        except ValueError:
            due = None
    values = {"correction_due": f"{due:%Y年%m月%d日}" if isinstance(due, dt.date) else None,
              "extension_days": now["extension_days"] or None, "fee_amount": now["fee_amount"] or None,
              "outcome": public_outcome(str(now["outcome"] or "")) or None}
    try:
        return t.public.format_map({k: v for k, v in values.items() if v is not None})
    except KeyError:
        return t.public.split("{")[0].rstrip("，：: ")


def allowed(r: Ledgered, role: str) -> list[Transition]:
    """The events a user of this role could fire on the request in its state."""
    return REQUESTS.allowed(r, role)


def fire(r: Ledgered, event: str, ctx: Context) -> dict[str, tuple[Any, Any]]:
    """Apply an event; returns {field: (before, after)} for the audit log. Raises Refused."""
    if event in BY_EVENT and ctx.on < r.received_on:
        raise Refused("操作日期早于收到申请之日", "bad_date")
    try:
        t = REQUESTS.check(r, event, ctx)
    except Refused as e:
        if e.code == "wrong_state":
            e = Refused("申请" + e.message_zh, e.code)
        raise e from None
    before = _snapshot(r)
    REQUESTS.apply(r, t, ctx)
    after = _snapshot(r)
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


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
DUE_STATUS = {"overdue": "已逾期", "due_soon": "即将到期", "waiting": "等待申请人", "ok": "办理中", "done": "已办结"}


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
    # The explanation without why the date is estimated, for a page that says so apart.
    calculation_zh: str = ""

    def __post_init__(self) -> None:
        self.calculation_zh = self.calculation_zh or self.explanation_zh


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
    d = deadline(start, 20, pauses, extension, calendar=cal, start_zh="收到补正之日" if r.corrected_on else "收到申请之日")
    left = _left(cal, today, d.due)
    status = "overdue" if today > d.due else "due_soon" if left is not None and left <= DUE_SOON else "ok"
    note = "（按补正后的申请重新计算）" if r.corrected_on else ""
    if r.state in ("consulting", "fee_pending"):
        note += "（暂停计算中，截止日随暂停顺延）"
    return Due(d.due, left, status, d.explanation_zh + note, d.provisional, d.provisional_reason_zh, d.final_when_zh,
               d.calculation_zh + note)


def _left(cal: Calendar, today: dt.date, due: dt.date | None) -> int | None:
    """Working days from today to the due date (negative when late)."""
    if due is None:
        return None
    if due >= today:
        return cal.workdays(today + dt.timedelta(days=1), due)
    return -cal.workdays(due + dt.timedelta(days=1), today)
