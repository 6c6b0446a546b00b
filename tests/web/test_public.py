"""The public's side: filing a request online and following it with the tracking number
and query code — without an account, without seeing anyone else's request or any staff
note, and without a way to guess codes."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client
from docx import Document

from ogi.web import clock
from ogi.web.ledger import services
from ogi.web.ledger.models import Event, Request
from ogi.web.portal import views as public_views

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
FILED = dt.date(2026, 3, 2)  # a Monday; 20 working days later is 2026-03-30


CLOCK = {"day": FILED}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    CLOCK["day"] = FILED
    monkeypatch.setattr(clock, "today", lambda: CLOCK["day"])
    cache.clear()


def on(day: dt.date) -> dt.date:
    """Time passes: the office acts on that day (a date in the future is refused)."""
    CLOCK["day"] = day
    return day


def form(world, **kw) -> dict[str, str]:
    data = {"agency": str(world["a"].pk), "applicant_category": "natural", "applicant_name": "李四",
            "applicant_id_no": "320102198802023458", "applicant_contact": "lisi@example.cn",
            "content": "2025年某路段拓宽工程的环境影响评价批复文件", "delivery": "email"}
    data.update(kw)
    return data


def file(world, client: Client | None = None, **kw) -> tuple[Client, Request, str]:
    c = client or Client()
    resp = c.post("/public/apply/", form(world, **kw))
    assert resp.status_code == 302 and resp["Location"] == "/public/receipt/", resp.content.decode()[:500]
    receipt = c.get("/public/receipt/").content.decode()
    r = Request.objects.get()
    assert r.tracking_no in receipt and r.query_code in receipt
    return c, r, r.query_code


def staff(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return c


def test_filing_registers_an_online_request_received_that_day(world):
    page = Client().get("/public/apply/").content.decode()
    assert "某市商务局" in page and "某市民政局" in page
    _, r, code = file(world)
    assert (r.agency, r.channel, r.submitted_on, r.received_on, r.state) == (world["a"], "online", FILED, FILED, "registered")
    assert r.delivery == "email" and len(code) == 8 and not set(code) & set("01OIL")
    ev = Event.objects.get(request=r)
    assert ev.actor is None and ev.label == "网上提交申请" and "第三十一条" in ev.note
    # It is in agency A's inbox, due 20 working days after filing, and nowhere else.
    groups = services.inbox(world["a_clerk"], FILED)
    assert [(x.tracking_no, d.due) for g in groups.values() for x, d in g] == [(r.tracking_no, dt.date(2026, 3, 30))]
    assert all(not g for g in services.inbox(world["b_clerk"], FILED).values())


def test_tracking_shows_state_and_due_date_but_no_personal_data(world):
    _, r, code = file(world)
    page = Client().post("/public/track/", {"tracking_no": r.tracking_no.lower(), "query_code": code.lower()}).content.decode()
    assert "办理中" in page and "2026年3月30日" in page and "收到申请" in page
    for secret in ("李四", "320102198802023458", "lisi@example.cn"):
        assert secret not in page


def test_wrong_codes_say_nothing_and_guessing_is_stopped(world):
    _, r, code = file(world)
    c = Client()
    for wrong in ({"tracking_no": r.tracking_no, "query_code": "AAAAAAAA"},
                  {"tracking_no": "SWJ-2026-99999", "query_code": code}):
        resp = c.post("/public/track/", wrong)
        assert resp.status_code == 404 and "申请编号或查询码不正确" in resp.content.decode()
        assert r.content not in resp.content.decode()
    # The wrong try on another number is not one on this request's code: one try short of the
    # limit the right code still opens it (and is not counted), the next wrong one reaches it.
    for _ in range(public_views.MAX_FAILED - 2):
        c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": "BBBBBBBB"})
    assert c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).status_code == 200
    c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": "BBBBBBBB"})
    resp = c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code})
    assert resp.status_code == 429 and r.content not in resp.content.decode()
    assert "该申请编号的查询失败次数过多" in resp.content.decode() and "15分钟后再试" in resp.content.decode()
    assert resp["Retry-After"] == "900"


def test_wrong_codes_on_one_request_do_not_lock_out_others_behind_the_same_address(world):
    """An office behind one address: ten wrong tries on request A stop A, not B's applicant
    with B's right code; trying many numbers is stopped at the address's own limit."""
    a = services.file_online(world["a"], {k: v for k, v in form(world, content="2025年度本市外资企业名录").items() if k != "agency"})
    b = services.file_online(world["a"], {k: v for k, v in form(world, content="2025年度本市开发区四至范围").items() if k != "agency"})
    code_a, code_b = a.query_code, b.query_code
    office = "203.0.113.20"
    for _ in range(public_views.MAX_FAILED):
        wrong = Client(REMOTE_ADDR=office).post("/public/track/", {"tracking_no": a.tracking_no, "query_code": "WRONGXXX"})
        assert wrong.status_code == 404
    colleague = Client(REMOTE_ADDR=office).post("/public/track/", {"tracking_no": b.tracking_no, "query_code": code_b})
    assert colleague.status_code == 200 and b.content in colleague.content.decode()
    refused = Client(REMOTE_ADDR=office).post("/public/track/", {"tracking_no": a.tracking_no, "query_code": code_a})
    assert refused.status_code == 429 and a.content not in refused.content.decode()
    assert "该申请编号的查询失败次数过多" in refused.content.decode()


def test_trying_many_numbers_from_one_address_is_stopped_at_the_address_limit(world):
    _, r, code = file(world)
    sprayer = "198.51.100.30"
    left = public_views.MAX_FAILED_PER_ADDRESS - 2  # two wrong tries on r itself, the rest on numbers made up
    assert left > public_views.MAX_FAILED  # beyond what one number allows: only the address limit stops it
    for _ in range(2):
        Client(REMOTE_ADDR=sprayer).post("/public/track/", {"tracking_no": r.tracking_no, "query_code": "WRONGXXX"})
    answers = [Client(REMOTE_ADDR=sprayer).post("/public/track/", {"tracking_no": f"SWJ-2026-{90000 + i}",
                                                                    "query_code": "WRONGXXX"}).status_code
               for i in range(left + 1)]
    assert answers == [404] * left + [429]
    # Rested, the address is refused even the right code (a refusal that depended on the code
    # would tell a guesser when a guess was right); from another address the request opens.
    refused = Client(REMOTE_ADDR=sprayer).post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code})
    page = refused.content.decode()
    assert refused.status_code == 429 and "从您所在网络发出的查询失败次数过多" in page and "分钟后再试" in page
    assert Client(REMOTE_ADDR="198.51.100.31").post(
        "/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).status_code == 200



def test_a_tracking_number_typed_in_characters_nfkc_multiplies_still_fits_its_counter(world):
    """40 characters may be typed; read as NFKC, ﷺ is eighteen: the number the wrong tries
    are counted under was 600 characters, past the counter's key column (PostgreSQL refuses
    the row: a 500 for anyone who tries). It is still counted, and refused as any wrong number."""
    from ogi.web.portal.models import RateCounter

    longest = RateCounter._meta.get_field("key").max_length
    c = Client(REMOTE_ADDR="198.51.100.40")
    resp = c.post("/public/track/", {"tracking_no": "\ufdfa" * 40, "query_code": "WRONGXXX"})
    assert resp.status_code == 404 and "申请编号或查询码不正确" in resp.content.decode()
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2 and all(len(k) <= longest for k in keys), [len(k) for k in keys]
    for _ in range(public_views.MAX_FAILED - 1):
        c.post("/public/track/", {"tracking_no": "\ufdfa" * 40, "query_code": "WRONGXXX"})
    assert c.post("/public/track/", {"tracking_no": "\ufdfa" * 40, "query_code": "WRONGXXX"}).status_code == 429

def test_filing_is_limited_per_address_and_day(world, monkeypatch):
    monkeypatch.setattr(public_views, "MAX_FILED_PER_DAY", 2)
    c = Client()
    for i in range(2):  # two requests (the same words twice the same day are one)
        assert c.post("/public/apply/", form(world, content=f"第{i}份文件")).status_code == 302
    refused = c.post("/public/apply/", form(world, content="第三份文件"))
    assert refused.status_code == 429 and "已达上限" in refused.content.decode()
    assert Request.objects.count() == 2


def test_incomplete_form_is_explained_and_nothing_is_stored(world):
    resp = Client().post("/public/apply/", form(world, applicant_contact="", content="  ", agency=""))
    page = resp.content.decode()
    assert resp.status_code == 422 and "请按提示修改后再提交" in page
    # One message a field, naming it as its label does (not Django's stock "这个字段是必填项",
    # and not the model's check of the same empty field again).
    assert page.count("请填写“联系电话、通信地址或电子邮箱”") == 1 and page.count("请选择“向哪个机关申请”") == 1
    assert "这个字段是必填项" not in page and "请填写“联系方式”" not in page
    long = Client().post("/public/apply/", form(world, applicant_name="张" * 3000)).content.decode()
    assert "“姓名或名称”最多 100 个字（现有 3000 个字）" in long and "该变量" not in long
    assert not Request.objects.exists()


def test_staff_work_shows_on_the_tracking_page_without_staff_notes(world):
    _, r, code = file(world)
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", on(dt.date(2026, 3, 4)),
                          {"note": "请写明所申请文件的名称或文号"})
    c = Client()
    page = c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).content.decode()
    assert "待补正" in page and "通知补正申请，请于" in page
    # What to correct is said here, as the 补正告知书 says it, and the letter can be opened (only 通知补正 was said).
    notice = r.letters.get(kind="correction")
    url = f"/public/requests/{r.tracking_no}/letters/{notice.year}-{notice.seq}.docx"
    assert 'id="correction"' in page and url in page and "补正告知书" in page
    assert "请写明所申请文件的名称或文号" in page.split('id="correction-letter"')[1]
    text = "\n".join(p.text for p in Document(io.BytesIO(c.get(url).content)).paragraphs)
    assert "请写明所申请文件的名称或文号" in text and Client().get(url).status_code == 403
    assert c.get(f"/public/requests/{r.tracking_no}/letters/{notice.year}-999.docx").status_code == 404
    services.record_event(world["a_clerk"], r.tracking_no, "receive_correction", on(dt.date(2026, 3, 9)),
                          {"note": "内部备注：电话核实了申请人身份"})
    services.record_event(world["a_reviewer"], r.tracking_no, "answer", on(dt.date(2026, 3, 20)), {"outcome": "granted"})
    page = c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).content.decode()
    assert "已答复" in page and "作出答复：予以公开" in page and "收到补正后的申请" in page
    assert "内部备注" not in page  # a staff note that goes in no letter is not shown
    # The letter goes to the browser that showed the code, not to anyone with the number.
    letter = c.get(f"/public/requests/{r.tracking_no}/letter.docx")
    assert letter.status_code == 200
    assert any(r.tracking_no in p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert Client().get(f"/public/requests/{r.tracking_no}/letter.docx").status_code == 403
    # Staff see who filed it and can read the code out to an applicant who lost it.
    detail = staff(world["a_clerk"]).get(f"/requests/{r.tracking_no}/").content.decode()
    assert "申请人（网上）" in detail and "电子邮件" in detail
    assert services.reveal(world["a_clerk"], r)["query_code"] == code


def test_the_applicant_reads_the_answer_not_table_threes_row(world):
    """The tracking page said 答复结果 （二）部分公开（区分处理的，只计这一情形，不计其他情形）: the
    report's counting instruction, shown to the public as the outcome."""
    _, r, code = file(world)
    services.record_event(world["a_reviewer"], r.tracking_no, "answer", on(dt.date(2026, 3, 20)),
                          {"outcome": "partial", "withheld": "第三方的身份证号码｜个人隐私"})
    page = Client().post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).content.decode()
    assert '<dd id="outcome">部分公开（' in page and "只计" not in page and "作出答复：部分公开" in page
    from ogi.records.outcomes import public_outcome

    assert public_outcome("withheld.third_party") == "不予公开：保护第三方合法权益"
    assert public_outcome("unavailable.not_held") == "无法提供：本机关不掌握相关政府信息"
    staff_page = staff(world["a_clerk"]).get(f"/requests/{r.tracking_no}/").content.decode()
    assert "（二）部分公开" in staff_page and "只计这一情形" not in staff_page  # staff keep table 三's row, without the note


