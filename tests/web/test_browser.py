"""A clerk and a reviewer in a real browser (Playwright driving Debian's Chromium):
register → ask for correction → record the corrected request → extend → answer →
download the letter. Leaves a screenshot of the request page in docs/img/."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from ogi.web import clock
from ogi.web.ledger.models import Request

from .conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by scripts/install-system-packages.sh")]
# Screenshots go to docs/img/ when OGI_UPDATE_DOCS=1 (to refresh the README's pictures).
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img" if os.environ.get("OGI_UPDATE_DOCS") == "1" else \
    Path(os.environ["OGI_DATA_DIR"]) / "screenshots"


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        # Connections opened by the test body while Playwright's loop runs are not the ones
        # pytest-django closes; left open, PostgreSQL refuses to drop the test database.
        from django.db import connections

        connections.close_all()
        b.close()


def _login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _fire(page, event: str, fields: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    form = page.locator(f"form[data-event={event}]")
    for name, value in fields.items():
        el = form.locator(f"[name={event}-{name}]")
        if el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(value)
        else:
            el.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_request_from_registration_to_letter(world, live_server, browser, tmp_path):
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, base, "a-clerk")
    page.click("text=登记申请")
    page.select_option("#id_channel", "letter")
    page.fill("#id_submitted_on", "2026-03-02")
    page.fill("#id_received_on", "2026-03-03")
    page.select_option("#id_applicant_category", "natural")
    page.fill("#id_applicant_name", "李晓红")
    page.fill("#id_applicant_id_no", "320102198805056781")
    page.fill("#id_applicant_contact", "13900001111")
    page.fill("#id_content", "某路段规划许可证及附图")
    page.click("button[type=submit]")
    page.wait_for_selector("text=已登记")
    tracking = page.locator("h1").inner_text().split()[1]
    assert tracking == "SWJ-2026-00001"
    assert "李**" in page.content() and "李晓红" not in page.content()

    _fire(page, "request_correction", {"on": "2026-03-05", "note": "请说明路段起止"})
    assert "待补正" in page.locator("h1").inner_text()
    _fire(page, "receive_correction", {"on": "2026-03-10"})
    assert "办理中" in page.locator("h1").inner_text()
    assert "2026年4月8日" in page.locator("#deadline").inner_text()  # 20 working days from 3-10 (清明 4-4..4-6)

    page.click("text=退出")
    _login(page, base, "a-reviewer")
    page.goto(f"{base}/requests/{tracking}/")
    _fire(page, "extend", {"on": "2026-03-30", "days": "15", "note": "需调取档案"})
    assert "2026年4月29日" in page.locator("#deadline").inner_text()
    _fire(page, "answer", {"on": "2026-04-20", "outcome": "granted"})
    assert "已答复" in page.locator("h1").inner_text()
    page.click("text=查看申请人个人信息")
    page.wait_for_selector("text=李晓红")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "request-page.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#letter")
    letter = tmp_path / "letter.docx"
    dl.value.save_as(letter)
    from docx import Document

    text = "\n".join(p.text for p in Document(str(letter)).paragraphs)
    assert "李晓红：" in text and "第三十六条第（二）项" in text and tracking in text
    page.reload()  # the audit log now also lists the view of the applicant's data
    events = [e for e in page.locator("table").last.inner_text().splitlines() if e.strip()]
    assert any("延长答复期限" in e for e in events) and any("查看申请人个人信息" in e for e in events)


def test_report_workspace(live_server, browser, tmp_path):
    from ogi.web.demo.ledger import PASSWORD as DEMO_PASSWORD
    from ogi.web.demo.ledger import create_demo

    create_demo(today=dt.date(2026, 11, 23), per_year_scale=0.3)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def login(name: str) -> None:
        page.goto(f"{base}/login/")
        page.fill("#id_username", name)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")

    def gate(event: str) -> None:
        """Move the report on; its warnings, if any, acknowledged as a person would."""
        form = page.locator(f"form[data-gate={event}]")
        box = form.locator("input[name=acknowledge]")
        if box.count():
            box.check()
        form.locator(f"button[data-report-event={event}]").click()

    login("swj-jingban")
    page.goto(f"{base}/reports/2025/")
    # Click a cell: the requests behind it appear, as many as the cell says.
    cell = page.locator("td[data-cell='requests.new.natural']")
    n = int(cell.inner_text())
    cell.click()
    page.wait_for_selector("#panel table")
    assert page.locator("#panel a[href^='/requests/']").count() == n
    # Edit a section: the checks run again beside the report.
    page.locator("textarea[data-section=problems]").fill("（一）主要问题：答复文书需规范。（二）改进情况：修订模板。")
    page.wait_for_selector("#findings >> text=已保存")
    page.locator("textarea[data-section=problems]").blur()  # the change event saves once more: let it finish
    page.wait_for_load_state("networkidle")
    # Past the limit (the box's maxlength taken off, as a script could): the refusal shows, not “saved”.
    page.evaluate("document.querySelector('textarea[data-section=overview]').removeAttribute('maxlength')")
    page.locator("textarea[data-section=overview]").fill("字" * 20_001)
    page.wait_for_selector("#findings >> text=未保存：每部分不超过 20000 个字")
    assert "已保存" not in page.inner_text("#findings")
    # Override a cell: the finding appears; then undo it from the cell's panel.
    page.locator("td[data-cell='active.penalty.decisions']").click()
    # The panel still holds the previous cell's form until the new one arrives.
    page.wait_for_selector("#panel strong >> text=「行政处罚」")
    page.fill("#override-form input[name=value]", "999")
    page.fill("#override-form input[name=reason]", "测试人工修改")
    page.click("#override-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("li[data-rule='cell.override']")
    page.locator("td[data-cell='active.penalty.decisions']").click()
    page.wait_for_selector("#override-form button[name=clear]")
    page.click("#override-form button[name=clear]")
    page.wait_for_load_state("networkidle")
    assert page.locator("li[data-rule='cell.override']").count() == 0
    gate("submit")
    page.wait_for_selector("#report-state >> text=审核中")
    page.click("text=退出")
    login("swj-shenhe")
    page.goto(f"{base}/reports/2025/")
    gate("approve")
    page.wait_for_selector("#report-state >> text=已批准")
    gate("publish")
    page.wait_for_selector("#report-state >> text=已发布")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "report-workspace.png"))
    with page.expect_download() as dl:
        page.click("a[data-export=docx]")
    f = tmp_path / "report.docx"
    dl.value.save_as(f)
    from ogi.ingest.load import load_report

    back = load_report(f)
    assert back.agency == "某某市商务局" and back.year == 2025 and back.issued_on is not None
    public = page.locator("#public-link").get_attribute("href")
    page.goto(f"{base}{public}")
    assert "某某市商务局2025年政府信息公开工作年度报告" in page.content()


def _fill_public(page, name: str, contact: str, content: str, delivery: str | None = "email") -> None:  # type: ignore[no-untyped-def]
    page.select_option("#id_agency", label="某市商务局")
    page.select_option("#id_applicant_category", "natural")
    page.fill("#id_applicant_name", name)
    page.fill("#id_applicant_id_no", "320102199203036788")
    page.fill("#id_applicant_contact", contact)
    page.fill("#id_content", content)
    if delivery:
        page.select_option("#id_delivery", delivery)


def test_public_files_a_request_and_follows_it(world, live_server, browser, monkeypatch):

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 3, 2))
    base = live_server.url
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{base}/public/apply/")
    _fill_public(page, "赵六", "13700002222", "2025年度本市外资企业名录", delivery=None)
    page.click("button[type=submit]")  # missing 获取方式: the form says so and keeps what was typed
    page.wait_for_selector("text=请按提示修改后再提交")
    assert page.input_value("#id_content") == "2025年度本市外资企业名录"
    page.select_option("#id_delivery", "email")
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt-no")
    tracking, code = page.inner_text("#receipt-no"), page.inner_text("#receipt-code")
    assert tracking == "SWJ-2026-00001" and "2026年3月30日" in page.inner_text("#due")

    other = browser.new_page(viewport={"width": 1100, "height": 900})  # another browser: only number and code
    other.goto(f"{base}/public/track/")
    other.fill("#id_tracking_no", tracking)
    other.fill("#id_query_code", code)
    other.click("button[type=submit]")
    other.wait_for_selector("#state")
    assert other.inner_text("#state") == "办理中" and "赵六" not in other.content()
    DOCS.mkdir(parents=True, exist_ok=True)
    other.screenshot(path=str(DOCS / "public-track.png"), full_page=True)

    # Filed in one go, then Back to the form (the page comes back from the server with a new
    # token; the browser puts back what was typed) and submitted again: the same request.
    again = browser.new_page(viewport={"width": 1100, "height": 900})
    again.goto(f"{base}/public/apply/")
    _fill_public(again, "钱七", "13700003333", "2025年度本市开发区名录")
    again.click("button[type=submit]")
    again.wait_for_selector("#receipt-no")
    first = again.inner_text("#receipt-no")
    again.go_back()
    again.wait_for_selector("#id_content")
    if not again.input_value("#id_content"):  # a browser that does not put the fields back: typed again
        _fill_public(again, "钱七", "13700003333", "2025年度本市开发区名录")
    again.click("button[type=submit]")
    again.wait_for_selector("#receipt-no")
    assert again.inner_text("#receipt-no") == first and "已经提交过" in again.content()
    assert Request.objects.filter(applicant_name="钱七").count() == 1


def test_the_applicant_reads_the_correction_letter_and_corrects_online(world, live_server, browser, monkeypatch, shared):
    """The 补正告知书 on the tracking page, to open as PDF; the correction sent with a scan
    attached, the receipt on the page; on a phone the form fits the screen."""
    from ogi.web.ledger import services

    day = {"today": dt.date(2026, 12, 1)}
    monkeypatch.setattr(clock, "today", lambda: day["today"])
    r = services.file_online(world["a"], {"applicant_category": "natural", "applicant_name": "孙八", "applicant_id_type": "resident_id",
                                          "applicant_id_no": "320102199203036788", "applicant_contact": "13700004444",
                                          "content": "某路段拓宽工程的批复", "delivery": "email"})
    day["today"] = dt.date(2026, 12, 3)
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", day["today"],
                          {"note": "请写明所申请批复的文号或印发年份"})
    day["today"] = dt.date(2026, 12, 8)
    base = live_server.url
    DOCS.mkdir(parents=True, exist_ok=True)
    for width, name in ((1100, "public-correction.png"), (390, "public-correction-phone.png")):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{base}/public/track/")
        page.fill("#id_tracking_no", r.tracking_no)
        page.fill("#id_query_code", r.query_code)
        page.click("button[type=submit]")
        page.wait_for_selector("#correct")
        assert "请写明所申请批复的文号或印发年份" in page.inner_text("#correction-letter")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(DOCS / name), full_page=True)
    pdf_link = page.locator("#letters a.pdf").first
    with page.expect_download() as dl:
        pdf_link.click()
    assert Path(dl.value.path()).read_bytes().startswith(b"%PDF") and dl.value.suggested_filename.endswith(".pdf")
    # Sent empty: said where, nothing recorded; then sent as asked, with a scan.
    page.click("#correct button[type=submit]")
    page.wait_for_selector("#correction-error")
    assert "请填写“补正后的申请内容”" in page.inner_text("#correct")
    page.fill("#id_text", "某市交通运输局2026年印发的某路段拓宽工程环评批复（某环审〔2026〕12号）")
    page.set_input_files("#id_attachment", str(shared / "corpus" / "pdf" / "hongze-gov-2023.pdf"))
    page.click("#correct button[type=submit]")
    page.wait_for_selector("#notice")
    assert "已收到您的补正（2026年12月8日）" in page.inner_text("#notice")
    assert page.inner_text("#state") == "办理中" and "2027年1月6日" in page.inner_text("#due")
    assert "hongze-gov-2023.pdf" in page.inner_text("#corrections") and page.locator("#correct").count() == 0
    page.screenshot(path=str(DOCS / "public-correction-receipt.png"), full_page=True)
    r.refresh_from_db()
    assert (r.state, r.corrected_on) == ("registered", dt.date(2026, 12, 8))
    # The clerk finds it in the inbox, and on the request's page the text and the file.
    office = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(office, base, "a-clerk")
    assert r.tracking_no in office.inner_text("#corrections")
    office.click(f"#corrections a[href^='/requests/{r.tracking_no}/']")
    office.wait_for_selector("#corrections blockquote")
    assert "某环审〔2026〕12号" in office.inner_text("#corrections")
    office.screenshot(path=str(DOCS / "office-correction.png"), full_page=True)
    with office.expect_download() as dl:
        office.click("#corrections a[href$='/file']")
    assert Path(dl.value.path()).read_bytes() == (shared / "corpus" / "pdf" / "hongze-gov-2023.pdf").read_bytes()


def test_dates_prefilled_publication_blocked_by_an_error_and_chinese_404(live_server, browser):
    """What issue-free forms look like to a clerk: every date field holds today (the browser
    accepts the value), a report with an error cannot be submitted, an unknown address
    answers a Chinese page in the site's layout."""
    from ogi.web.clock import today
    from ogi.web.demo.ledger import PASSWORD as DEMO_PASSWORD
    from ogi.web.demo.ledger import create_demo

    create_demo(today=today(), per_year_scale=0.1)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/login/")
    page.fill("#id_username", "swj-jingban")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    day = today().isoformat()
    page.goto(f"{base}/requests/new/")
    # The value the browser holds (an input rejects a value it cannot parse, leaving it empty).
    assert page.eval_on_selector("#id_received_on", "e => e.value") == day
    assert page.eval_on_selector("#id_submitted_on", "e => e.value") == day
    assert page.eval_on_selector("#id_received_on", "e => e.max") == day
    page.goto(f"{base}/requests/?state=registered")
    page.click("#results tbody a[href^='/requests/']")
    page.wait_for_selector("form[data-event]")
    for el in page.locator("form[data-event] input[type=date][name$='-on']").all():
        assert el.evaluate("e => e.value") == day
    # An override that breaks the table's own identity: an error, and the report goes no further.
    year = today().year
    page.goto(f"{base}/reports/{year}/")
    page.locator("td[data-cell='requests.new.natural']").click()
    page.wait_for_selector("#override-form")
    page.fill("#override-form input[name=value]", "9999")
    page.fill("#override-form input[name=reason]", "核对时误填")
    page.click("#override-form button[type=submit]")
    page.wait_for_selector("li.f-error[data-rule='requests.balance']")
    assert "不能提交审核" in page.inner_text("#gate")
    button = page.locator("button[data-report-event=submit]")
    assert button.is_disabled()
    # Sent anyway (the button enabled by hand): refused, with the reason.
    button.evaluate("b => b.disabled = false")
    button.click()
    page.wait_for_selector(".msg.error >> text=不能提交审核")
    assert page.inner_text("#report-state") == "草稿"
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "publication-gate.png"))
    page.goto(f"{base}/no/such/page/")
    assert "页面不存在" in page.inner_text("#error-page") and page.locator("header").count() == 1
    page.screenshot(path=str(DOCS / "not-found.png"))


