"""What the agency's staff met in the reporting season, in the pages they use: the figure
changed by hand in the cell panel, and the files downloaded once the agency was renamed."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.test import Client

from ogi.web import clock
from ogi.web.accounts.models import Agency
from ogi.web.demo.ledger import create_demo
from ogi.web.reporting.models import AnnualReport

from .conftest import demo_login as login

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    create_demo(today=dt.date(2026, 11, 23), per_year_scale=0.3)
    return Agency.objects.get(code="SWJ")


def test_a_figure_changed_by_hand_asks_for_its_reason_before_the_page_is_left(demo):
    """Sent without a reason, the change was refused after the page had reloaded: the panel
    closed and the figure typed was gone. The browser now asks for the reason (and a figure)
    first; putting the counted figure back needs neither."""
    c = login("swj-jingban")
    cid = "active.licensing.decisions"
    panel = c.get(f"/reports/2026/cells/{cid}/").content.decode()
    reason = re.search(r'<input name="reason"[^>]*>', panel)
    value = re.search(r'<input name="value"[^>]*>', panel)
    assert reason and " required" in reason.group(0) and 'maxlength="2000"' in reason.group(0)
    assert value and " required" in value.group(0)
    c.post(f"/reports/2026/cells/{cid}/override/", {"value": "345", "reason": "台账漏记12月行政许可5件"})
    panel = c.get(f"/reports/2026/cells/{cid}/").content.decode()
    clear = re.search(r'<button name="clear"[^>]*>', panel)
    assert clear and "formnovalidate" in clear.group(0)


def test_a_published_report_downloads_under_the_name_it_prints(demo, monkeypatch):
    """Renamed after publishing, the agency downloaded its report (which keeps the name it
    was published with) as a file named with the new name."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 20))
    login("swj-jingban").post("/reports/2026/state/submit/", {"acknowledge": "1"})
    reviewer = login("swj-shenhe")
    reviewer.post("/reports/2026/state/approve/", {"acknowledge": "1"})
    reviewer.post("/reports/2026/state/publish/", {"acknowledge": "1"})
    assert AnnualReport.objects.get(agency=demo, year=2026).state == "published"
    demo.name = "某某市商务局（某某市口岸办公室）"
    demo.save()
    for fmt in ("pdf", "docx", "json"):
        resp = reviewer.get(f"/reports/2026/export.{fmt}")
        name = unquote(resp["Content-Disposition"].split("filename*=UTF-8''")[1])
        assert name == f"某某市商务局2026年政府信息公开工作年度报告.{fmt}", name
    # The public download too.
    slug = AnnualReport.objects.get(agency=demo, year=2026).slug
    for fmt in ("pdf", "docx"):
        resp = Client().get(f"/public/reports/{slug}/report.{fmt}")
        name = unquote(resp["Content-Disposition"].split("filename*=UTF-8''")[1])
        assert name == f"某某市商务局2026年政府信息公开工作年度报告.{fmt}", name
    # A draft follows the agency's name, as its text does.
    name = unquote(reviewer.get("/reports/2027/export.json")["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == "某某市商务局（某某市口岸办公室）2027年政府信息公开工作年度报告.json"