def test_the_same_form_sent_twice_files_one_request(world):
    """A double click (the same token), or Back and submit (the page comes back from the
    server with a new token, the typed fields restored by the browser): one request, its
    receipt shown again. Other words are another request."""
    c = Client()
    page = c.get("/public/apply/").content.decode()
    token = re.search(r'name="once" value="([^"]+)"', page).group(1)
    for _ in range(2):
        assert c.post("/public/apply/", form(world, once=token)).status_code == 302
    assert Request.objects.count() == 1
    receipt = c.get("/public/receipt/").content.decode()
    assert "已经提交过" in receipt and Request.objects.get().tracking_no in receipt
    fresh = re.search(r'name="once" value="([^"]+)"', c.get("/public/apply/").content.decode()).group(1)
    assert fresh != token and c.post("/public/apply/", form(world, once=fresh)).status_code == 302
    assert Request.objects.count() == 1 and "已经提交过" in c.get("/public/receipt/").content.decode()
    other = re.search(r'name="once" value="([^"]+)"', c.get("/public/apply/").content.decode()).group(1)
    assert c.post("/public/apply/", form(world, once=other, content="2024年某路段养护合同")).status_code == 302
    assert Request.objects.count() == 2
    # Staff registering by hand: the same.
    officer = staff(world["a_clerk"])
    token = re.search(r'name="once" value="([^"]+)"', officer.get("/requests/new/").content.decode()).group(1)
    data = {"channel": "in_person", "submitted_on": "2026-03-02", "received_on": "2026-03-02", "applicant_category": "natural",
            "applicant_name": "王五", "applicant_id_type": "", "applicant_id_no": "", "applicant_contact": "13800000000",
            "content": "某文件", "once": token}
    officer.post("/requests/new/", data)
    page = officer.post("/requests/new/", data, follow=True).content.decode()
    assert Request.objects.filter(applicant_name="王五").count() == 1 and "未重复登记" in page
    back = {**data, "once": re.search(r'name="once" value="([^"]+)"', officer.get("/requests/new/").content.decode()).group(1)}
    page = officer.post("/requests/new/", back, follow=True).content.decode()
    assert Request.objects.filter(applicant_name="王五").count() == 1 and "另行登记" in page
    # A second letter with the same words, registered as such.
    officer.post("/requests/new/", {**back, "again": "on"})
    assert Request.objects.filter(applicant_name="王五").count() == 2


