"""A report published in an agency's workspace arrives at the office above by itself: filed
as the agency's collected report (the published version, its publication date), checked,
an older version kept as history, and the office's timeliness list changes at once."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from ogi.report import Report
from ogi.web import clock
from ogi.web.accounts.models import Agency
from ogi.web.demo.ledger import create_demo
from ogi.web.reporting import services as reports
from ogi.web.supervision import publications, services
from ogi.web.supervision.models import CollectedReport

from .conftest import demo_login as login

pytestmark = pytest.mark.django_db


def _row_of(page: str, agency: str) -> str:
    return next(tr for tr in page.split("<tr") if agency in tr)


def test_publication_in_the_workspace_is_filed_for_the_office_above(monkeypatch, django_capture_on_commit_callbacks):
    create_demo(today=dt.date(2026, 11, 23), per_year_scale=0.4)
    swj, office = Agency.objects.get(code="SWJ"), Agency.objects.get(code="GKB")
    sup = login("gkb-jiandu")
    page = sup.get("/supervision/2025/timeliness/").content.decode()
    assert "未发布" in _row_of(page, "某某市商务局")

    # A version the office collected earlier (as if downloaded from the agency's portal).
    earlier = reports.workspace(swj, 2025).report
    earlier.published_on = dt.date(2026, 1, 12)
    got = services.import_file_for(office, swj, None, "商务局2025年报-门户.json", json.dumps(earlier.to_json()).encode())
    assert got["error"] is None

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 1, 20))
    clerk, reviewer = login("swj-jingban"), login("swj-shenhe")
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post("/reports/2025/state/submit/", {"acknowledge": "1"})
        reviewer.post("/reports/2025/state/approve/", {"acknowledge": "1"})
        assert not CollectedReport.objects.filter(file_name__contains="本系统发布").exists()  # not before publication
        reviewer.post("/reports/2025/state/publish/", {"acknowledge": "1"})

    current = CollectedReport.objects.get(office=office, agency=swj, year=2025, state="current")
    assert current.file_name == "某某市商务局2025年度报告（本系统发布）.json"
    assert current.published_on == dt.date(2026, 1, 20) and current.uploaded_by.username == "swj-shenhe"
    # What was filed is the published report itself, readable as any Report JSON.
    filed = Report.from_json(json.loads(bytes(current.content)))
    assert filed.cells["requests.new.total"].value == earlier.cells["requests.new.total"].value
    assert filed.published_on == dt.date(2026, 1, 20)
    assert isinstance(current.findings, list) and current.figures["requests.new.total"] == filed.cells["requests.new.total"].value
    # The portal's copy is kept as the older version.
    assert list(CollectedReport.objects.filter(office=office, agency=swj, year=2025, state="replaced")
                .values_list("file_name", flat=True)) == ["商务局2025年报-门户.json"]

    page = sup.get("/supervision/2025/timeliness/").content.decode()
    row = _row_of(page, "某某市商务局")
    assert "按时发布" in row and "2026-01-20" in row
    detail = sup.get(f"/supervision/reports/{current.pk}/").content.decode()
    assert "其他版本" in detail and "商务局2025年报-门户.json" in detail
    # The same publication again files nothing new.
    from ogi.web.reporting.models import AnnualReport

    assert publications.file_publication(AnnualReport.objects.get(agency=swj, year=2025)) == []
    assert CollectedReport.objects.filter(office=office, agency=swj, year=2025).count() == 2


def test_only_offices_with_a_supervisor_above_file_it(db):
    top = Agency.objects.create(name="某省政务公开办", code="SGKB", kind="government", level="province")
    city = Agency.objects.create(name="某市人民政府", code="SRZ", kind="government", level="city", parent=top)
    dept = Agency.objects.create(name="某市交通局", code="SJT", parent=city)
    from .conftest import make_user

    make_user("province-sup", top, "supervisor")
    make_user("city-clerk", city, "clerk")
    assert publications.offices_above(dept) == [top]
    assert publications.offices_above(top) == []


def test_an_unreadable_frozen_report_files_nothing_and_does_not_fail(db, caplog):
    from ogi.web.reporting.models import AnnualReport

    sup = Agency.objects.create(name="某市政务公开办", code="GKB2", kind="government", level="city")
    dept = Agency.objects.create(name="某市水务局", code="SWU", parent=sup)
    from .conftest import make_user

    make_user("sup2", sup, "supervisor")
    row = AnnualReport.objects.create(agency=dept, year=2025, state="published", frozen={"edition": "nope"},
                                      published_on=dt.date(2026, 1, 5))
    publications.on_published(AnnualReport, row=row)
    assert not CollectedReport.objects.exists() and re.search("no readable frozen report", caplog.text)
