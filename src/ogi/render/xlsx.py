"""The report as an Excel fill-in workbook: a cover sheet (agency, year, date and the six
sections), one sheet per table laid out as the template; label cells locked, input cells
validated, totals as formulas with their values cached, and a conditional format that
turns a cell red when an identity of the table breaks.

Totals are formulas only where the report's figure equals what the formula gives; a
report whose totals disagree is written as it stands, never corrected."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from ..report import Report
from .layout import Grid, grids, positioned
from .text import date_zh, heading, title

COVER = "封面与正文"
_COVER_FIRST_SECTION_ROW = 7


def _sheet_name(grid: Grid) -> str:
    return f"表{grid.table.number}"


def render_xlsx(report: Report, template: bool = False) -> bytes:
    """The workbook; `template` leaves every figure empty for an office to fill in."""
    ed = report.edition_obj
    if ed is None:
        raise ValueError("report has no edition")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    base = {"font_name": "仿宋_GB2312", "font_size": 11, "valign": "vcenter", "border": 1, "text_wrap": True}
    f_label = wb.add_format({**base, "locked": True})
    f_head = wb.add_format({**base, "locked": True, "align": "center", "bold": True})
    f_input = wb.add_format({**base, "locked": False, "align": "center", "bg_color": "#FFFDE7"})
    f_total = wb.add_format({**base, "locked": True, "align": "center", "bg_color": "#EEEEEE"})
    f_bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    f_title = wb.add_format({"font_name": "方正小标宋简体", "font_size": 18, "align": "center", "valign": "vcenter", "locked": True})
    f_key = wb.add_format({"font_name": "黑体", "font_size": 12, "locked": True, "valign": "vcenter"})
    f_text = wb.add_format({"font_name": "仿宋_GB2312", "font_size": 12, "locked": False, "text_wrap": True, "valign": "top",
                            "border": 1, "bg_color": "#FFFDE7"})

    # Cover: metadata and the six sections.
    ws = wb.add_worksheet(COVER)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 3, 40)
    ws.merge_range(0, 0, 0, 3, "", f_title)
    ws.write_formula(0, 0, '=B3&IF(B4="","",B4&"年")&"政府信息公开工作年度报告"', f_title, title(report))
    ws.set_row(0, 36)
    cover = [("发布机关", report.agency or ""), ("报告年度", report.year if report.year else ""),
             ("成文日期", date_zh(report.issued_on)), ("表格格式", f"{ed.document}（{ed.id}年版）")]
    for i, (key, value) in enumerate(cover):
        ws.write(2 + i, 0, key, f_key)
        fmt = f_text if key != "表格格式" else f_key
        ws.merge_range(2 + i, 1, 2 + i, 3, "", fmt)
        ws.write(2 + i, 1, value, fmt)
    ws.data_validation(3, 1, 3, 1, {"validate": "integer", "criteria": "between", "minimum": 2008, "maximum": 2100,
                                    "input_title": "报告年度", "input_message": "填写四位数年份，如 2025",
                                    "error_message": "年度应为 2008 至 2100 之间的整数"})
    row = _COVER_FIRST_SECTION_ROW
    for s in ed.sections:
        ws.merge_range(row, 0, row, 3, heading(s), f_key)
        text = "\n".join(line.strip() for line in (report.sections.get(s.key) or "").splitlines() if line.strip())
        ws.merge_range(row + 1, 0, row + 1, 3, text, f_text)
        ws.set_row(row + 1, max(60, 16 * (text.count("\n") + 1 + len(text) // 60)))
        row += 2
    ws.protect("", {"format_cells": True, "format_rows": True, "format_columns": True})

    for grid in grids(report):
        ws = wb.add_worksheet(_sheet_name(grid))
        placed = positioned(grid)
        ref: dict[str, str] = {}
        for r, cells in enumerate(placed):
            for c, cell in cells:
                if cell.cell_id:
                    ref[cell.cell_id] = xl_rowcol_to_cell(r, c)
        totals = {i.total: i for i in ed.identities if i.total and i.table == grid.table.key}
        for i, w in enumerate(grid.fractions()):
            ws.set_column(i, i, max(6.0, 120 * w))
        for r, cells in enumerate(placed):
            for c, cell in cells:
                if cell.cell_id is None:
                    fmt = f_head if cell.role in ("header", "heading") else f_label
                    if cell.rowspan > 1 or cell.colspan > 1:
                        ws.merge_range(r, c, r + cell.rowspan - 1, c + cell.colspan - 1, cell.text, fmt)
                    else:
                        ws.write_string(r, c, cell.text, fmt)
                    continue
                cid = cell.cell_id
                cdef = ed.cells[cid]
                v = report.cells[cid]
                if cell.colspan > 1:
                    ws.merge_range(r, c, r, c + cell.colspan - 1, "", f_input)
                ident = totals.get(cid)
                parts = [report.number(p) for p in ident.right] if ident else []
                formula_ok = ident is not None and (template or (
                    v.state == "value" and None not in parts and sum(parts) == v.value))  # type: ignore[arg-type]
                if formula_ok:
                    assert ident is not None
                    cached = v.value if not template and v.value is not None else 0
                    ws.write_formula(r, c, "=SUM(" + ",".join(ref[p] for p in ident.right) + ")", f_total,
                                     _number(cached))
                    continue
                number = None if template else v.value if v.state == "value" else None
                if v.state == "dash" and not template:
                    ws.write_string(r, c, v.raw or "—", f_input)
                elif number is None:
                    ws.write_blank(r, c, None, f_input)
                elif cdef.unit == "yuan" and cdef.column.printed_in == "万元":
                    ws.write_number(r, c, _number(Decimal(number) / 10000), f_input)
                else:
                    ws.write_number(r, c, _number(number), f_input)
                _validate(ws, r, c, cdef.unit, cdef.column.printed_in)
        # A broken identity turns its total (or, for the 勾稽 identity, the carried-forward cell) red.
        for ident in ed.identities:
            if ident.table != grid.table.key:
                continue
            target = ident.total or ident.right[-1]
            if target not in ref:
                continue
            left = "+".join(f"N({ref[x]})" for x in ident.left)
            right = "+".join(f"N({ref[x]})" for x in ident.right)
            ws.conditional_format(ref[target], {"type": "formula", "criteria": f"=({left})<>({right})", "format": f_bad})
        ws.repeat_rows(0, max(0, grid.header_rows - 1))
        ws.protect("", {"format_cells": True, "format_rows": True, "format_columns": True})
    wb.close()
    return buf.getvalue()


def _number(n: object) -> float | int:
    if isinstance(n, Decimal):
        return int(n) if n == n.to_integral_value() else float(n)
    return n  # type: ignore[return-value]


def _validate(ws, r: int, c: int, unit: str, printed_in: str | None) -> None:  # type: ignore[no-untyped-def]
    if unit == "yuan":
        where = "万元" if printed_in == "万元" else "元"
        ws.data_validation(r, c, r, c, {"validate": "decimal", "criteria": ">=", "value": 0,
                                        "input_message": f"金额（{where}），不小于 0", "error_message": "金额应为不小于 0 的数"})
    elif unit == "signed_count":
        ws.data_validation(r, c, r, c, {"validate": "integer", "criteria": "between", "minimum": -10**9, "maximum": 10**9,
                                        "input_message": "整数，减少时填负数", "error_message": "应为整数"})
    else:
        ws.data_validation(r, c, r, c, {"validate": "integer", "criteria": ">=", "value": 0,
                                        "input_message": "不小于 0 的整数", "error_message": "数量应为不小于 0 的整数"})
