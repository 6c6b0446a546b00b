"""The applicant sends the correction the agency asked for (条例第三十条) on the tracking
page: recorded as staff record 收到补正, the answer's time limit counted again from the day
it is sent; refused, in Chinese, when the request waits for no correction, when sent twice,
past the period, from a browser that has not shown this request's code, or with input no
one should store."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client
from django.utils.html import escape
from freezegun import freeze_time

from ogi.web.ledger import reminders, services
from ogi.web.ledger.models import Correction, Event, Letter, Request
from ogi.workdays import deadline, default_calendar
from ogi.workflow.requests import due_of

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
# Attachments are real files of the corpus (a PDF report, a Word report).
FILED = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()


def _noon(day: dt.date) -> str:
    return f"{day.isoformat()} 04:00:00"  # noon in China (UTC+8)


def _apply(world, c: Client, content: str = "2026年某路段拓宽工程的环评批复") -> tuple[Request, str]:
    resp = c.post("/public/apply/", {"agency": str(world["a"].pk), "applicant_category": "natural", "applicant_name": "李四",
                                     "applicant_id_no": "320102198802023458", "applicant_contact": "lisi@example.cn",
                                     "content": content, "delivery": "email"})
    assert resp.status_code == 302, resp.content.decode()[:500]
    c.get("/public/receipt/")
    r = Request.objects.filter(content=content).get()
    return r, r.query_code


def _asked(world, filed: dt.date, asked: dt.date, content: str = "2026年某路段拓宽工程的环评批复"
           ) -> tuple[Client, Request, str]:
    """An online request filed on `filed`, the office asking for a correction on `asked`;
    the applicant's browser has shown its code."""
    c = Client()
    with freeze_time(_noon(filed)):
        r, code = _apply(world, c, content)
    with freeze_time(_noon(asked)):
        services.record_event(world["a_clerk"], r.tracking_no, "request_correction", asked,
                              {"note": "请写明所申请文件的名称或文号"})
        page = _track(c, r, code)
    assert 'id="correct"' in page
    r.refresh_from_db()
    return c, r, code


def _track(c: Client, r: Request, code: str) -> str:
    resp = c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code})
    assert resp.status_code == 200
    return resp.content.decode()


def _token(page: str) -> str:
    m = re.search(r'name="once" value="([^"]+)"', page)
    assert m, "the correction form carries its token"
    return m.group(1)


def _send(c: Client, r: Request, text: str, token: str = "", attachment=None):  # type: ignore[no-untyped-def]
    data: dict = {"text": text, "once": token}
    if attachment is not None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data["attachment"] = SimpleUploadedFile(attachment[0], attachment[1], content_type="application/octet-stream")
    return c.post(f"/public/requests/{r.tracking_no}/correction/", data)


