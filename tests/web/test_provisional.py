"""The ledger past the calendar's last year (2026): a request whose 20th working day falls in
2027, before the 2027 notice is published, is registered, extended, listed, tracked and
counted like any other, its due date marked 推定 with the reason — with the clock set."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client
from freezegun import freeze_time

from ogi.web.accounts.models import ApiToken
from ogi.web.ledger import services
from ogi.web.ledger.models import Request

from ..conftest import NOTICE_2027
from .conftest import PASSWORD, request_data

pytestmark = pytest.mark.django_db
# Noon in Asia/Shanghai (the site's time zone) on the day of the outage's worst case.
CHRISTMAS = "2026-12-25 04:00:00"


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return c


def _provisional(page: str) -> None:
    assert "data-provisional" in page and "推定" in page and "2027年" in page and "尚未公布" in page


@freeze_time(CHRISTMAS)
def test_registering_on_the_page_past_the_calendar(world):
    c = login(world["a_clerk"])
    resp = c.post("/requests/new/", {"channel": "in_person", "submitted_on": "2026-12-25", "received_on": "2026-12-25",
                                     "applicant_category": "natural", "applicant_name": "王五", "applicant_id_no": "",
                                     "applicant_contact": "", "content": "2026年某项目立项批复", "delivery": "post"})
    assert resp.status_code == 302, resp.content.decode()[:800]
    r = Request.objects.get()
    assert r.delivery == "post"  # 获取信息的方式 (Art. 29): the staff form had no such field
    assert resp["Location"] == f"/requests/{r.tracking_no}/" and r.received_on == dt.date(2026, 12, 25)
    page = c.get(resp["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    _provisional(text)
    assert "2027年1月25日" in text and "工作日历" in text and "ogi calendar" not in text


@freeze_time(CHRISTMAS)
def test_registering_through_the_api_past_the_calendar(world):
    c = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['a_clerk'], 'portal')}")
    day = {"submitted_on": "2026-12-25", "received_on": "2026-12-25"}
    resp = c.post("/api/requests", {**{k: str(v) for k, v in request_data().items()}, **day}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert out["query_code"] and out["due"] == "2027-01-25" and out["provisional"] is True
    assert "2027年" in out["provisional_reason_zh"] and out["provisional_reason_en"] and out["final_when_zh"]
    got = c.get(f"/api/requests/{out['tracking_no']}")
    assert got.status_code == 200 and got.json()["provisional"] is True


@freeze_time("2026-12-02 04:00:00")
def test_extending_into_2027_lists_tracks_and_counts(world):
    r = services.register(world["a_clerk"], request_data(submitted_on=dt.date(2026, 12, 1), received_on=dt.date(2026, 12, 1)))
    assert r.received_on == dt.date(2026, 12, 1)
    c = login(world["a_reviewer"])
    resp = c.post(f"/requests/{r.tracking_no}/events/extend/",
                  {"extend-on": "2026-12-02", "extend-version": "0", "extend-days": "10", "extend-note": "需调取档案"})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.extension_days == 10
    page = c.get(f"/requests/{r.tracking_no}/")
    assert page.status_code == 200
    _provisional(page.content.decode())
    # Lists: the clerk's and the supervisor's first page, and the inbox, which keeps the request.
    for user in ("a_clerk", "supervisor"):
        listing = login(world[user]).get("/requests/")
        assert listing.status_code == 200 and r.tracking_no in listing.content.decode()
        _provisional(listing.content.decode())
    inbox = login(world["a_clerk"]).get("/")
    assert inbox.status_code == 200 and r.tracking_no in inbox.content.decode()
    _provisional(inbox.content.decode())
    groups = services.inbox(world["a_clerk"])
    assert [x.tracking_no for rows in groups.values() for x, _ in rows] == [r.tracking_no]
    oversight = login(world["supervisor"]).get("/oversight/")
    assert oversight.status_code == 200
    row = oversight.content.decode().split('data-agency="SWJ"')[1].split("</tr>")[0]
    assert "含推定 1" in row and "<td>1</td>" in row  # counted among the agency's open requests
    # The applicant's tracking page.
    track = Client().post("/public/track/", {"tracking_no": r.tracking_no, "query_code": r.query_code})
    assert track.status_code == 200
    _provisional(track.content.decode())
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['a_clerk'])}").get(f"/api/requests/{r.tracking_no}")
    assert api.status_code == 200 and api.json()["provisional"] is True and api.json()["due"].startswith("2027-")


@freeze_time(CHRISTMAS)
def test_filing_online_past_the_calendar_gives_the_receipt(world):
    cache.clear()
    c = Client()
    resp = c.post("/public/apply/", {"agency": str(world["a"].pk), "applicant_category": "natural", "applicant_name": "李四",
                                     "applicant_id_no": "320102198802023458", "applicant_contact": "lisi@example.cn",
                                     "content": "2025年某路段拓宽工程的环境影响评价批复文件", "delivery": "email"})
    assert resp.status_code == 302 and resp["Location"] == "/public/receipt/"
    receipt = c.get("/public/receipt/")
    assert receipt.status_code == 200
    r = Request.objects.get()
    assert r.received_on == dt.date(2026, 12, 25) and r.query_code in receipt.content.decode()
    _provisional(receipt.content.decode())




@pytest.fixture
def own_calendar(tmp_path, monkeypatch):
    """Calendar additions in this test's own data directory, unseen by tests running beside it."""
    monkeypatch.setenv("OGI_DATA_DIR", str(tmp_path))
    return tmp_path


