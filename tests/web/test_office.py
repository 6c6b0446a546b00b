"""The office's daily tool: the reviewer's queue, the daily digest (in the app and by
e-mail through a real SMTP server), staff managed by the agency administrator and the
first-login password change."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller
from django.http import HttpRequest
from django.test import Client

from ogi.web.accounts import users as accounts
from ogi.web.accounts.models import Staff
from ogi.web.ledger import reminders, review, services
from ogi.web.ledger.models import Event
from ogi.web.reporting.models import AnnualReport
from ogi.workflow.requests import Refused

from .conftest import request_data
from .test_ledger import login

DAY = dt.date(2026, 3, 26)


def _received(n_workdays_ago_date: dt.date):  # type: ignore[no-untyped-def]
    return request_data(received_on=n_workdays_ago_date, submitted_on=n_workdays_ago_date)


@pytest.fixture
def ledger(world):  # type: ignore[no-untyped-def]
    """One late request, one due in a few days, one with weeks to go."""
    late = services.register(world["a_clerk"], _received(dt.date(2026, 2, 2)))
    soon = services.register(world["a_clerk"], _received(dt.date(2026, 3, 2)))
    later = services.register(world["a_clerk"], _received(dt.date(2026, 3, 25)))
    return {**world, "late": late, "soon": soon, "later": later}


def _at_day(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ogi.web import clock

    monkeypatch.setattr(clock, "today", lambda: DAY)


def test_digest_lists_overdue_and_due_within_five_working_days(ledger):
    d = reminders.digest(ledger["a_clerk"], DAY)
    assert [r.tracking_no for r, _ in d.overdue] == [ledger["late"].tracking_no]
    assert [r.tracking_no for r, _ in d.due_soon] == [ledger["soon"].tracking_no]
    assert all(due.days_left <= 5 for _, due in d.due_soon)
    text = d.text("https://ogi.example")
    assert ledger["late"].tracking_no in text and "已逾期" in text and ledger["later"].tracking_no not in text
    assert f"https://ogi.example/requests/{ledger['soon'].tracking_no}/" in text
    # Another agency's clerk has nothing; the supervisor sees the late one but not the ones still in time.
    assert reminders.digest(ledger["b_clerk"], DAY).empty
    sup = reminders.digest(ledger["supervisor"], DAY)
    assert [r.tracking_no for r, _ in sup.overdue] == [ledger["late"].tracking_no] and not sup.due_soon


def test_clerk_submits_answer_reviewer_sees_it_and_answers(ledger, monkeypatch):
    _at_day(monkeypatch)  # submissions are judged on the day they are made
    t = ledger["soon"].tracking_no
    with pytest.raises(Refused):
        services.record_event(ledger["a_clerk"], t, "answer", DAY, {"outcome": "granted"})
    review.submit(ledger["a_clerk"], t, "submit_answer", {"outcome": "unavailable.not_held", "note": "经检索无此信息"})
    review.submit(ledger["a_clerk"], ledger["later"].tracking_no, "submit_extension", {"days": 15, "note": "需调档"})
    AnnualReport.objects.create(agency=ledger["a"], year=2025, state="review")
    d = reminders.digest(ledger["a_reviewer"], DAY)
    assert [(p.request.tracking_no, p.event) for p in d.to_review] == [(t, "answer"), (ledger["later"].tracking_no, "extend")]
    assert [a.year for a in d.reports] == [2025]
    assert reminders.digest(ledger["a_clerk"], DAY).to_review == []
    # The reviewer's page: the queue, and the answer form filled from the submission.
    c = login(ledger["a_reviewer"])
    inbox = c.get("/").content.decode()
    assert "待我审核（3）" in inbox and "拟答复：（四）无法提供1.本机关不掌握相关政府信息" in inbox and "2025年度报告" in inbox
    page = c.get(f"/requests/{t}/").content.decode()
    assert 'value="unavailable.not_held" selected' in page
    services.record_event(ledger["a_reviewer"], t, "answer", DAY, {"outcome": "unavailable.not_held"})
    assert [p.event for p in review.pending(services.visible(ledger["a_reviewer"]))] == ["extend"]



def test_an_answer_submitted_after_an_extension_takes_its_place_in_the_queue(ledger, monkeypatch):
    _at_day(monkeypatch)
    t = ledger["later"].tracking_no
    review.submit(ledger["a_clerk"], t, "submit_extension", {"days": 15, "note": "需调档"})
    assert [p.event for p in review.pending_for(ledger["later"]).values()] == ["extend"]
    answer = review.submit(ledger["a_clerk"], t, "submit_answer", {"outcome": "granted"})
    assert list(review.pending_for(ledger["later"])) == ["answer"]
    # Said in the log (it read as if both still waited).
    assert answer.label.endswith("（取代此前延长答复期限的提请）") and answer.changes["supersedes"]
    # An extension submitted after the answer is the clerk's second thought: both wait.
    review.submit(ledger["a_clerk"], t, "submit_extension", {"days": 10})
    assert sorted(review.pending_for(ledger["later"])) == ["answer", "extend"]


def test_the_reviewer_sends_a_submission_back_with_its_reason(ledger, monkeypatch):
    """A reviewer who did not agree had no way to say so: the submission waited for ever, or was
    executed as submitted. Sent back, it leaves the reviewer's queue, and its clerk sees why."""
    _at_day(monkeypatch)  # submissions are judged on the day they are made
    t = ledger["later"].tracking_no
    review.submit(ledger["a_clerk"], t, "submit_extension", {"days": 15, "note": "需调档"})
    c = login(ledger["a_reviewer"])
    page = c.get(f"/requests/{t}/").content.decode()
    assert 'data-return="submit_extension"' in page
    blank = c.post(f"/requests/{t}/submit/submit_extension/return/", {"return-reason": "  "}, follow=True)
    assert "请写明退回的理由" in blank.content.decode()
    assert [p.event for p in review.pending(services.visible(ledger["a_reviewer"]))] == ["extend"]
    c.post(f"/requests/{t}/submit/submit_extension/return/", {"return-reason": "调档理由不足以延期，请直接答复"})
    assert review.pending(services.visible(ledger["a_reviewer"])) == []
    # Not twice, and not by the clerk.
    again = c.post(f"/requests/{t}/submit/submit_extension/return/", {"return-reason": "再退"}, follow=True).content.decode()
    assert "已经处理" in again
    with pytest.raises(Refused):
        review.send_back(ledger["a_clerk"], t, "submit_extension", "自己退")
    # The clerk sees it in the inbox and the mail, with the reason; submitting again clears it.
    d = reminders.digest(ledger["a_clerk"], DAY)
    assert [e.request.tracking_no for e in d.returned] == [t] and "被退回 1 项" in d.subject
    assert "调档理由不足以延期，请直接答复" in d.text()
    inbox = login(ledger["a_clerk"]).get("/").content.decode()
    assert 'id="returned"' in inbox and "调档理由不足以延期" in inbox
    # The form comes back as it was sent, to be amended (it came back empty).
    mine = login(ledger["a_clerk"]).get(f"/requests/{t}/").content.decode()
    form = mine.split('name="submit_extension-days"')[1][:80]
    assert 'value="15"' in form and "需调档</textarea>" in mine
    assert reminders.digest(ledger["a_reviewer"], DAY).returned == []  # the reviewer's own queue is empty
    review.submit(ledger["a_clerk"], t, "submit_extension", {"days": 5, "note": "补充调档说明"})
    assert reminders.digest(ledger["a_clerk"], DAY).returned == []
    assert [p.event for p in review.pending(services.visible(ledger["a_reviewer"]))] == ["extend"]
    # The audit log names it, without raw ids.
    log = login(ledger["a_clerk"]).get(f"/requests/{t}/").content.decode()
    assert "退回提请：延长答复期限" in log and "returned" not in log
    # The reviewer returns only what was seen: a submission made again meanwhile is not returned unseen.
    seen = review.pending_for(ledger["later"])["extend"].submission.pk
    review.submit(ledger["a_clerk"], t, "submit_extension", {"days": 3, "note": "只需三天"})
    stale = c.post(f"/requests/{t}/submit/submit_extension/return/", {"return-reason": "太长", "submission": str(seen)}, follow=True)
    assert "请刷新页面" in stale.content.decode()
    assert [p.event for p in review.pending(services.visible(ledger["a_reviewer"]))] == ["extend"]
    # Sent back, then extended by the reviewer after all: no longer waiting in the clerk's inbox.
    newest = review.pending_for(ledger["later"])["extend"].submission.pk
    c.post(f"/requests/{t}/submit/submit_extension/return/", {"return-reason": "请再斟酌", "submission": str(newest)})
    assert reminders.digest(ledger["a_clerk"], DAY).returned
    services.record_event(ledger["a_reviewer"], t, "extend", DAY, {"days": 3})
    assert reminders.digest(ledger["a_clerk"], DAY).returned == []


