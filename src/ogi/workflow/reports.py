"""An annual report's way from draft to publication in the workspace: submitted by the
office, approved by a reviewer, published — through the publication gate (a report with
errors goes no further; its warnings pass only when acknowledged). The same machine as a
request's: transitions as data, guards and effects by name.

The object needs `state`, `frozen`, `issued_on`, `published_on` and `slug`; what the guards
judge comes in the context: `extra["findings"]` (the report's findings),
`extra["acknowledged"]` (the person ticked 已核对提醒) and, for submission, `extra["live"]`
(the report as it stands, as JSON, to freeze)."""

from __future__ import annotations

import secrets
from typing import Any

from .machine import Context, Machine, Refused, Transition
from .requests import APPROVERS, ROLES

__all__ = ["REPORTS", "STATES", "Context", "Refused", "fire"]

STATES = {"draft": "草稿", "review": "审核中", "approved": "已批准", "published": "已发布"}
# Moving on needs a report without errors and with its warnings acknowledged.
GATED = ("no_errors", "warnings_acknowledged")

TRANSITIONS = (
    Transition("submit", "提交审核", ("draft",), "review", ("clerk", "admin"), GATED, ("freeze",)),
    Transition("return", "退回修改", ("review", "approved"), "draft", APPROVERS, (), ("unfreeze",)),
    Transition("approve", "批准", ("review",), "approved", APPROVERS, GATED, ("date_of_issue",)),
    Transition("publish", "发布", ("approved",), "published", APPROVERS, GATED, ("date_of_issue", "publish")),
)
REPORTS = Machine("reports", STATES, "draft", TRANSITIONS, ROLES)


def _count(ctx: Context, severity: str) -> int:
    return sum(1 for f in ctx.extra.get("findings", ()) if f.severity == severity)


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


@REPORTS.effect("freeze")
def _freeze(report: Any, t: Transition, ctx: Context) -> None:
    # What the reviewer approves is what is published, whatever is recorded afterwards.
    report.frozen = ctx.extra["live"]


@REPORTS.effect("unfreeze")
def _unfreeze(report: Any, t: Transition, ctx: Context) -> None:
    report.frozen = None


@REPORTS.effect("date_of_issue")
def _date_of_issue(report: Any, t: Transition, ctx: Context) -> None:
    # The agency's to set; the approval day unless it sets another.
    report.issued_on = ctx.inputs.get("issued_on") or report.issued_on or ctx.on


@REPORTS.effect("publish")
def _publish(report: Any, t: Transition, ctx: Context) -> None:
    report.published_on = ctx.on
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