def test_the_same_details_find_only_this_browsers_open_request(world):
    """The same request is looked for only among this browser's own open ones, and a
    token only among its own origin's: someone else who types an applicant's details, or
    an API client's key, is given a new request, never the other's number and code; a
    withdrawn request filed again is a new one."""
    from ogi.web.accounts.models import ApiToken

    c, r, code = file(world)
    stranger = Client()
    assert stranger.post("/public/apply/", form(world)).status_code == 302
    receipt = stranger.get("/public/receipt/").content.decode()
    assert code not in receipt and r.tracking_no not in receipt and Request.objects.count() == 2
    # An API client's Idempotency-Key sent as the public form's token finds nothing of the client's.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['b_clerk'], 'portal')}")
    made = api.post("/api/requests", {"channel": "letter", "submitted_on": "2026-03-02", "received_on": "2026-03-02",
                                      "applicant_category": "natural", "applicant_name": "孙八", "applicant_contact": "1",
                                      "content": "某文件"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="1001")
    assert made.status_code == 201
    probe = Client()
    assert probe.post("/public/apply/", form(world, once="1001", content="另一份文件")).status_code == 302
    assert made.json()["tracking_no"] not in probe.get("/public/receipt/").content.decode()
    # Withdrawn, then filed again the same day: a new request.
    c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code})
    c.post(f"/public/requests/{r.tracking_no}/withdraw/", {"confirm": "yes"})
    assert c.post("/public/apply/", form(world)).status_code == 302
    assert r.tracking_no not in c.get("/public/receipt/").content.decode()


