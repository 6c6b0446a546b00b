"""The three tables laid out as the national template prints them — merged header cells,
the 勾稽 note, parent rows spanning their sub-rows, label columns — derived from the
edition file, so that every writer draws the same grid."""

from __future__ import annotations

from dataclasses import dataclass

from ..editions import Block, Edition, Table
from ..report import Report, Value
from ..textnorm import money_text


@dataclass
class GridCell:
    text: str
    role: str  # heading | header | label | value
    rowspan: int = 1
    colspan: int = 1
    cell_id: str | None = None
    depth: int = 0  # nesting of a label (for indentation)


@dataclass
class Grid:
    table: Table
    width: int
    rows: list[list[GridCell]]  # each row lists the cells that start in it, left to right
    header_rows: int  # rows at the top that are headers (repeat on each page)
    weights: list[float]  # relative column widths

    def fractions(self) -> list[float]:
        total = sum(self.weights)
        return [w / total for w in self.weights]


def value_text(v: Value, unit: str, printed_in: str | None) -> str:
    """A cell as the table prints it."""
    if v.state in ("blank", "missing"):
        return ""
    if v.state == "dash":
        return v.raw or "—"
    if unit == "yuan" and v.value is not None:
        return money_text(v.value, printed_in)
    return str(v.value)


def _value(report: Report, block: Block, row, col) -> GridCell:  # type: ignore[no-untyped-def]
    cid = block.cell_id(row, col)
    return GridCell(value_text(report.cells[cid], col.unit, col.printed_in), "value", cell_id=cid)


def _active(report: Report, table: Table) -> Grid:
    width = 1 + max(len(b.columns) for b in table.blocks)
    rows: list[list[GridCell]] = []
    for b in table.blocks:
        if b.heading:
            rows.append([GridCell(b.heading, "heading", colspan=width)])
        n = len(b.columns)
        spans = [1] * (n - 1) + [width - n]  # the last column takes the rest of the width
        rows.append([GridCell(b.corner or "", "header")] +
                    [GridCell(c.label, "header", colspan=s) for c, s in zip(b.columns, spans, strict=True)])
        for r in b.rows:
            rows.append([GridCell(r.label, "label")] + [
                GridCell(cell.text, cell.role, colspan=s, cell_id=cell.cell_id)
                for cell, s in zip((_value(report, b, r, c) for c in b.columns), spans, strict=True)])
    return Grid(table, width, rows, 0, [2.2] + [1.0] * (width - 1))


def _requests(report: Report, table: Table) -> Grid:
    b = table.blocks[0]
    depth = max(len(r.parents) for r in b.rows) + 1
    ncols = len(b.columns)
    width = depth + ncols
    groups = [c.group for c in b.columns]
    rows: list[list[GridCell]] = []
    # Header: note | 申请人情况 / 自然人 | 法人或其他组织 … | 总计 / the organisations' columns.
    top = [GridCell(b.note or "", "header", rowspan=3, colspan=depth), GridCell(b.headers[0] if b.headers else "", "header",
                                                                                 colspan=ncols)]
    second: list[GridCell] = []
    third: list[GridCell] = []
    i = 0
    while i < ncols:
        g = groups[i]
        if g is None:
            second.append(GridCell(b.columns[i].label, "header", rowspan=2))
            i += 1
            continue
        j = i
        while j < ncols and groups[j] == g:
            third.append(GridCell(b.columns[j].label, "header"))
            j += 1
        second.append(GridCell(g, "header", colspan=j - i))
        i = j
    rows += [top, second, third]
    # Body: a parent label spans the rows under it; a row's own label spans the columns
    # its parents leave free.
    body = list(b.rows)
    for k, r in enumerate(body):
        cells: list[GridCell] = []
        for level, p in enumerate(r.parents):
            starts = k == 0 or body[k - 1].parents[: level + 1] != r.parents[: level + 1]
            if starts:
                span = 1
                while k + span < len(body) and body[k + span].parents[: level + 1] == r.parents[: level + 1]:
                    span += 1
                cells.append(GridCell(p, "label", rowspan=span, depth=level))
        cells.append(GridCell(r.label, "label", colspan=depth - len(r.parents), depth=len(r.parents)))
        cells += [_value(report, b, r, c) for c in b.columns]
        rows.append(cells)
    # Label columns: the outer ones hold short vertical headings, the last the row texts.
    label_weights = [0.9] * (depth - 1) + [3.0]
    return Grid(table, width, rows, 3, label_weights + [1.0] * ncols)


def _appeals(report: Report, table: Table) -> Grid:
    b = table.blocks[0]
    n = len(b.columns)
    width = n * len(b.rows)
    first: list[GridCell] = []
    second: list[GridCell] = []
    third: list[GridCell] = []
    k = 0
    while k < len(b.rows):
        r = b.rows[k]
        if not r.parents:
            first.append(GridCell(r.label, "header", colspan=n))
            second += [GridCell(c.label, "header", rowspan=2) for c in b.columns]
            k += 1
            continue
        j = k
        while j < len(b.rows) and b.rows[j].parents == r.parents:
            second.append(GridCell(b.rows[j].label, "header", colspan=n))
            third += [GridCell(c.label, "header") for c in b.columns]
            j += 1
        first.append(GridCell(r.parents[-1], "header", colspan=n * (j - k)))
        k = j
    values = [_value(report, b, r, c) for r in b.rows for c in b.columns]
    return Grid(table, width, [first, second, third, values], 3, [1.0] * width)


def grids(report: Report) -> list[Grid]:
    """The edition's tables of this report, as the template lays them out."""
    ed: Edition | None = report.edition_obj
    if ed is None:
        raise ValueError("report has no edition")
    out = []
    for t in ed.tables:
        if any(b.transposed for b in t.blocks):
            out.append(_appeals(report, t))
        elif len(t.blocks) == 1 and any(r.parents for r in t.blocks[0].rows):
            out.append(_requests(report, t))
        else:
            out.append(_active(report, t))
    return out


def positioned(grid: Grid) -> list[list[tuple[int, GridCell]]]:
    """Each row's cells with the grid column each starts in (skipping spanned places)."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(grid.rows):
        c = 0
        placed = []
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
        out.append(placed)
    return out
