"""The filtered request list as an XLSX workbook, written row by row (XlsxWriter's
constant-memory mode) to a temporary file that is then streamed: memory stays flat
however many rows are exported. Personal data only in an export by the agency's own staff."""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import IO

import xlsxwriter

from ogi.workflow.requests import due_of

from .search import Search

COLUMNS = [("tracking_no", "申请编号", 18), ("agency", "受理机关", 18), ("channel", "提交方式", 12), ("submitted_on", "提交日期", 12),
           ("received_on", "收到申请之日", 13), ("category", "申请人类别", 20)]
PERSONAL = [("name", "申请人姓名/名称", 16), ("id_no", "证件号码", 22), ("contact", "联系方式", 18)]
REST = [("content", "申请公开的政府信息", 40), ("state", "状态", 10), ("outcome", "办理结果", 30), ("answered_on", "答复日期", 12),
        ("closed_on", "终止日期", 12), ("due", "截止日", 12), ("due_note", "截止日说明", 30)]


def write(search: Search, day: dt.date) -> tuple[IO[bytes], int]:
    """(the workbook as an open temporary file at position 0, rows written)."""
    out = tempfile.TemporaryFile()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    ws = wb.add_worksheet("申请台账")
    head = wb.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    cols = COLUMNS + (PERSONAL if search.personal else []) + REST
    for c, (_, title, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write_string(0, c, title, head)
    ws.freeze_panes(1, 0)
    n = 0
    for r in search.qs.iterator(chunk_size=2000):
        d = due_of(r, day)
        due = d.due
        values = {"tracking_no": r.tracking_no, "agency": r.agency.name, "channel": r.get_channel_display(),
                  "submitted_on": r.submitted_on, "received_on": r.received_on, "category": r.get_applicant_category_display(),
                  "name": r.applicant_name, "id_no": r.applicant_id_no, "contact": r.applicant_contact, "content": r.content,
                  "state": r.state_label, "outcome": r.outcome_label, "answered_on": r.answered_on, "closed_on": r.closed_on,
                  "due": due, "due_note": f"推定：{d.provisional_reason_zh}" if d.provisional else ""}
        n += 1
        for c, (key, _, _) in enumerate(cols):
            v = values[key]
            if isinstance(v, dt.date):
                ws.write_datetime(n, c, dt.datetime(v.year, v.month, v.day), date)
            elif v:
                ws.write_string(n, c, str(v))
    ws.autofilter(0, 0, max(n, 1), len(cols) - 1)
    wb.close()
    out.seek(0)
    return out, n
