"""The annual report in the ledger: compiled from the demo ledger, the workspace page,
drill-down, overrides only with a reason (and shown as findings), review and publication."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.http import HttpRequest
from django.test import Client

from ogi.checks import check_all
from ogi.web import clock
from ogi.web.accounts.models import Agency
from ogi.web.demo.ledger import create_demo
from ogi.web.ledger.models import Event
from ogi.web.reporting import services as reports
from ogi.web.reporting.models import AnnualReport

from .conftest import demo_login as login

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    create_demo(today=dt.date(2026, 11, 23), per_year_scale=0.4)
    return Agency.objects.get(code="SWJ")


def test_demo_compiles_into_two_continuous_reports_without_error(demo):
    for agency in Agency.objects.filter(parent__isnull=False):
        a, b = (reports.workspace(agency, y).report for y in (2025, 2026))
        findings = check_all([a, b])
        assert [f.rule for fs in findings for f in fs if f.severity == "error"] == []
        carried = {k: b.cells[f"requests.carried_in.{k}"].value for k in ("natural", "commercial", "total")}
        assert carried == {k: a.cells[f"requests.carried_out.{k}"].value for k in ("natural", "commercial", "total")}
        nonzero_rows = {cid.split(".")[1] for cid, v in a.cells.items() if cid.startswith("requests.") and v.value}
        assert len(nonzero_rows) >= 5  # several outcome rows in use
        assert a.cells["requests.new.total"].value > a.cells["requests.new.natural"].value > 0  # several columns


def test_drill_down_lists_as_many_records_as_the_cell_counts(demo):
    ws = reports.workspace(demo, 2025)
    for cid, keys in ws.compiled.sources.items():
        assert ws.report.cells[cid].value == len(keys)
    cid = next(c for c, k in ws.compiled.sources.items() if c.startswith("requests.granted.") and not c.endswith("total") and k)
    page = login("swj-jingban").get(f"/reports/2025/cells/{cid}/").content.decode()
    assert page.count('href="/requests/SWJ-') == len(ws.compiled.sources[cid])


def test_override_needs_a_reason_and_becomes_a_finding(demo):
    c = login("swj-jingban")
    cid = "active.licensing.decisions"
    c.post(f"/reports/2025/cells/{cid}/override/", {"value": "7", "reason": ""})
    assert AnnualReport.objects.get(agency=demo, year=2025).overrides == {}
    c.post(f"/reports/2025/cells/{cid}/override/", {"value": "7", "reason": "统计口径调整"})
    ws = reports.workspace(demo, 2025)
    assert ws.report.cells[cid].value == 7
    f = [x for x in ws.findings if x.rule == "cell.override"]
    assert len(f) == 1 and "统计口径调整" in f[0].message_zh
    assert Event.objects.filter(event="report.override", note="统计口径调整").exists()
    c.post(f"/reports/2025/cells/{cid}/override/", {"clear": "1"})
    assert reports.workspace(demo, 2025).row.overrides == {}


def test_text_edit_runs_the_checks_live(demo):
    c = login("swj-jingban")
    resp = c.post("/reports/2025/sections/overview/", {"text": "2025年，全年共收到政府信息公开申请99999件。"})
    page = resp.content.decode()
    assert resp.status_code == 200 and 'data-rule="narrative.numbers"' in page and "<code" not in page  # no raw ids shown
    # Too long: the text's fault, said as such (it was answered as a conflict, 操作冲突).
    resp = c.post("/reports/2025/sections/problems/", {"text": "字" * 20_001})
    page = resp.content.decode()
    assert resp.status_code == 422 and "每部分不超过 20000 个字（现有 20001 个）" in page and "操作冲突" not in page
    assert 'maxlength="20000"' in c.get("/reports/2025/").content.decode()


def test_review_publication_public_url_and_exports(demo, monkeypatch):
    clerk, reviewer, admin = login("swj-jingban"), login("swj-shenhe"), login("swj-admin")
    assert clerk.post("/reports/2026/state/approve/", {"acknowledge": "1"}).status_code == 302
    assert AnnualReport.objects.get(agency=demo, year=2026).state == "draft"  # a clerk cannot approve
    # In December the year's figures are not complete: nothing goes to review.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 7))
    refused = admin.post("/reports/2026/state/submit/", {"acknowledge": "1"}, follow=True).content.decode()
    assert "2026年尚未结束" in refused and AnnualReport.objects.get(agency=demo, year=2026).state == "draft"
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 12))
    # Who submits does not approve, administrator or not: not offered the button, told why.
    admin.post("/reports/2026/state/submit/", {"acknowledge": "1"})
    page = admin.get("/reports/2026/").content.decode()
    assert 'data-report-event="approve"' not in page and "不能由您本人批准" in page
    assert "2026年度报告" not in admin.get("/").content.decode()  # nor is it in one's own queue to approve
    assert 'data-report-event="approve"' in reviewer.get("/reports/2026/").content.decode()
    assert "不能由您本人批准" in admin.post("/reports/2026/state/approve/", {"acknowledge": "1"}, follow=True).content.decode()
    assert AnnualReport.objects.get(agency=demo, year=2026).state == "review"
    admin.post("/reports/2026/state/return/", {})
    assert AnnualReport.objects.get(agency=demo, year=2026).submitted_on is None  # sent back: no longer submitted
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 13))
    clerk.post("/reports/2026/state/submit/", {"acknowledge": "1"})
    queue = reviewer.get("/").content.decode().split('id="to-review"')[1].split("</table>")[0]
    # The reviewer sees who submitted it, by name (王丽, not the login), and when (it read "—").
    assert "2026年度报告" in queue and "王丽" in queue and "swj-jingban" not in queue and "2027-01-13" in queue
    assert 'colspan' not in queue and "<td>—</td>" not in queue
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 14))
    assert clerk.post("/reports/2026/sections/problems/", {"text": "改"}).status_code == 409  # no edits in review
    # Dated within the year it reports on, or after today: refused.
    for day in ("2026-03-01", "2026-12-31", "2027-01-15"):
        page = reviewer.post("/reports/2026/state/approve/", {"acknowledge": "1", "issued_on": day}, follow=True)
        assert "成文日期应在2027年1月1日至今天之间" in page.content.decode(), day
        assert AnnualReport.objects.get(agency=demo, year=2026).state == "review"
    stale = 'name="state_seen" value="review"'
    assert stale in admin.get("/reports/2026/").content.decode()  # the administrator's page, left open
    reviewer.post("/reports/2026/state/approve/", {"acknowledge": "1", "state_seen": "review"})
    # Sent back from that page: refused, the approval stands (it was undone, unsaid).
    page = admin.post("/reports/2026/state/return/", {"state_seen": "review"}, follow=True).content.decode()
    assert "报告的状态已由他人改为“已批准”" in page and AnnualReport.objects.get(agency=demo, year=2026).state == "approved"
    approved = AnnualReport.objects.get(agency=demo, year=2026).issued_on
    assert "改动记入操作记录" in reviewer.get("/reports/2026/").content.decode()
    # The date approved, changed at publication: allowed, and written to the audit log (it changed unsaid).
    other = approved - dt.timedelta(days=1)
    reviewer.post("/reports/2026/state/publish/", {"acknowledge": "1", "issued_on": other.isoformat()})
    row = AnnualReport.objects.get(agency=demo, year=2026)
    assert row.state == "published" and row.slug and row.issued_on == other
    assert 'id="previous-file"' not in reviewer.get("/reports/2026/").content.decode()  # published: no upload offered
    logged = Event.objects.filter(event="report.publish").latest("pk")
    assert logged.changes["成文日期"] == [approved.isoformat(), other.isoformat()]
    public = Client().get(f"/public/reports/{row.slug}/")
    assert public.status_code == 200 and "某某市商务局2026年政府信息公开工作年度报告" in public.content.decode()
    listing = Client().get("/public/reports/").content.decode()
    assert f'href="/public/reports/{row.slug}/"' in listing and listing.count("<tr>") == 2  # head + the one published
    docx = clerk.get("/reports/2026/export.docx")
    from docx import Document

    assert Document(io.BytesIO(docx.content)).paragraphs[0].text == "某某市商务局\n2026年政府信息公开工作年度报告"
    assert login("zrj-jingban").get("/reports/2026/").content.decode().count("某某市商务局") == 0


def test_submitted_report_stays_as_submitted_while_records_change(demo):
    """What the reviewer approves is what is published: a request recorded late for the
    year does not change a submitted report; it is shown as a finding, and sending the
    report back to draft takes it in."""
    import json

    from django.contrib.auth import get_user_model

    from ogi.web.ledger import services

    clerk_user = get_user_model().objects.get(username="swj-jingban")
    new_total = reports.workspace(demo, 2025).report.cells["requests.new.total"].value
    login("swj-jingban").post("/reports/2025/state/submit/", {"acknowledge": "1"})

    def late_request(day: dt.date) -> None:
        services.register(clerk_user, {"channel": "letter", "submitted_on": day, "received_on": day,
                                       "applicant_category": "natural", "applicant_name": "补录", "content": "补录的申请"})

    late_request(dt.date(2025, 6, 2))
    ws = reports.workspace(demo, 2025)
    assert ws.report.cells["requests.new.total"].value == new_total
    stale = {f.culprit: (f.found, f.expected) for f in ws.findings if f.rule == "report.stale"}
    assert stale["requests.new.total"] == (new_total, new_total + 1)
    assert "提交审核后台账有变化" in login("swj-shenhe").get("/reports/2025/").content.decode()
    reviewer = login("swj-shenhe")
    reviewer.post("/reports/2025/state/return/")
    ws = reports.workspace(demo, 2025)
    assert ws.report.cells["requests.new.total"].value == new_total + 1
    assert not [f for f in ws.findings if f.rule == "report.stale"]
    login("swj-jingban").post("/reports/2025/state/submit/", {"acknowledge": "1"})
    reviewer.post("/reports/2025/state/approve/", {"acknowledge": "1"})
    reviewer.post("/reports/2025/state/publish/", {"acknowledge": "1"})
    assert AnnualReport.objects.get(agency=demo, year=2025).state == "published"
    late_request(dt.date(2025, 7, 1))
    exported = json.loads(reviewer.get("/reports/2025/export.json").content)
    assert exported["cells"]["requests.new.total"]["value"] == new_total + 1  # published as approved


def test_previous_year_uploaded_for_continuity(world, shared):
    """A ledger started this year: last year's published report is uploaded and the
    carried-over requests are checked against it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ogi.render import render
    from ogi.web.ledger import services

    from ..builders import setcells, zero_report
    from .conftest import PASSWORD as WORLD_PASSWORD
    from .conftest import request_data

    c = Client()
    assert c.login(request=HttpRequest(), username="a-clerk", password=WORLD_PASSWORD)
    services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 3, 2)))
    last = setcells(zero_report("2021", year=2025), {"requests.new.natural": 2, "requests.new.total": 2,
                                                     "requests.carried_out.natural": 2, "requests.carried_out.total": 2})
    last.agency = world["a"].name
    upload = SimpleUploadedFile("2025.docx", render(last, "docx"))
    resp = c.post("/reports/2026/previous/", {"file": upload}, follow=True)
    assert "已读取" in resp.content.decode()
    ws = reports.workspace(world["a"], 2026)
    carried = [f for f in ws.findings if f.rule == "continuity.carried"]
    assert {f.cells[0] for f in carried} == {"requests.carried_in.natural", "requests.carried_in.total"}
    bad = c.post("/reports/2026/previous/", {"file": SimpleUploadedFile("x.txt", bytes(range(32)) * 100)}, follow=True)
    assert "二进制" in bad.content.decode()


