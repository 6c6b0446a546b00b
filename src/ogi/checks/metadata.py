"""Metadata: who issued the report, for which year, and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .. import clock
from ..report import Finding, Report
from .registry import finding, rule

# Regulation on OGI (国务院令第711号) Art. 49 and the implementing notices: departments and
# township governments publish by 31 January; other governments' own reports by level
# (rules.md, metadata.date).
DEADLINES = {
    "department": (1, 31),
    "township": (1, 31),
    "county": (2, 20),
    "city": (3, 10),
    "province": (3, 31),
}
_YEAR_SOURCES = {"title": "标题", "period": "统计期限", "body": "正文"}


def due_date(year: int, kind: str | None, level: str | None) -> dt.date:
    """The last day to publish the report on `year`: the day after the year, by kind and
    level. A government of unknown level gets the latest deadline (never flagged unfairly)."""
    key = "department" if kind != "government" else (level if level in DEADLINES else "province")
    month, day = DEADLINES[key]
    return dt.date(year + 1, month, day)


def deadline(report: Report) -> dt.date | None:
    if report.year is None:
        return None
    return due_date(report.year, report.kind, report.level)


@rule("metadata.agency", "warning", "未找到发布机关")
def check_agency(report: Report) -> Iterator[Finding]:
    if not report.agency:
        yield finding("metadata.agency", "未能从标题、落款或正文中找到发布机关名称",
                      "no issuing agency found in the title, signature or body")


@rule("metadata.year", "warning", "报告年度缺失或前后不一致")
def check_year(report: Report) -> Iterator[Finding]:
    ev = report.year_evidence
    if report.year is None:
        yield finding("metadata.year", "未能确定报告年度（标题、统计期限和正文中都没有年份）",
                      "no report year found")
        return
    stated = {k: v for k, v in ev.items() if k in ("title", "period")}
    if len(set(stated.values())) > 1:
        parts = "，".join(f"{_YEAR_SOURCES[k]}为 {v} 年" for k, v in stated.items())
        yield finding("metadata.year", f"报告年度前后不一致：{parts}",
                      "the title and the statistics period state different years", found=stated)
        return
    body = ev.get("body")
    if stated and body is not None and body not in stated.values():
        y = next(iter(stated.values()))
        yield finding("metadata.year", f"标题或统计期限为 {y} 年，而正文中最常出现的是 {body} 年，请核对是否沿用了其他年度的内容",
                      f"the title or period says {y} but the body mostly speaks of {body}",
                      found=body, expected=y)


@rule("metadata.date", "warning", "缺少成文日期和发布日期，或发布晚于期限")
def check_date(report: Report) -> Iterator[Finding]:
    if report.issued_on is None and report.published_on is None:
        yield finding("metadata.date", "未找到成文日期（落款日期），页面也未注明发布日期",
                      "no date of issue and no publication date found")
        return
    now = clock.today()
    for label, en, day in (("成文日期", "date of issue", report.issued_on), ("发布日期", "publication date", report.published_on)):
        if day is not None and day > now:
            yield finding("metadata.date", f"{label} {day.isoformat()} 晚于今天（{now.isoformat()}），请核对是否误写或识别有误",
                          f"the {en} {day.isoformat()} is after today ({now.isoformat()})", found=day, expected=now)
    due = deadline(report)
    if due is None:
        return
    # Art. 49 is about publishing: the page's date decides when the page gives one.
    if report.published_on is not None:
        if report.published_on > due:
            yield finding("metadata.date",
                          f"发布日期 {report.published_on.isoformat()} 晚于发布期限 {due.isoformat()}",
                          f"published {report.published_on.isoformat()}, after the deadline {due.isoformat()}",
                          severity="info", found=report.published_on, expected=due)
    elif report.issued_on is not None and report.issued_on > due:
        yield finding("metadata.date",
                      f"成文日期 {report.issued_on.isoformat()} 晚于发布期限 {due.isoformat()}",
                      f"issued {report.issued_on.isoformat()}, after the deadline {due.isoformat()}",
                      severity="info", found=report.issued_on, expected=due)
