"""The filtered request list as an XLSX workbook, written row by row (XlsxWriter's
constant-memory mode) to a temporary file that is then streamed: memory stays flat
however many rows are exported. Personal data only in an export by the agency's own staff."""

from __future__ import annotations

import datetime as dt
import tempfile
from types import SimpleNamespace
from typing import IO

import xlsxwriter

from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes
from ogi.workdays import default_calendar
from ogi.workflow.requests import OPEN_STATES, STATES, due_of

from .models import CHANNELS
from .search import Search

COLUMNS = [("tracking_no", "申请编号", 18), ("agency", "受理机关", 18), ("channel", "提交方式", 12), ("submitted_on", "提交日期", 12),
           ("received_on", "收到申请之日", 13), ("category", "申请人类别", 20)]
PERSONAL = [("name", "申请人姓名/名称", 16), ("id_no", "证件号码", 22), ("contact", "联系方式", 18)]
REST = [("content", "申请公开的政府信息", 40), ("state", "状态", 10), ("outcome", "办理结果", 30), ("answered_on", "答复日期", 12),
        ("closed_on", "终止日期", 12), ("due", "截止日", 12), ("due_note", "截止日说明", 30)]


# What a row of the export reads, and what due_of() reads of an open request.
_FIELDS = ("tracking_no", "agency__name", "channel", "submitted_on", "received_on", "applicant_category", "applicant_name",
           "applicant_id_no", "applicant_contact", "content", "state", "outcome", "answered_on", "closed_on")
_DUE_FIELDS = ("corrected_on", "correction_requested_on", "correction_due", "extension_days", "pauses")


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
    # Rows as tuples, labels from dicts, due dates only for open requests, one calendar: the
    # model instances, their display methods and a calendar lookup per row were two thirds of
    # the time (bench/export.py).
    channels, categories, outcome_labels, cal = dict(CHANNELS), APPLICANT_CATEGORIES, outcomes(), default_calendar()
    keys = [key for key, _, _ in cols]
    n = 0
    for row in search.qs.values_list(*_FIELDS, *_DUE_FIELDS).iterator(chunk_size=2000):
        v = dict(zip(_FIELDS + _DUE_FIELDS, row, strict=True))
        due, due_note = None, ""
        if v["state"] in OPEN_STATES:
            d = due_of(SimpleNamespace(**v), day, cal)
            due, due_note = d.due, f"推定：{d.provisional_reason_zh}" if d.provisional else ""
        values = {"tracking_no": v["tracking_no"], "agency": v["agency__name"], "channel": channels.get(v["channel"], v["channel"]),
                  "submitted_on": v["submitted_on"], "received_on": v["received_on"],
                  "category": categories.get(v["applicant_category"], v["applicant_category"]), "name": v["applicant_name"],
                  "id_no": v["applicant_id_no"], "contact": v["applicant_contact"], "content": v["content"],
                  "state": STATES.get(v["state"], v["state"]), "outcome": outcome_labels.get(v["outcome"] or "", ""),
                  "answered_on": v["answered_on"], "closed_on": v["closed_on"], "due": due, "due_note": due_note}
        n += 1
        for c, key in enumerate(keys):
            x = values[key]
            if isinstance(x, dt.date):
                ws.write_datetime(n, c, dt.datetime(x.year, x.month, x.day), date)
            elif x:
                ws.write_string(n, c, str(x))
    ws.autofilter(0, 0, max(n, 1), len(cols) - 1)
    wb.close()
    out.seek(0)
    return out, n
