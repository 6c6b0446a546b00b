"""Reader for Excel workbooks: each sheet a table (merged ranges as grid copies), cached
formula values, simple SUM and +/- formulas evaluated where no value was cached."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .document import Block, Document, expand_grid, table_blocks
from .errors import IngestError

MAX_ROWS = 2000
MAX_COLS = 60
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$")
_TERM = re.compile(r"([+-]?)\s*([^+-]+)")


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        d = Decimal(repr(v))
        return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")
    if isinstance(v, (dt.datetime, dt.date)):
        return f"{v.year}年{v.month}月{v.day}日"
    return str(v).strip()


class _Evaluator:
    """Values of formula cells whose cached value is missing (a workbook written by a
    program rather than saved by Excel): SUM over ranges and lists, and +/- of terms."""

    def __init__(self, sheet: _Sheet):
        self.sheet = sheet
        self.depth = 0

    def value(self, coord: str) -> Decimal | None:
        r, c = _position(coord)
        v = self.sheet.value(r, c)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return Decimal(repr(v))
        f = self.sheet.formula(r, c)
        if isinstance(f, str) and f.startswith("="):
            return self.evaluate(f)
        if v is None:
            return Decimal(0)
        try:
            return Decimal(str(v).strip())
        except ArithmeticError:
            return None

    def evaluate(self, formula: str) -> Decimal | None:
        if self.depth > 20:
            return None
        self.depth += 1
        try:
            body = formula.lstrip("=").replace(" ", "").upper()
            m = re.fullmatch(r"SUM\((.+)\)", body)
            if m:
                total = Decimal(0)
                for arg in m.group(1).split(","):
                    part = self._range(arg) if ":" in arg else self._term(arg)
                    if part is None:
                        return None
                    total += part
                return total
            total = Decimal(0)
            for sign, term in _TERM.findall(body):
                v = self._term(term)
                if v is None:
                    return None
                total += -v if sign == "-" else v
            return total
        finally:
            self.depth -= 1

    def _term(self, term: str) -> Decimal | None:
        if _REF.match(term):
            return self.value(term.replace("$", ""))
        try:
            return Decimal(term)
        except ArithmeticError:
            return None

    def _range(self, arg: str) -> Decimal | None:
        from openpyxl.utils import column_index_from_string, get_column_letter

        m = _RANGE.match(arg)
        if not m:
            return None
        c0, r0, c1, r1 = column_index_from_string(m[1]), int(m[2]), column_index_from_string(m[3]), int(m[4])
        total = Decimal(0)
        for r in range(min(r0, r1), max(r0, r1) + 1):
            for c in range(min(c0, c1), max(c0, c1) + 1):
                v = self.value(f"{get_column_letter(c)}{r}")
                if v is None:
                    return None
                total += v
        return total


def _position(coord: str) -> tuple[int, int]:
    from openpyxl.utils.cell import coordinate_to_tuple

    r, c = coordinate_to_tuple(coord)
    if r < 1 or c < 1:
        raise ValueError("Row or column values must be at least 1")  # as openpyxl's ws[coord]
    return r, c


@dataclass
class _Sheet:
    """One worksheet as openpyxl's full load would hold it, read in one streaming pass
    of its XML: each cell's value (the cached one for a formula) and formula, the merged
    ranges, and the extent (max_row, max_column) that load would give it."""

    title: str
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    formulas: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    covered: set[tuple[int, int]] = field(default_factory=set)
    max_row: int = 1
    max_column: int = 1

    def value(self, r: int, c: int) -> Any:
        # A position inside a merged range (not its first cell) holds nothing, as in openpyxl.
        return None if (r, c) in self.covered else self.values.get((r, c))

    def formula(self, r: int, c: int) -> Any:
        """What the cell holds with formulas kept: its formula, else its value."""
        if (r, c) in self.covered:
            return None
        return self.formulas.get((r, c), self.values.get((r, c)))


def _sheets(data: bytes) -> Iterator[_Sheet]:
    """Each worksheet, in order, in one pass over its XML. openpyxl's full load binds a
    styled MergedCell with its borders for every position of every merged range (most
    of its time on a report's tables) and has to be made twice, for the values and for
    the formulas; its streaming parser gives both here. Rows past the xlsx_rows limit
    stop the reading."""
    import zipfile

    import openpyxl
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    from .limits import current, exceeded

    class Parser(WorkSheetParser):  # type: ignore[misc]
        """Keeps the cached value of a formula cell beside its formula."""

        def parse_cell(self, element: Any) -> dict:
            cell = super().parse_cell(element)
            if element.find(FORMULA_TAG) is not None:
                counter, self.data_only = self.col_counter, True
                try:
                    cell["cached"] = super().parse_cell(element)["value"]
                finally:
                    self.col_counter, self.data_only = counter, False
            return cell

    limit = current().xlsx_rows
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for ws in wb.worksheets:
            sheet = _Sheet(ws.title)
            rows: list[int] = []
            cols: list[int] = []
            with ws._get_source() as src:
                parser = Parser(src, ws._shared_strings, data_only=False, epoch=wb.epoch,
                                date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                for idx, row in parser.parse():
                    if idx > limit:
                        raise exceeded("xlsx_rows", f"工作表“{ws.title[:30]}”行数过多", f"超过 {limit} 行", f"{limit} 行",
                                       f"> {limit} rows", limit)
                    for cell in row:
                        pos = (cell["row"], cell["column"])
                        rows.append(pos[0])
                        cols.append(pos[1])
                        if "cached" in cell:
                            sheet.values[pos] = cell["cached"]
                            sheet.formulas[pos] = cell["value"]
                        else:
                            sheet.values[pos] = cell["value"]
                            sheet.formulas.pop(pos, None)
            for ref in (m.ref for m in parser.merged_cells.mergeCell) if parser.merged_cells else ():
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                sheet.merges.append((min_row, min_col, max_row, max_col))
                rows.append(max_row)
                cols.append(max_col)
                sheet.covered.update((r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)
                                     if (r, c) != (min_row, min_col))
            # openpyxl makes a cell wherever a comment or a hyperlink is anchored (which
            # widens the sheet), and gives an empty cell its hyperlink's target as value.
            rels = _rels(archive, ws._worksheet_path)
            for link in parser.hyperlinks.hyperlink:
                for r, c in _linked(sheet, link.ref):
                    rows.append(r)
                    cols.append(c)
                    if sheet.values.get((r, c)) is None:
                        target = rels.get(link.id).Target if link.id else link.target
                        sheet.values[(r, c)] = target or link.location
            for ref in _comment_refs(archive, rels):
                _, _, max_col, max_row = range_boundaries(ref)
                rows.append(max_row)
                cols.append(max_col)
            sheet.max_row = max(rows, default=1)
            sheet.max_column = max(cols, default=1)
            yield sheet
    finally:
        wb.close()


def _linked(sheet: _Sheet, ref: str) -> list[tuple[int, int]]:
    """The cells a hyperlink is given to, as openpyxl binds it: each cell of a range but
    those inside a merged range; a single cell inside a merged range is that range's first."""
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if None in (min_col, min_row, max_col, max_row):
        raise ValueError(f"hyperlink on whole rows or columns: {ref}")
    if ":" in ref:
        return [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)
                if (r, c) not in sheet.covered]
    if (min_row, min_col) in sheet.covered:
        return [next((r0, c0) for r0, c0, r1, c1 in sheet.merges if r0 <= min_row <= r1 and c0 <= min_col <= c1)]
    return [(min_row, min_col)]


