"""An annual report's way from draft to publication in the workspace: submitted by the
office, approved by a reviewer, published — through the publication gate (a report with
errors goes no further; its warnings pass only when acknowledged). The same machine as a
request's: transitions as data, guards and effects by name.

A published report is corrected (更正) by going round again: 发起更正, with its reason, puts
it back to draft, and the corrected version takes the same way through review, approval and
publication. Its first publication date stays the publication date (timeliness is judged on
it, 条例第五十条); the day the correction went up is kept apart, in `corrected_on`.

The object needs `state`, `frozen`, `issued_on`, `published_on`, `corrected_on`,
`correction_reason` and `slug`; what the guards judge comes in the context:
`extra["findings"]` (the report's findings), `extra["acknowledged"]` (the person ticked
已核对提醒), `extra["actor"]` (who acts: the one who submitted may not approve),
`inputs["reason"]` (why a correction is started) and, for submission, `extra["live"]` (the
report as it stands, as JSON, to freeze). The object also keeps `submitted_by`."""

from __future__ import annotations

import secrets
from typing import Any

from .machine import Context, Machine, Refused, Transition
from .requests import APPROVERS, ROLES

__all__ = ["REPORTS", "STATES", "Context", "Refused", "fire"]

STATES = {"draft": "草稿", "review": "审核中", "approved": "已批准", "published": "已发布"}
# Moving on needs a year that is over, a report without errors and its warnings acknowledged.
GATED = ("year_over", "no_errors", "warnings_acknowledged")

TRANSITIONS = (
    Transition("submit", "提交审核", ("draft",), "review", ("clerk", "admin"), GATED, ("freeze",)),
    Transition("return", "退回修改", ("review", "approved"), "draft", APPROVERS, (), ("unfreeze",)),
    Transition("approve", "批准", ("review",), "approved", APPROVERS, (*GATED, "another_person"), ("date_of_issue",)),
    Transition("publish", "发布", ("approved",), "published", APPROVERS, GATED, ("date_of_issue", "publish")),
    Transition("correct", "发起更正", ("published",), "draft", APPROVERS, ("reason_given",), ("start_correction",),
               inputs=("reason",)),
)
MAX_REASON = 2000
REPORTS = Machine("reports", STATES, "draft", TRANSITIONS, ROLES)


def _count(ctx: Context, severity: str) -> int:
    return sum(1 for f in ctx.extra.get("findings", ()) if f.severity == severity)


@REPORTS.guard("year_over")
def _year_over(report: Any, ctx: Context) -> str | None:
    # The year's figures are complete on 31 December: a report approved before then is
    # published with figures the year has not finished.
    if ctx.on.year > report.year:
        return None
    return (f"{report.year}年尚未结束，{report.year}年度报告要到{report.year + 1}年1月1日以后才能"
            f"{ctx.extra.get('label', '继续')}：全年的数据到12月31日才完整。")


@REPORTS.guard("another_person", standing=True)
def _another_person(report: Any, ctx: Context) -> str | None:
    actor = ctx.extra.get("actor")
    if actor is not None and actor == getattr(report, "submitted_by_id", None):
        return "报告由您提交审核，不能由您本人批准：请由本机关另一位审核人员批准。"
    return None


@REPORTS.guard("no_errors")
def _no_errors(report: Any, ctx: Context) -> str | None:
    n = _count(ctx, "error")
    return f"报告有 {n} 处错误，不能{ctx.extra.get('label', '继续')}：请先更正下列问题。" if n else None


@REPORTS.guard("warnings_acknowledged")
def _warnings_acknowledged(report: Any, ctx: Context) -> str | None:
    n = _count(ctx, "warning")
    if n and not ctx.extra.get("acknowledged"):
        return f"报告有 {n} 项提醒，请逐项核对，确认无误后勾选“已核对提醒”再{ctx.extra.get('label', '继续')}。"
    return None


@REPORTS.guard("reason_given")
def _reason_given(report: Any, ctx: Context) -> str | None:
    # The public page tells readers why the report they read before was changed.
    reason = str(ctx.inputs.get("reason") or "").strip()
    if not reason:
        return "发起更正必须写明理由（将在公开的报告页面上说明本报告为何更正）。"
    if len(reason) > MAX_REASON:
        return f"更正理由不超过 {MAX_REASON} 个字（现有 {len(reason)} 个）。"
    return None


@REPORTS.effect("start_correction")
def _start_correction(report: Any, t: Transition, ctx: Context) -> None:
    # The published copy stays public (kept by the caller); the draft is the live report
    # again, its text and overrides as they were, to be submitted and approved anew.
    report.correction_reason = str(ctx.inputs["reason"]).strip()
    _unfreeze(report, t, ctx)


@REPORTS.effect("freeze")
def _freeze(report: Any, t: Transition, ctx: Context) -> None:
    # What the reviewer approves is what is published, whatever is recorded afterwards.
    report.frozen = ctx.extra["live"]
    report.submitted_by_id = ctx.extra.get("actor")
    report.submitted_on = ctx.on


@REPORTS.effect("unfreeze")
def _unfreeze(report: Any, t: Transition, ctx: Context) -> None:
    report.frozen = None
    report.submitted_by_id = None
    report.submitted_on = None


@REPORTS.effect("date_of_issue")
def _date_of_issue(report: Any, t: Transition, ctx: Context) -> None:
    # The agency's to set; the approval day unless it sets another.
    report.issued_on = ctx.inputs.get("issued_on") or report.issued_on or ctx.on


@REPORTS.effect("publish")
def _publish(report: Any, t: Transition, ctx: Context) -> None:
    if getattr(report, "published_on", None) is None:
        report.published_on = ctx.on
    else:  # a corrected version: the deadline was met, or missed, by the first publication
        report.corrected_on = ctx.on
    report.slug = report.slug or secrets.token_urlsafe(9)


REPORTS.validate()


def fire(report: Any, event: str, ctx: Context) -> Transition:
    t = REPORTS.by_event.get(event)
    ctx.extra.setdefault("label", t.label if t else "")
    try:
        t = REPORTS.check(report, event, ctx)
    except Refused as e:
        if e.code == "wrong_state":
            e = Refused("报告" + e.message_zh, e.code)
        raise e from None
    REPORTS.apply(report, t, ctx)
    return t
