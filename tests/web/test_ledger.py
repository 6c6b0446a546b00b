"""The ledger through its doors — pages and API — on a real database: registration,
events and their audit, personal data, and isolation between agencies."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.http import HttpRequest
from django.test import Client
from docx import Document

from ogi.web import clock
from ogi.web.accounts.models import ApiToken
from ogi.web.ledger import review, services
from ogi.web.ledger.models import Event, Request
from ogi.workflow.requests import Refused

from .conftest import PASSWORD, request_data

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return c


def test_register_assigns_numbers_and_audits(world):
    r1 = services.register(world["a_clerk"], request_data())
    r2 = services.register(world["a_clerk"], request_data(applicant_category="commercial", applicant_name="某公司"))
    assert (r1.tracking_no, r2.tracking_no) == ("SWJ-2026-00001", "SWJ-2026-00002")
    ev = Event.objects.get(request=r1, event="register")
    assert ev.actor == world["a_clerk"] and ev.calendar_version and "互联网" in ev.note
    with pytest.raises(Refused):
        services.register(world["supervisor"], request_data())
    with pytest.raises(Refused, match="早于"):
        services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 3, 1)))


def test_events_change_the_request_and_the_audit_log_keeps_before_and_after(world):
    r = services.register(world["a_clerk"], request_data())
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", dt.date(2026, 3, 4), {"note": "请明确地块位置"})
    r = services.record_event(world["a_clerk"], r.tracking_no, "receive_correction", dt.date(2026, 3, 9), {})
    r = services.record_event(world["a_reviewer"], r.tracking_no, "extend", dt.date(2026, 3, 20), {"days": 10})
    r = services.record_event(world["a_reviewer"], r.tracking_no, "answer", dt.date(2026, 4, 1),
                              {"outcome": "partial", "withheld": "地块权利人的身份证号码｜第三方合法权益"})
    r.refresh_from_db()
    assert (r.state, r.outcome, r.corrected_on, r.extension_days, r.version) == ("answered", "partial", dt.date(2026, 3, 9), 10, 4)
    log = list(r.events.values_list("event", "changes"))
    assert [e for e, _ in log] == ["register", "request_correction", "receive_correction", "extend", "answer"]
    assert dict(log)["answer"]["state"] == ["registered", "answered"]
    assert dict(log)["extend"]["extension_days"] == [0, 10]
    with pytest.raises(Refused, match="已答复"):
        services.record_event(world["a_reviewer"], r.tracking_no, "extend", dt.date(2026, 4, 2), {"days": 5})
    # The page's log names each person as colleagues know them, with the login an account is traced by.
    world["a_reviewer"].first_name = "陈志强"
    world["a_reviewer"].save()
    page = login(world["a_clerk"]).get(f"/requests/{r.tracking_no}/").content.decode()
    assert "陈志强（a-reviewer）" in page and "<td>a-clerk</td>" in page  # no name given: the login alone


def test_personal_data_masked_shown_to_own_staff_and_each_view_recorded(world):
    r = services.register(world["a_clerk"], request_data())
    page = login(world["a_clerk"]).get(f"/requests/{r.tracking_no}/").content.decode()
    assert "张**" in page and "320***********1232" in page and "138****5678" in page and "张小明" not in page
    c = login(world["a_clerk"])
    shown = c.post(f"/requests/{r.tracking_no}/personal/").content.decode()
    assert "张小明" in shown and "320102199001011232" in shown
    assert Event.objects.filter(request=r, event="view_personal_data", actor=world["a_clerk"]).count() == 1
    sup = login(world["supervisor"])
    assert sup.get(f"/requests/{r.tracking_no}/").status_code == 200  # a supervisor reads…
    assert sup.post(f"/requests/{r.tracking_no}/personal/").status_code == 403  # …but not personal data
    listing = login(world["a_clerk"]).get("/requests/").content.decode()
    assert "张**" in listing and "张小明" not in listing


def test_agency_b_cannot_see_or_change_agency_a(world):
    r = services.register(world["a_clerk"], request_data())
    b = login(world["b_clerk"])
    assert b.get(f"/requests/{r.tracking_no}/").status_code == 404
    assert b.post(f"/requests/{r.tracking_no}/events/withdraw/", {"withdraw-on": "2026-03-05", "withdraw-version": 0}).status_code == 404
    assert b.post(f"/requests/{r.tracking_no}/personal/").status_code == 404
    assert b.get(f"/requests/{r.tracking_no}/letter.docx").status_code == 404
    assert r.tracking_no not in b.get("/requests/").content.decode()
    r.refresh_from_db()
    assert r.state == "registered"
    # The supervising office sees both departments, not the agency outside it.
    outside = services.register(make_clerk(world["c"]), request_data())
    sup_list = login(world["supervisor"]).get("/requests/").content.decode()
    assert r.tracking_no in sup_list and outside.tracking_no not in sup_list


def make_clerk(agency):  # type: ignore[no-untyped-def]
    from .conftest import make_user

    return make_user(f"{agency.code}-clerk", agency, "clerk")


def test_pages_fire_events_and_give_the_letter(world):
    r = services.register(world["a_clerk"], request_data())
    c = login(world["a_reviewer"])
    resp = c.post(f"/requests/{r.tracking_no}/events/answer/",
                  {"answer-on": "2026-03-20", "answer-version": "0", "answer-outcome": "unavailable.not_held"}, follow=True)
    assert "已答复" in resp.content.decode()
    letter = c.get(f"/requests/{r.tracking_no}/letter.docx")
    assert letter.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert "第三十六条第（四）项" in text and "张小明：" in text and "某市商务局" in text and r.tracking_no in text
    # A stale form (old version) is refused, not applied twice.
    resp = c.post(f"/requests/{r.tracking_no}/events/archive/", {"archive-on": "2026-03-21", "archive-version": "0"}, follow=True)
    assert "刚被他人修改" in resp.content.decode()
    # A form without its version, or with a garbled one, or without its date: said plainly.
    for form, said in [({"archive-on": "2026-03-21"}, "页面已过期，请刷新页面后重新操作"),
                       ({"archive-on": "2026-03-21", "archive-version": "abc"}, "页面已过期，请刷新页面后重新操作"),
                       ({"archive-version": "1"}, "“日期”：")]:
        page = c.post(f"/requests/{r.tracking_no}/events/archive/", form, follow=True).content.decode()
        assert said in page and "None" not in page, form


def test_inbox_shows_due_soon_and_late(world, monkeypatch):
    late = services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 2, 2), submitted_on=dt.date(2026, 2, 2)))
    soon = services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 2, 24), submitted_on=dt.date(2026, 2, 24)))
    groups = services.inbox(world["a_clerk"], dt.date(2026, 3, 16))
    assert [r.tracking_no for r, _ in groups["overdue"]] == [late.tracking_no]
    assert [r.tracking_no for r, _ in groups["due_soon"]] == [soon.tracking_no]
    assert services.inbox(world["b_clerk"], dt.date(2026, 3, 16))["overdue"] == []


def test_api_with_tokens(world):
    key = ApiToken.issue(world["a_clerk"], "portal")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {**{k: str(v) for k, v in request_data().items()}}
    resp = c.post("/api/requests", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert out["tracking_no"] == "SWJ-2026-00001" and out["due"] == "2026-03-30" and out["state"] == "registered"
    ev = c.post(f"/api/requests/{out['tracking_no']}/events", {"event": "request_correction", "on": "2026-03-03"},
                content_type="application/json")
    assert ev.status_code == 200 and ev.json()["state"] == "correction"
    refused = c.post(f"/api/requests/{out['tracking_no']}/events", {"event": "answer", "on": "2026-03-04",
                                                                    "inputs": {"outcome": "granted"}}, content_type="application/json")
    assert refused.status_code == 403  # a clerk does not answer
    assert Client().get(f"/api/requests/{out['tracking_no']}").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get(f"/api/requests/{out['tracking_no']}").status_code == 401
    other = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['b_clerk'])}")
    assert other.get(f"/api/requests/{out['tracking_no']}").status_code == 404
    url = f"/api/requests/{out['tracking_no']}/events"
    assert other.post(url, {"event": "withdraw"}, content_type="application/json").status_code == 404
    spec = Client().get("/api/openapi.json").json()
    assert "/api/requests" in spec["paths"] and spec["components"]["securitySchemes"]


def test_api_clerk_submits_for_review_and_reviewer_returns_or_answers(world, monkeypatch):
    from ogi.web import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 3, 16))
    clerk = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['a_clerk'])}")
    reviewer = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['a_reviewer'])}")
    r = services.register(world["a_clerk"], request_data())
    url = f"/api/requests/{r.tracking_no}/events"
    sent = clerk.post(url, {"event": "submit_answer", "inputs": {"outcome": "granted", "note": "已找到"}},
                      content_type="application/json")
    assert sent.status_code == 200, sent.content
    assert sent.json()["state"] == "registered"
    [waiting] = sent.json()["awaiting_review"]
    assert waiting == {"event": "answer", "submission": waiting["submission"],
                       "proposed": {"outcome": "granted", "note": "已找到"}, "submitted_on": "2026-03-16"}
    # A submission is dated the day it is made; the reviewer sees it and returns it with the reason.
    dated = clerk.post(url, {"event": "submit_extension", "on": "2026-03-10", "inputs": {"days": 10}},
                       content_type="application/json")
    assert dated.status_code == 422 and "当天" in dated.json()["message"]
    assert reviewer.post(url, {"event": "return_answer", "inputs": {}}, content_type="application/json").status_code == 422
    # The reviewer returns what was read: a submission made since is not returned unseen.
    stale = reviewer.post(url, {"event": "return_answer", "inputs": {"reason": "不行", "submission": waiting["submission"] + 999}},
                          content_type="application/json")
    assert stale.status_code == 409 and "请刷新页面" in stale.json()["message"]
    back = reviewer.post(url, {"event": "return_answer", "inputs": {"reason": "请附上文件清单", "submission": waiting["submission"]}},
                         content_type="application/json")
    assert back.status_code == 200 and back.json()["awaiting_review"] == []
    assert [e.note for e in review.returned_of(r)] == ["请附上文件清单"]
    clerk.post(url, {"event": "submit_answer", "inputs": {"outcome": "granted"}}, content_type="application/json")
    done = reviewer.post(url, {"event": "answer", "inputs": {"outcome": "granted"}}, content_type="application/json")
    assert done.json()["state"] == "answered" and done.json()["awaiting_review"] == []
    # A clerk's submission of what could not be approved is refused now, as on the page.
    late = services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 1, 5), submitted_on=dt.date(2026, 1, 5)))
    ext = clerk.post(f"/api/requests/{late.tracking_no}/events", {"event": "submit_extension", "inputs": {"days": 10}},
                     content_type="application/json")
    assert ext.status_code == 422 and "届满" in ext.json()["message"]
    unknown = clerk.post(url, {"event": "approve"}, content_type="application/json").json()
    assert "submit_answer" in unknown["message"] and "request_correction" in unknown["message_en"]


def test_login_required_and_chinese_login_page(world):
    c = Client()
    assert c.get("/").status_code == 302
    page = c.get("/login/").content.decode()
    assert "登录" in page and "用户名" in page
    assert Request.objects.count() == 0


def test_fee_per_request_counts_the_applicants_month(world):
    ids = []
    for day in range(2, 13):  # eleven requests of one applicant in March 2026
        d = dt.date(2026, 3, day)
        ids.append(services.register(world["a_clerk"], request_data(submitted_on=d, received_on=d)).tracking_no)
    with pytest.raises(Refused, match="应收金额为0"):
        services.record_event(world["a_clerk"], ids[9], "fee_notice", dt.date(2026, 3, 13), {"basis": "per_request"})
    r = services.record_event(world["a_clerk"], ids[10], "fee_notice", dt.date(2026, 3, 13), {"basis": "per_request"})
    assert r.fee_amount == 100  # the 11th request of the month


def test_admin_forms_are_scoped_to_the_agency(world):
    from ogi.web.reporting.models import RegulatoryDocument

    admin_a = world["a_admin"]
    admin_a.is_staff = True
    admin_a.save()
    mine = RegulatoryDocument.objects.create(agency=world["a"], kind="normative", title="甲局文件", issued_on=dt.date(2025, 1, 1))
    theirs = RegulatoryDocument.objects.create(agency=world["b"], kind="normative", title="乙局文件", issued_on=dt.date(2025, 1, 1))
    c = login(admin_a)
    page = c.get("/admin/reporting/regulatorydocument/").content.decode()
    assert "甲局文件" in page and "乙局文件" not in page
    assert c.get(f"/admin/reporting/regulatorydocument/{theirs.pk}/change/").status_code in (302, 403, 404)
    assert c.get(f"/admin/reporting/regulatorydocument/{mine.pk}/change/").status_code == 200
    assert c.get("/admin/ledger/request/").status_code == 403  # requests go through the ledger pages
    resp = c.post("/admin/reporting/regulatorydocument/add/", {"kind": "normative", "title": "新文件", "number": "",
                                                            "issued_on": "2025-03-01", "repealed_on": ""})
    assert resp.status_code == 302 and RegulatoryDocument.objects.get(title="新文件").agency == world["a"]


def test_oversight_for_the_supervising_office(world):
    services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 2, 2), submitted_on=dt.date(2026, 2, 2)))
    page = login(world["supervisor"]).get("/oversight/").content.decode()
    assert "某市商务局" in page and "某市民政局" in page and "另一市商务局" not in page
    assert 'class="tag overdue">1<' in page  # received 2026-02-02, long past its 20 working days
    assert login(world["a_clerk"]).get("/oversight/").status_code == 403


def test_supervisor_compares_the_years_reports(world, monkeypatch):
    import re

    from ogi.web.reporting.models import AnnualReport

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 7))

    r1 = services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 2, 2), submitted_on=dt.date(2026, 2, 2)))
    services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 3, 2), submitted_on=dt.date(2026, 3, 2)))
    services.record_event(world["a_reviewer"], r1.tracking_no, "answer", dt.date(2026, 2, 20), {"outcome": "granted"})
    page = login(world["supervisor"]).get("/oversight/?year=2026").content.decode()
    table = page[page.index('id="compare-table"'):]
    row_a = re.search(r'<tr data-agency="SWJ">(.*?)</tr>', table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row_a, re.S)
    # 新收 2, 上年结转 0, 办理总计 1, 公开 1, 公开率 100 %, 结转下年 1
    assert cells[:6] == ["2", "0", "1", "1", "100.0%", "1"]
    row_b = re.search(r'<tr data-agency="MZJ">(.*?)</tr>', table, re.S).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row_b, re.S)[:5] == ["0", "0", "0", "0", "—"]
    assert 'data-agency="LSW"' not in table  # not below this office
    assert not AnnualReport.objects.exists()  # looking does not open anyone's report
    # 2026 is not over: the figures are said to be so far; reports not begun count no errors
    # (an agency with no records showed 错误 1: the part it has not written yet).
    assert 'id="under-way"' in page and "截至12月7日" in page
    assert row_b.count("data-not-begun") == 1 and "tag overdue" not in row_b
    # Opened without a year, it shows the year whose report is due, not the one under way.
    plain = login(world["supervisor"]).get("/oversight/").content.decode()
    assert "2025年度报告主要数字对比" in plain and 'id="under-way"' not in plain
    AnnualReport.objects.create(agency=world["b"], year=2025, state="draft")
    plain = login(world["supervisor"]).get("/oversight/").content.decode()
    row_b = re.search(r'<tr data-agency="MZJ">(.*?)</tr>', plain[plain.index('id="compare-table"'):], re.S).group(1)
    assert "data-not-begun" not in row_b  # begun: its findings are counted
    # An agency below that keeps no ledger here (its reports only collected): said so, not a row of zeros.
    from ogi.web.accounts.models import Agency

    daj = Agency.objects.create(name="某市档案局", code="DAJ", parent=world["sup"])
    from .conftest import make_user

    make_user("daj-sup", daj, "supervisor")  # (one who only supervises keeps no ledger either)
    plain = login(world["supervisor"]).get("/oversight/").content.decode()
    row = re.search(r'<tr data-agency="DAJ">(.*?)</tr>', plain[plain.index('id="compare-table"'):], re.S).group(1)
    assert "data-no-ledger" in row and "<td style" not in row
    # …and where its report stands is what the office collected (it read 未编制 · 逾期未发布 while
    # the ranking scored its collected report).
    status = re.search(r'<tr data-agency="DAJ">(.*?)</tr>', plain, re.S).group(1)
    assert "data-collected" in status and "未编制" not in status and "data-publication" not in status


def test_supervisor_sees_who_is_late_publishing(world, monkeypatch):
    from ogi.web.reporting.models import AnnualReport

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 2, 10))
    AnnualReport.objects.create(agency=world["b"], year=2025, state="published", issued_on=dt.date(2026, 1, 20), slug="mzj-2025")
    page = login(world["supervisor"]).get("/oversight/?year=2025").content.decode()
    assert "逾期未发布（应于 2026-01-31 前发布，已逾期 10 天）" in page  # 某市商务局: departments publish by 31 January
    assert "已于 2026-01-20 按时发布（期限 2026-01-31）" in page and "晚于法定期限" not in page
    early = login(world["supervisor"])
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 1, 25))
    assert "应于 2026-01-31 前发布（还有 6 天）" in early.get("/oversight/?year=2025").content.decode()
