"""Letters in the ledger: issued with their event, numbered per agency and year without a
gap or a repeat (also under concurrency), refused with the event when they cannot be
written, and downloaded only by the agency's own staff, each download audited."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from docx import Document

from ogi.web import clock
from ogi.web.ledger import notices, services
from ogi.web.ledger.models import Event, Letter
from ogi.workflow.requests import Refused

from .conftest import TODAY, request_data
from .test_concurrency import _race
from .test_ledger import login


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_each_event_issues_its_letter_numbered_in_order(world):
    world["a"].letter_prefix = "市商务"
    world["a"].save()
    r = services.register(world["a_clerk"], request_data(content="某地块征收补偿款发放明细。"))
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", dt.date(2026, 3, 4), {"note": "请明确地块位置"})
    services.record_event(world["a_clerk"], r.tracking_no, "receive_correction", dt.date(2026, 3, 9), {})
    services.record_event(world["a_reviewer"], r.tracking_no, "extend", dt.date(2026, 3, 20), {"days": 10, "note": "需调取档案"})
    services.record_event(world["a_reviewer"], r.tracking_no, "answer", dt.date(2026, 4, 1),
                          {"outcome": "partial", "withheld": "地块权利人的身份证号码｜第三方合法权益\n内部请示｜过程性信息"})
    letters = list(r.letters.order_by("seq"))
    assert [(x.kind, x.number) for x in letters] == [("correction", "市商务公开〔2026〕第1号"),
                                                      ("extension", "市商务公开〔2026〕第2号"),
                                                      ("reply", "市商务公开〔2026〕第3号")]
    assert [x.event.event for x in letters] == ["request_correction", "extend", "answer"]
    reply = "\n".join(letters[2].paragraphs)
    assert "1.“地块权利人的身份证号码”" in reply and "第十五条" in reply and "第十六条第二款" in reply
    assert "明细。”" not in reply and "60日内" in reply
    # Another agency counts on its own.
    other = services.register(world["b_clerk"], request_data())
    services.record_event(world["b_clerk"], other.tracking_no, "request_correction", dt.date(2026, 3, 4), {"note": "请写明文号"})
    assert other.letters.get().number == "某市民政局公开〔2026〕第1号"


def test_an_event_whose_letter_cannot_be_written_does_not_happen(world):
    r = services.register(world["a_clerk"], request_data())
    with pytest.raises(Refused, match="不予公开的部分"):
        services.record_event(world["a_reviewer"], r.tracking_no, "answer", dt.date(2026, 3, 4), {"outcome": "partial"})
    with pytest.raises(Refused, match="不予公开的内容｜理由"):
        services.record_event(world["a_reviewer"], r.tracking_no, "answer", dt.date(2026, 3, 4),
                              {"outcome": "partial", "withheld": "一些内容"})
    r.refresh_from_db()
    assert r.state == "registered" and r.version == 0 and not r.letters.exists()
    assert not Event.objects.filter(request=r).exclude(event="register").exists()
    # The refused attempts took no number: the next letter is the first.
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", dt.date(2026, 3, 4), {"note": "写明文号"})
    assert r.letters.get().seq == 1


@pytest.mark.django_db(transaction=True)
def test_numbers_never_repeat_under_concurrency(world):
    rows = [services.register(world["a_clerk"], request_data()) for _ in range(6)]
    results = _race([lambda t=r.tracking_no: services.record_event(world["a_clerk"], t, "request_correction",
                                                                     dt.date(2026, 3, 4), {"note": "写明文号"})
                     for r in rows])
    assert all(not isinstance(x, Exception) for x in results), results
    assert sorted(Letter.objects.filter(agency=world["a"]).values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert connection.vendor in ("sqlite", "postgresql")


def test_receipt_and_downloads_are_for_own_staff_and_audited(world, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)  # letters are numbered in the year they are issued
    r = services.register(world["a_clerk"], request_data(channel="in_person"))
    c = login(world["a_clerk"])
    resp = c.post(f"/requests/{r.tracking_no}/receipt/", follow=True)
    page = resp.content.decode()
    assert "已出具受理回执 某市商务局公开〔2026〕第1号" in page, re.findall(r'<div class="msg[^"]*"[^>]*>([^<]*)<', page)
    row = r.letters.get(kind="receipt")
    # Clicked again: the one receipt, not a second number.
    again = c.post(f"/requests/{r.tracking_no}/receipt/", follow=True).content.decode()
    assert "本申请已出具受理回执 某市商务局公开〔2026〕第1号" in again and r.letters.filter(kind="receipt").count() == 1
    assert 'id="issue-receipt"' not in again  # the button is gone once the receipt is issued
    data = c.get(f"/requests/{r.tracking_no}/letters/{row.year}-{row.seq}.docx")
    assert data.status_code == 200
    text = _text(data.content)
    assert "受理回执" in text and "当面提交的，以提交之日为收到申请之日" in text and "第三十三条" in text
    assert "收到您当面提交的政府信息公开申请" in text and "提交提交" not in text  # it read 通过当面提交提交的
    assert Event.objects.filter(request=r, event="download_letter").count() == 1
    # The supervisor sees the request but not the letter (it names the applicant).
    sup = login(world["supervisor"])
    assert sup.get(f"/requests/{r.tracking_no}/letters/{row.year}-{row.seq}.docx").status_code == 403
    assert sup.post(f"/requests/{r.tracking_no}/receipt/").status_code == 403
    assert login(world["b_clerk"]).get(f"/requests/{r.tracking_no}/letters/{row.year}-{row.seq}.docx").status_code == 404
    assert c.get(f"/requests/{r.tracking_no}/letters/{row.year}-99.docx").status_code == 404
    # Written in capitals (a link typed or copied by hand), it is the same file.
    assert c.get(f"/requests/{r.tracking_no}/letters/{row.year}-{row.seq}.DOCX").content[:2] == b"PK"
    assert c.get(f"/requests/{r.tracking_no}/letters/{row.year}-{row.seq}.EXE").status_code == 404
    # Once answered, no receipt is offered or issued (it would be numbered after the reply).
    done = services.register(world["a_clerk"], request_data(channel="in_person"))
    services.record_event(world["a_reviewer"], done.tracking_no, "answer", TODAY, {"outcome": "granted"})
    assert 'id="issue-receipt"' not in c.get(f"/requests/{done.tracking_no}/").content.decode()
    assert "已办结，不再出具受理回执" in c.post(f"/requests/{done.tracking_no}/receipt/", follow=True).content.decode()


def test_pdf_download_is_made_once_and_kept(world, monkeypatch):
    r = services.register(world["a_clerk"], request_data())
    services.record_event(world["a_clerk"], r.tracking_no, "request_correction", dt.date(2026, 3, 4), {"note": "写明文号"})
    row = r.letters.get()
    calls = []
    monkeypatch.setattr(notices.draw, "to_pdf", lambda data: calls.append(data) or b"%PDF-1.7 stub")
    c = login(world["a_clerk"])
    for _ in range(2):
        resp = c.get(f"/requests/{r.tracking_no}/letters/{row.year}-{row.seq}.pdf")
        assert resp.status_code == 200 and resp.content == b"%PDF-1.7 stub"
    assert len(calls) == 1


def test_a_withheld_reason_written_out_names_its_ground_and_the_form_lists_them():
    from ogi.web.ledger.forms import EventForm
    from ogi.web.ledger.notices import parse_withheld

    assert parse_withheld("企业银行账户信息｜涉及商业秘密，依据条例第十五条") == [("企业银行账户信息", "withheld.third_party")]
    with pytest.raises(Refused, match="理由为以下之一"):  # naming two grounds at once: which is meant is asked
        parse_withheld("会议纪要｜涉及国家秘密和商业秘密")
    form = EventForm(("outcome", "withheld", "note")).as_p()
    assert "理由写明以下之一：国家秘密" in form and "第三方合法权益" in form
    # A note that goes into the applicant's letter says so (labelled 说明, a staff remark went out in it).
    assert "需要补正的事项（写入补正告知书，申请人可见）" in EventForm(("note", "correction_due"), prefix="request_correction").as_p()
    assert "延期理由（写入延期答复告知书，申请人可见）" in EventForm(("days", "note"), prefix="submit_extension").as_p()
    assert "说明" in EventForm(("note",), prefix="archive").as_p()
