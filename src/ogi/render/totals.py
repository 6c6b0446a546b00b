"""Totals computed from their parts, only where asked and only where the total is
blank or lost: a printed figure is never replaced."""

from __future__ import annotations

from ..report import Report, Value


def fill_totals(report: Report) -> list[str]:
    """Fill blank or missing total cells whose parts are all known; return their ids in
    the order filled. Repeats until nothing changes (a total may be a part of another)."""
    ed = report.edition_obj
    if ed is None:
        return []
    filled: list[str] = []
    changed = True
    while changed:
        changed = False
        for ident in ed.identities:
            total = ident.total
            if total is None or report.cells[total].state not in ("blank", "missing"):
                continue
            parts = [report.cells[c] for c in ident.right]
            if any(p.state == "missing" for p in parts) or all(p.state == "blank" for p in parts):
                continue
            value = sum(p.number or 0 for p in parts)
            report.cells[total] = Value("value", value, str(value), None, note="由各分项合计得出（--fill-totals）")
            filled.append(total)
            changed = True
    return filled
