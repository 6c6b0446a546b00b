"""A published annual report corrected (更正): a reviewer starts the correction with its
reason, the corrected version goes through review and approval as the first one did while
the published one stays public unchanged, and its publication replaces it on the public page
— which then says when and why the report was corrected and links the version before. The
first publication stays the publication date (timeliness); the office above files the
corrected version as current and its 整改通知 sees it answered. Refused: a clerk, no reason,
starting twice, a page left open."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from ogi.web import clock
from ogi.web.accounts.models import Agency
from ogi.web.demo.ledger import create_demo
from ogi.web.ledger.models import Event
from ogi.web.reporting import services as reports
from ogi.web.reporting.models import AnnualReport, PublishedVersion
from ogi.web.supervision.models import CollectedReport, Rectification, RectificationEvent

from .conftest import demo_login as login

pytestmark = pytest.mark.django_db

WRONG = "2026年，全年共收到政府信息公开申请99999件。"
REASON = "第一部分“总体情况”所述收到申请数量有误，与表三不一致，予以更正"


def _at(monkeypatch, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "today", lambda: day)


def _row() -> AnnualReport:
    return AnnualReport.objects.get(agency__code="SWJ", year=2026)


def _seen(page: str) -> dict[str, str]:
    """What the workspace's 发起更正 form sends besides the reason: the state and version shown."""
    form = page.split('data-gate="correct"')[1].split("</form>")[0]
    return dict(re.findall(r'name="(state_seen|version_seen)" value="([^"]*)"', form))


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>|\s+", "", html)


def _docx_text(data: bytes) -> str:
    import io

    import docx

    return "".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _pdf_text(data: bytes) -> str:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join((page.extract_text() or "").replace("\n", "") for page in pdf.pages)


