"""Reader for Excel workbooks: each sheet a table (merged ranges as grid copies), cached
formula values, simple SUM and +/- formulas evaluated where no value was cached."""

from __future__ import annotations

import datetime as dt
import io
import re
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

    def __init__(self, values: Any, formulas: Any):
        self.values = values
        self.formulas = formulas
        self.depth = 0

    def value(self, coord: str) -> Decimal | None:
        v = self.values[coord].value
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return Decimal(repr(v))
        f = self.formulas[coord].value
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


def _check_rows(data: bytes) -> None:
    """Rows of each sheet counted in openpyxl's read-only (streaming) mode, before the
    workbook is loaded whole: a million rows would cost minutes and gigabytes."""
    import openpyxl

    from .limits import current, exceeded

    limit = current().xlsx_rows
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception as e:
        raise IngestError("broken_file", "Excel 工作簿已损坏，无法读取", f"broken XLSX: {type(e).__name__}") from None
    try:
        for ws in wb.worksheets:
            for n, _ in enumerate(ws.iter_rows(values_only=True), start=1):
                if n > limit:
                    raise exceeded("xlsx_rows", f"工作表“{ws.title[:30]}”行数过多", f"超过 {limit} 行", f"{limit} 行",
                                   f"> {limit} rows", limit)
    except IngestError:
        raise
    except Exception as e:
        raise IngestError("broken_file", "Excel 工作簿已损坏，无法读取", f"broken XLSX: {type(e).__name__}") from None
    finally:
        wb.close()


def read_xlsx(data: bytes, file: str | None = None) -> Document:
    import openpyxl

    _check_rows(data)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except MemoryError:
        raise  # the bounded worker says so; not a broken file
    except Exception as e:
        raise IngestError("broken_file", "Excel 工作簿已损坏，无法读取", f"broken XLSX: {type(e).__name__}") from None
    blocks: list[Block] = []
    for ws in values.worksheets:
        fws = formulas[ws.title]
        ev = _Evaluator(ws, fws)
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        covered: set[tuple[int, int]] = set()
        for rng in ws.merged_cells.ranges:
            spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        covered.add((r, c))
        nrows, ncols = min(ws.max_row, MAX_ROWS), min(ws.max_column, MAX_COLS)
        rows = []
        for r in range(1, nrows + 1):
            row = []
            for c in range(1, ncols + 1):
                if (r, c) in covered:
                    continue
                cell = ws.cell(r, c)
                v = cell.value
                f = fws.cell(r, c).value
                if v is None and isinstance(f, str) and f.startswith("="):
                    n = ev.evaluate(f)
                    v = int(n) if n is not None and n == n.to_integral_value() else n
                rs, cs = spans.get((r, c), (1, 1))
                row.append((_text(v) if not isinstance(v, Decimal) else format(v, "f"),
                            {"sheet": ws.title, "row": r, "col": c}, rs, cs))
            rows.append(row)
        blocks += table_blocks(expand_grid(rows), {"sheet": ws.title})
    return Document(blocks, file=file, kind="xlsx")
