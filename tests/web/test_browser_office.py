"""The office's daily work in a real browser (Playwright, Debian's Chromium): search by a
name fragment as clerk and as supervisor, filter and export; import a 200-row ledger with
3 bad rows, then the good file, then the same file again; issue a 补正告知书 and download
it; an administrator adds a clerk who must change the password at first login."""

from __future__ import annotations

import io

from docx import Document
from openpyxl import load_workbook

from ogi.web.ledger import services
from ogi.web.ledger.models import Request

from .conftest import request_data
from .test_browser import _fire, _login, browser, pytestmark  # noqa: F401  (the fixture and marks are shared)
from .test_import import as_xlsx, ledger_rows


def _rows_are(page, n: int, text: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the result table holds n requests and shows `text` (the page may still
    be swapping in an earlier answer)."""
    page.wait_for_function(
        """([n, text]) => { const t = document.querySelector('#results'); if (!t) return false;
           const rows = [...t.querySelectorAll('tbody tr')].filter(r => r.querySelector('a'));
           return rows.length === n && t.innerText.includes(text); }""", arg=[n, text])


def test_search_filter_and_export_as_clerk_and_supervisor(world, live_server, browser, tmp_path):  # noqa: F811
    services.register(world["a_clerk"], request_data(applicant_name="刘德明", content="道路改造工程招标文件"))
    services.register(world["a_clerk"], request_data(applicant_name="王芳", content="征地补偿方案", channel="letter"))
    services.register(world["b_clerk"], request_data(applicant_name="刘小红", content="低保发放名单"))
    base = live_server.url
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    _login(page, base, "a-clerk")
    page.goto(f"{base}/requests/")
    page.fill("#filters input[name=q]", "德明")
    page.press("#filters input[name=q]", "Enter")
    page.wait_for_url("**/requests/?q=*")
    _rows_are(page, 1, "刘**")
    page.fill("#filters input[name=q]", "")
    page.select_option("#filters select[name=channel]", "letter")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**channel=letter*")
    _rows_are(page, 1, "王**")
    with page.expect_download() as dl:
        page.click("#export")
    path = tmp_path / "clerk.xlsx"
    dl.value.save_as(path)
    rows = list(load_workbook(path).active.values)
    assert len(rows) == 2 and "王芳" in rows[1]
    page.click("text=退出")
    _login(page, base, "sup")
    page.goto(f"{base}/requests/?q=刘")  # names are not searched for the supervisor, and no content has 刘
    _rows_are(page, 0, "没有符合条件")
    page.goto(f"{base}/requests/?q=低保")
    _rows_are(page, 1, "某市民政局")
    page.select_option("#filters select[name=agency]", label="某市商务局")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**agency=SWJ*")
    _rows_are(page, 0, "没有符合条件")
    page.goto(f"{base}/requests/")
    with page.expect_download() as dl:
        page.click("#export")
    path = tmp_path / "sup.xlsx"
    dl.value.save_as(path)
    rows = list(load_workbook(path).active.values)
    assert len(rows) == 4 and "申请人姓名/名称" not in rows[0]
    assert not any("刘德明" in str(v) for r in rows for v in r)


def test_import_bad_then_good_then_again(world, live_server, browser, settings, tmp_path):  # noqa: F811
    settings.DATA_DIR = tmp_path
    base = live_server.url
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    _login(page, base, "a-clerk")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def upload(data: bytes) -> None:
        page.goto(f"{base}/import/")
        page.set_input_files("#import-upload input[type=file]", files=[{"name": "台账.xlsx", "mimeType": xlsx, "buffer": data}])
        page.click("#import-upload button[type=submit]")
        page.wait_for_selector("#import-map")
        page.click("#preview")
        page.wait_for_selector("#preview-result")

    bad = {7: {"收到日期": "2026-02-30"}, 88: {"申请人类型": "外星人"}, 150: {"答复结果": "同意"}}
    upload(as_xlsx(ledger_rows(200, bad)))
    assert page.inner_text("#counts").startswith("可导入 197 行") and page.locator("#rejected tbody tr").count() == 3
    assert [page.locator("#rejected tbody tr").nth(i).locator("td").first.inner_text() for i in range(3)] == ["9", "90", "152"]
    assert page.locator("#commit").count() == 0 and Request.objects.count() == 0
    good = as_xlsx(ledger_rows(200))
    upload(good)
    page.click("#commit")
    page.wait_for_selector("text=已导入 200 件")
    assert Request.objects.filter(agency=world["a"]).count() == 200
    upload(good)
    assert "可导入 0 行" in page.inner_text("#counts") and "已导入过（跳过） 200 行" in page.inner_text("#counts").replace("\n", "")
    assert Request.objects.count() == 200


def test_correction_notice_issued_with_its_number_and_downloaded(world, live_server, browser):  # noqa: F811
    world["a"].letter_prefix = "市商务"
    world["a"].save()
    r = services.register(world["a_clerk"], request_data(content="某路段改造方案。"))
    base = live_server.url
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    _login(page, base, "a-clerk")
    page.goto(f"{base}/requests/{r.tracking_no}/")
    assert "答复申请和延长答复期限须经审核人批准" in page.inner_text("#needs-reviewer")  # the clerk is told
    _fire(page, "request_correction", {"on": "2026-03-04", "note": "请写明路段起止点和所需文件的形成时间"})
    row = page.locator("#letters tr[data-kind=correction]")
    number = row.locator(".number").inner_text()
    assert number == "市商务公开〔2026〕第1号"
    with page.expect_download() as dl:
        row.locator("a.docx").click()
    text = "\n".join(p.text for p in Document(io.BytesIO(open(dl.value.path(), "rb").read())).paragraphs)
    assert "政府信息公开申请补正告知书" in text and number in text and "第三十条" in text
    assert "请写明路段起止点和所需文件的形成时间。" in text and "改造方案。”" not in text


def test_admin_adds_clerk_who_must_change_password(world, live_server, browser):  # noqa: F811
    base = live_server.url
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    _login(page, base, "a-admin")
    page.click("text=工作人员")
    page.fill("#add-staff [name=username]", "a-wang")
    page.fill("#add-staff [name=full_name]", "王五")
    page.select_option("#add-staff [name=role]", "clerk")
    page.click("#add-staff button[type=submit]")
    page.wait_for_selector("text=临时密码")
    password = page.inner_text("body").split("临时密码：")[1][:12]
    page.click("text=退出")
    page.goto(f"{base}/login/")
    page.fill("#id_username", "a-wang")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#forced")
    page.goto(f"{base}/requests/")
    assert page.url.endswith("/password/")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", "政务公开-wangwu-2026")
    page.fill("#id_new_password2", "政务公开-wangwu-2026")
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("text=密码已修改")
    page.goto(f"{base}/requests/")
    assert page.url.endswith("/requests/")