def test_the_fee_notice_shows_the_amount_it_stated(world):
    """A reduction does not rewrite what the notice said: 1300 元 stays 1300 元 on its
    line, and the reduction's own line says the new amount."""
    _, r, code = file(world)
    services.record_event(world["a_clerk"], r.tracking_no, "fee_notice", on(dt.date(2026, 3, 4)),
                          {"basis": "per_page", "pages": 130})
    services.record_event(world["a_reviewer"], r.tracking_no, "fee_reduce", on(dt.date(2026, 3, 5)),
                          {"amount": "100", "reason": "申请人系低保户"})
    page = Client().post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).content.decode()
    assert "发出收费通知，金额 1300 元" in page and "应缴金额改为 100 元" in page and "金额 100.00 元" not in page
    services.record_event(world["a_reviewer"], r.tracking_no, "fee_waive", on(dt.date(2026, 3, 6)), {"reason": "决定免收"})
    page = Client().post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).content.decode()
    assert "发出收费通知，金额 1300 元" in page


def test_api_gives_portals_the_query_code(world):
    from ogi.web.accounts.models import ApiToken

    c = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['a_clerk'], 'portal')}")
    body = {"channel": "online", "submitted_on": "2026-03-02", "received_on": "2026-03-02", "applicant_category": "natural",
            "applicant_name": "王五", "content": "某项目的立项批复", "delivery": "post"}
    out = c.post("/api/requests", body, content_type="application/json").json()
    assert services.find_by_code(out["tracking_no"], out["query_code"]).delivery == "post"
    bad = c.post("/api/requests", {**body, "delivery": "carrier pigeon"}, content_type="application/json")
    assert bad.status_code == 422


