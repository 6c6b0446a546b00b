"""How checks name places in a report for people: table, row and column labels."""

from __future__ import annotations

from functools import cache

from ..editions import Edition
from ..report import Report


@cache
def where(edition: Edition, cell_id: str) -> dict[str, str]:
    cdef = edition.cells[cell_id]
    table = edition.table(cdef.table)
    col = cdef.column.label if not cdef.column.group else f"{cdef.column.group}/{cdef.column.label}"
    row = cdef.row.label if not cdef.row.parents else "/".join([*cdef.row.parents[-1:], cdef.row.label])
    return {"section": table.number, "table": table.title, "row": row, "column": col}


def cell_zh(edition: Edition, cell_id: str) -> str:
    w = where(edition, cell_id)
    return f"表{w['section']}「{w['row']}」行「{w['column']}」列"


def cells_zh(edition: Edition, cell_ids: list[str], limit: int = 4) -> str:
    """Several cells named briefly: grouped by row, the columns listed once per row."""
    rows: dict[tuple[str, str], list[str]] = {}
    for cid in cell_ids:
        w = where(edition, cid)
        rows.setdefault((w["section"], w["row"]), []).append(w["column"])
    parts = []
    for (section, row), cols in rows.items():
        shown = "」「".join(cols[:limit]) + ("」等" if len(cols) > limit else "」")
        parts.append(f"表{section}「{row}」行「{shown}列")
    return "；".join(parts)


def source_of(report: Report, cell_ids: list[str]) -> dict | None:
    for cid in cell_ids:
        v = report.cells.get(cid)
        if v is not None and v.source:
            return v.source
    return None