def _rels(archive: Any, sheet_path: str) -> Any:
    from openpyxl.packaging.relationship import RelationshipList, get_dependents, get_rels_path

    path = get_rels_path(sheet_path)
    return get_dependents(archive, path) if path in archive.namelist() else RelationshipList()


def _comment_refs(archive: Any, rels: Any) -> list[str]:
    from openpyxl.comments.comment_sheet import CommentSheet
    from openpyxl.xml.constants import COMMENTS_NS
    from openpyxl.xml.functions import fromstring

    return [ref for r in rels.find(COMMENTS_NS)
            for ref, _ in CommentSheet.from_tree(fromstring(archive.read(r.target))).comments]


def read_xlsx(data: bytes, file: str | None = None) -> Document:
    blocks: list[Block] = []
    sheets = _sheets(data)
    while True:
        try:
            ws = next(sheets)
        except StopIteration:
            break
        except (IngestError, MemoryError):
            raise  # past a limit; or out of memory, which the bounded worker reports: not a broken file
        except Exception as e:
            raise IngestError("broken_file", "Excel 工作簿已损坏，无法读取", f"broken XLSX: {type(e).__name__}") from None
        ev = _Evaluator(ws)
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in ws.merges}
        nrows, ncols = min(ws.max_row, MAX_ROWS), min(ws.max_column, MAX_COLS)
        rows = []
        for r in range(1, nrows + 1):
            row = []
            for c in range(1, ncols + 1):
                if (r, c) in ws.covered:
                    continue
                v = ws.values.get((r, c))
                f = ws.formula(r, c)
                if v is None and isinstance(f, str) and f.startswith("="):
                    n = ev.evaluate(f)
                    v = int(n) if n is not None and n == n.to_integral_value() else n
                rs, cs = spans.get((r, c), (1, 1))
                row.append((_text(v) if not isinstance(v, Decimal) else format(v, "f"),
                            {"sheet": ws.title, "row": r, "col": c}, rs, cs))
            rows.append(row)
        blocks += table_blocks(expand_grid(rows), {"sheet": ws.title})
    return Document(blocks, file=file, kind="xlsx")
