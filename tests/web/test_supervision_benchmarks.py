"""Peer benchmarks on the office's pages: each agency's indicators against its peer group's
quartiles, marked red or yellow only in a group large enough (benchmarks.yaml min_sample),
per year and group, and the marks on each report's page."""

from __future__ import annotations

import io
import re

import pytest
from django.http import HttpRequest
from django.test import Client

from ogi.ingest.load import load_report
from ogi.supervision.benchmarks import measures
from ogi.web.accounts.models import Agency
from ogi.web.supervision.models import CollectedReport
from ogi.web.supervision.services import table_figures

from ..conftest import SEED_2020
from .conftest import PASSWORD, make_user

# Nine city departments: 公开率 80 % … 94 % and one at 20 %. Sorted, the nine rates are
# 0.20 0.80 0.82 0.84 0.86 0.88 0.90 0.92 0.94: P25 (position 2) 0.82, P50 0.86, P75 0.90;
# IQR 0.08, so below 0.82 is yellow and below 0.82 − 1.5 × 0.08 = 0.70 red.
GRANTED = [80, 82, 84, 86, 88, 90, 92, 94, 20]


@pytest.fixture
def region(db):  # type: ignore[no-untyped-def]
    city = Agency.objects.create(name="某市人民政府", code="CITY", kind="government", level="city")
    county = Agency.objects.create(name="某市某区人民政府", code="CTY", kind="government", level="county", parent=city)
    Agency.objects.create(name="长春市绿园区商务局", code="LSW", level="county", parent=county, aliases=["绿园区商务局"])
    low = Agency.objects.create(name="某区低公开局", code="LOWC", level="county", parent=county)
    base = table_figures(load_report(SEED_2020))
    for i, g in enumerate(GRANTED):
        a = Agency.objects.create(name=f"某市第{i + 1}局", code=f"D{i}", parent=city)
        _collect(city, a, base | {"requests.processed_total.total": 100, "requests.granted.total": g, "requests.partial.total": 0})
    _collect(city, low, base | {"requests.processed_total.total": 100, "requests.granted.total": 10, "requests.partial.total": 0})
    return city


def _collect(office: Agency, agency: Agency, figures: dict[str, int]) -> CollectedReport:
    return CollectedReport.objects.create(office=office, agency=agency, year=2020, file_name=f"{agency.code}.txt", content=b"",
                                          sha256="0", report={}, figures=figures, state="current")


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return c


def _cells(html: str, table: str, key: str, attr: str = "data-agency") -> list[str]:
    row = html.split(f'id="{table}"')[1].split(f'{attr}="{key}"')[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


def test_benchmarks_page_marks_a_large_group_and_not_a_small_one(region) -> None:  # type: ignore[no-untyped-def]
    c = login(make_user("gkb", region, "supervisor"))
    # One real report in the small group, uploaded as any other.
    f = io.BytesIO(SEED_2020.read_bytes())
    f.name = "绿园.txt"
    c.post("/supervision/", {"files": [f]})
    page = c.get("/supervision/2020/benchmarks/?group=city-department").content.decode()
    assert "市级部门（9）" in page and "县级部门（2）" in page
    assert _cells(page, "spreads", "disclosure_rate", "data-indicator") == ["公开率", "偏低须关注", "9", "82.0%", "86.0%", "90.0%", "标注"]
    peers = page.split('id="peers"')[1]
    # The worst first: red, then yellow, then the rest by name.
    order = re.findall(r'<tr data-agency="([^"]+)"', peers)
    assert order[:2] == ["某市第9局", "某市第1局"]
    assert _cells(page, "peers", "某市第9局")[:2] == ["某市第9局", "20.0% ● 明显偏低"]
    assert _cells(page, "peers", "某市第1局")[:2] == ["某市第1局", "80.0% ○ 偏低"]
    assert _cells(page, "peers", "某市第5局")[:2] == ["某市第5局", "88.0%"]
    # The small group: 10 % is far below 绿园's rate, and still no mark.
    small = c.get("/supervision/2020/benchmarks/?group=county-department").content.decode()
    assert "不标注：有数值的机关少于 8 个" in _cells(small, "spreads", "disclosure_rate", "data-indicator")[-1]
    assert _cells(small, "peers", "某区低公开局")[1] == "10.0%"
    assert 'data-flag="red"' not in small and 'data-flag="yellow"' not in small
    # The uploaded report is in its group with its own figures: it processed no request, so
    # it has no 公开率 (not 0 %), as the library measures the report itself.
    assert measures(load_report(SEED_2020))["disclosure_rate"] is None
    assert _cells(small, "peers", "长春市绿园区商务局")[1] == "—"
    assert _cells(small, "spreads", "disclosure_rate", "data-indicator")[2] == "1"  # only 某区低公开局 has one

    # Each report's page carries its marks.
    red = CollectedReport.objects.get(agency__name="某市第9局")
    detail = c.get(f"/supervision/reports/{red.pk}/").content.decode()
    assert "同类机关对比（市级部门，2020年度）" in detail
    assert _cells(detail, "peer-marks", "disclosure_rate", "data-indicator") == ["公开率", "20.0% ● 明显偏低", "82.0%", "86.0%",
                                                                                  "90.0%", "9"]
    lvyuan = CollectedReport.objects.get(agency__name="长春市绿园区商务局", state="current")
    detail = c.get(f"/supervision/reports/{lvyuan.pk}/").content.decode()
    assert "同组有数值的机关少于 8 个，不作标注" in detail and 'data-notice=' not in detail
    # What the reader had to do is said above the findings (here: a report read from a scan).
    from ogi.ingest.document import ocr_notice

    lvyuan.report = {**lvyuan.report, "notices": [ocr_notice([2, 3, 4, 7])]}
    lvyuan.save(update_fields=["report"])
    detail = c.get(f"/supervision/reports/{lvyuan.pk}/").content.decode()
    assert "注意：第 2–4、7 页为扫描图像，由文字识别读取" in detail
    # Another year, no reports: said so, no error.
    assert "2019年度还没有汇集到报告" in c.get("/supervision/2019/benchmarks/").content.decode()
    assert c.get("/supervision/benchmarks/?group=<x>").status_code == 200
