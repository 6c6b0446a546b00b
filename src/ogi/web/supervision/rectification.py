"""The rectification loop (整改): the office sends chosen findings with a due date; the
agency republishes (or explains why a finding stands); the new version is re-checked at
once and each item the checks no longer find is marked corrected; the office closes or
reopens every item. Each step is written to the loop's audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from ogi.web.accounts.models import Agency

from . import services, stored
from .models import CollectedReport, Rectification, RectificationEvent, RectificationItem

OPEN_STATES = ("open", "explained")


def _key(rule: str, cells: list[str] | None) -> tuple[str, tuple[str, ...]]:
    # A finding is "the same" in a new version when the same rule fails on the same cells.
    return rule, tuple(sorted(cells or ()))


@transaction.atomic
def send(office: Agency, user: Any, row: CollectedReport, picked: list[int], due_on: dt.date, note: str) -> Rectification:
    assert row.agency is not None and row.year is not None
    n = Rectification.objects.create(office=office, agency=row.agency, report=row, year=row.year, due_on=due_on,
                                     note=note, created_by=user)
    kept = stored.findings(row.findings)
    for i in picked:
        f = kept[i]
        RectificationItem.objects.create(notice=n, rule=f["rule"], message_zh=f["message_zh"], cells=f.get("cells") or [])
    RectificationEvent.objects.create(notice=n, user=user, action="sent",
                                      note=f"{len(picked)} 项，期限 {due_on.isoformat()}" + (f"：{note}" if note else ""))
    return n


PUBLISH_RULE = "publication.missing"  # the one item of a 催报通知: no key of any check's finding


class NotUrged(Exception):
    def __init__(self, message_zh: str):
        super().__init__(message_zh)
        self.message_zh = message_zh


@transaction.atomic
def urge(office: Agency, user: Any, agency: Agency, year: int, deadline: dt.date, due_on: dt.date, note: str,
         today: dt.date) -> Rectification:
    """A 催报通知: the agency has no report of `year` filed with the office and its deadline
    has passed. Its item is corrected when a report of the year is filed (recheck_items: the
    missing report is no finding of the report filed)."""
    if deadline >= today:
        raise NotUrged(f"{agency.name}{year}年度报告的发布期限（{deadline.isoformat()}）未过，尚不能催报")
    # Two clicks at once (or two of the office's staff) wait here for each other: the second
    # then finds the first's notice instead of sending another.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    if CollectedReport.objects.filter(office=office, agency=agency, year=year, state="current").exists():
        raise NotUrged(f"已收到{agency.name}{year}年度报告：有问题请在报告页发出整改通知")
    if Rectification.objects.filter(office=office, agency=agency, year=year, kind="publish",
                                    items__state__in=OPEN_STATES).exists():
        raise NotUrged(f"已向{agency.name}发出{year}年度报告的催报通知，尚未办结")
    n = Rectification.objects.create(office=office, agency=agency, kind="publish", report=None, year=year, due_on=due_on,
                                     note=note, created_by=user)
    RectificationItem.objects.create(notice=n, rule=PUBLISH_RULE,
                                     message_zh=f"未发布{year}年度政府信息公开工作年度报告（法定发布期限 {deadline.isoformat()}，"
                                                f"已逾期 {(today - deadline).days} 天）")
    RectificationEvent.objects.create(notice=n, user=user, action="urged",
                                      note=f"期限 {due_on.isoformat()}" + (f"：{note}" if note else ""))
    return n


def recheck_items(agency: Agency, year: int, user: Any) -> list[RectificationItem]:
    """After a new version: every open item of the agency's year is looked for again."""
    changed = []
    for n in Rectification.objects.filter(agency=agency, year=year):
        current = CollectedReport.objects.filter(office=n.office, agency=agency, year=year, state="current").first()
        if current is None:
            continue
        still = {_key(f["rule"], f.get("cells")) for f in current.findings}
        for item in n.items.filter(state__in=OPEN_STATES):
            if _key(item.rule, item.cells) in still:
                RectificationEvent.objects.create(notice=n, item=item, user=user, action="still_found", note=current.file_name)
            else:
                item.state = "fixed"
                item.save(update_fields=["state"])
                RectificationEvent.objects.create(notice=n, item=item, user=user, action="fixed", note=current.file_name)
                changed.append(item)
    return changed


def republished(office: Agency, agency: Agency, year: int, user: Any, note: str) -> list[Rectification]:
    """The agency published a corrected version in its workspace: each of the office's notices
    of that agency and year with an item still to correct is told so (its items are looked
    for again by `recheck_items`)."""
    notices = list(Rectification.objects.filter(office=office, agency=agency, year=year, items__state__in=OPEN_STATES)
                   .distinct())
    for n in notices:
        RectificationEvent.objects.create(notice=n, user=user, action="republished", note=note)
    return notices


@transaction.atomic
def republish(notice: Rectification, user: Any, name: str, data: bytes) -> dict[str, Any]:
    """The agency's corrected report, filed as the new version for the office that asked."""
    result = services.import_file_for(notice.office, notice.agency, user, name, data, year=notice.year)
    if result["error"]:
        return {**result, "fixed": []}
    RectificationEvent.objects.create(notice=notice, user=user, action="republished", note=name)
    return {**result, "fixed": recheck_items(notice.agency, notice.year, user)}


def explain(item: RectificationItem, user: Any, text: str) -> None:
    item.state, item.explanation = "explained", text
    item.save(update_fields=["state", "explanation"])
    RectificationEvent.objects.create(notice=item.notice, item=item, user=user, action="explained", note=text)


def decide(item: RectificationItem, user: Any, close: bool, note: str = "") -> None:
    item.state = "closed" if close else "open"
    item.save(update_fields=["state"])
    RectificationEvent.objects.create(notice=item.notice, item=item, user=user, action="closed" if close else "reopened", note=note)


def overdue(office: Agency, today: dt.date) -> QuerySet[Rectification]:
    """Notices past their due date with an item neither corrected nor closed."""
    return (Rectification.objects.filter(office=office, due_on__lt=today, items__state__in=OPEN_STATES)
            .distinct().select_related("agency").order_by("due_on"))
