"""Variants of a report as the web hands them to researchers: the text a crawler's plain
extraction gives of a page, with each table row's cells run together
(`行政规范性文件4115311`), one row per line or everything in one long paragraph."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..editions import load_edition
from ..textnorm import decimal_text
from .truth import ABSENT, UNKNOWN, Truth


def _headings_then_blocks(ed: Any, out: list[str]) -> Iterator[Any]:
    """Each section's heading and a line of its text written to `out`, then its table's blocks."""
    tables_by_section = {t.section: t for t in ed.tables}
    for s in ed.sections:
        out.append(f"{s.number}、{s.title}")
        out.append(f"本节内容（{s.title}）。")
        t = tables_by_section.get(s.key)
        if t is not None:
            yield from t.blocks


def _printed(v: Any) -> str:
    """A cell as a crawler's text keeps it: the figure, nothing for a blank cell."""
    if v is None or v in (ABSENT, UNKNOWN):
        return ""
    if isinstance(v, Decimal | float):
        return decimal_text(Decimal(str(v)))
    return str(v)


def flattened(truth: Truth, *, inline: bool = False) -> str:
    """The report of `truth` as run-together crawler text: title, the six headings, each
    table's title and header words, and each row as its label followed by its figures
    with nothing between them. `inline` puts everything after the title on one line."""
    ed = load_edition(truth.edition)
    agency = truth.agency or ""
    year = f"{truth.year}年" if truth.year else ""
    parts: list[str] = []
    for b in _headings_then_blocks(ed, parts):
        # The header cells in reading order: groups first, then the columns (…总计).
        groups = dict.fromkeys(c.group for c in b.columns if c.group)
        parts.append("".join(groups) + "".join(c.label for c in b.columns))
        for line in b.printed_lines():
            figures = "".join(_printed(truth.cells.get(c)) for c in line.cells)
            label = line.row.label if line.row is not None else ""
            parts.append(f"{label}{figures}")
    if agency:
        parts.append(agency)
    if truth.issued_on:
        d = truth.issued_on
        parts.append(f"{d.year}年{d.month}月{d.day}日")
    head = f"{agency}{year}政府信息公开工作年度报告"
    if truth.published_on:
        # Printed above the article, as the page does.
        head = f"发布日期：{truth.published_on.isoformat()}　来源：{agency}\n{head}"
    return head + "\n" + ("".join(parts) if inline else "\n".join(parts)) + "\n"


def separated(truth: Truth, *, sep: str = " ", unit: str = "", thousands: bool = False,
              one_per_line: bool = False, parents_inline: bool = False) -> str:
    """The report of `truth` as text whose table rows keep their cells apart: each row's
    label and figures joined by `sep` (a tab, spaces), or with `one_per_line` each cell on
    a line of its own (a browser's copy, pdftotext without layout). Counts may carry a
    `unit` (件) and `thousands` separators; with `parents_inline` a row's group labels
    open the line of its first row (三、本年度办理结果 （一）予以公开 …)."""
    ed = load_edition(truth.edition)
    agency = truth.agency or ""
    out = [f"{agency}{truth.year}年政府信息公开工作年度报告" if truth.year else f"{agency}政府信息公开工作年度报告"]

    def figure(cid: str) -> str:
        v = truth.cells.get(cid)
        if isinstance(v, int) and not isinstance(v, bool):
            return (f"{v:,}" if thousands else str(v)) + unit
        return _printed(v)

    for b in _headings_then_blocks(ed, out):
        out.append(sep.join(c.label for c in b.columns))
        seen: set[str] = set()
        for line in b.printed_lines():
            cells = [figure(c) for c in line.cells]
            labels = [line.row.label] if line.row is not None else []
            if line.row is not None:
                new = [p for p in line.row.parents if p not in seen]
                seen.update(new)
                if parents_inline:
                    labels = new + labels
                else:
                    out.extend(new)
            if one_per_line:
                out.extend(labels + [c for c in cells if c])
            else:
                out.append(sep.join(labels + [c for c in cells if c]))
    if agency:
        out.append(agency)
    if truth.issued_on:
        d = truth.issued_on
        out.append(f"{d.year}年{d.month}月{d.day}日")
    return "\n".join(out) + "\n"
