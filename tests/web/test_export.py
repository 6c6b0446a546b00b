"""The XLSX export reads rows as tuples (not model instances): each row still says what the
request itself says — its display labels, its due date by due_of() — for open, paused,
waiting and closed requests alike."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from ogi.web.ledger import export, search, services
from ogi.web.ledger.models import Request
from ogi.workflow.requests import due_of

from .conftest import request_data


def test_each_exported_row_is_what_the_request_says(world):  # type: ignore[no-untyped-def]
    clerk = world["a_clerk"]
    made = [services.register(clerk, request_data(channel=ch, applicant_category=cat, content=f"第{i}件"))
            for i, (ch, cat) in enumerate([("online", "natural"), ("letter", "commercial"), ("in_person", "legal_service"),
                                            ("email", "natural"), ("fax", "other_org")])]
    Request.objects.filter(pk=made[1].pk).update(state="consulting", pauses=[{"kind": "consultation", "start": "2026-03-05",
                                                                                "end": None}])
    Request.objects.filter(pk=made[2].pk).update(state="correction", correction_requested_on=dt.date(2026, 3, 4),
                                                 correction_due=dt.date(2026, 3, 20))
    Request.objects.filter(pk=made[3].pk).update(state="answered", outcome="granted", answered_on=dt.date(2026, 3, 10))
    Request.objects.filter(pk=made[4].pk).update(received_on=dt.date(2026, 12, 20), extension_days=20)  # due in 2027: estimated
    day = dt.date(2026, 12, 21)
    found = search.find(clerk, {"sort": "tracking_no"})
    fh, n = export.write(found, day)
    ws = load_workbook(fh).active
    head, *rows = list(ws.values)
    assert n == len(rows) == 5
    for r, row in zip(found.qs, rows, strict=True):
        got = dict(zip(head, row, strict=True))
        d = due_of(r, day)
        want = {"申请编号": r.tracking_no, "受理机关": r.agency.name, "提交方式": r.get_channel_display(),
                "申请人类别": r.get_applicant_category_display(), "申请人姓名/名称": r.applicant_name, "证件号码": r.applicant_id_no,
                "申请公开的政府信息": r.content, "状态": r.state_label, "办理结果": r.outcome_label or None,
                "截止日": dt.datetime.combine(d.due, dt.time()) if d.due else None,
                "截止日说明": f"推定：{d.provisional_reason_zh}" if d.provisional else None,
                "收到申请之日": dt.datetime.combine(r.received_on, dt.time()),
                "答复日期": dt.datetime.combine(r.answered_on, dt.time()) if r.answered_on else None}
        assert {k: got[k] for k in want} == want
    assert any(got_row[head.index("截止日说明")] for got_row in rows)  # the estimated due date is said to be one