def test_a_partial_answer_is_checked_when_submitted_not_when_approved(ledger):
    """The withheld parts were checked only when the reviewer answered: the clerk's submission was
    accepted, the reviewer refused. 个人隐私, the words an officer writes, is a ground."""
    t = ledger["soon"].tracking_no
    with pytest.raises(Refused, match="理由为以下之一"):
        review.submit(ledger["a_clerk"], t, "submit_answer", {"outcome": "partial", "withheld": "身份证号码｜不想给"})
    with pytest.raises(Refused, match="逐项写明不予公开的部分"):
        review.submit(ledger["a_clerk"], t, "submit_answer", {"outcome": "partial", "withheld": ""})
    review.submit(ledger["a_clerk"], t, "submit_answer", {"outcome": "partial", "withheld": "当事人身份证号码｜个人隐私"})
    r = services.record_event(ledger["a_reviewer"], t, "answer", DAY, {"outcome": "partial", "withheld": "当事人身份证号码｜个人隐私"})
    assert r.state == "answered"


def test_clerk_page_says_answering_needs_a_reviewer(ledger):
    t = ledger["soon"].tracking_no
    c = login(ledger["a_clerk"])
    page = c.get(f"/requests/{t}/").content.decode()
    assert 'id="needs-reviewer"' in page and "须经审核人批准" in page and 'data-event="answer"' not in page
    resp = c.post(f"/requests/{t}/submit/submit_answer/", {"submit_answer-outcome": "granted"}, follow=True)
    assert "已提请审核" in resp.content.decode()
    assert Event.objects.filter(request__tracking_no=t, event="submit_answer").count() == 1
    assert 'id="needs-reviewer"' not in login(ledger["a_reviewer"]).get(f"/requests/{t}/").content.decode()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_remind_sends_one_mail_per_user_with_items_through_smtp(ledger, smtp, settings):
    import email
    from email.header import decode_header, make_header

    handler, port = smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.DEFAULT_FROM_EMAIL = "127.0.0.1", port, "ogi@example.gov.cn"
    for key in ("a_clerk", "a_reviewer", "b_clerk"):
        ledger[key].email = f"{key}@example.gov.cn"
        ledger[key].save()
    counts = reminders.send_all(DAY, "https://ogi.example")
    # a-clerk, a-reviewer and a-admin have the agency's late and due requests; a-admin has no address;
    # b-clerk has nothing due (its 2025 report, unpublished, is past the reminded month); the
    # supervisor has the late one but no address; so has sup-admin, whose office's own 2025 report
    # was due by 10 March (a government at the top, of no level set: 市级, as the office's pages judge it).
    assert counts["sent"] == 2 and counts["no_email"] == 3
    assert reminders.digest(ledger["sup_admin"], DAY).report_due[1].text == "逾期未发布（应于 2026-03-10 前发布，已逾期 16 天）"
    assert sorted(rcpt[0] for _, rcpt, _ in handler.messages) == ["a_clerk@example.gov.cn", "a_reviewer@example.gov.cn"]
    msg = email.message_from_string(handler.messages[0][2])
    assert "待办提醒" in str(make_header(decode_header(msg["Subject"])))
    body = msg.get_payload(decode=True).decode(msg.get_content_charset())
    assert ledger["late"].tracking_no in body and ledger["soon"].tracking_no in body