@pytest.fixture
def published(monkeypatch, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """The demo's 商务局 2026 report published on 2027-01-20 with a wrong number in its text
    (a warning, acknowledged), and its office's 整改通知 asking to correct it."""
    create_demo(today=dt.date(2026, 11, 23), per_year_scale=0.4)
    clerk, reviewer = login("swj-jingban"), login("swj-shenhe")
    clerk.post("/reports/2026/sections/overview/", {"text": WRONG})
    # In December the year's figures are not complete: the report cannot be submitted yet.
    _at(monkeypatch, dt.date(2026, 12, 8))
    page = clerk.post("/reports/2026/state/submit/", {"acknowledge": "1"}, follow=True).content.decode()
    assert "2026年尚未结束" in page and _row().state == "draft"
    _at(monkeypatch, dt.date(2027, 1, 20))
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post("/reports/2026/state/submit/", {"acknowledge": "1"})
        reviewer.post("/reports/2026/state/approve/", {"acknowledge": "1"})
        reviewer.post("/reports/2026/state/publish/", {"acknowledge": "1"})
    row = _row()
    assert (row.state, row.published_on) == ("published", dt.date(2027, 1, 20))
    office, swj = Agency.objects.get(code="GKB"), Agency.objects.get(code="SWJ")
    filed = CollectedReport.objects.get(office=office, agency=swj, year=2026, state="current")
    i = next(n for n, f in enumerate(filed.findings) if f["rule"] == "narrative.numbers")
    sup = login("gkb-jiandu")
    sup.post(f"/supervision/reports/{filed.pk}/rectify/", {"finding": str(i), "due_on": "2027-03-01", "note": "请更正"})
    notice = Rectification.objects.get(agency=swj, year=2026)
    assert list(notice.items.values_list("state", flat=True)) == ["open"]
    return {"row": row, "office": office, "swj": swj, "first": filed, "notice": notice, "sup": sup}


def test_a_published_report_is_corrected_and_the_public_page_says_so(published, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    slug = published["row"].slug
    public = Client()
    before = public.get(f"/public/reports/{slug}/").content.decode()
    assert "99999" in before and 'id="correction-note"' not in before

    _at(monkeypatch, dt.date(2027, 2, 15))
    reviewer, admin, clerk = login("swj-shenhe"), login("swj-admin"), login("swj-jingban")
    # The notice received points to the workspace, where the report published here is corrected.
    received = clerk.get("/supervision/mine/").content.decode()
    assert 'data-correct-in-workspace' in received and 'href="/reports/2026/"' in received
    work = reviewer.get("/reports/2026/").content.decode()
    assert 'data-report-event="correct"' in work and 'data-report-event="correct"' not in clerk.get("/reports/2026/").content.decode()
    reviewer.post("/reports/2026/state/correct/", {"reason": REASON, **_seen(work)})
    row = _row()
    assert (row.state, row.correction_reason, row.frozen, row.published_on) == ("draft", REASON, None, dt.date(2027, 1, 20))
    logged = Event.objects.filter(event="report.correct").get()
    assert logged.note == REASON and logged.changes["状态"] == ["已发布", "草稿"] and logged.actor.username == "swj-shenhe"

    # While the correction is drafted the public sees what was published, unchanged, still listed.
    assert public.get(f"/public/reports/{slug}/").content.decode() == before
    assert f'href="/public/reports/{slug}/"' in public.get("/public/reports/").content.decode()
    work = clerk.get("/reports/2026/").content.decode()
    assert "正在更正" in work and REASON in work and "<textarea" in work  # a draft: the text is edited again
    assert 'id="report-state">更正中（草稿）' in work  # not a draft like one never published
    assert "<td>更正中（草稿）</td>" in clerk.get("/reports/").content.decode()  # the list of the agency's years
    # Its timeliness is that of the first publication, not "unpublished".
    assert reports.publication(published["swj"], 2026, row, dt.date(2027, 2, 15)).text.startswith("已于 2027-01-20 按时发布")

    # Errors still block; the one who submits does not approve.
    clerk.post("/reports/2026/cells/requests.new.total/override/", {"value": "99999", "reason": "试填"})
    page = admin.post("/reports/2026/state/submit/", {"acknowledge": "1"}, follow=True).content.decode()
    assert re.search(r"报告有 \d+ 处错误，不能提交审核", page) and _row().state == "draft"
    clerk.post("/reports/2026/cells/requests.new.total/override/", {"clear": "1"})
    total = reports.workspace(published["swj"], 2026).report.cells["requests.new.total"].value
    clerk.post("/reports/2026/sections/overview/", {"text": f"2026年，全年共收到政府信息公开申请{total}件。"})
    admin.post("/reports/2026/state/submit/", {"acknowledge": "1"})
    assert _row().state == "review"
    assert "不能由您本人批准" in admin.post("/reports/2026/state/approve/", {"acknowledge": "1"}, follow=True).content.decode()
    assert _row().state == "review"
    reviewer.post("/reports/2026/state/approve/", {"acknowledge": "1"})
    assert _row().state == "approved"
    assert public.get(f"/public/reports/{slug}/").content.decode() == before  # approved is not yet published
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post("/reports/2026/state/publish/", {"acknowledge": "1"})

    row = _row()
    assert (row.state, row.published_on, row.corrected_on) == ("published", dt.date(2027, 1, 20), dt.date(2027, 2, 15))
    assert list(row.publications.values_list("number", "published_on", "reason")) == [
        (1, dt.date(2027, 1, 20), ""), (2, dt.date(2027, 2, 15), REASON)]
    logged = Event.objects.filter(event="report.publish").latest("pk")
    assert "第2版" in logged.label and logged.changes["版本"] == ["第1版", "第2版"] and REASON in logged.note

    # The public page: the corrected text, the note of the correction, the version before.
    page = public.get(f"/public/reports/{slug}/").content.decode()
    assert "99999" not in page and f"收到政府信息公开申请{total}件" in page
    note = _text(page.split('id="correction-note"')[1].split(">", 1)[1].split("</div>")[0])
    assert note.startswith(f"本报告已于2027年2月15日更正：{REASON}")
    assert f'href="/public/reports/{slug}/versions/1/"' in page
    old = public.get(f"/public/reports/{slug}/versions/1/").content.decode()
    assert "99999" in old and "更正前的版本" in old and f'href="/public/reports/{slug}/"' in old
    assert public.get(f"/public/reports/{slug}/versions/3/").status_code == 404
    old_pdf = public.get(f"/public/reports/{slug}/versions/1/report.docx")
    assert old_pdf.status_code == 200 and "%E7%AC%AC1%E7%89%88" in old_pdf["Content-Disposition"]  # 第1版
    listing = public.get("/public/reports/").content.decode()
    assert listing.count(f'href="/public/reports/{slug}/"') == 1 and "2027年2月15日更正" in listing
    # A file travels without the page: it says itself that it was corrected, or has been since.
    new_docx = _docx_text(public.get(f"/public/reports/{slug}/report.docx").content)
    assert f"更正说明：本报告已于2027年2月15日更正，本文件为更正后的第2版。更正理由：{REASON}。" in new_docx
    new_pdf = _pdf_text(public.get(f"/public/reports/{slug}/report.pdf").content)
    assert "更正说明" in new_pdf and "2027年2月15日更正" in new_pdf
    old_docx = _docx_text(old_pdf.content)
    assert "本文件为本报告的第1版，已于2027年2月15日被更正，请以第2版（现行版本）为准。" in old_docx
    assert "更正说明" not in old_docx
    first = _docx_text(Client().get(f"/public/reports/{slug}/versions/2/report.docx").content)
    assert first == new_docx

    # Timeliness is still judged on the first publication (2 February would be late).
    assert reports.publication(published["swj"], 2026, row, dt.date(2027, 2, 15)).text.startswith("已于 2027-01-20 按时发布")
    office, swj = published["office"], published["swj"]
    current = CollectedReport.objects.get(office=office, agency=swj, year=2026, state="current")
    assert "2027年2月15日更正" in current.file_name and current.published_on == dt.date(2027, 1, 20)
    assert list(CollectedReport.objects.filter(office=office, agency=swj, year=2026, state="replaced")
                .values_list("pk", flat=True)) == [published["first"].pk]
    assert "narrative.numbers" not in {f["rule"] for f in current.findings}
    sup = published["sup"]
    page = sup.get("/supervision/2026/timeliness/").content.decode()
    [listed] = [tr for tr in page.split("<tr data-status=")[1:] if "某某市商务局" in tr]
    assert listed.startswith('"on_time"') and "<td>2027-01-20</td>" in listed
    assert "其他版本" in sup.get(f"/supervision/reports/{current.pk}/").content.decode()
    # The 整改通知 sees the corrected version: republished, its item corrected.
    notice = published["notice"]
    assert list(notice.items.values_list("state", flat=True)) == ["fixed"]
    actions = list(RectificationEvent.objects.filter(notice=notice).values_list("action", flat=True))
    assert actions == ["sent", "republished", "fixed"]
    assert REASON in RectificationEvent.objects.get(notice=notice, action="republished").note


def test_a_correction_is_refused_to_a_clerk_without_reason_twice_and_from_a_stale_page(published, monkeypatch):
    _at(monkeypatch, dt.date(2027, 2, 15))
    clerk, reviewer, admin = login("swj-jingban"), login("swj-shenhe"), login("swj-admin")
    page = clerk.post("/reports/2026/state/correct/", {"reason": REASON}, follow=True).content.decode()
    assert "无权执行“发起更正”" in page and _row().state == "published"
    stale = _seen(admin.get("/reports/2026/").content.decode())  # the administrator's page, left open
    for reason in ("", "   ", "\u200b\u200b", "\x00", "\u202e"):  # (zero-width, NUL, direction only: nothing to show)
        page = reviewer.post("/reports/2026/state/correct/", {"reason": reason, **stale}, follow=True).content.decode()
        assert "发起更正必须写明理由" in page and _row().state == "published"
    assert "更正理由不超过" in reviewer.post("/reports/2026/state/correct/", {"reason": "字" * 2001},
                                          follow=True).content.decode()
    assert not Event.objects.filter(event="report.correct").exists()
    assert PublishedVersion.objects.filter(report=_row()).count() == 1  # nothing kept for a correction refused

    reviewer.post("/reports/2026/state/correct/", {"reason": REASON, **stale})
    assert _row().state == "draft"
    # Started again, from the page left open or from a fresh one: refused, the first reason stands.
    page = admin.post("/reports/2026/state/correct/", {"reason": "另一理由", **stale}, follow=True).content.decode()
    assert "报告的状态已由他人改为“草稿”" in page
    page = admin.post("/reports/2026/state/correct/", {"reason": "另一理由"}, follow=True).content.decode()
    assert "报告处于“草稿”状态，不能执行“发起更正”" in page
    assert _row().correction_reason == REASON and Event.objects.filter(event="report.correct").count() == 1

    # Unchanged, the correction is not submitted: it would publish what the public has.
    page = clerk.post("/reports/2026/state/submit/", {"acknowledge": "1"}, follow=True).content.decode()
    assert "更正后的报告与已发布的版本相同" in page and _row().state == "draft"
    # The correction goes round and is published; the page left open before it showed 已发布
    # too, but of the version since replaced: starting a correction from it is refused.
    clerk.post("/reports/2026/sections/other/", {"text": "本机关2026年度未收取信息处理费。（更正：补充说明）"})
    clerk.post("/reports/2026/state/submit/", {"acknowledge": "1"})
    reviewer.post("/reports/2026/state/approve/", {"acknowledge": "1"})
    reviewer.post("/reports/2026/state/publish/", {"acknowledge": "1"})
    assert _row().state == "published" and stale["state_seen"] == "published"
    page = admin.post("/reports/2026/state/correct/", {"reason": "另一理由", **stale}, follow=True).content.decode()
    assert "已由他人处理过" in page and _row().state == "published"
    # From the page as it is now, a second correction may be started.
    admin.post("/reports/2026/state/correct/", {"reason": "另一理由", **_seen(admin.get("/reports/2026/").content.decode())})
    assert (_row().state, _row().correction_reason) == ("draft", "另一理由")
