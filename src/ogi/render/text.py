"""Text shared by the writers: the title, section headings, paragraphs, signature."""

from __future__ import annotations

import datetime as dt

from ..editions import Section
from ..report import Report


def title(report: Report) -> str:
    year = f"{report.year}年" if report.year else ""
    return f"{report.agency or ''}{year}政府信息公开工作年度报告"


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
