"""What a walk through the pages in the reporting season found: the gate asking to
acknowledge what nobody could correct, text pasted from Word, the supervisor's notices, the
通报's count, long agency names on a phone, and who changed what."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from ogi.web.accounts.models import Agency
from ogi.web.demo.ledger import create_demo
from ogi.web.reporting import services as reports
from ogi.web.reporting.models import AnnualReport

from .conftest import demo_login as login
from .conftest import make_user, request_data
from .test_supervision_web import login as sup_login
from .test_supervision_web import office  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    create_demo(today=dt.date(2026, 11, 23), per_year_scale=0.3)
    return Agency.objects.get(code="SWJ")


@freeze_time("2027-01-20 10:00:00")
def test_a_draft_is_not_warned_of_the_date_of_issue_that_approval_sets(demo):
    """Every draft warned 「未找到成文日期」, which only approval sets: the clerk had to tick
    已核对提醒 for something nobody could correct, and learnt to tick without reading."""
    ws = reports.workspace(demo, 2026)
    dates = [f for f in ws.findings if f.rule == "metadata.date"]
    assert [f.severity for f in dates] == ["info"] and "成文日期将在审核通过时填写" in dates[0].message_zh
    page = login("swj-jingban").get("/reports/2026/").content.decode()
    assert "未找到成文日期" not in page and "成文日期将在审核通过时填写" in page
    # With no other warning the draft goes to review without the tick, and is approved so.
    assert ws.year_report.counts()["warning"] == 0, [f.message_zh for f in ws.findings if f.severity == "warning"]
    login("swj-jingban").post("/reports/2026/state/submit/", {"state_seen": "draft"})
    assert AnnualReport.objects.get(agency=demo, year=2026).state == "review"
    login("swj-shenhe").post("/reports/2026/state/approve/", {"state_seen": "review"})
    row = AnnualReport.objects.get(agency=demo, year=2026)
    assert row.state == "approved" and row.issued_on == dt.date(2027, 1, 20)
    # Once approved the date is there; were it missing, the real check speaks again.
    ws = reports.workspace(demo, 2026)
    assert not [f for f in ws.findings if f.rule == "metadata.date"]
    AnnualReport.objects.filter(pk=row.pk).update(issued_on=None)
    ws = reports.workspace(demo, 2026)
    assert [(f.severity, "未找到成文日期" in f.message_zh) for f in ws.findings if f.rule == "metadata.date"] == [("warning", True)]


def test_text_pasted_from_word_is_saved_without_its_invisible_characters(demo):
    """Pasted from Word, a section kept zero-width spaces and no-break spaces, which went
    on into the published DOCX. The full-width indent and the line breaks are the office's
    own and stay."""
    import io
    import zipfile

    pasted = ("\u3000\u3000本机关\u200b严格落实\u00a0条例\u200c要求\u200d，\u2060全年\ufeff主动公开\u00a0信息。\r\n"
              "\u3000\u3000二是加强\u202f平台建设。")
    c = login("swj-jingban")
    assert c.post("/reports/2026/sections/problems/", {"text": pasted}).status_code == 200
    stored = AnnualReport.objects.get(agency=demo, year=2026).sections["problems"]
    assert stored == ("\u3000\u3000本机关严格落实 条例要求，全年主动公开 信息。\r\n"
                      "\u3000\u3000二是加强 平台建设。")
    docx = c.get("/reports/2026/export.docx").content
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "严格落实 条例要求" in xml
    for ch in "\u200b\u200c\u200d\u2060\ufeff\u00a0\u202f":
        assert ch not in xml, hex(ord(ch))


@freeze_time("2027-02-10 10:00:00")
def test_the_notice_counts_only_the_agencies_whose_report_was_due(office):  # noqa: F811
    """On 10 February the departments' 2026 reports were due (31 January), the district
    government's not yet: the 通报 counted it among those that ought to have published."""
    import io

    from docx import Document

    data = sup_login(office["sup"]).get("/supervision/2026/notice.docx").content
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    summary = next(t for t in texts if t.startswith("应发布年度报告的机关"))
    assert summary == "应发布年度报告的机关共 3 家，其中按时发布 0 家，逾期发布 0 家，未发布 3 家。另有 1 家尚未到发布期限，未列入统计。"
    assert any("对3家机关2026年度政府信息公开工作年度报告" in t for t in texts)


