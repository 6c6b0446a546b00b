"""Working days and statutory deadlines against the official schedules."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogi.workdays import deadline, default_calendar, estimated_days_off, load_calendar

from .conftest import NOTICE_2027

CAL = default_calendar()
DAYS = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 9, 30))


def test_every_day_2019_to_2026_agrees_with_chinese_calendar():
    d = dt.date(2019, 1, 1)
    disagreements = []
    while d <= dt.date(2026, 12, 31):
        if CAL.is_workday(d) != chinese_calendar.is_workday(d):
            disagreements.append(d)
        d += dt.timedelta(days=1)
    assert disagreements == []


@pytest.mark.parametrize(("received", "due"), [
    ("2026-09-28", "2026-10-30"),  # across 国庆节, with the 10-10 make-up day counted
    ("2026-02-10", "2026-03-16"),  # across 春节, with the 2-14 and 2-28 make-up days counted
    ("2025-09-26", "2025-10-30"),  # across 国庆节、中秋节 2025 (10-1..10-8), 9-28 and 10-11 counted
    ("2025-01-20", "2025-02-21"),  # across 春节 2025 (1-28..2-4), 1-26 and 2-8 counted
    ("2025-04-25", "2025-05-27"),  # across 劳动节 2025, 4-27 counted
])
def test_official_schedules(received, due):
    d = deadline(dt.date.fromisoformat(received))
    assert d.due.isoformat() == due
    # Cross-check by counting with chinese-calendar: day 1 is the first working day after receipt.
    n, day = 0, dt.date.fromisoformat(received)
    while n < 20:
        day += dt.timedelta(days=1)
        n += chinese_calendar.is_workday(day)
    assert day == d.due


def test_explanation_names_holidays_and_makeup_days():
    d = deadline(dt.date(2026, 2, 10))
    assert "春节假期（2月15日至2月23日）不计" in d.explanation_zh
    assert "2月14日（星期六）为调休上班日，计入" in d.explanation_zh and "2月28日（星期六）" in d.explanation_zh
    assert d.counted[0] == dt.date(2026, 2, 11)


@settings(max_examples=300, deadline=None)
@given(DAYS)
def test_due_date_is_a_working_day(received):
    assert CAL.is_workday(deadline(received).due)


@settings(max_examples=300, deadline=None)
@given(DAYS, DAYS)
def test_later_receipt_never_gives_an_earlier_due_date(a, b):
    a, b = sorted((a, b))
    assert deadline(a).due <= deadline(b).due


@settings(max_examples=300, deadline=None)
@given(DAYS, st.integers(0, 15), st.integers(0, 10))
def test_pausing_n_working_days_moves_the_due_date_by_n(received, offset, length):
    base = deadline(received)
    start = received + dt.timedelta(days=1 + offset)
    end = start + dt.timedelta(days=length)
    paused = deadline(received, pauses=[(start, end)])
    # N: the paused working days that fall within the (longer) counting window.
    n = sum(1 for day in _days(start, end) if CAL.is_workday(day) and day <= paused.due)
    assert CAL.workdays(base.due + dt.timedelta(days=1), paused.due) == n


def _days(a, b):
    while a <= b:
        yield a
        a += dt.timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(DAYS, st.integers(0, 20))
def test_extension_adds_exactly_that_many_working_days(received, n):
    base, ext = deadline(received), deadline(received, extend=n)
    assert CAL.workdays(base.due + dt.timedelta(days=1), ext.due) == n


def test_past_the_last_year_the_due_date_is_provisional():
    d = deadline(dt.date(2026, 12, 25))  # its 20th working day is in 2027, whose notice is not out
    # Counted by hand: 12-28..12-31 (4), 2027-01-01 元旦 off, then 16 more from 01-04.
    assert d.due == dt.date(2027, 1, 25) and d.provisional and d.estimated_years == [2027]
    assert "2027年" in d.provisional_reason_zh and "调休" in d.provisional_reason_zh
    assert "工作日历" in d.final_when_zh and "ogi calendar" not in d.final_when_zh
    assert "元旦假期（1月1日，推定）不计" in d.explanation_zh and "（推定）" in d.explanation_zh
    assert d.to_json()["provisional"] is True and d.to_json()["provisional_reason_en"]
    assert not deadline(dt.date(2026, 9, 28)).provisional
    # A year after: 春节 2027 by the lunar calendar (除夕 02-05 .. 初三 02-08, the weekend days made up).
    spring = deadline(dt.date(2027, 1, 25))
    assert spring.provisional and "春节假期（2月5日至2月10日，推定）不计" in spring.explanation_zh
    assert all(not CAL.is_workday(dt.date(2027, 2, day)) for day in (5, 8, 9, 10))


def test_holidays_estimate_agrees_with_the_published_years():
    """The estimate used past the calendar, checked against 2019–2026 as published: every
    statutory day off it gives lies inside a published holiday period of the same name, and
    every published period holds at least one of them."""
    wrong, empty = [], []
    for year in range(2019, 2027):
        estimated = estimated_days_off(year)
        assert estimated, year
        for day, name in estimated.items():
            if day not in CAL.off or name not in CAL.off[day]:
                wrong.append((day, name, CAL.off.get(day)))
        for h in CAL.years[year]["holidays"]:
            if not any(h.start <= day <= h.end for day in estimated):
                empty.append(h)
    assert wrong == [] and empty == []


ANY_DAY = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(ANY_DAY, st.integers(0, 20), st.integers(0, 30), st.integers(0, 20), st.integers(1, 40))
def test_deadline_answers_for_any_receipt_day(received, offset, length, extend, days):
    start = received + dt.timedelta(days=offset)
    d = deadline(received, days, [(start, start + dt.timedelta(days=length))], extend)
    assert d.due > received and CAL.is_workday(d.due)
    counted_over = range((received + dt.timedelta(days=1)).year, d.due.year + 1)
    assert d.provisional == any(y > CAL.last_year for y in counted_over)
    assert ("推定" in d.explanation_zh) == d.provisional


def test_a_year_can_be_added(tmp_path):
    f = tmp_path / "2027.yaml"
    f.write_text("years:\n  2027:\n    notice: 测试\n    holidays:\n      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n"
                 "    workdays: []\n", encoding="utf-8")
    cal = load_calendar([f])
    assert cal.last_year == 2027 and not cal.is_workday(dt.date(2027, 1, 1))
    assert cal.version != CAL.version
    bad = tmp_path / "bad.yaml"
    bad.write_text("years:\n  2027:\n    workdays: [2027-01-05]\n", encoding="utf-8")  # a Tuesday
    with pytest.raises(ValueError):
        load_calendar([bad])


def test_a_year_added_dates_the_calendars_version(tmp_path, monkeypatch):
    """Added on 8 December, the version read 2026-11-23 版 (the shipped file's date) in the
    calendar page and every request's audit log."""
    from freezegun import freeze_time

    from ogi.workdays import add_year_bytes, version_zh

    from .conftest import NOTICE_2027

    monkeypatch.setenv("OGI_DATA_DIR", str(tmp_path))
    with freeze_time("2026-12-08 10:00:00+08:00"):
        assert add_year_bytes(NOTICE_2027.encode()) == [2027]
    cal = load_calendar(sorted((tmp_path / "calendar").glob("*.yaml")))
    assert version_zh(cal.version).startswith("至2027年的节假日安排（2026-12-08 版·")
    assert cal.version.startswith("2026-12-08+2027#") and not cal.is_workday(dt.date(2027, 2, 8))
    # A file opening with the document marker, or written in flow style, is kept as one document
    # (the date put before '---' made two, and every deadline failed after).
    for text in ("---\n" + NOTICE_2027, "{years: {2028: {notice: 测试, holidays: [{name: 元旦, from: 2028-01-01, "
                 "to: 2028-01-01}, {name: 春节, from: 2028-01-26, to: 2028-02-01}, {name: 清明节, from: 2028-04-04, "
                 "to: 2028-04-06}, {name: 劳动节, from: 2028-05-01, to: 2028-05-05}, {name: 端午节, from: 2028-05-28, "
                 "to: 2028-05-30}, {name: 中秋节、国庆节, from: 2028-10-01, to: 2028-10-08}], workdays: []}}}"):
        with freeze_time("2026-12-09 10:00:00+08:00"):
            add_year_bytes(text.encode())
        again = load_calendar(sorted((tmp_path / "calendar").glob("*.yaml")))
        assert again.version.startswith("2026-12-09+") and not again.is_workday(dt.date(2027, 2, 8))


def _ogi(*args, env=None):
    import os

    return subprocess.run([sys.executable, "-m", "ogi.cli", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_cli_json_and_errors(tmp_path):
    p = _ogi("deadline", "2026-09-28", "--json")
    out = json.loads(p.stdout)
    assert p.returncode == 0 and out["due"] == "2026-10-30" and out["received"] == "2026-09-28"
    assert set(out) == {"received", "working_days", "paused", "extended", "due", "provisional", "calendar_version",
                        "explanation_zh"}
    assert out["provisional"] is False
    p = _ogi("deadline", "2026-02-10", "--pause", "2026-03-02", "2026-03-06", "--extend", "20", "--json")
    out = json.loads(p.stdout)
    assert out["paused"] == [["2026-03-02", "2026-03-06"]] and out["extended"] == 20
    p = _ogi("deadline", "2027-05-01", "--json")
    out = json.loads(p.stdout)
    assert p.returncode == 0 and out["provisional"] is True and out["estimated_years"] == [2027]
    assert "2027年" in out["provisional_reason_zh"] and out["final_when_zh"] and out["provisional_reason_en"]
    p = _ogi("deadline", "2026-12-25")
    assert p.returncode == 0 and "截止日：2027-01-25（推定）" in p.stdout and "ogi calendar add" in p.stdout
    p = _ogi("deadline", "2026-02-30")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    f = tmp_path / "2027.yaml"
    f.write_text(NOTICE_2027, encoding="utf-8")
    env = {"OGI_DATA_DIR": str(tmp_path / "data")}
    # The operator's command checks as the page does: a festival missing, a make-up day inside a holiday.
    bad = tmp_path / "bad.yaml"
    for text, said in [(NOTICE_2027.replace("      - {name: 端午节, from: 2027-06-09, to: 2027-06-11}\n", ""), "没有端午节"),
                       (NOTICE_2027.replace("[2027-01-09]", "[2027-10-02]"), "在国庆节假期（2027-10-01至2027-10-07）之内")]:
        bad.write_text(text, encoding="utf-8")
        p = _ogi("calendar", "add", str(bad), env=env)
        assert p.returncode == 2 and said in p.stderr + p.stdout, p.stderr
    assert _ogi("calendar", "add", str(f), env=env).returncode == 0
    out = json.loads(_ogi("deadline", "2027-03-01", "--json", env=env).stdout)
    assert out["due"] == "2027-03-29" and out["provisional"] is False


def test_every_published_notice_lists_the_seven_festivals():
    """The completeness check a notice typed or pasted on the calendar page must pass holds
    for every State Council notice the calendar ships (中秋节、国庆节 together included)."""
    from ogi.workdays import notice_gaps_zh

    assert CAL.years and all(notice_gaps_zh(y, spec) == [] for y, spec in CAL.years.items())
    spec = CAL.years[2026]
    assert notice_gaps_zh(2026, {**spec, "holidays": [h for h in spec["holidays"] if "春节" not in h.name]}) == \
        ["2026年：没有春节的放假安排（国务院办公厅的通知每年都列出七个节日的放假日期）"]
    # None at all: every festival named, in the notice's order, the reason said once (the page
    # showed three, each with the same parenthesis).
    assert notice_gaps_zh(2026, {**spec, "holidays": []}) == \
        ["2026年：没有元旦、春节、清明节、劳动节、端午节、中秋节、国庆节的放假安排（国务院办公厅的通知每年都列出七个节日的放假日期）"]


def test_today_is_the_date_in_china_whatever_the_machines_zone():
    """On a server kept in UTC, 17:00 on 31 January is already 1 February in China: the day
    after the last day departments may publish."""
    import freezegun

    from ogi import clock

    with freezegun.freeze_time("2027-01-31 17:00:00"):
        assert clock.today() == dt.date(2027, 2, 1)
    with freezegun.freeze_time("2027-01-31 15:59:59"):
        assert clock.today() == dt.date(2027, 1, 31)