def test_without_smtp_nothing_is_sent(ledger, settings):
    settings.EMAIL_HOST = ""
    assert not reminders.email_configured()
    assert reminders.send_all(DAY)["sent"] == 0


def test_agency_admin_manages_own_staff_only(world):
    admin = world["a_admin"]
    staff, password = accounts.add("a-new", world["a"], "clerk", email="n@example.gov.cn", actor=admin)
    assert staff.must_change_password and len(password) == 12
    with pytest.raises(Refused, match="本机关"):
        accounts.add("x-new", world["b"], "clerk", actor=admin)
    with pytest.raises(Refused, match="经办人"):
        accounts.add("x-sup", world["a"], "supervisor", actor=admin)
    with pytest.raises(Refused, match="机关管理员"):
        accounts.add("x-clerk", world["a"], "clerk", actor=world["a_clerk"])
    with pytest.raises(Refused, match="本机关"):
        accounts.set_active(Staff.objects.get(user=world["b_clerk"]), False, actor=admin)
    with pytest.raises(Refused, match="密码不符合要求"):
        accounts.add("weak", world["a"], "clerk", password="12345678")
    accounts.set_role(staff, "reviewer", actor=admin)
    accounts.set_active(staff, False, actor=admin)
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    assert staff.role == "reviewer" and not staff.user.is_active
    assert list(Event.objects.filter(note="a-new").values_list("event", flat=True)) == ["add_user", "set_role", "disable_user"]
    with pytest.raises(Refused, match="自己"):
        accounts.set_active(Staff.objects.get(user=admin), False, actor=admin)