def test_applicant_withdraws_online(world):
    _, r, code = file(world)
    assert Client().post(f"/public/requests/{r.tracking_no}/withdraw/", {"confirm": "yes"}).status_code == 403
    c = Client()
    page = c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).content.decode()
    assert 'id="withdraw"' in page
    unconfirmed = c.post(f"/public/requests/{r.tracking_no}/withdraw/", {"reason": "已自行查到"}).content.decode()
    assert "请勾选" in unconfirmed and Request.objects.get().state == "registered"
    done = c.post(f"/public/requests/{r.tracking_no}/withdraw/", {"reason": "已自行查到", "confirm": "yes"}).content.decode()
    r.refresh_from_db()
    assert (r.state, r.outcome, r.closed_on) == ("closed", "other.other", FILED)
    assert "申请已撤回" in done and "申请人撤回申请" in done and 'id="withdraw"' not in done
    ev = Event.objects.filter(request=r, event="withdraw").get()
    assert ev.actor is None and ev.note == "申请人在网上撤回申请：已自行查到"
    again = c.post(f"/public/requests/{r.tracking_no}/withdraw/", {"confirm": "yes"}).content.decode()
    assert "不能执行“申请人撤回申请”" in again  # a closed request cannot be withdrawn twice


def test_a_name_of_invisible_characters_is_asked_for_by_the_forms_words(world):
    """Spaces pass as nothing; zero-width characters passed the form and the message then named
    the field 申请人姓名/名称, while the form calls it 姓名或名称."""
    page = Client().post("/public/apply/", {"applicant_name": "\u200b\u200b"}).content.decode()
    assert "申请人姓名/名称" not in page and "姓名或名称" in page


