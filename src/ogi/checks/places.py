"""Where in the document a check's cells were read (a finding's `source`). Their names for
people are the edition's: Edition.place, cell_zh, cells_zh."""

from __future__ import annotations

from ..report import Report


def source_of(report: Report, cell_ids: list[str]) -> dict | None:
    for cid in cell_ids:
        v = report.cells.get(cid)
        if v is not None and v.source:
            return v.source
    return None
