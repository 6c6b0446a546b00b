"""The weeks after the year ends, as an agency's officer and its supervising office meet
them: the report's deadline coming and passing, estimated due dates in the reminder, and
the year just ended shown before any of its reports is collected."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ogi.web import clock
from ogi.web.ledger import reminders, services
from ogi.web.reporting.models import AnnualReport

from .conftest import request_data
from .test_ledger import login
from .test_supervision_web import office  # noqa: F401  (the fixture)


def _at(monkeypatch, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "today", lambda: day)


def _banner(page: str) -> str:
    m = re.search(r'id="report-due"[^>]*>(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>|\s+", "", m.group(1)) if m else ""


def test_the_officer_sees_the_report_deadline_coming_and_passing(world, monkeypatch):
    """A department publishes by 31 January: its staff are told from mid-January, in the inbox,
    the reports list, the workspace and the daily mail; then that it is late; and no more once
    it is published (the office above was the only one told, on its oversight page)."""
    c = login(world["a_clerk"])
    _at(monkeypatch, dt.date(2027, 1, 10))
    assert _banner(c.get("/").content.decode()) == ""  # three weeks ahead: not yet pressing
    listed = c.get("/reports/").content.decode()
    assert re.search(r'data-publication="2026">应于 2027-01-31 前发布（还有 21 天）<', listed)
    assert re.search(r'data-publication="2027">2027年尚未结束，次年发布<', listed)
    # Years long past with nothing in ogi were published before the agency used it, most likely: not called late.
    assert re.search(r'data-publication="2024">未在本系统中编制（发布期限 2025-01-31）<', listed)
    _at(monkeypatch, dt.date(2027, 1, 29))
    assert _banner(c.get("/").content.decode()) == "2026年度政府信息公开工作年度报告：应于2027-01-31前发布（还有2天）"
    mail = reminders.digest(world["a_clerk"], dt.date(2027, 1, 29))
    assert "2026年度报告待发布" in mail.subject
    assert "2026年度政府信息公开工作年度报告：应于 2027-01-31 前发布（还有 2 天）" in mail.text()
    assert reminders.digest(world["supervisor"], dt.date(2027, 1, 29)).report_due is None
    _at(monkeypatch, dt.date(2027, 2, 10))
    assert _banner(c.get("/").content.decode()) == "2026年度政府信息公开工作年度报告：逾期未发布（应于2027-01-31前发布，已逾期10天）"
    work = c.get("/reports/2026/").content.decode()
    assert re.search(r'id="publication" class="msg error">发布期限：逾期未发布（应于 2027-01-31 前发布，已逾期 10 天）<', work)
    AnnualReport.objects.update_or_create(agency=world["a"], year=2026, defaults={
        "state": "published", "published_on": dt.date(2027, 2, 10), "issued_on": dt.date(2027, 2, 9), "slug": "swj-2026"})
    assert _banner(c.get("/").content.decode()) == ""
    assert "已于 2027-02-10 发布，晚于法定期限（2027-01-31）10 天" in c.get("/reports/").content.decode()
    # The year not yet over: its workspace says the figures are so far only.
    assert "2027年尚未结束" in c.get("/reports/2027/").content.decode()


def test_the_reminder_mail_marks_estimated_due_dates(world, monkeypatch):
    """A due date counted into a year whose holiday notice is not published is an estimate: the
    mail says so, as every page does."""
    from ogi.workdays import default_calendar

    late_year = max(default_calendar().years) + 1
    day = dt.date(late_year, 1, 6)
    _at(monkeypatch, day)
    r = services.register(world["a_clerk"], request_data(submitted_on=day - dt.timedelta(days=25),
                                                         received_on=day - dt.timedelta(days=25)))
    text = reminders.digest(world["a_clerk"], day).text()
    line = next(x for x in text.splitlines() if r.tracking_no in x)
    assert "（推定）" in line, text
    note = next(x for x in text.splitlines() if x.startswith("标“推定”的截止日："))
    assert f"{late_year}年" in note and "节假日安排" in note


def test_the_reviewer_is_told_who_submitted_the_report_and_when(world):
    """The queue and the mail name the colleague who submitted the year's report and the day."""
    world["a_clerk"].first_name = "王丽"
    world["a_clerk"].save()
    AnnualReport.objects.create(agency=world["a"], year=2026, state="review", submitted_by=world["a_clerk"],
                                submitted_on=dt.date(2027, 1, 13))
    text = reminders.digest(world["a_reviewer"], dt.date(2027, 1, 14)).text()
    assert "2026年度政府信息公开工作年度报告（王丽 于 2027-01-13 提交审核）" in text, text
    row = login(world["a_reviewer"]).get("/").content.decode().split('id="to-review"')[1].split("</tr>")[1]
    assert "王丽" in row and "2027-01-13" in row


@pytest.mark.usefixtures("office")
def test_the_office_sees_the_year_just_ended_before_any_report_is_collected(office, monkeypatch):  # noqa: F811
    from .test_supervision_web import login as sup_login

    c = sup_login(office["sup"])
    _at(monkeypatch, dt.date(2027, 1, 29))
    page = c.get("/supervision/timeliness/").content.decode()
    assert "2026" in page.split("<h1")[1].split("</h1>")[0]
    counts = re.sub(r"<[^>]+>", "", page.split('id="counts">')[1].split("</p>")[0])
    assert counts.startswith("共 5 个机关") and "未到发布期限 5" in counts
    assert 'href="/supervision/2026/' in c.get("/supervision/").content.decode()
    assert c.get("/supervision/2030/timeliness/").status_code == 404  # (it showed 2026 under 2030's address)
    # Not ranked before their deadline (every one had full marks, equal first).
    ranking = c.get("/supervision/2026/ranking/").content.decode()
    assert '<td class="total">未到发布期限</td>' in ranking and '<td class="total">100</td>' not in ranking
    board = c.get("/supervision/dashboard/?year=2026").content.decode()
    assert '<option value="2026" selected>' in board or "尚未导入报告" in board
    _at(monkeypatch, dt.date(2027, 2, 1))
    counts = re.sub(r"<[^>]+>", "", c.get("/supervision/timeliness/").content.decode().split('id="counts">')[1].split("</p>")[0])
    assert "未发布 3" in counts and "未到发布期限 2" in counts  # the departments; the governments publish later