def test_every_letter_comes_as_pdf_too(world):
    """Many applicants cannot open a DOCX: each letter on the tracking page is offered as a
    PDF as well, made once through the letters' own PDF path and kept."""
    from pypdf import PdfReader

    from ogi.web.ledger.models import Letter

    _, r, code = file(world)
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", on(dt.date(2026, 3, 4)),
                          {"note": "请写明所申请文件的名称或文号"})
    c = Client()
    page = c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).content.decode()
    notice = r.letters.get(kind="correction")
    base = f"/public/requests/{r.tracking_no}/letters/{notice.year}-{notice.seq}"
    listed = page.split('id="letters"')[1]
    assert f'href="{base}.pdf"' in listed and f'href="{base}.docx"' in listed
    assert f'href="{base}.pdf"' in page.split('id="correction"')[1].split('id="correction-letter"')[0]
    pdf = c.get(f"{base}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"] and ".pdf" in pdf["Content-Disposition"]
    text = re.sub(r"\s", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "请写明所申请文件的名称或文号" in text and r.tracking_no in text
    assert bytes(Letter.objects.get(pk=notice.pk).pdf) == pdf.content  # kept: the letter as sent stays as shown
    assert c.get(f"{base}.docx").content.startswith(b"PK")  # the DOCX stays
    for who, path, status in ((Client(), f"{base}.pdf", 403), (c, f"{base}.exe", 404), (c, f"{base}.html", 404),
                              (c, f"/public/requests/{r.tracking_no}/letters/{notice.year}-999.pdf", 404)):
        assert who.get(path).status_code == status, path


def test_a_letter_asked_for_in_capitals_or_with_zeros_is_sent_on_to_its_address(world):
    """…/letters/2026-1.PDF (as a phone's keyboard or a note copied by hand writes it) answered
    404: it is sent on (301) to the one address of the file, which answers to the browser that
    has shown the code and to no other."""
    _, r, code = file(world)
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", on(dt.date(2026, 3, 4)),
                          {"note": "请写明所申请文件的名称或文号"})
    c = Client()
    c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code})
    notice = r.letters.get(kind="correction")
    base = f"/public/requests/{r.tracking_no}"
    name = f"{base}/letters/{notice.year}-{notice.seq}"
    for asked, meant in ((f"{name}.PDF", f"{name}.pdf"), (f"{name}.Docx", f"{name}.docx"),
                         (f"{base}/letters/{notice.year}-0{notice.seq}.PDF", f"{name}.pdf"),
                         (f"{base}/letter.PDF", f"{base}/letter.pdf"), (f"{base}/letter.DOCX", f"{base}/letter.docx")):
        resp = c.get(asked)
        assert resp.status_code == 301 and resp["Location"] == meant, asked
    assert c.get(f"{name}.PDF", follow=True).content.startswith(b"%PDF")
    assert c.get(f"{name}.DOCX", follow=True).content.startswith(b"PK")
    assert Client().get(f"{name}.PDF", follow=True).status_code == 403  # sent on, then refused as before
    for missing in (f"{name}.EXE", f"{base}/letter.TXT", f"{base}/letters/{notice.year}-0.pdf"):
        assert c.get(missing, follow=True).status_code == 404, missing


def test_numbers_typed_in_full_width_are_the_same_numbers(world):
    """A Chinese input method types ３２０１… : the ID number was refused as 位数或校验位不符, and
    the request number on the tracking page counted as a wrong try."""
    _, r, code = file(world, applicant_id_no="３２０１０２１９８８０２０２３４５８")
    assert r.applicant_id_no == "320102198802023458"
    wide = r.tracking_no.translate(str.maketrans("0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                                 "０１２３４５６７８９－ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"))
    page = Client().post("/public/track/", {"tracking_no": wide, "query_code": code}).content.decode()
    assert "办理中" in page and r.tracking_no in page


def test_the_reply_is_offered_as_pdf_first(world):
    _, r, code = file(world)
    services.record_event(world["a_reviewer"], r.tracking_no, "answer", on(dt.date(2026, 3, 20)), {"outcome": "granted"})
    c = Client()
    page = c.post("/public/track/", {"tracking_no": r.tracking_no, "query_code": code}).content.decode()
    assert f'href="/public/requests/{r.tracking_no}/letter.pdf" id="letter"' in page
    assert f'href="/public/requests/{r.tracking_no}/letter.docx"' in page
