"""The workbook reader reads in one streaming pass what openpyxl's full load (values and
formulas, two loads) gives: the same grid, cell for cell, on a workbook with everything
that changes that grid — merged ranges, formulas with and without a cached value, a text
that begins with "=", dates, and a comment and a hyperlink that widen the sheet."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.comments import Comment

from ogi.ingest.document import expand_grid, table_blocks
from ogi.ingest.errors import IngestError
from ogi.ingest.limits import Limits, using
from ogi.ingest.xlsx import MAX_COLS, MAX_ROWS, _Evaluator, _text, read_xlsx


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表三"
    ws.append(["项目", "自然人", "商业企业", "总计"])
    ws.append(["一、本年新收", 3, 2, "=B2+C2"])
    ws.append(["二、上年结转", 1, None, "=SUM(B3:C3)"])
    ws.append(["三、结果", "—", 2.5, "=B4+C4"])
    ws.merge_cells("A5:B6")
    ws["A5"] = "合并"
    ws["C5"] = "=A5+1"
    ws["D5"] = True
    ws["D6"] = dt.datetime(2024, 1, 31)
    ws.merge_cells("E7:F9")  # a range beyond every value widens the sheet
    ws["A10"] = "公式文本"
    ws["B10"] = "=C10"
    ws["C10"] = "=1+2"
    ws["C10"].data_type = "s"  # a text that only looks like a formula
    ws["C14"].comment = Comment("批注", "审核人")
    ws["H12"].hyperlink = "https://www.gov.cn/"
    second = wb.create_sheet("表二")
    second.append(["规章", 5, "=SUM(B1:B1)"])
    buf = io.BytesIO()
    wb.save(buf)
    return _edited(buf.getvalue())


def _edited(data: bytes) -> bytes:
    """The workbook as other programs write it: a cached value in one formula cell (as
    Excel saves it), and no cell element where only a comment or a hyperlink is anchored."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'(<c r="D2"[^>]*>)(<f>[^<]*</f>)(<v>[^<]*</v>|<v\s*/>)?', rb"\1\2<v>5</v>", body)
                body, n = re.subn(rb'<row r="1[24]"[^>]*>.*?</row>', b"", body)
                assert n == 2
            dst.writestr(item, body)
    return out.getvalue()


class _Loaded:
    def __init__(self, values, formulas):
        self.values, self.formulas = values, formulas

    def value(self, r, c):
        return self.values.cell(r, c).value

    def formula(self, r, c):
        return self.formulas.cell(r, c).value


def _full_load_grid(data: bytes) -> list:
    """The grid as read from openpyxl's full loads (the reader's reference)."""
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    blocks = []
    for ws in values.worksheets:
        fws = formulas[ws.title]

        ev = _Evaluator(_Loaded(ws, fws))  # type: ignore[arg-type]
        spans, covered = {}, set()
        for rng in ws.merged_cells.ranges:
            spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
            covered |= {(r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)
                        if (r, c) != (rng.min_row, rng.min_col)}
        rows = []
        for r in range(1, min(ws.max_row, MAX_ROWS) + 1):
            row = []
            for c in range(1, min(ws.max_column, MAX_COLS) + 1):
                if (r, c) in covered:
                    continue
                v, f = ws.cell(r, c).value, fws.cell(r, c).value
                if v is None and isinstance(f, str) and f.startswith("="):
                    n = ev.evaluate(f)
                    v = int(n) if n is not None and n == n.to_integral_value() else n
                row.append((_text(v) if not isinstance(v, Decimal) else format(v, "f"),
                            {"sheet": ws.title, "row": r, "col": c}, *spans.get((r, c), (1, 1))))
            rows.append(row)
        blocks += table_blocks(expand_grid(rows), {"sheet": ws.title})
    return blocks


def test_streaming_read_is_the_full_load():
    data = _workbook()
    blocks = read_xlsx(data).blocks
    assert blocks == _full_load_grid(data)
    first = blocks[0]
    texts = [[c.text for c in row] for row in first.rows]
    assert texts[1] == ["一、本年新收", "3", "2", "5", "", "", "", ""]  # the cached 5, not 3 + 2 evaluated
    assert texts[2][3] == "1" and texts[3][3] == "" and texts[9][:3] == ["公式文本", "3", "=1+2"]
    assert len(first.rows) == 14 and len(first.rows[0]) == 8  # column H by the hyperlink, row 14 by the comment
    assert blocks[1].rows[0][2].text == "5"


def test_rows_past_the_limit_stop_the_read():
    wb = openpyxl.Workbook()
    for i in range(30):
        wb.active.append([f"行{i}", i])
    buf = io.BytesIO()
    wb.save(buf)
    with using(Limits(xlsx_rows=20)), pytest.raises(IngestError) as e:
        read_xlsx(buf.getvalue())
    assert e.value.limit == "xlsx_rows"
    with using(Limits(xlsx_rows=30)):
        assert len(read_xlsx(buf.getvalue()).blocks[0].rows) == 30