def test_year_figures_imported_from_the_filled_in_workbook(world):
    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ogi.editions import load_edition
    from ogi.render import render
    from ogi.report import Report, Value

    from .conftest import PASSWORD as WORLD_PASSWORD

    c = Client()
    assert c.login(request=HttpRequest(), username="a-clerk", password=WORLD_PASSWORD)
    # The office downloads the blank workbook of the year's format from the workspace, fills it in.
    blank = c.get("/reports/2025/template.xlsx")
    assert blank.status_code == 200 and 'href="/reports/2025/template.xlsx"' in c.get("/reports/2025/").content.decode()
    empty = Report.empty("2021", agency=world["a"].name, year=2025)
    empty.cells = {cid: Value("blank") for cid in load_edition("2021").cells}
    assert blank.content[:2] == render(empty, "xlsx", template=True)[:2] == b"PK"
    wb = openpyxl.load_workbook(io.BytesIO(blank.content))
    ws = wb["表二"]
    for row in ws.iter_rows():
        label = row[0].value
        if label in ("行政许可", "行政处罚", "行政强制"):
            row[1].value = {"行政许可": 120, "行政处罚": 33, "行政强制": 4}[label]
        elif label == "行政事业性收费":
            row[1].value = 1.5  # 万元
    buf = io.BytesIO()
    wb.save(buf)
    resp = c.post("/reports/2025/figures/", {"file": SimpleUploadedFile("填报表.xlsx", buf.getvalue())}, follow=True)
    assert "已导入表二年度数据 4 项" in resp.content.decode()
    exe = c.post("/reports/2025/figures/", {"file": SimpleUploadedFile("填报表.exe", b"MZ\x90\x00" + bytes(4000))}, follow=True)
    assert "无法从上传的可执行程序中读取表二：请上传本页下载的填报表" in exe.content.decode()  # was 不是年度报告
    r = reports.workspace(world["a"], 2025).report
    assert [r.cells[f"active.{k}.decisions"].value for k in ("licensing", "penalty", "coercion")] == [120, 33, 4]
    assert str(r.cells["active.fees.amount"].value) == "15000"
