"""Deterministic reports for rule tests: all zero (so every identity holds) unless set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ogi.editions import load_edition
from ogi.report import Heading, Report, Value, section_keys


def zero_report(edition: str = "2021", year: int | None = None, **values: int | Decimal | str | None) -> Report:
    """A well-formed report; keyword arguments set cells (dots as double underscores is
    awkward, so pass a dict via `cells=` instead)."""
    ed = load_edition(edition)
    year = year or ed.first_year
    r = Report.empty(ed.id, agency="某某市某某局", year=year, issued_on=dt.date(year + 1, 1, 15), kind="department")
    r.year_evidence = {"title": year}
    for cid, cdef in ed.cells.items():
        r.cells[cid] = Value("value", Decimal(0) if cdef.unit == "yuan" else 0, "0")
    r.sections = {k: "本年度未收取信息处理费。" if k == "other" else f"{k} 的内容。" for k in section_keys(ed)}
    r.headings = [Heading(k, k, i) for i, k in enumerate(section_keys(ed))]
    return r


def setcells(report: Report, cells: dict[str, int | Decimal | Value]) -> Report:
    for cid, v in cells.items():
        assert cid in report.cells, cid
        report.cells[cid] = v if isinstance(v, Value) else Value("value", v, str(v))
    return report


def score_cells(original: Report, read: Report) -> tuple[int, list[str], int]:
    """Cells right, cells read wrong (by id), cells missing: of those the original holds. A
    cell read with another state (blank where 0 was printed) is wrong too."""
    right, wrong, missing = 0, [], 0
    for cid, v in original.cells.items():
        if v.state == "missing":
            continue
        got = read.cells[cid]
        if got.state == "missing":
            missing += 1
        elif (got.state, got.number) == (v.state, v.number):
            right += 1
        else:
            wrong.append(cid)
    return right, wrong, missing
