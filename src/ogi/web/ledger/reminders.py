"""The daily digest: for each user, the requests due within 5 working days and those
overdue, and for a reviewer what waits for approval — shown in the app and, when SMTP is
configured (OGI_SMTP_HOST), sent by e-mail by `ogi remind` from cron."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Count

from ogi.web import clock
from ogi.web.accounts import access
from ogi.web.accounts.models import person
from ogi.web.reporting.models import AnnualReport
from ogi.workflow.requests import APPROVERS, DUE_SOON

from . import review, services
from .models import Request


@dataclass
class Digest:
    user: Any
    day: dt.date
    overdue: list[tuple[Request, Any]] = field(default_factory=list)
    due_soon: list[tuple[Request, Any]] = field(default_factory=list)
    to_review: list[review.Pending] = field(default_factory=list)
    reports: list[AnnualReport] = field(default_factory=list)
    # The clerk's submissions a reviewer sent back, not yet submitted again.
    returned: list[Any] = field(default_factory=list)
    # The last year's report, while unpublished with its deadline near or past: (year, where it stands).
    report_due: tuple[int, Any] | None = None
    # 整改通知 from the office above with items still open: (notice, open items).
    rectifications: list[tuple[Any, int]] = field(default_factory=list)
    # Corrections applicants sent on the tracking page, not yet acted on (services.online_corrections).
    corrections: list[Any] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.to_review or self.reports or self.report_due or self.returned
                    or self.rectifications or self.corrections)

    @property
    def rectification_lines(self) -> list[tuple[Any, str]]:
        """Each open 整改通知 and its line, as the inbox and the mail say it."""
        return [(n, rectification_line(n, open_items, self.day)) for n, open_items in self.rectifications]

    @property
    def review_count(self) -> int:
        return len(self.to_review) + len(self.reports)

    @property
    def subject(self) -> str:
        parts = [f"逾期 {len(self.overdue)} 件" if self.overdue else "", f"即将到期 {len(self.due_soon)} 件" if self.due_soon else "",
                 f"待审核 {len(self.to_review) + len(self.reports)} 项" if self.to_review or self.reports else "",
                 f"网上补正 {len(self.corrections)} 件" if self.corrections else "",
                 f"被退回 {len(self.returned)} 项" if self.returned else "",
                 f"{self.report_due[0]}年度报告{'逾期未发布' if self.report_due[1].status == 'overdue' else '待发布'}"
                 if self.report_due else "", _notices(self.rectifications)]
        return f"政府信息公开待办提醒（{self.day:%Y-%m-%d}）：" + "，".join(p for p in parts if p)

    def text(self, base_url: str = "") -> str:
        lines = [f"{self.user.get_full_name() or self.user.get_username()}：", "",
                 f"截至{self.day.year}年{self.day.month}月{self.day.day}日，您有以下待办事项（期限按工作日计算）。", ""]
        if self.report_due:
            year, pub = self.report_due
            lines += [f"{year}年度政府信息公开工作年度报告：{pub.text}　{base_url}/reports/{year}/", ""]
        for _, text in self.rectification_lines:
            lines += [f"{text}　{base_url}/supervision/mine/", ""]
        if self.corrections:
            lines.append("申请人在网上提交的补正（答复期限已自收到补正之日起重新计算）：")
            lines += [f"  {correction_line(c)}　{base_url}/requests/{c.request.tracking_no}/" for c in self.corrections]
            lines.append("")
        if self.overdue:
            lines.append(f"一、已逾期的申请（{len(self.overdue)} 件）")
            lines += [f"  {r.tracking_no}　截止日 {d.due:%Y-%m-%d}{_mark(d)}　{r.state_label}　{base_url}/requests/{r.tracking_no}/"
                      for r, d in self.overdue]
        if self.due_soon:
            lines.append(f"{'二' if self.overdue else '一'}、{DUE_SOON}个工作日内到期的申请（{len(self.due_soon)} 件）")
            lines += [f"  {r.tracking_no}　截止日 {d.due:%Y-%m-%d}{_mark(d)}（剩余 {d.days_left} 个工作日）　"
                      f"{base_url}/requests/{r.tracking_no}/" for r, d in self.due_soon]
        estimated = next((d for _, d in [*self.overdue, *self.due_soon] if d.provisional), None)
        if estimated is not None:
            lines.append(f"标“推定”的截止日：{estimated.provisional_reason_zh}；{estimated.final_when_zh}。")
        if self.returned:
            lines.append("审核人退回的提请：")
            lines += [f"  {e.request.tracking_no}　{e.label}（{person(e.actor)} 于 {e.on:%Y-%m-%d}）：{e.note}"
                      f"　{base_url}/requests/{e.request.tracking_no}/" for e in self.returned]
        if self.to_review or self.reports:
            lines.append("待您审核：")
            lines += [f"  {p.request.tracking_no}　{p.summary}　（{person(p.submission.actor)}"
                      f" 于 {p.submission.on:%Y-%m-%d} 提请）" for p in self.to_review]
            lines += [f"  {a.year}年度政府信息公开工作年度报告（{_submitted(a)}）　{base_url}/reports/{a.year}/" for a in self.reports]
        lines += ["", "此邮件由政府信息公开台账系统每日发送。"]
        return "\n".join(lines)


def _notices(notices: list[tuple[Any, int]]) -> str:
    urged = sum(1 for n, _ in notices if n.kind == "publish")
    rectify = len(notices) - urged
    return "，".join(p for p in (f"整改通知 {rectify} 份" if rectify else "", f"催报通知 {urged} 份" if urged else "") if p)


def _mark(due: Any) -> str:
    return "（推定）" if due.provisional else ""


def digest(user, day: dt.date | None = None, groups: dict | None = None) -> Digest:  # type: ignore[no-untyped-def]
    """What is due and what waits, for one user: staff see their agency's requests, a
    supervisor the late ones of the agencies below."""
    day = day or clock.today()
    d = Digest(user=user, day=day)
    s = access.staff_of(user)
    if s is None or not user.is_active:
        return d
    # The inbox page has the groups already: computing them again would double its cost.
    groups = groups if groups is not None else services.inbox(user, day)
    d.overdue = groups.get("overdue", [])
    if s.role != "supervisor":
        d.due_soon = groups.get("due_soon", [])
    if s.role != "supervisor":
        d.returned = review.returned_to(user, services.visible(user))
        d.corrections = services.online_corrections(services.visible(user))
    if s.role in APPROVERS:
        d.to_review = review.pending(services.visible(user))
        d.reports = list(review.reports_in_review(s.agency_id, user))
    if s.role != "supervisor":  # (the office above sees every agency's on its oversight page)
        from ogi.web.reporting.services import report_due

        d.report_due = report_due(s.agency, day)
    if s.role in APPROVERS:  # (who answers for the agency's report: the reviewer and the administrator)
        from ogi.web.supervision.models import Rectification

        notices = (Rectification.objects.filter(agency=s.agency, items__state="open").select_related("office")
                   .annotate(open_items=Count("items")).order_by("due_on"))
        d.rectifications = [(n, n.open_items) for n in notices]
    return d


def correction_line(c: Any) -> str:
    """An online correction as the inbox and the mail say it."""
    on = c.event.on
    attached = f"，附件 {c.file_name}" if c.file_name else ""
    return f"{c.request.tracking_no}　申请人于 {on:%Y-%m-%d} 在网上提交补正{attached}"


def rectification_line(n: Any, open_items: int, day: dt.date) -> str:
    late = "，已过期限" if n.due_on < day else ""
    if n.kind == "publish":
        return f"催报通知：{n.office.name}要求于 {n.due_on:%Y-%m-%d} 前发布{n.year}年度报告{late}"
    return f"整改通知：{n.office.name}要求整改{n.year}年度报告，尚有 {open_items} 项待整改，期限 {n.due_on:%Y-%m-%d}{late}"


def email_configured() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", "")) and settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")


def send_all(day: dt.date | None = None, base_url: str = "") -> dict[str, int]:
    """One e-mail per active staff user with something due and an address; the counts."""
    counts = {"users": 0, "with_items": 0, "sent": 0, "no_email": 0}
    users = get_user_model().objects.filter(is_active=True, staff__isnull=False).order_by("username")
    conn = get_connection() if email_configured() else None
    messages = []
    for user in users:
        counts["users"] += 1
        d = digest(user, day)
        if d.empty:
            continue
        counts["with_items"] += 1
        if not user.email:
            counts["no_email"] += 1
            continue
        messages.append(EmailMessage(d.subject, d.text(base_url), settings.DEFAULT_FROM_EMAIL, [user.email]))
    if conn is not None and messages:
        counts["sent"] = conn.send_messages(messages) or 0
    return counts


def _submitted(report: AnnualReport) -> str:
    who = person(report.submitted_by)
    when = f"于 {report.submitted_on:%Y-%m-%d} " if report.submitted_on else ""
    return f"{who} {when}提交审核" if who else f"{when}提交审核"
