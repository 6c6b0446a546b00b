"""Text shared by the writers: the title, section headings, paragraphs, signature."""

from __future__ import annotations

import datetime as dt

from ..editions import Section
from ..report import Report


def title(report: Report) -> str:
    year = f"{report.year}年" if report.year else ""
    return f"{report.agency or ''}{year}政府信息公开工作年度报告"


def title_lines(report: Report, per_line: float) -> list[str]:
    """The title as printed lines when `per_line` characters fit on one: broken after the
    agency's name (never inside 年度报告) when the whole does not fit, as GB/T 9704 asks a
    title's lines to keep words whole."""
    full = title(report)
    agency = report.agency or ""
    if _width(full) <= per_line or not agency or not full.startswith(agency):
        return [full]
    rest = full[len(agency):]
    if _width(agency) > per_line or _width(rest) > per_line:
        return [full]
    return [agency, rest]


def _width(text: str) -> float:
    """In full-width characters: Latin letters and digits take half of one."""
    return sum(0.5 if c.isascii() else 1.0 for c in text)


def heading(section: Section) -> str:
    return section.heading


def paragraphs(text: str | None) -> list[str]:
    """A section's text as paragraphs (one per line, empty lines dropped)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def date_zh(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def is_subheading(line: str) -> bool:
    """（一）… lines are level-two headings, set in 楷体 in the official layout."""
    return line.startswith(("（", "(")) and "）" in line[:6] and len(line) <= 40