def test_admin_page_adds_clerk_who_must_change_password_at_first_login(world):
    c = login(world["a_admin"])
    assert login(world["a_clerk"]).get("/staff/").status_code == 403
    resp = c.post("/staff/", {"username": "a-li", "full_name": "李四", "email": "li@example.gov.cn", "role": "clerk"}, follow=True)
    page = resp.content.decode()
    assert "已添加 a-li，临时密码：" in page
    password = page.split("临时密码：")[1][:12]
    new = Client()
    assert new.login(request=HttpRequest(), username="a-li", password=password)
    first = new.get("/requests/")
    assert first.status_code == 302 and first["Location"] == "/password/"
    assert "请先设置自己的密码" in new.get("/password/").content.decode()
    bad = new.post("/password/", {"old_password": password, "new_password1": "1234567890", "new_password2": "1234567890"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()  # all digits: refused by the validators
    ok = new.post("/password/", {"old_password": password, "new_password1": "政务公开-jingban-2026",
                                 "new_password2": "政务公开-jingban-2026"})
    assert ok.status_code == 302
    assert new.get("/requests/").status_code == 200
    # Reset by the administrator: a new temporary password, changed again at the next login.
    resp = c.post("/staff/a-li/reset/", follow=True)
    assert "临时密码" in resp.content.decode()
    assert Staff.objects.get(user__username="a-li").must_change_password
    # Another agency's user is answered as one that does not exist: names are not told.
    other, nobody = c.post("/staff/b-clerk/disable/"), c.post("/staff/no-such-user/disable/")
    assert other.status_code == nobody.status_code == 404
    assert "没有这个工作人员：b-clerk" in other.content.decode() and "没有这个工作人员：no-such-user" in nobody.content.decode()
    assert Staff.objects.get(user__username="b-clerk").user.is_active


def test_accounts_that_could_not_work_are_not_made(world):
    """A username with a space cannot log in; a mistyped e-mail would get the reminders:
    neither is made."""
    from ogi.web.accounts import users
    from ogi.workflow import Refused

    for name, email, said in [("a b", "", "不能有空格"), ("a-wang", "notanemail", "格式不对")]:
        with pytest.raises(Refused, match=said):
            users.add(name, world["a"], "clerk", email=email)
    staff, _ = users.add("a-wang", world["a"], "clerk", email=" wang@example.gov.cn ")
    assert staff.user.email == "wang@example.gov.cn"


def test_a_step_that_would_always_be_refused_is_not_offered(ledger):
    """通知补正 after the one correction, 延长答复期限 after the one extension: the buttons were
    there and always refused."""
    t = ledger["later"].tracking_no
    clerk, reviewer = login(ledger["a_clerk"]), login(ledger["a_reviewer"])
    assert 'data-event="request_correction"' in clerk.get(f"/requests/{t}/").content.decode()
    services.record_event(ledger["a_clerk"], t, "request_correction", dt.date(2026, 3, 26), {"note": "请写明文件名称"})
    services.record_event(ledger["a_clerk"], t, "receive_correction", dt.date(2026, 3, 27), {})
    assert 'data-event="request_correction"' not in clerk.get(f"/requests/{t}/").content.decode()
    page = clerk.get(f"/requests/{t}/").content.decode()
    assert 'data-submit="submit_extension"' in page
    services.record_event(ledger["a_reviewer"], t, "extend", dt.date(2026, 4, 1), {"days": 10, "note": "需调档"})
    assert 'data-event="extend"' not in reviewer.get(f"/requests/{t}/").content.decode()
    assert 'data-submit="submit_extension"' not in clerk.get(f"/requests/{t}/").content.decode()
    assert 'data-event="answer"' in reviewer.get(f"/requests/{t}/").content.decode()


def test_a_submission_the_reviewer_could_not_approve_is_refused_when_made(ledger, monkeypatch):
    """An extension submitted after the time limit had passed went to the reviewer, who could
    then neither approve it (届满，不能再延长) nor see why it was there."""
    from ogi.web import clock

    monkeypatch.setattr(clock, "today", lambda: DAY)
    with pytest.raises(Refused, match="届满"):
        review.submit(ledger["a_clerk"], ledger["late"].tracking_no, "submit_extension", {"days": 10, "note": "调档"})
    assert review.pending(services.visible(ledger["a_reviewer"])) == []


def test_the_clerk_sees_on_the_request_why_it_was_sent_back(ledger):
    t = ledger["later"].tracking_no
    review.submit(ledger["a_clerk"], t, "submit_answer", {"outcome": "partial", "withheld": "第三方身份证号码｜个人隐私"})
    queue = login(ledger["a_reviewer"]).get(f"/requests/{t}/").content.decode()
    assert "不予公开：第三方身份证号码｜个人隐私" in queue  # the reviewer reads what would be withheld
    review.send_back(ledger["a_reviewer"], t, "submit_answer", "理由写得不够具体")
    page = login(ledger["a_clerk"]).get(f"/requests/{t}/").content.decode()
    assert 'data-returned="return_answer"' in page and "理由写得不够具体" in page


def test_what_was_typed_into_a_refused_form_comes_back(ledger, monkeypatch):
    """A refused submission came back as an empty form: the outcome reset to 请选择, the note gone."""
    _at_day(monkeypatch)
    t = ledger["soon"].tracking_no
    c = login(ledger["a_clerk"])
    page = c.post(f"/requests/{t}/submit/submit_answer/", {"submit_answer-outcome": "partial",
                                                           "submit_answer-withheld": "",
                                                           "submit_answer-note": "已与第三方沟通，不同意公开其身份信息"},
                  follow=True).content.decode()
    assert "逐项写明不予公开的部分" in page
    assert 'value="partial" selected' in page and "已与第三方沟通，不同意公开其身份信息" in page
    again = c.get(f"/requests/{t}/").content.decode()  # once only
    assert "已与第三方沟通" not in again
