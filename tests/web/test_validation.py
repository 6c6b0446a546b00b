"""One validation layer for every door: what the pages refuse, the API refuses too — with a
422, a Chinese message and an English one, the field at fault, and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from ogi.records import validate
from ogi.web.accounts.models import ApiToken
from ogi.web.ledger import services
from ogi.web.ledger.models import Event, Request

from .conftest import request_data

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    from ogi.web import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)


def api(world, role: str = "a_clerk") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world[role], 'test')}")


GOOD = {"channel": "letter", "submitted_on": "2026-03-02", "received_on": "2026-03-03", "applicant_category": "natural",
        "applicant_name": "张小明", "applicant_id_no": "320102199001011232", "applicant_contact": "13812345678",
        "content": "某地块征收补偿方案"}

BAD_REQUESTS = {
    "applicant_category": {"applicant_category": "bogus"},
    "channel": {"channel": "pigeon"},
    "delivery": {"delivery": "drone"},
    "name_huge": {"applicant_name": "名" * 200_000},
    "name_empty": {"applicant_name": "   "},
    "content_empty": {"content": ""},
    "content_invisible": {"content": "\u200b\u200b\ufeff"},  # zero-width characters only: nothing to look for
    "name_bidi_only": {"applicant_name": "\u202e\u2066"},
    "id_long": {"applicant_id_no": "1" * 1000},
    "id_check_digit": {"applicant_id_no": "320102199001011234"},
    "id_credit_code": {"applicant_category": "commercial", "applicant_id_no": "91320102MA1XXXXXX0"},
    "id_type": {"applicant_id_type": "library_card", "applicant_id_no": "A1234567"},
    "received_future": {"submitted_on": "2026-03-02", "received_on": "2099-01-01"},
    "received_before_submitted": {"submitted_on": "2026-03-05", "received_on": "2026-03-02"},
    "date_garbage": {"received_on": "三月二日"},
    "date_ancient": {"submitted_on": "1999-01-01", "received_on": "1999-01-02"},
    "unknown_field": {"state": "answered"},
    "wrong_type": {"applicant_name": 12345},
}


def test_bidirectional_overrides_are_dropped_from_what_letters_print(world):
    resp = api(world).post("/api/requests", {**GOOD, "applicant_name": "张\u202e明小"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    assert Request.objects.get().applicant_name == "张明小"


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_api_refuses_every_bad_request_field(world, case):
    resp = api(world).post("/api/requests", {**GOOD, **BAD_REQUESTS[case]}, content_type="application/json")
    body = resp.json()
    assert resp.status_code == 422, body
    assert body["message"] and body["message_en"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    assert not Request.objects.exists() and not Event.objects.exists()


def test_api_accepts_the_good_request_and_other_documents(world):
    c = api(world)
    assert c.post("/api/requests", GOOD, content_type="application/json").status_code == 201
    passport = {**GOOD, "applicant_id_type": "passport", "applicant_id_no": "E12345678"}
    assert c.post("/api/requests", passport, content_type="application/json").status_code == 201
    credit = {**GOOD, "applicant_category": "commercial", "applicant_id_no": "91350100M000100Y43"}
    assert c.post("/api/requests", credit, content_type="application/json").status_code == 201
    assert Request.objects.count() == 3


def test_api_retry_with_the_same_idempotency_key_registers_once(world):
    """A portal that lost the answer and sends again: one request, answered 200 the second time."""
    c = api(world)
    first = c.post("/api/requests", GOOD, content_type="application/json", HTTP_IDEMPOTENCY_KEY="portal-7731")
    again = c.post("/api/requests", GOOD, content_type="application/json", HTTP_IDEMPOTENCY_KEY="portal-7731")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["tracking_no"] == again.json()["tracking_no"] and Request.objects.count() == 1
    # Another client's same key is its own; no key registers each time.
    other = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['a_reviewer'], 'other')}")
    assert other.post("/api/requests", GOOD, content_type="application/json", HTTP_IDEMPOTENCY_KEY="portal-7731").status_code == 201
    assert c.post("/api/requests", GOOD, content_type="application/json").status_code == 201
    assert Request.objects.count() == 3
    # The same key with other content: a 409 that says so in both languages (the English spoke of
    # a concurrent change); a key too long says its length.
    reused = c.post("/api/requests", {**GOOD, "content": "另一份文件"}, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="portal-7731")
    assert reused.status_code == 409 and "内容不同" in reused.json()["message"]
    assert "Idempotency-Key was used" in reused.json()["message_en"]
    long = c.post("/api/requests", GOOD, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k" * 5000)
    assert long.status_code == 422 and "5000" in long.json()["message"] and "5000" in long.json()["message_en"]


def test_api_takes_the_category_label_its_message_offers_and_says_what_a_field_takes(world):
    c = api(world)
    # The refusal lists the categories in Chinese: a client that sends one as listed is understood.
    offered = c.post("/api/requests", {**GOOD, "applicant_category": "bogus"}, content_type="application/json").json()
    assert "自然人" in offered["message"]
    resp = c.post("/api/requests", {**GOOD, "applicant_category": "自然人"}, content_type="application/json")
    assert resp.status_code == 201 and resp.json()["applicant_category"] == "natural"
    channel = c.post("/api/requests", {**GOOD, "channel": "信函"}, content_type="application/json").json()
    assert "letter" in channel["message"] and "in_person" in channel["message"]
    missing = c.post("/api/requests", {k: v for k, v in GOOD.items() if k != "content"}, content_type="application/json")
    assert missing.json()["message"] == "缺少“申请公开的政府信息”"
    extra = c.post("/api/requests", {**GOOD, "state": "answered"}, content_type="application/json").json()
    assert extra["message"] == "不认识的字段“state”"


def test_api_malformed_bodies_answer_422_in_both_languages(world):
    c = api(world)
    for body in ("", "[]", "{", '{"channel": ' + "[" * 5000 + "]" * 5000 + "}", "null", '"text"'):
        resp = c.post("/api/requests", body, content_type="application/json")
        assert resp.status_code in (400, 422), (body[:20], resp.status_code)
        assert resp.json()["message_en"]
    assert not Request.objects.exists()
    assert Client().get("/api/requests/X").json()["message"]  # no token: a Chinese 401


BAD_EVENTS = {
    "extend_days_text": ("a_reviewer", "extend", {"days": "abc"}),
    "extend_days_big": ("a_reviewer", "extend", {"days": 21}),
    "extend_days_zero": ("a_reviewer", "extend", {"days": 0}),
    "fee_amount_typed": ("a_clerk", "fee_notice", {"basis": "per_page", "pages": 101, "amount": 12345678901}),
    "fee_basis": ("a_clerk", "fee_notice", {"basis": "whatever"}),
    "answer_outcome": ("a_reviewer", "answer", {"outcome": "bogus"}),
    "answer_unknown_input": ("a_reviewer", "answer", {"outcome": "granted", "state": "archived"}),
    "correction_due_before": ("a_clerk", "request_correction", {"correction_due": "2026-03-01"}),
    "correction_due_garbage": ("a_clerk", "request_correction", {"correction_due": "下周"}),
    "party_empty": ("a_clerk", "start_consultation", {"party": ""}),
    "note_huge": ("a_clerk", "withdraw", {"note": "字" * 10_000}),
    "inputs_not_object": ("a_clerk", "withdraw", ["note"]),
}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_api_refuses_every_bad_event_input(world, case):
    role, event, inputs = BAD_EVENTS[case]
    r = services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 3, 10), submitted_on=dt.date(2026, 3, 10)))
    before = (Request.objects.filter(pk=r.pk).values().get(), Event.objects.count())
    resp = api(world, role).post(f"/api/requests/{r.tracking_no}/events", {"event": event, "on": "2026-03-12", "inputs": inputs},
                                 content_type="application/json")
    assert resp.status_code == 422, resp.json()
    assert resp.json()["message_en"]
    assert (Request.objects.filter(pk=r.pk).values().get(), Event.objects.count()) == before


@pytest.mark.parametrize("on", ["2099-01-01", "2026-03-09", "someday"])
def test_api_refuses_event_dates_in_the_future_or_before_receipt(world, on):
    r = services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 3, 10), submitted_on=dt.date(2026, 3, 10)))
    resp = api(world, "a_reviewer").post(f"/api/requests/{r.tracking_no}/events",
                                         {"event": "answer", "on": on, "inputs": {"outcome": "granted"}}, content_type="application/json")
    assert resp.status_code == 422
    assert Request.objects.get(pk=r.pk).state == "registered"


def test_a_step_is_not_dated_before_the_one_it_follows(world):
    """A correction received before it was asked for, a consultation ended before it
    began: refused, and nothing changed (the clock restarted from the earlier date, the
    pause was dropped)."""
    r = services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 3, 10), submitted_on=dt.date(2026, 3, 10)))
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", dt.date(2026, 3, 12), {})
    with pytest.raises(validate.Invalid, match="早于本申请上一项操作“通知补正”的日期（2026-03-12）"):
        services.record_event(world["a_clerk"], r.tracking_no, "receive_correction", dt.date(2026, 3, 11), {})
    assert Request.objects.get(pk=r.pk).state == "correction"
    services.record_event(world["a_clerk"], r.tracking_no, "receive_correction", dt.date(2026, 3, 12), {})  # the same day
    services.record_event(world["a_clerk"], r.tracking_no, "start_consultation", dt.date(2026, 3, 13), {"party": "某公司"})
    resp = api(world, "a_clerk").post(f"/api/requests/{r.tracking_no}/events", {"event": "end_consultation", "on": "2026-03-12"},
                                      content_type="application/json")
    assert resp.status_code == 422 and "早于本申请上一项操作“征求第三方或其他机关意见”" in resp.json()["message"]
    assert Request.objects.get(pk=r.pk).state == "consulting"
    # An extension recorded on 3-16, then the third party's reply of 3-14 entered: it fits (the
    # extension did not move the request on; the consultation did).
    services.record_event(world["a_reviewer"], r.tracking_no, "extend", dt.date(2026, 3, 16), {"days": 5})
    services.record_event(world["a_clerk"], r.tracking_no, "end_consultation", dt.date(2026, 3, 14), {})
    assert Request.objects.get(pk=r.pk).state == "registered"


def test_fee_follows_the_rule_and_a_reduction_is_a_reasoned_event(world):
    r = services.register(world["a_clerk"], request_data(received_on=dt.date(2026, 3, 10), submitted_on=dt.date(2026, 3, 10)))
    r = services.record_event(world["a_clerk"], r.tracking_no, "fee_notice", dt.date(2026, 3, 11), {"basis": "per_page", "pages": 101})
    assert r.fee_amount == 720  # pages 31–100 at 10 元, page 101 at 20 元
    with pytest.raises(validate.Invalid):
        services.record_event(world["a_reviewer"], r.tracking_no, "fee_reduce", dt.date(2026, 3, 12), {"amount": "100"})
    with pytest.raises(validate.Invalid):
        services.record_event(world["a_reviewer"], r.tracking_no, "fee_reduce", dt.date(2026, 3, 12), {"amount": "999", "reason": "x"})
    r = services.record_event(world["a_reviewer"], r.tracking_no, "fee_reduce", dt.date(2026, 3, 12),
                              {"amount": "100", "reason": "申请人系低保户，经负责人批准减收"})
    assert r.fee_amount == 100 and r.state == "fee_pending"
    assert Event.objects.filter(request=r, event="fee_reduce").get().note.startswith("申请人系低保户")
    r = services.record_event(world["a_reviewer"], r.tracking_no, "fee_waive", dt.date(2026, 3, 13), {"reason": "决定免收"})
    assert r.fee_amount == 0 and r.state == "registered"


def test_the_register_page_refuses_what_the_api_refuses_and_keeps_the_dates(world):
    from django.http import HttpRequest

    from .conftest import PASSWORD

    c = Client()
    assert c.login(request=HttpRequest(), username="a-clerk", password=PASSWORD)
    page = c.get("/requests/new/").content.decode()
    assert f'value="{TODAY.isoformat()}"' in page and f'max="{TODAY.isoformat()}"' in page
    assert "---------" not in page and '<option value="" selected>请选择</option>' in page  # a blank choice in words
    form = {**GOOD, "received_on": "2099-01-01"}
    resp = c.post("/requests/new/", form)
    text = resp.content.decode()
    assert resp.status_code == 200 and "晚于今天" in text and text.count("晚于今天") == 1
    assert not Request.objects.exists()


# --- the pure rules ----------------------------------------------------------------------------

@given(st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)), st.integers(11, 65), st.integers(0, 999))
def test_any_resident_id_with_its_check_digit_passes_and_any_other_digit_fails(born, region, seq):
    province = sorted(validate._PROVINCES)[region % len(validate._PROVINCES)]
    first = f"{province:02d}0102{born:%Y%m%d}{seq:03d}"
    good = first + validate.gb11643_check(first)
    assert validate.gb11643_problem(good) is None
    for wrong in "0123456789X":
        if wrong != good[-1]:
            assert validate.gb11643_problem(first + wrong) is not None


@given(st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_any_credit_code_with_its_check_character_passes(first):
    good = first + validate.gb32100_check(first)
    assert validate.gb32100_problem(good) is None
    assert validate.gb32100_problem(first + ("0" if good[-1] != "0" else "1")) is not None


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none(), st.booleans(), st.lists(st.integers(), max_size=3)))
def test_figures_and_money_never_raise(value):
    for unit in ("count", "signed_count", "yuan"):
        out = validate.clean_figure(value, unit)
        assert out is None or (unit == "signed_count" or out >= 0)
    validate.money(value)


@given(st.dictionaries(st.sampled_from(["days", "outcome", "note", "pages", "basis", "amount", "x", "correction_due"]),
                       st.one_of(st.text(max_size=20), st.integers(), st.none(), st.floats(allow_nan=True)), max_size=5),
       st.sampled_from(["extend", "answer", "fee_notice", "request_correction", "withdraw", "fee_reduce"]))
def test_event_inputs_are_cleaned_or_refused_never_crash(inputs, event):
    try:
        validate.clean_event(event, "2026-03-12", inputs, dt.date(2026, 3, 10), TODAY, fee_amount=None)
    except validate.Invalid as e:
        assert e.problems and all(p.message_zh and p.message_en for p in e.problems)


def test_an_identity_number_is_refused_with_its_reason():
    """A number shaped as an identity card number says what is wrong with it: the applicant
    who typed a birth date that cannot be does not go looking for a wrong check digit."""
    def refused(id_no: str) -> str:
        with pytest.raises(validate.Invalid) as e:
            validate.clean_request({**GOOD, "applicant_id_no": id_no}, today=dt.date(2026, 12, 7))
        return next(p.message_zh for p in e.value.problems if p.field == "applicant_id_no")

    born_2030 = "11010120300307123"
    assert "出生日期" in refused(born_2030 + validate.gb11643_check(born_2030))
    month_13 = "11010519491331002"
    assert "出生日期" in refused(month_13 + validate.gb11643_check(month_13))
    assert "校验位不符" in refused("110101199003071234")


def test_the_document_must_fit_the_applicant():
    """A person filed with a credit code (123456789012345678 happens to pass its check) and a
    company filed online with a personal identity card were both taken."""
    today = dt.date(2026, 12, 7)
    with pytest.raises(validate.Invalid, match="自然人的证件应为居民身份证"):
        validate.clean_request({**GOOD, "applicant_id_no": "91320102MA1Q2W3E4Y"}, today=today)
    # A person's number of an identity card's shape is a mistyped card, whatever other check it
    # passes: its own fault is said (a 13th month was answered 所填号码是统一社会信用代码).
    for typo in ("11010519491331002X", "123456789012345678"):
        with pytest.raises(validate.Invalid, match="居民身份证") as e:
            validate.clean_request({**GOOD, "applicant_id_no": typo}, today=today)
        assert "统一社会信用代码" not in str(e.value), typo
    company = {**GOOD, "applicant_category": "commercial", "applicant_name": "某某科技有限公司", "channel": "online",
               "delivery": "email"}
    with pytest.raises(validate.Invalid, match="请填写单位的统一社会信用代码"):
        validate.clean_request(company, today=today, public=True)
    # A letter staff register may carry only its contact's card: taken as it came.
    assert validate.clean_request(company, today=today)["applicant_id_type"] == "resident_id"
    assert validate.clean_request({**company, "applicant_id_no": "91350100M000100Y43"}, today=today, public=True)
    # A credit code that also passes the identity card's check (a 事业单位's 12… code): an organisation's.
    both = "121101196001012343"
    assert validate.gb11643_problem(both) is None and validate.gb32100_problem(both) is None
    research = {**company, "applicant_category": "research", "applicant_id_no": both}
    assert validate.clean_request(research, today=today, public=True)["applicant_id_type"] == "uscc"


def test_handed_in_it_is_received_the_day_it_was_handed_in():
    """A clerk set 提交日期 to two days ago and left 收到申请之日 at today: saved, with the log
    saying 以提交之日为收到申请之日 and a due date two working days late."""
    today = dt.date(2026, 12, 7)
    handed = {**GOOD, "channel": "in_person", "submitted_on": "2026-12-03"}
    with pytest.raises(validate.Invalid, match="应为 2026-12-03"):
        validate.clean_request({**handed, "received_on": "2026-12-07"}, today=today, handed_in_rule=True)
    got = validate.clean_request({**handed, "received_on": ""}, today=today, handed_in_rule=True)
    assert got["received_on"] == dt.date(2026, 12, 3)
    # A ledger imported (whose rows default to 当面 when it has no channel column), or a request
    # stored before, is taken with the dates it kept: the review found a whole import refused.
    kept = validate.clean_request({**handed, "received_on": "2026-12-07"}, today=today)
    assert kept["received_on"] == dt.date(2026, 12, 7)
    by_post = {**GOOD, "channel": "letter", "submitted_on": "2026-12-01", "received_on": "2026-12-03"}
    assert validate.clean_request(by_post, today=today)["received_on"] == dt.date(2026, 12, 3)  # 签收之日: may differ
    with pytest.raises(validate.Invalid, match="请填写“收到申请之日”"):
        validate.clean_request({**by_post, "received_on": ""}, today=today)