@freeze_time("2026-12-15 04:00:00")
def test_adding_the_years_notice_makes_the_deadline_final_and_is_audited(world, own_calendar):
    r = services.register(world["a_clerk"], request_data(submitted_on=dt.date(2026, 12, 14), received_on=dt.date(2026, 12, 14)))
    page = login(world["a_clerk"]).get("/calendar/")
    assert page.status_code == 200 and "最上级机关的管理员" in page.content.decode() and 'id="calendar-add"' not in page.content.decode()
    assert login(world["a_clerk"]).post("/calendar/", {"text": NOTICE_2027}).status_code == 403
    # The calendar is every agency's: a department's administrator does not change it.
    assert 'id="calendar-add"' not in login(world["a_admin"]).get("/calendar/").content.decode()
    assert login(world["a_admin"]).post("/calendar/", {"text": NOTICE_2027}).status_code == 403
    admin, officer = login(world["sup_admin"]), login(world["a_admin"])
    assert 'id="provisional-count"' in admin.get("/calendar/").content.decode()
    # Bad files: a Chinese reason, nothing kept.
    for bad, why in [("years: [", "YAML"), ("years:\n  2027:\n    workdays: [2027-01-05]\n", "星期六或星期日"),
                     ("years:\n  2027:\n    holidays:\n      - {name: 元旦, from: 2027-13-01, to: 2027-01-03}\n", "不是日期"),
                     ("years:\n  2027:\n    holidays: 元旦\n", "列表"),
                     (NOTICE_2027.replace("      - {name: 春节, from: 2027-02-06, to: 2027-02-12}\n", ""), "没有春节的放假安排"),
                     (NOTICE_2027.replace("2027-10-01, to: 2027-10-07", "2027-10-02, to: 2027-10-07"), "不含 10月1日"),
                     (NOTICE_2027.replace("2027", "2026").replace("[2026-01-09]", "[2026-01-04]"), "2026年的节假日安排已在日历中"),
                     ("", "二者选一")]:
        resp = admin.post("/calendar/", {"text": bad})
        assert resp.status_code == 200 and why in resp.content.decode(), bad
    assert not (own_calendar / "calendar").exists() or not list((own_calendar / "calendar").glob("*.yaml"))
    detail = officer.get(f"/requests/{r.tracking_no}/").content.decode()
    assert "2027年1月12日" in detail and "data-provisional" in detail
    shown = re.sub(r"<[^>]+>", "", detail)  # the text a reader sees (the tag's tooltip aside)
    assert shown.count("尚未公布2027年部分节假日安排") == 1  # why it is estimated: said once, in its box
    resp = admin.post("/calendar/", {"text": NOTICE_2027}, follow=True)
    assert resp.status_code == 200 and "1 件办理中申请的截止日随之改变，均已记入各申请的操作记录" in resp.content.decode()
    ev = r.events.get(event="calendar_update")
    assert ev.actor == world["sup_admin"] and ev.changes["due"] == ["2027-01-12", "2027-01-11"]
    assert ev.changes["provisional"] == [True, False]
    old_version, new_version = ev.changes["calendar_version"]
    assert old_version != new_version == ev.calendar_version
    assert "2027-01-12（推定）" in ev.note and "2027-01-11（确定）" in ev.note
    detail = officer.get(f"/requests/{r.tracking_no}/").content.decode()
    assert "2027年1月11日" in detail and "data-provisional" not in detail and "节假日安排更新" in detail
    # The calendar's version told as people read it, the digest kept small beside it.
    assert "至2027年的节假日安排" in detail and f"#{new_version.split('#')[1]}" not in detail
    # The year now held is not replaced, by the same notice or another; nothing more is recorded.
    resp = admin.post("/calendar/", {"text": NOTICE_2027.replace("[2027-01-09]", "[]")})
    assert resp.status_code == 200 and "2027年的节假日安排已在日历中" in resp.content.decode()
    assert r.events.filter(event="calendar_update").count() == 1
    # The operator's command (no user) corrects a year held: the correction is applied and recorded.
    years, moved, confirmed = services.add_calendar_year(NOTICE_2027.replace("[2027-01-09]", "[]").encode("utf-8"))
    assert years == [2027] and (moved, confirmed) == (1, 0) and r.events.filter(event="calendar_update").count() == 2
    assert services.calendar_effect_zh(0, 3) == "3 件截止日不变、由推定转为确定，均已记入各申请的操作记录"


