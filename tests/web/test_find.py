"""Finding requests: full text (names only for staff allowed to see them), filters, sort,
numbered pages, and the filtered list exported to XLSX — personal data only for the
agency's own staff, every export in the audit log."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from openpyxl import load_workbook

from ogi.web.ledger import search, services
from ogi.web.ledger.models import Event

from .conftest import PASSWORD, request_data


def login(user) -> Client:  # type: ignore[no-untyped-def]
    # Through the login page, as a browser does: the login throttle records the client's
    # address, which Client.login() leaves empty (PostgreSQL then refuses it as an inet).
    c = Client()
    assert c.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return c


def _rows(world):  # type: ignore[no-untyped-def]
    a = services.register(world["a_clerk"], request_data(applicant_name="刘德明", content="道路改造工程招标文件"))
    b = services.register(world["a_clerk"], request_data(applicant_name="王芳", content="刘家村征地补偿方案",
                                                         channel="letter"))
    c = services.register(world["b_clerk"], request_data(applicant_name="刘小红", content="低保发放名单",
                                                          received_on=dt.date(2026, 3, 9), submitted_on=dt.date(2026, 3, 9)))
    services.record_event(world["a_clerk"], a.tracking_no, "request_correction", dt.date(2026, 3, 4), {"note": "请补充路段名称"})
    return a, b, c


def _found(user, **params):  # type: ignore[no-untyped-def]
    return [r.tracking_no for r in search.find(user, params).qs]


def test_full_text_over_name_content_number_and_notes(world):
    a, b, c = _rows(world)
    assert set(_found(world["a_clerk"], q="刘")) == {a.tracking_no, b.tracking_no}  # name and content; never b's agency
    assert _found(world["a_clerk"], q="德明") == [a.tracking_no]
    assert _found(world["a_clerk"], q="路段名称") == [a.tracking_no]  # an event's note
    assert _found(world["a_clerk"], q=b.tracking_no[-3:]) == [b.tracking_no]
    # The supervisor finds by content across the agencies below, but not by a name.
    assert set(_found(world["supervisor"], q="刘")) == {b.tracking_no}
    assert _found(world["supervisor"], q="德明") == []
    assert _found(world["supervisor"], q="刘", agency="MZJ") == []
    assert _found(world["supervisor"], agency="MZJ") == [c.tracking_no]


def test_filters_sort_and_bad_parameters(world):
    a, b, _ = _rows(world)
    u = world["a_clerk"]
    assert _found(u, state="correction") == [a.tracking_no]
    assert _found(u, channel="letter") == [b.tracking_no]
    assert _found(u, **{"from": "2026-03-03"}) == []
    assert _found(u, sort="tracking_no") == [a.tracking_no, b.tracking_no]
    assert _found(u, sort="-tracking_no") == [b.tracking_no, a.tracking_no]
    # Due on 2026-03-30 (20 working days from 2026-03-02): due soon from 2026-03-23 on.
    found = search.find(u, {"due": "due_soon"}, day=dt.date(2026, 3, 24))
    assert [r.tracking_no for r in found.qs] == [b.tracking_no]  # a waits for the applicant's correction
    assert [r.tracking_no for r in search.find(u, {"due": "overdue"}, day=dt.date(2026, 4, 1)).qs] == [b.tracking_no]
    bad = search.find(u, {"state": "nonsense", "from": "2026-13-01", "sort": "password", "due": "x"})
    assert len(bad.notes) == 4 and bad.qs.count() == 2
    # A range typed the wrong way round is read the right way round, and said so.
    swapped = search.find(u, {"from": "2026-03-31", "to": "2026-03-01"})
    assert swapped.qs.count() == 2 and swapped.notes == ["起始日期晚于截止日期，已按 2026-03-01 至 2026-03-31 查询"]


def test_list_page_numbers_sort_links_and_supervisor_filter(world):
    for i in range(120):
        services.register(world["a_clerk"], request_data(content=f"第{i}号文件"))
    c = login(world["a_clerk"])
    page = c.get("/requests/?q=文件&page=2").content.decode()
    assert "共 120 件，第 2/3 页" in page and 'class="current">2<' in page and "page=3" in page
    assert 'data-sort="tracking_no" href="?q=%E6%96%87%E4%BB%B6&amp;sort=tracking_no"' in page
    assert "申请人、内容、编号、备注" in page
    sup = login(world["supervisor"]).get("/requests/").content.decode()
    assert 'name="agency"' in sup and "某市民政局" in sup and "内容、编号、备注" in sup
    assert login(world["supervisor"]).get("/requests/?page=abc&sort=x&from=bad").status_code == 200


def test_export_follows_the_filter_and_hides_personal_data_from_supervisors(world):
    a, b, _ = _rows(world)
    resp = login(world["a_clerk"]).get("/requests/export.xlsx?q=刘")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.values)
    assert "申请人姓名/名称" in rows[0] and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {a.tracking_no, b.tracking_no} and "刘德明" in {r[6] for r in rows[1:]}
    ev = Event.objects.get(event="export_requests", actor=world["a_clerk"])
    assert "2 件（含申请人个人信息）" in ev.note and "q=刘" in ev.note
    sup = login(world["supervisor"]).get("/requests/export.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(sup.streaming_content))).active.values)
    assert "申请人姓名/名称" not in rows[0] and "证件号码" not in rows[0] and len(rows) == 4
    assert not any("刘德明" in str(v) for r in rows for v in r)
    assert "不含申请人个人信息" in Event.objects.get(event="export_requests", actor=world["supervisor"]).note