def _staff(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return c


CORRECTED = "某市交通运输局2026年印发的《关于某路段拓宽工程环境影响报告书的批复》（某环审〔2026〕12号）"


def test_the_applicant_corrects_online_and_the_time_limit_counts_again(world, shared):
    c, r, code = _asked(world, FILED, dt.date(2026, 12, 3))
    assert r.correction_due == deadline(dt.date(2026, 12, 3), 15).due == dt.date(2026, 12, 24)
    pdf = (shared / "corpus" / "pdf" / "hongze-gov-2023.pdf").read_bytes()
    today = dt.date(2026, 12, 8)
    with freeze_time(_noon(today)):
        page = _track(c, r, code)
        resp = _send(c, r, CORRECTED, _token(page), ("环评批复 扫描件.pdf", pdf))
        body = resp.content.decode()
        assert resp.status_code == 200, body[:800]
        r.refresh_from_db()
        # The same event as staff record, dated the day it is sent; the limit counts from it.
        assert (r.state, r.corrected_on) == ("registered", today)
        ev = Event.objects.get(request=r, event="receive_correction")
        assert ev.actor is None and ev.on == today and ev.label == "收到补正"
        assert ev.note == "申请人在网上提交补正（含附件 1 份）"  # (not its name: the office above reads the log)
        assert ev.changes == {"state": ["correction", "registered"], "corrected_on": [None, "2026-12-08"]}
        assert ev.calendar_version == default_calendar().version
        due = due_of(r, today)
        assert due.due == deadline(today, 20).due == dt.date(2027, 1, 6) and due.provisional
        assert "收到补正之日" in due.explanation_zh
        # The receipt: what was received, when, and the new date the answer is due by.
        assert "已收到您的补正（2026年12月8日）" in body and "答复期限自收到补正之日起重新计算" in body
        assert 'id="due">2027年1月6日' in body and escape(CORRECTED) in body and "环评批复 扫描件.pdf" in body
        assert 'id="correct"' not in body and "收到补正后的申请" in body
        kept = Correction.objects.get(request=r)
        assert (kept.text, kept.file_kind, bytes(kept.file)) == (CORRECTED, "pdf", pdf) and kept.event == ev
        # Coming back later, the applicant still sees what was sent; no form.
        again = _track(Client(), r, code)
        assert 'id="corrections"' in again and escape(CORRECTED) in again and 'id="correct"' not in again

        # The clerk is told: the inbox and the daily mail, until the next step is taken.
        clerk = _staff(world["a_clerk"])
        inbox = clerk.get("/").content.decode()
        assert 'id="corrections"' in inbox and r.tracking_no in inbox.split('id="corrections"')[1]
        digest = reminders.digest(world["a_clerk"], today)
        assert "网上补正 1 件" in digest.subject
        assert f"{r.tracking_no}　申请人于 2026-12-08 在网上提交补正，附件 环评批复 扫描件.pdf" in digest.text()
        assert reminders.digest(world["b_clerk"], today).corrections == []
        assert reminders.digest(world["supervisor"], today).corrections == []
        # The request page shows the text, and the file to the agency's own staff, audited.
        detail = clerk.get(f"/requests/{r.tracking_no}/").content.decode()
        assert 'id="corrections"' in detail and escape(CORRECTED) in detail
        url = f"/requests/{r.tracking_no}/corrections/{kept.pk}/file"
        assert url in detail
        got = clerk.get(url)
        assert got.status_code == 200 and got.content == pdf and got["Content-Type"] == "application/pdf"
        assert "attachment" in got["Content-Disposition"]
        assert Event.objects.filter(request=r, event="download_correction", actor=world["a_clerk"]).exists()
        assert _staff(world["supervisor"]).get(url).status_code == 403
        # Nor its name, which may be the applicant's own (张三身份证.jpg).
        seen = _staff(world["supervisor"]).get(f"/requests/{r.tracking_no}/").content.decode()
        assert "环评批复 扫描件" not in seen and "仅本机关可查看" in seen
        assert _staff(world["b_clerk"]).get(url).status_code == 404
        assert Client().get(url).status_code == 302  # to the login page
        services.record_event(world["a_reviewer"], r.tracking_no, "extend", today, {"days": 5, "note": "需调取档案"})
        assert reminders.digest(world["a_clerk"], today).corrections == []


def test_online_and_staff_recorded_corrections_are_the_same_event(world):
    """One path: the applicant's correction changes the request exactly as the clerk's 收到补正 does."""
    c, online, code = _asked(world, FILED, dt.date(2026, 12, 3))
    _, paper, _ = _asked(world, FILED, dt.date(2026, 12, 3), content="2026年某小区规划许可证")
    today = dt.date(2026, 12, 8)
    with freeze_time(_noon(today)):
        assert _send(c, online, CORRECTED, _token(_track(c, online, code))).status_code == 200
        services.record_event(world["a_clerk"], paper.tracking_no, "receive_correction", today, {"note": "当面提交补正"})
        online.refresh_from_db()
        paper.refresh_from_db()
        fields = ("state", "corrected_on", "correction_requested_on", "correction_due", "pauses", "extension_days")
        assert [getattr(online, f) for f in fields] == [getattr(paper, f) for f in fields]
        assert due_of(online, today) == due_of(paper, today)
        one, two = (Event.objects.get(request=x, event="receive_correction") for x in (online, paper))
        assert (one.label, one.changes, one.on) == (two.label, two.changes, two.on)
        assert Letter.objects.filter(request__in=[online, paper], event__event="receive_correction").count() == 0


def test_the_last_day_of_the_period_at_the_end_of_december(world):
    """Asked on 2026-12-10: 15 working days run to 2026-12-31; sent on that day it is taken,
    and the new limit runs into 2027, whose holidays are estimated."""
    c, r, code = _asked(world, dt.date(2026, 12, 9), dt.date(2026, 12, 10))
    assert r.correction_due == dt.date(2026, 12, 31)
    with freeze_time(_noon(dt.date(2026, 12, 31))):
        page = _track(c, r, code)
        assert "请于2026年12月31日前补正" in page or "于2026年12月31日前提交" in page
        assert _send(c, r, CORRECTED, _token(page)).status_code == 200
        r.refresh_from_db()
        d = due_of(r, dt.date(2026, 12, 31))
        assert r.corrected_on == dt.date(2026, 12, 31) and d.due == deadline(dt.date(2026, 12, 31), 20).due
        assert d.due == dt.date(2027, 1, 29) and d.provisional


def test_in_january_2027_past_the_period_the_correction_is_refused(world):
    c, r, code = _asked(world, FILED, dt.date(2026, 12, 3))  # due 2026-12-24
    with freeze_time(_noon(dt.date(2026, 12, 8))):
        token = _token(_track(c, r, code))  # a tab opened in time, sent in January
    with freeze_time(_noon(dt.date(2027, 1, 4))):
        # The page offers no form past the period, and says why.
        page = _track(c, r, code)
        assert 'id="correct"' not in page and 'id="correction-lapsed"' in page
        assert "补正期限已于2026年12月24日届满" in page
        resp = _send(c, r, CORRECTED, token)
        body = resp.content.decode()
        assert resp.status_code == 422
        assert "补正期限已于2026年12月24日届满，无法再在网上提交补正" in body and "第三十条" in body
        r.refresh_from_db()
        assert r.state == "correction" and r.corrected_on is None and not Correction.objects.exists()
        # Staff may still record a correction that reached them in time and was entered late.
        services.record_event(world["a_clerk"], r.tracking_no, "receive_correction", dt.date(2027, 1, 4),
                              {"note": "邮寄补正，12月23日签收"})
        r.refresh_from_db()
        assert (r.state, r.corrected_on) == ("registered", dt.date(2027, 1, 4))


def test_in_january_2027_within_the_period(world):
    c, r, code = _asked(world, dt.date(2026, 12, 28), dt.date(2026, 12, 29))
    assert r.correction_due == deadline(dt.date(2026, 12, 29), 15).due
    with freeze_time(_noon(dt.date(2027, 1, 5))):
        assert _send(c, r, CORRECTED, _token(_track(c, r, code))).status_code == 200
        r.refresh_from_db()
        assert r.corrected_on == dt.date(2027, 1, 5)
        assert due_of(r, dt.date(2027, 1, 5)).due == deadline(dt.date(2027, 1, 5), 20).due


@freeze_time(_noon(dt.date(2026, 12, 8)))
def test_only_this_requests_browser_may_correct_it(world):
    c, r, code = _asked(world, dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    # Another applicant, who knows only their own tracking number and code.
    stranger = Client()
    own, own_code = _apply(world, stranger, content="本人另一份申请的内容")
    _track(stranger, own, own_code)
    for who in (stranger, Client()):
        resp = _send(who, r, CORRECTED)
        assert resp.status_code == 403 and "请先用申请编号和查询码查询该申请" in resp.content.decode()
    # A token from this request's own form does not open another's.
    resp = _send(stranger, r, CORRECTED, _token(_track(c, r, code)))
    assert resp.status_code == 403
    r.refresh_from_db()
    assert r.state == "correction" and not Correction.objects.exists()
    assert _send(c, Request(tracking_no="SWJ-2026-99999"), CORRECTED).status_code == 403
    # A GET is not a correction (the site's 405 page), nor a form without the CSRF token.
    assert Client().get(f"/public/requests/{r.tracking_no}/correction/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    resp = strict.post(f"/public/requests/{r.tracking_no}/correction/", {"text": CORRECTED})
    assert resp.status_code == 403 and "表单已过期" in resp.content.decode()


@freeze_time(_noon(dt.date(2026, 12, 8)))
def test_sent_twice_and_from_a_stale_tab(world):
    c, r, code = _asked(world, dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    page = _track(c, r, code)
    token, other_tab = _token(page), _token(_track(c, r, code))
    assert _send(c, r, CORRECTED, token).status_code == 200
    # The same form again (a double click): the receipt again, nothing recorded twice.
    again = _send(c, r, CORRECTED, token)
    assert again.status_code == 200 and "该补正已于2026年12月8日提交，未重复提交" in again.content.decode()
    # Another tab opened before it was sent: refused, saying what happened.
    stale = _send(c, r, "另一份补正说明：所申请的是2026年第12号批复", other_tab)
    assert stale.status_code == 409 and "本申请已于2026年12月8日收到补正，无需再次提交" in stale.content.decode()
    assert Correction.objects.count() == 1 and Event.objects.filter(event="receive_correction").count() == 1


@freeze_time(_noon(dt.date(2026, 12, 8)))
def test_not_waiting_for_a_correction(world):
    c = Client()
    r, code = _apply(world, c)
    page = _track(c, r, code)
    assert 'id="correct"' not in page
    resp = _send(c, r, CORRECTED, "forged")
    assert resp.status_code == 409 and "本申请当前为“办理中”，不在待补正状态，无需提交补正" in resp.content.decode()
    c.post(f"/public/requests/{r.tracking_no}/withdraw/", {"confirm": "yes"})
    resp = _send(c, r, CORRECTED, "forged")
    assert resp.status_code == 409 and "本申请当前为“已终止”" in resp.content.decode()
    assert not Correction.objects.exists()


@freeze_time(_noon(dt.date(2026, 12, 8)))
def test_empty_huge_and_hostile_input_is_refused_or_made_harmless(world, settings, shared):
    c, r, code = _asked(world, dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    token = _token(_track(c, r, code))

    def refused(resp, status: int, words: str) -> None:  # type: ignore[no-untyped-def]
        body = resp.content.decode()
        assert resp.status_code == status and words in body, body[:600]
        r.refresh_from_db()
        assert r.state == "correction" and not Correction.objects.exists()

    for empty in ("", "   \n "):
        refused(_send(c, r, empty, token), 422, "请填写“补正后的申请内容”")
    refused(_send(c, r, "\u200b\u200b\u200b\u200b\x01\x02\x03\x04", token), 422, "请具体写明补正后的申请内容")
    refused(_send(c, r, "\x00所申请的是第12号批复", token), 422, "不能含有空字符")
    refused(_send(c, r, "文件", token), 422, "请具体写明补正后的申请内容")
    long = _send(c, r, "批" * 5001, token)
    refused(long, 422, "“补正后的申请内容”最多 5000 个字（现有 5001 个字）")
    assert "批" * 100 in long.content.decode()  # what was typed comes back to be shortened
    # More text than a form may carry at all: the site's own answer, in Chinese.
    refused(_send(c, r, "批" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2), token), 413, "提交的内容过大")
    # Files: only what an applicant could mean, told by the bytes, not the name.
    for name, data, words in (("身份证.pdf", b"MZ\x90\x00" + b"\x00" * 64,
                               "附件应为PDF 文件、Word 文档（.docx）或 JPG、PNG 图片；所选文件是可执行程序"),
                              ("说明.pdf", b"<html><script>alert(1)</script></html>", "所选文件不是其中之一"),
                              ("空.pdf", b"", "所选附件是空文件"),
                              ("打包.docx", _zip({"a.txt": b"x"}), "所选文件是压缩包")):
        refused(_send(c, r, CORRECTED, token, (name, data)), 422, words)
    settings.OGI_UPLOAD_MAX_BYTES = 1000
    refused(_send(c, r, CORRECTED, token, ("大.pdf", b"%PDF-1.4\n" + b"0" * 5000)), 413,
            "文件过大（4.9 KB），请选择不超过 1000 字节 的文件")
    # Declared larger than the limit: refused on the request's length alone.
    refused(_send(c, r, CORRECTED, token, ("更大.pdf", b"%PDF-1.4\n" + b"0" * 200_000)), 413, "上传上限为 1000 字节")
    settings.OGI_UPLOAD_MAX_BYTES = 20 * 2**20
    # Markup, direction overrides, control characters and a path in the file's name: kept
    # as text, shown escaped, the name without its folders.
    hostile = "<script>alert('x')</script>某某\u202e批复\x07（第12号）"
    docx = (shared / "corpus" / "docx" / "shuyang-fgj-2023.docx").read_bytes()
    resp = _send(c, r, hostile, token, ("../../etc/\u202epasswd.docx", docx))
    body = resp.content.decode()
    assert resp.status_code == 200 and "<script>alert(&#x27;x&#x27;)</script>" not in body
    assert "<script>alert('x')" not in body and "&lt;script&gt;" in body
    kept = Correction.objects.get()
    assert kept.text == "<script>alert('x')</script>某某批复（第12号）"
    assert (kept.file_name, kept.file_kind) == ("passwd.docx", "docx")


def _zip(files: dict[str, bytes]) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    return buf.getvalue()
