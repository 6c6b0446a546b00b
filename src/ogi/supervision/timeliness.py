"""Published on time, late by N days, or not found: per agency and year, from the
publication date (the date of issue when no publication date is known) and the deadline
its kind and level give (rules.md metadata.date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from .. import clock
from ..report import Report
from .tree import LEVEL_ORDER, Agency, Region

# not_due: no report yet and its deadline has not passed — nothing to blame an agency for.
STATUS_ZH = {"on_time": "按时发布", "late": "逾期发布", "not_found": "未发布", "undated": "日期不明", "not_due": "未到发布期限"}


def publication_date(report: Report) -> dt.date | None:
    """When the report was made public: its publication date where the reader found one,
    else its date of issue (a report cannot be published before it is issued)."""
    return report.published_on or report.issued_on


@dataclass(frozen=True)
class Timeliness:
    agency: str
    year: int
    status: str  # on_time | late | not_found | undated | not_due
    deadline: dt.date
    published_on: dt.date | None = None
    days_late: int = 0
    reason_zh: str = ""  # why a date printed was not taken (after today)

    @property
    def status_zh(self) -> str:
        if self.status == "late":
            return f"逾期 {self.days_late} 天"
        return STATUS_ZH[self.status]

    def to_json(self) -> dict[str, object]:
        return {"agency": self.agency, "year": self.year, "status": self.status, "status_zh": self.status_zh,
                "deadline": self.deadline.isoformat(),
                "published_on": self.published_on.isoformat() if self.published_on else None,
                "days_late": self.days_late, "reason_zh": self.reason_zh or None}


def judge(agency: Agency, year: int, report: Report | None, today: dt.date | None = None) -> Timeliness:
    return judge_date(agency, year, report is not None, publication_date(report) if report else None, today)


def judge_date(agency: Agency, year: int, found: bool, on: dt.date | None, today: dt.date | None = None) -> Timeliness:
    """The same judgement from what is stored of a report: whether there is one, and its date.
    With `today`, a report not found before its deadline is not_due, not missing. A date
    after today (`today`, else the project's clock) is no publication date: undated, saying why."""
    due = agency.deadline(year)
    if not found:
        return Timeliness(agency.name, year, "not_due" if today is not None and today <= due else "not_found", due)
    if on is None:
        return Timeliness(agency.name, year, "undated", due)
    now = today or clock.today()
    if on > now:  # a date to come was not the day it was published: a misprint or an OCR misreading
        return Timeliness(agency.name, year, "undated", due,
                          reason_zh=f"报告所注日期 {on.isoformat()} 晚于今天（{now.isoformat()}），不能作为发布日期")
    late = (on - due).days
    return Timeliness(agency.name, year, "late" if late > 0 else "on_time", due, on, max(0, late))


def timeliness(region: Region, year: int, reports: Mapping[str, Report], today: dt.date | None = None) -> list[Timeliness]:
    """Every agency of the region for `year`; `reports` maps agency name → its report."""
    order = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    agencies = sorted(region, key=lambda a: (order[a.level], a.kind != "government", a.name))
    return [judge(a, year, reports.get(a.name), today) for a in agencies]