def test_on_a_phone_the_menu_wraps_by_item_and_the_workspace_is_one_column(world, live_server, browser):
    """At 390 px the menu wrapped one character per line (a header 270 px tall), the agency
    administrator's name and 退出 were cut off (the page scrolled sideways), and the report
    workspace kept its two columns (一、总体情况 one character wide)."""
    base = live_server.url
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _login(page, base, world["a_admin"].username)
    for path in ("/", "/reports/", "/reports/2025/"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert page.locator("header").bounding_box()["height"] < 160, path
        logout = page.locator("header button").bounding_box()
        assert logout["x"] + logout["width"] <= 390, path
    text = page.locator("h2", has_text="总体情况").first.bounding_box()
    assert text["width"] > 150  # the section heading on one line, not a column of characters
    # The published report as the public opens it from a phone: it was 468 px wide, the title past
    # the edge; now the title wraps and the tables scroll inside the page.
    from ogi.ingest.load import load_report
    from ogi.web.reporting.models import AnnualReport

    from ..conftest import SEED_2019

    AnnualReport.objects.create(agency=world["a"], year=2019, state="published", slug="on-a-phone",
                                frozen=load_report(SEED_2019).to_json(), issued_on=dt.date(2020, 1, 20),
                                published_on=dt.date(2020, 1, 20))
    page.goto(f"{base}/public/reports/on-a-phone/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("h1").bounding_box()["width"] <= 390
    # Table 三's 总计 column was cut off with no way to reach it: each table now scrolls in its frame,
    # and the whole table is inside what scrolls.
    widths = page.evaluate("[...document.querySelectorAll('.table-wrap')].map(w => "
                           "[w.scrollWidth, w.clientWidth, w.querySelector('table').getBoundingClientRect().width])")
    assert widths and any(s > c for s, c, _ in widths) and all(t <= s + 1 for s, _, t in widths), widths


def test_a_long_agency_name_takes_one_line_of_the_header(world, live_server, browser):
    """An agency's name of 100 characters (what the form allows) ran the header to four
    lines at 390 px, and to two at 1280 px: it is cut short on one line, whole in its title."""
    name = ("某某市商务局（某某市口岸办公室、某某市对外贸易经济合作促进中心、某某市电子商务发展服务中心、"
            "某某市会展业发展服务中心、某某市粮食和物资储备中心、某某市招商引资服务中心）")
    name = (name * 2)[:100]
    world["a"].name = name
    world["a"].save()
    base = live_server.url
    for width, most in ((390, 125), (1280, 50)):
        page = browser.new_page(viewport={"width": width, "height": 844})
        _login(page, base, world["a_admin"].username)
        for path in ("/", "/reports/"):
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
            assert page.locator("header").bounding_box()["height"] < most, (width, path)
            agency = page.locator("header .agency")
            assert agency.get_attribute("title") == name and agency.bounding_box()["height"] < 30, (width, path)
            logout = page.locator("header button").bounding_box()
            assert logout["x"] + logout["width"] <= width, (width, path)
        page.close()


def test_the_public_pages_fit_a_360_px_phone(world, live_server, browser, monkeypatch):
    """At 360 px (the narrowest phones in use): no page scrolls sideways; the query code is
    never broken from its label or inside itself (it is copied by hand); the receipt does not
    tell a phone to press Ctrl+P; the 补正告知书 quoted on the tracking page has the card's
    width (the browser's indent of its dd and the label column beside it left it under half)."""
    from ogi.ingest.load import load_report
    from ogi.web.ledger import services
    from ogi.web.reporting.models import AnnualReport

    from ..conftest import SEED_2019

    day = {"today": dt.date(2026, 12, 1)}
    monkeypatch.setattr(clock, "today", lambda: day["today"])
    r = services.file_online(world["a"], {"applicant_category": "natural", "applicant_name": "孙八", "applicant_id_type": "resident_id",
                                          "applicant_id_no": "320102199203036788", "applicant_contact": "13700004444",
                                          "content": "某路段拓宽工程的批复及附件（环境影响报告书、开发区四至范围图）", "delivery": "email"})
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", dt.date(2026, 12, 1),
                          {"note": "请写明所申请批复的文号或印发年份，以及所需附件的具体名称"})
    AnnualReport.objects.create(agency=world["a"], year=2019, state="published", slug="swj-2019",
                                frozen=load_report(SEED_2019).to_json(), issued_on=dt.date(2020, 1, 20),
                                published_on=dt.date(2020, 1, 20))
    base, width = live_server.url, 360
    page = browser.new_page(viewport={"width": width, "height": 740})

    def fits(what: str) -> None:
        sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert sizes[0] <= sizes[1] == width, (what, sizes)

    page.goto(f"{base}/")  # the public's way in: the login page with the public's links
    fits("home")
    page.goto(f"{base}/public/apply/")
    fits("apply")
    _fill_public(page, "赵六", "13700002222", "2025年度本市外资企业名录")
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt-code")
    fits("receipt")
    # From 查询码's first character to the code's last: one line (the label was split 查/询码).
    lines = page.evaluate("""() => {
        const code = document.querySelector('#receipt-code'), range = document.createRange();
        const walker = document.createTreeWalker(code.parentElement.parentElement, NodeFilter.SHOW_TEXT);
        let node; while ((node = walker.nextNode()) && !node.data.includes('查询码')) {}
        range.setStart(node, node.data.indexOf('查询码')); range.setEndAfter(code);
        const rects = [...range.getClientRects()].filter(x => x.width > 0);
        return [Math.max(...rects.map(x => x.bottom)) - Math.min(...rects.map(x => x.top)),
                code.getClientRects().length, code.getBoundingClientRect().height, parseFloat(getComputedStyle(code).fontSize)];
    }""")
    assert lines[0] < 1.6 * lines[3] and lines[1] == 1 and lines[2] < 1.6 * lines[3], lines
    shown = page.inner_text("main")  # what is displayed: a hint hidden by the stylesheet is not in it
    assert "Ctrl+P" not in shown and "请打印本页" in shown

    page.goto(f"{base}/public/track/")
    page.fill("#id_tracking_no", r.tracking_no)
    page.fill("#id_query_code", r.query_code)
    page.click("button[type=submit]")
    page.wait_for_selector("#correct")
    fits("tracking, 补正")
    assert page.locator("#letters a.pdf").count() == 1
    letter = page.locator("#correction-letter").bounding_box()
    assert letter["width"] > 0.8 * width, letter
    page.goto(f"{base}/public/reports/")
    fits("reports")
    page.goto(f"{base}/public/reports/swj-2019/")
    fits("report")


def test_a_long_tracking_number_fits_a_360_px_receipt_whole(world, live_server, browser, monkeypatch):
    """An agency's code may be 20 letters: its tracking number, kept on one line with its
    label, ran past a 360 px screen (505 px; 374 px with a code of 10 letters), the page
    scrolling sideways. The number goes under its label, whole, and the code stays with its."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 1))
    base = live_server.url
    for code in ("NJJBQSWJKF", "ABCDEFGHIJKLMNOPQRST"):
        world["a"].code = code
        world["a"].save()
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(f"{base}/public/apply/")
        _fill_public(page, "赵六", "13700002222", f"2025年度本市外资企业名录（{code}）")
        page.click("button[type=submit]")
        page.wait_for_selector("#receipt-no")
        assert page.inner_text("#receipt-no").startswith(f"{code}-2026-")
        sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert sizes[0] <= sizes[1] == 360, (code, sizes)
        # Each value on one line, each label whole (the label is a line of its own or beside its value).
        shape = page.evaluate("""() => ['#receipt-no', '#receipt-code', '#receipt-no-line > .nowrap', '#receipt-code-line']
            .map(s => new Set([...document.querySelector(s).getClientRects()].map(r => Math.round(r.top))).size)""")
        assert shape == [1, 1, 1, 1], (code, shape)
        page.close()