@freeze_time(CHRISTMAS)
def test_the_receipt_letter_and_the_export_say_the_due_date_is_estimated(world):
    import io

    from openpyxl import load_workbook

    r = services.register(world["a_clerk"], request_data(channel="in_person", submitted_on=dt.date(2026, 12, 25),
                                                         received_on=dt.date(2026, 12, 25)))
    c = login(world["a_clerk"])
    assert c.post(f"/requests/{r.tracking_no}/receipt/").status_code == 302
    letter = r.letters.get(kind="receipt")
    text = "".join(str(p) for p in letter.paragraphs)
    assert "2027年1月25日" in text and "推定" in text
    # Said in a sentence of its own: inside the date's brackets it nested two deep.
    assert "（2027年1月25日前）作出答复" in text and "上述答复期限的届满日系按周末和法定节假日推定" in text
    sheet = load_workbook(io.BytesIO(b"".join(c.get("/requests/export.xlsx").streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert row[header.index("截止日说明")].startswith("推定")


@freeze_time("2026-12-15 04:00:00")
def test_the_notice_typed_as_it_reads_makes_the_deadline_final(world, own_calendar):
    """An administrator who does not write YAML fills in the notice festival by festival;
    it passes the same checks and changes the same due dates as the file."""
    r = services.register(world["a_clerk"], request_data(submitted_on=dt.date(2026, 12, 14), received_on=dt.date(2026, 12, 14)))
    admin = login(world["sup_admin"])
    page = admin.get("/calendar/").content.decode()
    assert 'id="calendar-notice"' in page and 'value="2027"' in page and "春节 放假自" not in page  # names head the rows
    typed = {"year": "2027", "notice": "国务院办公厅关于2027年部分节假日安排的通知", "from_0": "2027-01-01", "to_0": "2027-01-03",
             "from_1": "2027-02-06", "to_1": "2027-02-12", "from_2": "2027-04-03", "to_2": "2027-04-05",
             "from_3": "2027-05-01", "to_3": "2027-05-05", "from_4": "2027-06-09", "to_4": "2027-06-11",
             "from_5": "2027-09-15", "to_5": "2027-09-17", "from_6": "2027-10-01", "to_6": "2027-10-07",
             "workdays": "2027-01-09"}
    page = admin.post("/calendar/", {"year": "2027", "notice": "x"}).content.decode()
    assert 'id="calendar-errors"' in page and "没有元旦、春节、清明节、劳动节、端午节、中秋节、国庆节的放假安排" in page
    for bad, why in [({"to_1": ""}, "请填写春节放假的起止两个日期"), ({"workdays": "正月初八"}, "不是日期"),
                     ({"workdays": "2027-01-05"}, "星期六或星期日"), ({"from_4": "", "to_4": ""}, "没有端午节的放假安排")]:
        resp = admin.post("/calendar/", {**typed, **bad})
        assert resp.status_code == 200 and why in resp.content.decode(), bad
    assert not list((own_calendar / "calendar").glob("*.yaml")) if (own_calendar / "calendar").exists() else True
    resp = admin.post("/calendar/", typed, follow=True)
    assert "已添加2027年的节假日安排；1 件办理中申请的截止日随之改变" in resp.content.decode()
    ev = r.events.get(event="calendar_update")
    assert ev.changes["due"] == ["2027-01-12", "2027-01-11"] and ev.changes["provisional"] == [True, False]
    assert "国务院办公厅关于2027年部分节假日安排的通知" in admin.get("/calendar/").content.decode()


@freeze_time(CHRISTMAS)
def test_the_correction_letter_says_its_period_is_estimated_and_not_a_date_staff_gave(world):
    """The 15 working days asked for a correction on 2026-12-18 end in 2027: the 补正告知书
    says the date is counted over presumed holidays, as the receipt says of its due date,
    and that the period stands as stated. A date staff set themselves is no estimate."""
    r = services.register(world["a_clerk"], request_data(submitted_on=dt.date(2026, 12, 17),
                                                         received_on=dt.date(2026, 12, 17)))
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", dt.date(2026, 12, 18),
                          {"note": "请明确所需信息的文号"})
    r.refresh_from_db()
    assert r.correction_due.year == 2027
    text = "".join(r.letters.get(kind="correction").paragraphs)
    assert f"请您于{r.correction_due.year}年{r.correction_due.month}月{r.correction_due.day}日前" in text
    assert "上述补正期限的届满日系按周末和法定节假日推定" in text and "仍以该日期为补正期限" in text
    given = services.register(world["a_clerk"], request_data(submitted_on=dt.date(2026, 12, 17),
                                                             received_on=dt.date(2026, 12, 17)))
    services.record_event(world["a_clerk"], given.tracking_no, "request_correction", dt.date(2026, 12, 18),
                          {"note": "请明确所需信息的文号", "correction_due": dt.date(2027, 1, 15)})
    text = "".join(given.letters.get(kind="correction").paragraphs)
    assert "2027年1月15日前" in text and "推定" not in text
