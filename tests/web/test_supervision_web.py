"""The supervising office's pages: upload a ZIP, assign the unmatched report, timeliness,
a finding down to its cell, a rubric change that changes the ranking, the 通报."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.http import HttpRequest
from django.test import Client

from ogi.web import clock
from ogi.web.accounts.models import Agency
from ogi.web.supervision.models import CollectedReport, Rubric

from ..conftest import SEED_2019, SEED_2020
from .conftest import PASSWORD, make_user


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    city = Agency.objects.create(name="开封市人民政府", code="KFS", kind="government", level="city")
    Agency.objects.create(name="开封市商务局", code="KSW", parent=city)
    Agency.objects.create(name="开封市民政局", code="KMZ", parent=city)
    district = Agency.objects.create(name="长春市绿园区人民政府", code="LYQ", kind="government", level="county", parent=city)
    Agency.objects.create(name="长春市绿园区商务局", code="LSW", parent=district, aliases=["绿园区商务局"])
    other = Agency.objects.create(name="另一市人民政府", code="LYS", kind="government", level="city")
    sup = make_user("kf-gkb", city, "supervisor")
    clerk = make_user("kf-clerk", Agency.objects.get(code="KSW"), "clerk")
    return {"city": city, "other": other, "sup": sup, "clerk": clerk}


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return c


def _zip(**files: bytes) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    buf.seek(0)
    buf.name = "年报.zip"
    return buf


def _upload(c: Client, *files: io.BytesIO):  # type: ignore[no-untyped-def]
    return c.post("/supervision/", {"files": list(files)}, follow=True)


def test_upload_queue_assign_timeliness_and_findings(shared, office, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    c = login(office["sup"])
    seed_2019 = SEED_2019.read_bytes()
    # The 2019 seed prints no agency in its title; renamed so that its printed name matches nothing.
    unknown = SEED_2020.read_bytes().decode("utf-8").replace("绿园区商务局", "某某区商贸局").encode("utf-8")
    resp = _upload(c, _zip(**{"a/开封.txt": seed_2019, "b/绿园.txt": SEED_2020.read_bytes(), "c/不明.txt": unknown,
                              "d/通知.txt": "请各单位按时报送年度报告。".encode()}))
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "已导入" in text and "通知.txt：" in text and "不是年度报告" in text
    assert CollectedReport.objects.filter(state="current").count() == 2
    # What each file became, with its page, once: matched to which agency and year, or waiting.
    filed = text.split('id="just-filed"')[1].split("</table>")[0]
    lvyuan = CollectedReport.objects.get(file_name__endswith="绿园.txt")
    assert f'href="/supervision/reports/{lvyuan.pk}/"' in filed and "长春市绿园区商务局" in filed and "2020" in filed
    assert "（待指定）" in filed and filed.count("<tr>") == 4  # the head, two matched, one waiting
    assert 'id="just-filed"' not in c.get("/supervision/queue/").content.decode()
    # The same file again is said to be there already (it was "已导入 0 份" and nothing more); a
    # member named to climb out of the archive is read under its own name, not dropped unsaid.
    again = _upload(c, _zip(**{"../../etc/开封.txt": seed_2019})).content.decode()
    assert "已导入 0 份报告，待指定机关 0 份，1 份与已汇集的同一文件相同，未重复导入" in again
    queued = CollectedReport.objects.get(state="queued")
    assert queued.printed_agency == "某某区商贸局" and "不在机关名录中" in queued.match_message
    page = c.get("/supervision/queue/").content.decode()
    assert "某某区商贸局" in page
    # Uploaded again, a queued file is not queued twice (it was, each time); a blank form with no
    # year is said to be unfileable, not queued for ever.
    from ogi.render import render
    from ogi.report import Report

    blank = io.BytesIO(render(Report.empty("2021"), "docx", template=True))
    blank.name = "模板.docx"
    again = _upload(c, _zip(**{"c/不明.txt": unknown}), blank).content.decode()
    assert "1 份与已汇集的同一文件相同" in again and "未能识别报告的年度" in again
    assert CollectedReport.objects.filter(state="queued").count() == 1
    queue_page = c.get("/supervision/queue/").content.decode()
    # Nothing chosen for the person: the candidate is named in the note, not preselected.
    assert '<option value="">请选择</option>' in queue_page and " selected" not in queue_page.split('id="queue"')[1]
    # A file that is none of the region's can be taken out of the queue.
    stray = CollectedReport.objects.create(office=office["city"], file_name="别处.txt", content=b"x", sha256="1",
                                           report={"year": 2020}, state="queued")
    unconfirmed = c.post(f"/supervision/queue/{stray.pk}/discard/", follow=True).content.decode()
    assert "请勾选“确认移出”" in unconfirmed and CollectedReport.objects.filter(pk=stray.pk).exists()
    page = c.post(f"/supervision/queue/{stray.pk}/discard/", {"confirm": "yes"}, follow=True).content.decode()
    assert "已将“别处.txt”移出待指定队列" in page
    assert not CollectedReport.objects.filter(pk=stray.pk).exists()
    # The queue is not a guess: the report is filed where a person says.
    target = Agency.objects.get(name="长春市绿园区商务局")
    resp = c.post(f"/supervision/queue/{queued.pk}/assign/", {"agency": target.pk}, follow=True)
    assert "已将" in resp.content.decode()
    queued.refresh_from_db()
    # Same agency, same year, same date of issue: the later one assigned is current, the other history.
    assert queued.state == "current" and CollectedReport.objects.filter(agency=target, state="replaced").count() == 1
    # An earlier version uploaded after the current one: said to be history beside which is current
    # (it read 已被新版本替换 beside the file just uploaded).
    earlier = io.BytesIO(SEED_2020.read_bytes().replace("2021年1月21日".encode(), "2021年1月5日".encode()))
    earlier.name = "绿园-初稿.txt"
    filed = _upload(c, earlier).content.decode().split('id="just-filed"')[1].split("</table>")[0]
    assert "列为历史版本：现行版本" in filed and "不明.txt</a>同样新或更新" in filed
    page = c.get("/supervision/2020/timeliness/").content.decode()
    assert "长春市绿园区商务局" in page and "按时发布" in page and "未发布" in page
    counts = re.sub(r"<[^>]+>", "", page.split('id="counts">')[1].split("</p>")[0])
    assert 'data-status="not_found"' in page and counts == "共 5 个机关：按时发布 1，逾期发布 0，未发布 4，日期不明 0"
    # In the reporting season, before the deadlines, nobody is blamed for a report not yet due.
    # (After 21 January, the day the seed is dated: a date after today is no publication date.)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2021, 1, 25))
    season = c.get("/supervision/2020/timeliness/").content.decode()
    counts = re.sub(r"<[^>]+>", "", season.split('id="counts">')[1].split("</p>")[0])
    assert counts == "共 5 个机关：按时发布 1，逾期发布 0，未发布 0，日期不明 0，未到发布期限 4"
    # In December the pages open on last year, whose reports are due, not on this one.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2021, 12, 7))
    assert "2020" in c.get("/supervision/timeliness/").content.decode().split("<h1")[1].split("</h1>")[0]
    monkeypatch.undo()
    late_only = c.get("/supervision/2020/timeliness/?status=on_time").content.decode()
    assert late_only.count("data-status=") == 1 and 'data-status="on_time"' in late_only
    # A finding down to its cell: the 2020 seed lost the third cell of 行政处罚 (line of the text file).
    detail = c.get(f"/supervision/reports/{queued.pk}/").content.decode()
    assert 'data-rule="cell.missing"' in detail and "单元格缺失或无法识别" in detail
    # The 行政处罚 row is line 52 of the seed file.
    # Nothing was printed there: said so, not quoted as printed “（缺失）”.
    assert "表二「行政处罚」行「处理决定数量」列：未读到数值（第 52 行）" in detail and "其他版本" in detail
    assert "印作“（缺失）”" not in detail
    # An agency outside the office's subtree is no choice.
    queued2 = CollectedReport.objects.create(office=office["city"], file_name="x.txt", content=b"x", sha256="0",
                                             report={"year": 2020}, state="queued")
    resp = c.post(f"/supervision/queue/{queued2.pk}/assign/", {"agency": office["other"].pk}, follow=True)
    assert "请选择所辖机关中的一个" in resp.content.decode()
    # The role in the header is not bracketed twice (监督（台账只读）inside brackets read （监督（台账只读））).
    header = c.get("/supervision/").content.decode().split("<header>")[1].split("</header>")[0]
    assert "· 监督（台账只读）" in header and "（监督（" not in header
    # A clerk of an agency does not see the office's pages.
    assert login(office["clerk"]).get("/supervision/").status_code == 403


def test_rubric_change_changes_the_ranking_and_the_notice(shared, office) -> None:  # type: ignore[no-untyped-def]
    c = login(office["sup"])
    _upload(c, _zip(**{"绿园.txt": SEED_2020.read_bytes()}))
    page = c.get("/supervision/2020/ranking/?group=county-department").content.decode()
    # Default rubric: 绿园 lost one cell (-0.2) and is first among 县级部门.
    assert "99.8" in page and "县级部门（1）" in page and "市级部门（2）" in page
    first = c.get("/supervision/2020/ranking/").content.decode()
    # The first group is the city's departments: the city government, whose office ranks, is not ranked.
    assert "99.8" not in first and "市级部门（2）" in first and "市级人民政府" not in first
    rubric = "full_marks: 10\nitems:\n  - {id: cm, label: 单元格缺失, points: 3, per: finding, when: {rules: [cell.missing]}}\n"
    resp = c.post("/supervision/2020/ranking/", {"rubric": rubric}, follow=True)
    assert "第 1 版" in resp.content.decode()
    page = c.get("/supervision/2020/ranking/?group=county-department").content.decode()
    assert '<td class="total">7</td>' in page and "单元格缺失" in page
    bad = c.post("/supervision/2020/ranking/", {"rubric": "items: [{id: x}]"}, follow=True).content.decode()
    assert "评分细则未保存" in bad and Rubric.objects.count() == 1
    resp = c.get("/supervision/2020/notice.docx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    from docx import Document

    assert Document(io.BytesIO(resp.content)).paragraphs[0].text == "关于2020年度政府信息公开工作年度报告评议情况的通报"
    from urllib.parse import unquote

    assert unquote(resp["Content-Disposition"]).endswith("关于2020年度政府信息公开工作年度报告评议情况的通报.docx")  # was 2020-notice.docx


def test_bad_uploads_get_a_chinese_message_not_an_error_page(office) -> None:  # type: ignore[no-untyped-def]
    c = login(office["sup"])
    broken = io.BytesIO(b"PK\x03\x04 not really a zip")
    broken.name = "坏.zip"
    resp = _upload(c, broken)
    assert resp.status_code == 200 and "坏.zip：" in resp.content.decode() and "损坏" in resp.content.decode()
    resp = c.post("/supervision/", {}, follow=True)
    assert "请选择" in resp.content.decode()
    assert c.post("/supervision/queue/999/assign/", {"agency": "1"}).status_code == 404
    # A ZIP inside the ZIP: named, not opened (it was unpacked twice and the page failed).
    inner = _zip(**{"绿园.txt": SEED_2020.read_bytes()}).getvalue()
    resp = _upload(c, _zip(**{"inner.zip": inner, "开封.txt": SEED_2019.read_bytes()}))
    page = resp.content.decode()
    assert resp.status_code == 200 and "年报.zip/inner.zip：压缩包中又有压缩包，未读取" in page
    assert CollectedReport.objects.filter(year=2019).count() == 1 and not CollectedReport.objects.filter(year=2020).exists()
    # Members with no file name (“a/..”, “.”) are named and left out; a Windows path climbing out is read.
    resp = _upload(c, _zip(**{"a/..": b"x", ".": b"y", "..\\绿园.txt": SEED_2020.read_bytes()}))
    page = resp.content.decode()
    assert resp.status_code == 200 and "年报.zip/a/..：压缩包中的这一项没有文件名，未读取" in page
    assert CollectedReport.objects.filter(year=2020).exists()


def test_a_zip_member_larger_than_a_file_may_be_is_refused_without_unpacking_it(office) -> None:  # type: ignore[no-untyped-def]
    """The member's declared size may lie: it is copied in pieces and cut at the file limit;
    that member is named and left out, the report beside it read."""
    import dataclasses

    from ogi.ingest import limits

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("大.txt", b"0" * (8 * 1024 * 1024))
        z.writestr("开封.txt", SEED_2019.read_bytes())
    buf.seek(0)
    buf.name = "大.zip"
    c = login(office["sup"])
    with limits.using(dataclasses.replace(limits.current(), file_bytes=3 * 1024 * 1024)):
        resp = _upload(c, buf)
    assert resp.status_code == 200 and "大.zip/大.txt：解压后超过 3 MB" in resp.content.decode()
    assert CollectedReport.objects.filter(year=2019).count() == 1


def test_rectification_loop_from_notice_to_closed(shared, office) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from ogi.web.supervision.models import Rectification, RectificationEvent, RectificationItem

    sup = login(office["sup"])
    _upload(sup, _zip(**{"绿园.txt": SEED_2020.read_bytes()}))
    row = CollectedReport.objects.get(state="current")
    i = next(n for n, f in enumerate(row.findings) if f["rule"] == "cell.missing")
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    resp = sup.post(f"/supervision/reports/{row.pk}/rectify/", {"finding": [str(i)], "due_on": due, "note": "请补齐"}, follow=True)
    assert "已向长春市绿园区商务局发出整改通知（1 项）" in resp.content.decode()
    item = RectificationItem.objects.get()
    assert item.rule == "cell.missing" and item.state == "open"
    # The agency sees it in its own pages; another agency's staff does not.
    agency = Agency.objects.get(name="长春市绿园区商务局")
    clerk = login(make_user("ly-clerk", agency, "clerk"))
    page = clerk.get("/supervision/mine/").content.decode()
    assert "收到的整改通知" in page and "请补齐" in page and item.message_zh in page
    assert "请补齐" not in login(office["clerk"]).get("/supervision/mine/").content.decode()
    # Its administrator finds it in the inbox and the daily mail (it was only under 整改通知).
    admin = make_user("ly-admin", agency, "admin")
    inbox = login(admin).get("/").content.decode()
    assert "开封市人民政府要求整改2020年度报告，尚有 1 项待整改，期限 " + due in inbox
    from ogi.web.ledger import reminders

    assert "整改通知 1 份" in reminders.digest(admin).subject
    assert not reminders.digest(make_user("x", office["city"], "supervisor")).rectifications
    # Republished with the lost cell restored: the re-check finds the cell and marks the item corrected.
    fixed = SEED_2020.read_text(encoding="utf-8").replace("\t0\n\t0\n \t行政强制", "\t0\n\t0\n\t0\n\n\t行政强制")
    f = io.BytesIO(fixed.encode("utf-8"))
    f.name = "绿园-更正.txt"
    resp = clerk.post(f"/supervision/mine/{item.notice_id}/republish/", {"file": f}, follow=True)
    assert "1 项已更正" in resp.content.decode()
    item.refresh_from_db()
    assert item.state == "fixed"
    assert CollectedReport.objects.filter(agency=agency, state="current").get().file_name == "绿园-更正.txt"
    # The office closes it; reopening and closing again are all in the log.
    for action in ("close", "reopen", "close"):
        sup.post(f"/supervision/rectifications/items/{item.pk}/decide/", {"action": action})
    item.refresh_from_db()
    assert item.state == "closed"
    log = list(RectificationEvent.objects.values_list("action", flat=True))
    assert log == ["sent", "republished", "fixed", "closed", "reopened", "closed"]
    page = sup.get("/supervision/rectifications/").content.decode()
    assert "已销号" in page and 'id="overdue"' not in page
    # A notice past its due date with an open item is listed as overdue.
    n = Rectification.objects.get()
    RectificationItem.objects.create(notice=n, rule="x", message_zh="另一问题")
    Rectification.objects.filter(pk=n.pk).update(due_on=dt.date.today() - dt.timedelta(days=1))
    assert 'id="overdue"' in sup.get("/supervision/rectifications/").content.decode()


def test_agency_explains_why_a_finding_stands(shared, office) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from ogi.web.supervision.models import RectificationItem

    sup = login(office["sup"])
    _upload(sup, _zip(**{"绿园.txt": SEED_2020.read_bytes()}))
    row = CollectedReport.objects.get(state="current")
    due = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    assert "请填写今天以后的整改期限" in sup.post(f"/supervision/reports/{row.pk}/rectify/", {"finding": ["0"], "due_on": "2000-01-01"},
                                                 follow=True).content.decode()
    sup.post(f"/supervision/reports/{row.pk}/rectify/", {"finding": ["0"], "due_on": due})
    item = RectificationItem.objects.get()
    clerk = login(make_user("ly-clerk", Agency.objects.get(name="长春市绿园区商务局"), "clerk"))
    clerk.post(f"/supervision/mine/items/{item.pk}/explain/", {"explanation": "原件如此印制，已另行说明"})
    item.refresh_from_db()
    assert item.state == "explained" and item.explanation == "原件如此印制，已另行说明"
    assert "原件如此印制" in sup.get("/supervision/rectifications/").content.decode()
    # A file that is not this year's report is refused with the reason.
    f = io.BytesIO(SEED_2019.read_bytes())
    f.name = "开封.txt"
    resp = clerk.post(f"/supervision/mine/{item.notice_id}/republish/", {"file": f}, follow=True)
    assert "不是 2020 年度的" in resp.content.decode()


def test_a_refused_rectification_notice_keeps_what_was_ticked_and_typed(shared, office) -> None:  # type: ignore[no-untyped-def]
    """Refused for a past 整改期限, the notice came back empty: the findings ticked and the
    要求 typed were gone. A 要求 too long is refused in words (it was cut at 2000 unsaid)."""
    from ogi.web.supervision.models import Rectification

    sup = login(office["sup"])
    _upload(sup, _zip(**{"绿园.txt": SEED_2020.read_bytes()}))
    row = CollectedReport.objects.get(state="current")
    assert len(row.findings) == 1
    note = "请于期限内更正表格并重新发布，同时报送整改情况说明。"
    resp = sup.post(f"/supervision/reports/{row.pk}/rectify/", {"finding": ["0"], "due_on": "2000-01-01", "note": note})
    page = resp.content.decode()
    assert resp.status_code == 422 and "请填写今天以后的整改期限" in page
    ticked = re.findall(r'<input type="checkbox" name="finding" value="(\d+)" checked', page)
    assert ticked == ["0"] and f">{note}</textarea>" in page and 'value="2000-01-01"' in page
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    long_note = "请" + "补齐缺失的表格数据" * 555  # 4996 characters
    resp = sup.post(f"/supervision/reports/{row.pk}/rectify/", {"finding": ["0"], "due_on": due, "note": long_note})
    page = resp.content.decode()
    assert resp.status_code == 422 and f"整改要求不超过 2000 个字（现有 {len(long_note)} 个）" in page
    assert f">{long_note}</textarea>" in page and not Rectification.objects.exists()
    resp = sup.post(f"/supervision/reports/{row.pk}/rectify/", {"finding": ["0"], "due_on": due, "note": long_note[:2000]})
    assert resp.status_code == 302 and Rectification.objects.get().note == long_note[:2000]


def test_dashboard_totals_drill_down_to_the_agencies_and_charts_are_served_locally(shared, office) -> None:  # type: ignore[no-untyped-def]
    c = login(office["sup"])
    _upload(c, _zip(**{"开封.txt": SEED_2019.read_bytes(), "绿园.txt": SEED_2020.read_bytes()}))
    page = c.get("/supervision/dashboard/?year=2019").content.decode()
    assert "辖区合计：表三、表四" in page and "问题分布" in page
    basis = re.sub(r"<[^>]+>", "", page.split('id="totals-basis"')[1].split("</p>")[0])
    assert "2019年度 5 个机关中已汇集 1 个" in basis  # what the totals add up, said
    # The 2019 seed carries 1 request over from the year before, everything else 0.
    assert 'href="?year=2019&amp;cell=requests.carried_in.total#drill" data-cell="requests.carried_in.total" data-year="2019">1</a>' in page
    # The chart library comes from ogi itself, not from a CDN.
    assert "/static/supervision/chart.umd.min.js" in page and "https://" not in page.split("<main>")[1]
    js = c.get("/static/supervision/chart.umd.min.js")
    assert js.status_code == 200 and b"Chart.js v4" in b"".join(js.streaming_content)
    drill = c.get("/supervision/dashboard/?year=2019&cell=requests.carried_in.total").content.decode()
    part = drill.split('id="drill"')[1].split("</table>")[0]
    assert "开封市商务局" in part and '<td class="num">1</td>' in part and "绿园" not in part
    # Heat map: the 2019 seed's findings by rule, and timeliness by level (both departments are 市级/县级).
    assert 'id="heat"' in page and "开封市商务局" in page.split('id="heat"')[1]
    assert c.get("/supervision/dashboard/?year=abc&cell=<x>").status_code == 200


def test_api_with_the_office_token(shared, office) -> None:  # type: ignore[no-untyped-def]
    from ogi.web.accounts.models import ApiToken

    _upload(login(office["sup"]), _zip(**{"绿园.txt": SEED_2020.read_bytes()}))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(office['sup'], 'office')}")
    agencies = {a["name"]: a for a in api.get("/api/supervision/agencies?year=2020").json()}
    assert agencies["长春市绿园区商务局"]["aliases"] == ["绿园区商务局"] and agencies["长春市绿园区商务局"]["deadline"] == "2021-01-31"
    assert agencies["长春市绿园区人民政府"]["deadline"] == "2021-02-20" and "另一市人民政府" not in agencies
    [row] = api.get("/api/supervision/reports?year=2020").json()
    assert (row["agency"], row["errors"]) == ("长春市绿园区商务局", 1)
    bogus = api.get("/api/supervision/reports?state=curent")  # a misspelt state listed nothing, as if none were kept
    assert bogus.status_code == 422 and "current、replaced、queued" in bogus.json()["message"]
    detail = api.get(f"/api/supervision/reports/{row['id']}").json()
    assert [f["rule"] for f in detail["findings"] if f["severity"] == "error"] == ["cell.missing"]
    scores = {s["agency"]: s for s in api.get("/api/supervision/scores?year=2020").json()["scores"]}
    assert scores["长春市绿园区商务局"]["total"] == "99.8" and scores["开封市民政局"]["total"] == "80"
    assert api.get("/api/supervision/rectifications").json() == []
    checked = api.post("/api/supervision/check", {"file": io.BytesIO(SEED_2019.read_bytes())}).json()
    assert checked["report"]["agency"] == "开封市商务局" and any(f["rule"] == "requests.balance" for f in checked["findings"])
    bad = api.post("/api/supervision/check", {"file": io.BytesIO("一份通知".encode())})
    assert bad.status_code == 422 and "不是年度报告" in bad.json()["detail"]
    # A clerk's token is no office's token.
    clerk = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(office['clerk'], 'x')}")
    assert clerk.get("/api/supervision/agencies").status_code == 403
    assert clerk.get("/api/supervision/scores?year=-1").status_code == 403  # who asks is judged first
    # A year outside the reports' years: refused in both languages (one past 9999 answered 500).
    for q in ("agencies?year=-1", "agencies?year=9999", "scores?year=100000000000000000000", "scores?year=1",
              "reports?year=2018"):
        resp = api.get(f"/api/supervision/{q}")
        assert resp.status_code == 422 and "年度应在 2019 至" in resp.json()["message"], (q, resp.content)
        assert resp.json()["message_en"]
    assert "/api/supervision/scores" in Client().get("/api/openapi.json").content.decode()


def test_region_dataset_in_the_format_of_ogi_dataset(shared, office) -> None:  # type: ignore[no-untyped-def]
    import csv

    c = login(office["sup"])
    _upload(c, _zip(**{"开封.txt": SEED_2019.read_bytes(), "绿园.txt": SEED_2020.read_bytes()}))
    resp = c.get("/supervision/dataset.csv")
    assert resp.status_code == 200
    table = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    by = {r["agency"]: r for r in table}
    assert set(by) == {"开封市商务局", "长春市绿园区商务局"}
    # As printed: the 2019 seed carries 1 request over; the 2020 seed lost a cell (1 error).
    assert by["开封市商务局"]["requests.carried_in.total"] == "1" and by["长春市绿园区商务局"]["errors"] == "1"
    assert c.get("/supervision/dataset.pdf").status_code == 404
