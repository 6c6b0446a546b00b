"""What a walk through the pages in the reporting season found: the gate asking to
acknowledge what nobody could correct, text pasted from Word, the supervisor's notices, the
通报's count, long agency names on a phone, and who changed what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpRequest
from django.test import Client
from freezegun import freeze_time

from ogi.web.accounts.models import Agency
from ogi.web.demo.ledger import PASSWORD, create_demo
from ogi.web.reporting import services as reports
from ogi.web.reporting.models import AnnualReport

from .test_supervision_web import login as sup_login
from .test_supervision_web import office  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    create_demo(today=dt.date(2026, 11, 23), per_year_scale=0.3)
    return Agency.objects.get(code="SWJ")


def login(name: str) -> Client:
    c = Client()
    assert c.login(request=HttpRequest(), username=name, password=PASSWORD)
    return c


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
