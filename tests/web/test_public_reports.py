"""Published reports for the public: the list filtered by agency and year, PDF and DOCX
downloads, the way back to the list; and the 总体情况 figures redrafted from the current
figures with the office's own words kept."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from docx import Document

from ogi.web.ledger import services
from ogi.web.reporting import services as reports
from ogi.web.reporting.models import AnnualReport

from .conftest import request_data
from .test_ledger import login


def _publish(agency, year: int, slug: str) -> AnnualReport:  # type: ignore[no-untyped-def]
    # What publication stores: the report as approved, frozen, with its address.
    ws = reports.workspace(agency, year)
    row = ws.row
    row.frozen = ws.year_report.live_report.to_json()
    row.state, row.slug, row.issued_on = "published", slug, dt.date(year + 1, 1, 20)
    row.save()
    return row


def test_public_list_filters_downloads_and_links_back(world):
    _publish(world["a"], 2025, "swj-2025")
    _publish(world["a"], 2024, "swj-2024")
    _publish(world["b"], 2025, "mzj-2025")
    c = Client()
    page = c.get("/public/reports/").content.decode()
    assert page.count('/report.pdf"') == page.count('/report.docx"') == 3
    only = c.get("/public/reports/?agency=某市商务局&year=2025").content.decode()
    assert "/public/reports/swj-2025/" in only and "swj-2024" not in only and "mzj-2025" not in only
    assert "没有符合条件" in c.get("/public/reports/?agency=某市民政局&year=2024").content.decode()
    assert c.get("/public/reports/?year=abc").status_code == 200
    html = c.get("/public/reports/swj-2025/").content.decode()
    assert 'href="/public/reports/" id="back"' in html and "/public/reports/swj-2025/report.pdf" in html
    assert html.index("<body") < html.index('id="report-nav"') < html.index("<h1")
    docx = c.get("/public/reports/swj-2025/report.docx")
    assert docx.status_code == 200
    assert Document(io.BytesIO(docx.content)).paragraphs[0].text == "某市商务局2025年政府信息公开工作年度报告"
    pdf = c.get("/public/reports/swj-2025/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get("/public/reports/swj-2025/report.xlsx").status_code == 404
    row = AnnualReport.objects.get(slug="mzj-2025")
    row.state = "draft"
    row.save()
    assert c.get("/public/reports/mzj-2025/report.pdf").status_code == 404  # unpublished: not there


def test_redraft_updates_the_figures_and_keeps_the_office_text(world):
    ws = reports.workspace(world["a"], 2026)
    own = ws.row.sections["overview"] + "\n本机关持续完善依申请公开工作机制，答复文书全部经法制审核。"
    reports.save_section(world["a_clerk"], ws, "overview", own)
    for _ in range(3):
        services.register(world["a_clerk"], request_data())
    c = login(world["a_clerk"])
    resp = c.post("/reports/2026/overview/redraft/", follow=True)
    assert "全年共收到政府信息公开申请：0 → 3" in resp.content.decode()
    text = AnnualReport.objects.get(agency=world["a"], year=2026).sections["overview"]
    assert "全年共收到政府信息公开申请3件" in text and "结转下年度继续办理3件" in text
    assert text.endswith("本机关持续完善依申请公开工作机制，答复文书全部经法制审核。")
    again = c.post("/reports/2026/overview/redraft/", follow=True).content.decode()
    assert "无需更新" in again
    # Text the office wrote without the drafted sentence gets it put in front.
    ws = reports.workspace(world["a"], 2026)
    reports.save_section(world["a_clerk"], ws, "overview", "本年度工作平稳有序。")
    c.post("/reports/2026/overview/redraft/")
    text = AnnualReport.objects.get(agency=world["a"], year=2026).sections["overview"]
    assert text.startswith("2026年，某市商务局") and "收到政府信息公开申请3件" in text and text.endswith("本年度工作平稳有序。")



def test_a_download_is_rendered_once_per_published_text(world, monkeypatch):
    """The PDF (half a second of CPU) is rendered once for however many downloads; publishing
    again (another text or date of issue) renders anew."""
    from ogi.web.portal import downloads, views

    downloads.forget()
    calls: list[str] = []
    real = views.render_report

    def counting(report, fmt, **kw):  # type: ignore[no-untyped-def]
        calls.append(fmt)
        return real(report, fmt, **kw)

    monkeypatch.setattr(views, "render_report", counting)
    row = _publish(world["a"], 2025, "swj-2025")
    c = Client()
    got = [c.get("/public/reports/swj-2025/report.pdf").content for _ in range(3)]
    assert calls == ["pdf"] and len(set(got)) == 1 and got[0].startswith(b"%PDF")
    assert c.get("/public/reports/swj-2025/report.docx").status_code == 200 and calls == ["pdf", "docx"]
    row.issued_on = dt.date(2026, 1, 25)  # published again with another date of issue
    row.save()
    again = c.get("/public/reports/swj-2025/report.pdf").content
    assert calls == ["pdf", "docx", "pdf"] and again.startswith(b"%PDF") and again != got[0]
    downloads.forget()


def test_downloads_asked_at_once_wait_for_one_rendering_and_the_store_is_bounded(monkeypatch):
    import threading
    import time

    from ogi.web.portal import downloads

    downloads.forget()
    calls: list[int] = []

    def slow() -> bytes:
        calls.append(1)
        time.sleep(0.2)
        return b"%PDF-" + b"x" * 1000

    got: list[bytes] = []
    threads = [threading.Thread(target=lambda: got.append(downloads.rendered("k", slow))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(got) == 6 and len(set(got)) == 1
    monkeypatch.setattr(downloads, "LIMIT_BYTES", 10_000)
    for i in range(30):
        downloads.rendered(f"f{i}", lambda: b"y" * 1000)
    assert sum(map(len, downloads._kept.values())) <= 10_000 and "f29" in downloads._kept and "f0" not in downloads._kept
    assert downloads.rendered("big", lambda: b"z" * 5000) == b"z" * 5000 and "big" not in downloads._kept
    downloads.forget()


def test_a_version_has_one_address_zeros_and_capitals_are_sent_on_to_it(world):
    """/versions/01/ showed version 1 at a second address, and report.PDF answered 404: both
    are sent on (301) to the one address, which answers; a version 0 is no address at all."""
    _publish(world["a"], 2025, "swj-2025")
    c = Client()
    assert c.get("/public/reports/swj-2025/versions/1/").status_code == 200
    for asked, meant in (("versions/01/", "versions/1/"), ("versions/0001/", "versions/1/"),
                         ("versions/01/report.pdf", "versions/1/report.pdf"),
                         ("versions/01/report.DOCX", "versions/1/report.docx"),  # one redirect, not two
                         ("versions/1/report.PDF", "versions/1/report.pdf"), ("report.PDF", "report.pdf"),
                         ("report.Docx", "report.docx")):
        resp = c.get(f"/public/reports/swj-2025/{asked}")
        assert resp.status_code == 301 and resp["Location"] == f"/public/reports/swj-2025/{meant}", asked
        assert c.get(resp["Location"]).status_code == 200, meant
    assert c.get("/public/reports/swj-2025/versions/01/?from=list")["Location"].endswith("/versions/1/?from=list")
    for missing in ("versions/0/", "versions/00/", "versions/02/", "report.XLSX", "versions/01/report.exe"):
        resp = c.get(f"/public/reports/swj-2025/{missing}", follow=True)
        assert resp.status_code == 404, missing



def test_a_number_of_thousands_of_digits_in_an_address_is_no_page(world):
    """/versions/000…01/ with 5 000 zeros, or 9 written 5 000 times: the number was read with
    int(), which refuses a string of over 4 300 digits, and the page answered 500. Zeros in
    front, however many, are still sent on to the one address."""
    _publish(world["a"], 2025, "swj-2025")
    c = Client(raise_request_exception=False)
    for number in ("9" * 5000, "0" + "9" * 5000):
        for path in (f"/public/reports/swj-2025/versions/{number}/", f"/public/reports/swj-2025/versions/{number}/report.PDF",
                     f"/public/requests/SWJ-2026-00001/letters/{number}-1.pdf",
                     f"/public/requests/SWJ-2026-00001/letters/2026-{number}.PDF"):
            assert c.get(path).status_code == 404, (path[:60], len(path))
    for path in ("/public/reports/swj-2025/versions/" + "0" * 5000 + "1/",
                 "/public/reports/swj-2025/versions/" + "0" * 5000 + "1/report.PDF"):
        resp = c.get(path)
        assert resp.status_code == 301 and resp["Location"].startswith("/public/reports/swj-2025/versions/1/")


def test_the_note_on_a_corrected_file_ends_its_reason_with_one_full_stop():
    """The reason is typed by the office: ending in 。 it was not doubled, ending in ；, a
    comma or a space it read 「…；。」."""
    from ogi.web.reporting.models import PublishedVersion

    first = PublishedVersion(number=1, published_on=dt.date(2026, 1, 20))
    for typed, said in (("表三数字有误。", "表三数字有误。"), ("表三数字有误；", "表三数字有误。"),
                        ("表三数字有误， ", "表三数字有误。"), ("表三数字有误.", "表三数字有误。"),
                        ("表三数字有误", "表三数字有误。"), ("表三数字为何有误？", "表三数字为何有误？")):
        second = PublishedVersion(number=2, published_on=dt.date(2026, 2, 15), reason=typed)
        note = reports.version_note(second, [first, second])
        assert note == f"更正说明：本报告已于2026年2月15日更正，本文件为更正后的第2版。更正理由：{said}", typed
