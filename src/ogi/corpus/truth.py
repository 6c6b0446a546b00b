"""Ground truth for a document (a YAML file typed by reading it) and how a Report read by
ogi scores against it: cells right, wrongly filled, missed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..editions import load_edition
from ..report import Report
from ..textnorm import parse_figure
from ..yamlfile import load as load_yaml

ABSENT = "absent"  # the document itself does not print the cell
UNKNOWN = "?"  # the printed value cannot be told from the file


@dataclass
class Truth:
    file: str
    edition: str
    agency: str | None
    year: int | None
    issued_on: Any
    cells: dict[str, Any]  # cell id → printed value, None (blank), ABSENT or UNKNOWN
    published_on: Any = None  # the page's publication date, where the file gives one


def load_truth(path: str | Path) -> Truth:
    data = load_yaml(Path(path).read_text(encoding="utf-8"))
    ed = load_edition(str(data["edition"]))
    cells: dict[str, Any] = {}
    for table in ("active", "requests"):
        for row, values in (data.get(table) or {}).items():
            line = [c for c in ed.cells.values() if c.table == table and c.row.key == row]
            if len(line) != len(values):
                raise ValueError(f"{path}: {table}.{row} has {len(values)} values for {len(line)} columns")
            for cdef, v in zip(line, values, strict=True):
                cells[cdef.id] = v
    appeals = [cid for cid, c in ed.cells.items() if c.table == "appeals"]
    for cid, v in zip(appeals, data.get("appeals") or [], strict=True):
        cells[cid] = v
    missing = set(ed.cells) - set(cells)
    if missing:
        raise ValueError(f"{path}: no truth for {sorted(missing)[:3]}…")
    return Truth(data["file"], ed.id, data.get("agency"), data.get("year"), data.get("issued_on"), cells,
                 data.get("published_on"))


METADATA = ("agency", "year", "issued_on", "published_on")


def metadata_right(report: Report, truth: Truth) -> dict[str, bool]:
    """Whether each of agency, year, issued_on and published_on was read as the file
    prints it (an unknown one counts right when the file does not print it either)."""
    return {k: getattr(report, k) == getattr(truth, k) for k in METADATA}


@dataclass
class Score:
    right: int = 0
    wrong: int = 0  # filled with a value that is not what is printed: the worst error
    missed: int = 0  # printed, but reported missing
    lost_by_file: int = 0  # not printed in the document and rightly reported missing
    unscored: int = 0
    wrong_cells: list[str] = field(default_factory=list)
    missed_cells: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.missed

    def add(self, other: Score) -> None:
        for k in ("right", "wrong", "missed", "lost_by_file", "unscored"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.wrong_cells += other.wrong_cells
        self.missed_cells += other.missed_cells


def score(report: Report, truth: Truth) -> Score:
    """Compare every cell of a Report with the truth."""
    s = Score()
    ed = load_edition(truth.edition)
    for cid, expected in truth.cells.items():
        got = report.cells.get(cid) if report.edition == truth.edition else None
        state = got.state if got is not None else "missing"
        if expected == UNKNOWN:
            s.unscored += 1
            continue
        if expected == ABSENT:
            if state == "missing":
                s.lost_by_file += 1
            else:
                s.wrong += 1
                s.wrong_cells.append(cid)
            continue
        if state == "missing":
            s.missed += 1
            s.missed_cells.append(cid)
            continue
        cdef = ed.cells[cid]
        if expected is None:
            ok = state == "blank"
        else:
            fig = parse_figure(str(expected), cdef.unit, cdef.column.printed_in)
            ok = state == fig.state and got is not None and got.number == fig.number
        if ok:
            s.right += 1
        else:
            s.wrong += 1
            s.wrong_cells.append(cid)
    return s
