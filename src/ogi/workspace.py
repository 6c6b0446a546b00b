"""The year's report as it stands in an agency's workspace: compiled from the records, with
the office's text and hand-made overrides, the copy frozen when it was submitted for review,
and last year's report for continuity — and its findings. Plain Python, no database: the
web application loads the stored rows into a `YearReport`, `ogi report compile` builds one
from the same rows and writes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from .checks import check, check_all
from .checks.registry import check_workspace
from .records.compile import Compiled, Unusable
from .report import Finding, Report, Value


@dataclass(frozen=True)
class Override:
    """A cell changed by hand, with the written reason, who and when."""

    value: int | Decimal
    reason: str
    by: str
    at: str

    @classmethod
    def from_json(cls, data: Any) -> Override | None:
        """None when the stored entry cannot be read (the cell keeps its compiled value)."""
        if not isinstance(data, dict) or not str(data.get("reason", "")).strip():
            return None
        raw = data.get("value")
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            value: int | Decimal = raw
        else:
            try:
                value = Decimal(str(raw))
            except (InvalidOperation, ValueError):
                return None
            if not value.is_finite():
                return None
        if value < 0:
            return None
        return cls(value, str(data["reason"]).strip(), str(data.get("by", "")), str(data.get("at", "")))

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value if isinstance(self.value, int) else str(self.value), "reason": self.reason,
                "by": self.by, "at": self.at}


@dataclass
class YearReport:
    """One agency's report of one year as the workspace holds it."""

    compiled: Compiled
    sections: dict[str, str]
    overrides: dict[str, Override] = field(default_factory=dict)
    frozen: Report | None = None  # as submitted for review: what is approved and published
    previous: Report | None = None  # last year's report, for continuity
    issued_on: dt.date | None = None
    # Stored data that could not be read (an override, the frozen copy, a yearly figure),
    # beside the records the compilation could not count.
    unreadable: list[Unusable] = field(default_factory=list)
    # Not yet approved: the date of issue is set at approval (the approval day unless the
    # reviewer gives another), so its absence is nothing the office could correct yet.
    dated_at_approval: bool = False

    def with_section(self, key: str, text: str) -> YearReport:
        """The same report with one section's text changed (nothing recompiled)."""
        return replace(self, sections={**self.sections, key: text})

    def live(self) -> Report:
        """The report as the records, the office's text and the overrides give it now."""
        report = Report.from_json(self.compiled.report.to_json())
        report.sections = {k: self.sections.get(k, "") for k in report.sections}
        for cid, o in self.overrides.items():
            if cid in report.cells:
                report.cells[cid] = Value("value", o.value, str(o.value), note=f"人工修改：{o.reason}")
        return report

    @cached_property
    def live_report(self) -> Report:
        return self.live()

    @cached_property
    def report(self) -> Report:
        """What the reviewer approves and the public reads: the frozen copy once submitted."""
        report = self.frozen if self.frozen is not None else self.live_report
        report.issued_on = self.issued_on
        return report

    @property
    def unusable(self) -> list[Unusable]:
        return [*self.compiled.unusable, *self.unreadable]

    @cached_property
    def findings(self) -> list[Finding]:
        if self.previous is not None:
            last = self.previous
            # Last year's report is this agency's, whatever name or year it printed.
            last.agency, last.year = self.report.agency, (self.report.year or 1) - 1
            found = check_all([last, self.report])[1]
        else:
            found = check(self.report)
        if self.dated_at_approval and self.report.issued_on is None and self.report.published_on is None:
            # A warning here had to be acknowledged on every draft, and people learnt to
            # tick 已核对提醒 without reading: said as what will happen instead.
            found = [f for f in found if f.rule != "metadata.date"]
            found.append(Finding("metadata.date", "info", "成文日期将在审核通过时填写（审核人员批准时可另行指定）",
                                 "the date of issue is set when the report is approved"))
        return found + check_workspace(self)

    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    """{"error": n, "warning": n, "info": n}: the one place findings are counted."""
    out = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out


def read_stored_report(data: Any, what: str, unreadable: list[Unusable]) -> Report | None:
    """A Report kept as JSON in the database, or None with the reason noted."""
    if data is None:
        return None
    try:
        report = Report.from_json(data)
    except Exception:  # stored JSON of any shape: the page must still answer
        report = None
    if report is None or report.edition_obj is None:
        unreadable.append(Unusable(what, f"保存的{what}无法读取"))
        return None
    return report
