"""The supervising office in a real browser (Playwright driving Debian's Chromium): import a
ZIP of reports, assign the one that did not match, see the timeliness list, open a finding
down to its cell, change a rubric item and see the ranking change, send a rectification
notice; then the agency sees it, republishes, and the item is corrected on re-check.
Leaves screenshots of the dashboard and the ranking (docs/img/ with OGI_UPDATE_DOCS=1)."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import pytest

from ogi.web.accounts.models import Agency

from ..conftest import SEED_2019, SEED_2020
from .conftest import make_user
from .test_browser import CHROMIUM, DOCS, _login, browser  # noqa: F401 — the fixture is used by name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by scripts/install-system-packages.sh")]


@pytest.fixture
def region(db):  # type: ignore[no-untyped-def]
    office = Agency.objects.create(name="某某市政务公开办公室", code="GKB", kind="government", level="city")
    county = Agency.objects.create(name="沭阳县人民政府", code="SYX", kind="government", level="county", parent=office)
    Agency.objects.create(name="沭阳县发展和改革局", code="SYFG", parent=county)
    lvyuan = Agency.objects.create(name="长春市绿园区商务局", code="LYSW", level="county", parent=office)
    Agency.objects.create(name="开封市商务局", code="KFSW", parent=office)
    Agency.objects.create(name="某某市民政局", code="MZJ", parent=office)
    make_user("gkb", office, "supervisor")
    make_user("ly-clerk", lvyuan, "clerk")
    return office


def test_supervisor_main_path_and_the_agency_corrects(shared, region, live_server, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    z = tmp_path / "辖区年报.zip"
    with zipfile.ZipFile(z, "w") as out:
        out.write(SEED_2019, "开封市商务局-2019.txt")
        out.write(SEED_2020, "绿园区商务局-2020.txt")
        out.write(shared / "corpus" / "html" / "shuyang-fgj-2023.html", "沭阳县发改局-2023.html")
        out.write(shared / "corpus" / "text" / "shuyang-gov-2025.txt", "沭阳县政府-2025.txt")
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, base, "gkb")
    page.click("text=辖区年报")
    page.set_input_files("#files", str(z))
    page.click("#upload button")
    # The OCR reading prints 沐阳: not guessed, queued with its candidate.
    page.wait_for_selector("#queue")
    row = page.locator("#queue tr", has_text="沐阳县人民政府")
    assert "可能是：沭阳县人民政府" in row.inner_text()
    row.locator("select").select_option(label="沭阳县人民政府")
    row.get_by_role("button", name="归入").click()
    page.wait_for_selector("text=已将")
    assert "没有待指定的报告" in page.locator("#queue").inner_text()

    page.goto(f"{base}/supervision/2020/timeliness/")
    lvyuan = page.locator("#timeliness tr", has_text="长春市绿园区商务局")
    assert "按时发布" in lvyuan.inner_text() and "2021-01-21" in lvyuan.inner_text()
    assert "未发布" in page.locator("#timeliness tr", has_text="某某市民政局").inner_text()

    # A finding down to its cell: the 2020 seed lost the third cell of 行政处罚.
    lvyuan.locator("a").click()
    finding = page.locator("#findings tr[data-rule='cell.missing']")
    assert "表二「行政处罚」行「处理决定数量」列" in finding.inner_text() and "第 52 行" in finding.inner_text()

    # Change a rubric item: a missing cell now costs 5 points, and the ranking follows.
    page.goto(f"{base}/supervision/2020/ranking/")
    page.click("#groups >> text=县级部门")
    total = page.locator("tr[data-agency='长春市绿园区商务局'] .total")
    assert total.inner_text() == "99.8"
    page.click("text=修改评分细则")
    text = page.locator("#rubric-text").input_value()
    assert "label: 统计表单元格缺失或数值格式错误（每处）\n    points: 0.2" in text
    page.fill("#rubric-text", text.replace("label: 统计表单元格缺失或数值格式错误（每处）\n    points: 0.2",
                                           "label: 统计表单元格缺失或数值格式错误（每处）\n    points: 5"))
    page.click("#rubric button")
    page.wait_for_selector("text=评分细则已保存为第 1 版")
    page.click("#groups >> text=县级部门")
    assert page.locator("tr[data-agency='长春市绿园区商务局'] .total").inner_text() == "98"  # capped at 2
    page.screenshot(path=str(_shot("supervision-ranking.png")), full_page=True)

    # Send a rectification notice for that finding.
    page.goto(f"{base}/supervision/2020/timeliness/")
    page.locator("#timeliness tr", has_text="长春市绿园区商务局").locator("a").click()
    page.locator("#findings tr[data-rule='cell.missing'] input[type=checkbox]").check()
    page.fill("#due_on", (dt.date.today() + dt.timedelta(days=20)).isoformat())
    page.fill("#note", "请补齐表二数据后重新发布")
    page.click("#rectify button")
    page.wait_for_selector("text=已向长春市绿园区商务局发出整改通知（1 项）")

    page.goto(f"{base}/supervision/dashboard/?year=2020")
    page.wait_for_function("document.querySelector('#chart-timeliness').width > 0")
    page.screenshot(path=str(_shot("supervision-dashboard.png")), full_page=True)
    page.click("form[action='/logout/'] button")

    # The agency: sees the notice, republishes the corrected report, the item is corrected.
    fixed = tmp_path / "绿园区商务局-2020-更正.txt"
    fixed.write_text(SEED_2020.read_text(encoding="utf-8").replace("\t0\n\t0\n \t行政强制", "\t0\n\t0\n\t0\n\n\t行政强制"),
                     encoding="utf-8")
    _login(page, base, "ly-clerk")
    page.click("text=整改通知")
    notice = page.locator(".notice")
    assert "请补齐表二数据后重新发布" in notice.inner_text() and "待整改" in notice.inner_text()
    notice.locator("input[type=file]").set_input_files(str(fixed))
    notice.locator("form[enctype] button").click()
    page.wait_for_selector("text=已重新发布并复核：1 项已更正")
    assert "复核已更正" in page.locator(".notice").inner_text()


def _shot(name: str) -> Path:
    DOCS.mkdir(parents=True, exist_ok=True)
    return DOCS / name


def test_supervisor_edits_the_tree_and_reads_the_benchmarks(region, live_server, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from ogi.ingest.load import load_report
    from ogi.web.supervision.models import CollectedReport, TreeChange
    from ogi.web.supervision.services import table_figures

    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, base, "gkb")
    page.click("text=辖区年报")
    page.click("nav >> text=机关名录")
    assert "沭阳县发展和改革局" in page.locator("#tree tr[data-depth='2']").first.inner_text()
    # Added below the county, with the name it prints; its level follows the county's.
    page.fill("#add-agency #name", "沭阳县审计局")
    page.fill("#add-agency #parent", "沭阳县人民政府")
    page.fill("#add-agency #aliases", "沭阳审计局")
    page.click("#add-agency button")
    page.wait_for_selector("text=已新增“沭阳县审计局”")
    row = page.locator("#tree tr[data-agency='沭阳县审计局']")
    assert row.get_attribute("data-depth") == "2" and "县级" in row.inner_text() and "随上级" in row.inner_text()
    assert "部门" in row.inner_text()  # by its name, as the import decides
    # Refused as the import would refuse it: the name printed is another agency's already.
    page.fill("#add-agency #name", "沭阳县统计局")
    page.fill("#add-agency #parent", "沭阳县人民政府")
    page.fill("#add-agency #aliases", "沭阳审计局")
    page.click("#add-agency button")
    page.wait_for_selector(".msg.error")
    assert "未保存：其他名称“沭阳审计局”已属于“沭阳县审计局”，不能同时属于“沭阳县统计局”" in page.locator(".msg.error").inner_text()
    assert page.locator("#add-agency #name").input_value() == "沭阳县统计局"  # what was typed is kept
    # A parent outside the office's tree is refused too.
    page.fill("#add-agency #name", "沭阳县统计局")
    page.fill("#add-agency #parent", "另一个市人民政府")
    page.fill("#add-agency #aliases", "")
    page.click("#add-agency button")
    page.wait_for_selector("text=上级机关“另一个市人民政府”不是本机关或其所辖机关")
    # Changed: its own level now; the log says what changed, and who.
    page.click("#tree >> text=沭阳县审计局")
    page.select_option("#edit-agency #level", label="县级")
    page.click("#edit-agency button")
    page.wait_for_selector("text=已保存“沭阳县审计局”")
    log = page.locator("#tree-log").inner_text()
    assert "修改机关" in log and "层级：随上级 → 县级" in log and "gkb" in log
    page.goto(f"{base}/supervision/tree/")
    page.screenshot(path=str(tmp_path / "supervision-tree.png"), full_page=True)
    assert [t.action for t in TreeChange.objects.order_by("pk")] == ["add", "edit"]

    # Benchmarks: nine county departments (a group large enough) and two city ones (too small).
    office = region
    base_figures = table_figures(load_report(SEED_2020))
    county = Agency.objects.get(name="沭阳县人民政府")
    for i, granted in enumerate([80, 82, 84, 86, 88, 90, 92, 94, 20]):
        a = Agency.objects.create(name=f"沭阳县第{i + 1}局", code=f"SYD{i}", parent=county)
        CollectedReport.objects.create(office=office, agency=a, year=2024, file_name=f"{a.code}.txt", content=b"", sha256="0",
                                       report={}, state="current", figures=base_figures | {
                                           "requests.processed_total.total": 100, "requests.granted.total": granted,
                                           "requests.partial.total": 0, "requests.new.total": 50, "appeals.review.total": i % 3})
    for name, granted in (("开封市商务局", 10), ("某某市民政局", 60)):
        CollectedReport.objects.create(office=office, agency=Agency.objects.get(name=name), year=2024, file_name="x.txt",
                                       content=b"", sha256="0", report={}, state="current", figures=base_figures | {
                                           "requests.processed_total.total": 100, "requests.granted.total": granted})
    page.click("nav >> text=同类对比")
    page.click("#groups >> text=县级部门")
    spread = page.locator("#spreads tr[data-indicator='disclosure_rate']").inner_text()
    assert "82.0%" in spread and "86.0%" in spread and "90.0%" in spread
    worst = page.locator("#peers tbody tr").first
    assert worst.get_attribute("data-agency") == "沭阳县第9局" and "20.0% ● 明显偏低" in worst.inner_text()
    page.screenshot(path=str(tmp_path / "supervision-benchmarks.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / "supervision-benchmarks-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.click("#groups >> text=市级部门")
    assert "不标注：有数值的机关少于 8 个" in page.locator("#spreads").inner_text()
    assert page.locator("#peers [data-flag='red'], #peers [data-flag='yellow']").count() == 0
    # The marks on the report's own page.
    page.click("#groups >> text=县级部门")
    page.click("#peers >> text=沭阳县第9局")
    mark = page.locator("#peer-marks tr[data-indicator='disclosure_rate']")
    assert mark.get_attribute("data-flag") == "red" and "明显偏低" in mark.inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / "supervision-report-marks-print.png"), full_page=True)
    assert not page.locator("nav").first.is_visible()  # the menus are not printed
    shots = os.environ.get("OGI_SCREENSHOTS")
    if shots:  # to look at them after the run
        import shutil

        for f in tmp_path.glob("*.png"):
            shutil.copy(f, shots)