@freeze_time("2027-02-10 10:00:00")
def test_an_agency_that_published_nothing_is_sent_a_notice_to_publish(office):  # noqa: F811
    """Notices were sent only from a report's findings: an agency with no report could be
    told nothing, though the 通报 asks it to publish. The office now sends it a 催报通知,
    which the agency finds in its inbox and among its notices like a 整改通知."""
    from ogi.web.ledger import reminders
    from ogi.web.supervision.models import Rectification

    sup = sup_login(office["sup"])
    page = sup.get("/supervision/2026/timeliness/").content.decode()
    ksw = Agency.objects.get(code="KSW")
    row = page.split("<td>开封市商务局</td>")[1].split("</tr>")[0]
    assert f'name="agency" value="{ksw.pk}"' in row and "发出催报" in row
    # Not before the deadline (the district government publishes by 20 February), nor to itself.
    lyq = Agency.objects.get(code="LYQ")
    assert "发出催报" not in page.split("<td>长春市绿园区人民政府</td>")[1].split("</tr>")[0]
    resp = sup.post("/supervision/2026/urge/", {"agency": lyq.pk, "due_on": "2027-03-01"}, follow=True)
    assert "发布期限（2027-02-20）未过，尚不能催报" in resp.content.decode()
    resp = sup.post("/supervision/2026/urge/", {"agency": office["city"].pk, "due_on": "2027-03-01"}, follow=True)
    assert "只能向本辖区内的下级机关催报" in resp.content.decode()
    resp = sup.post("/supervision/2026/urge/", {"agency": ksw.pk, "due_on": "2027-02-01"}, follow=True)
    assert "请填写今天以后的发布期限" in resp.content.decode() and not Rectification.objects.exists()
    resp = sup.post("/supervision/2026/urge/", {"agency": ksw.pk, "due_on": "9999-12-31"}, follow=True)
    assert "发布期限应在一年以内" in resp.content.decode() and not Rectification.objects.exists()
    # NUL (PostgreSQL refuses it) and direction overrides pasted into the note are not kept.
    resp = sup.post("/supervision/2026/urge/", {"agency": ksw.pk, "due_on": "2027-02-24",
                                                "note": "请尽快\x00发布并报送\u202e"}, follow=True)
    assert "已向开封市商务局发出催报通知：请于 2027-02-24 前发布2026年度报告" in resp.content.decode()
    n = Rectification.objects.get()
    assert (n.kind, n.report, n.year, n.agency) == ("publish", None, 2026, ksw)
    assert [i.message_zh for i in n.items.all()] == ["未发布2026年度政府信息公开工作年度报告（法定发布期限 2027-01-31，已逾期 10 天）"]
    again = sup.post("/supervision/2026/urge/", {"agency": ksw.pk, "due_on": "2027-02-24"}, follow=True).content.decode()
    assert "已向开封市商务局发出2026年度报告的催报通知，尚未办结" in again and Rectification.objects.count() == 1
    row = again.split("<td>开封市商务局</td>")[1].split("</tr>")[0]
    assert "已催报" in row and "发出催报" not in row
    assert "催报" in sup.get("/supervision/rectifications/").content.decode()
    # The agency: in the inbox of who answers for its report, in the mail, among its notices.
    admin = make_user("ksw-admin", ksw, "admin")
    inbox = sup_login(admin).get("/").content.decode()
    assert "催报通知：开封市人民政府要求于 2027-02-24 前发布2026年度报告" in inbox
    assert "催报通知 1 份" in reminders.digest(admin).subject and "整改通知" not in reminders.digest(admin).subject
    mine = sup_login(office["clerk"]).get("/supervision/mine/").content.decode()
    assert "催报通知，请于2027年2月24日前发布2026年度报告" in mine and "请尽快发布并报送" in mine
    assert "已发布的2026年度报告" in mine


def test_the_inbox_of_one_agency_has_no_agency_column(world):
    """Every row of a clerk's inbox named the same agency, one more column on a phone; the
    office above, which sees the requests of several agencies, keeps it."""
    from ogi.web.ledger import services as ledger

    ledger.register(world["a_clerk"], request_data())
    clerk = sup_login(world["a_clerk"]).get("/").content.decode()
    assert "<th>申请编号</th><th>收到日期</th>" in clerk and "<td>某市商务局</td>" not in clerk
    above = sup_login(world["supervisor"]).get("/").content.decode()
    assert "<th>申请编号</th><th>机关</th><th>收到日期</th>" in above and "<td>某市商务局</td>" in above


@freeze_time("2027-01-20 10:00:00")
def test_who_changed_a_figure_and_who_moved_the_report_on_are_named_as_people_know_them(demo):
    """The 人工修改 finding named the login (swj-jingban), where every other page names 王丽;
    and a second tab of the same person was told someone else had moved the report on."""
    from ogi.web.ledger.models import Event

    clerk = login("swj-jingban")
    cid = "active.licensing.decisions"
    clerk.post(f"/reports/2026/cells/{cid}/override/", {"value": "345", "reason": "台账漏记12月行政许可5件"})
    found = [f.message_zh for f in reports.workspace(demo, 2026).findings if f.rule == "cell.override"]
    assert len(found) == 1 and "由 王丽 人工修改为 345" in found[0] and "swj-jingban" not in found[0]
    page = clerk.get("/reports/2026/").content.decode()
    assert "由 王丽 人工修改" in page
    assert AnnualReport.objects.get(agency=demo, year=2026).overrides[cid]["by"] == "swj-jingban"  # kept as stored
    # Submitted in one tab; the other tab, still showing 草稿, submits again.
    clerk.post("/reports/2026/state/submit/", {"acknowledge": "1", "state_seen": "draft"})
    page = clerk.post("/reports/2026/state/submit/", {"acknowledge": "1", "state_seen": "draft"}, follow=True).content.decode()
    assert "报告的状态已在其他页面改为“审核中”" in page and "已由他人" not in page
    # Someone else's page left open is told it was someone else.
    reviewer = login("swj-shenhe")
    reviewer.post("/reports/2026/state/return/", {"state_seen": "review"})
    assert Event.objects.filter(event="report.return").exists()
    page = clerk.post("/reports/2026/state/submit/", {"acknowledge": "1", "state_seen": "review"}, follow=True).content.decode()
    assert "报告的状态已由他人改为“草稿”" in page
