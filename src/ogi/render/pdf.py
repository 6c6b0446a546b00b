"""The report as PDF: the web page laid out by WeasyPrint on A4, CJK fonts embedded
(subset), text selectable, table rows never split across pages."""

from __future__ import annotations

import logging
from typing import Any

from ..report import Report
from .html import render_html, split_at
from .layout import grids

# Laid out again at most this many times, each with the merged cells split where the last
# layout broke its pages (a split may move a break: its rows can grow).
_LAYOUTS = 3


def render_pdf(report: Report, note: str = "") -> bytes:
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    applied: dict[int, set[int]] = {}
    doc = HTML(string=render_html(report, note=note)).render()
    tables = grids(report)
    for _ in range(_LAYOUTS - 1):
        # Only a break inside a merged cell needs another layout (most breaks fall between groups).
        found = {k: {r for r in rows if split_at(tables[k], [r]) != tables[k]} for k, rows in _page_breaks(doc).items()}
        if all(rows <= applied.get(k, set()) for k, rows in found.items()):
            break
        for k, rows in found.items():
            applied.setdefault(k, set()).update(rows)
        doc = HTML(string=render_html(report, applied, note)).render()
    return doc.write_pdf()


def _page_breaks(doc: Any) -> dict[int, set[int]]:
    """Table → the rows of its body that begin a page after its first."""
    from weasyprint.formatting_structure.boxes import TableRowBox

    seen: set[int] = set()
    out: dict[int, set[int]] = {}
    for page in doc.pages:
        first: dict[int, int] = {}
        for box in page._page_box.descendants():
            if not isinstance(box, TableRowBox) or box.element is None:
                continue
            mark = box.element.get("data-row") or ""
            table, _, row = mark.partition(".")
            if table.isdigit() and row.isdigit():  # (only the body's rows are marked: the head repeats)
                first.setdefault(int(table), int(row))
        for table, row in first.items():
            if table in seen:
                out.setdefault(table, set()).add(row)
        seen.update(first)
    return out
