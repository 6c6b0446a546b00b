"""Working days of the Chinese calendar — weekends, public holidays and the make-up
working days (调休) of each year's State Council notice — and statutory deadlines counted
in them (Regulation on OGI Art. 30–33: day 1 is the first working day after receipt).

The calendar is data: the project's own file (data/calendar.yaml), plus years an
administrator adds from later notices (`ogi calendar add`), kept in the data directory.
It refuses to count past the last year it knows."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .paths import data_dir
from .yamlfile import load as load_yaml

WEEKDAYS_ZH = "一二三四五六日"
STATUTORY_DAYS = 20  # Art. 33: answer within 20 working days


class CalendarRangeError(ValueError):
    """A date outside the years the calendar knows."""

    def __init__(self, day: dt.date, first: int, last: int):
        self.day, self.first, self.last = day, first, last
        super().__init__(f"{day.isoformat()} is outside the calendar ({first}–{last})")

    @property
    def message_zh(self) -> str:
        return (f"{self.day.isoformat()} 超出工作日历的范围：日历只包含 {self.first}–{self.last} 年的节假日安排"
                f"（最后一年为 {self.last} 年）。请在国务院办公厅公布新一年节假日安排后用 ogi calendar add 添加。")


@dataclass(frozen=True)
class Holiday:
    name: str
    start: dt.date
    end: dt.date


@dataclass
class Calendar:
    years: dict[int, dict[str, Any]]
    version: str
    holidays: list[Holiday] = field(default_factory=list)
    off: dict[dt.date, str] = field(default_factory=dict)  # holiday date → holiday name
    makeup: set[dt.date] = field(default_factory=set)

    @property
    def first_year(self) -> int:
        return min(self.years)

    @property
    def last_year(self) -> int:
        return max(self.years)

    def check(self, day: dt.date) -> None:
        if not self.first_year <= day.year <= self.last_year:
            raise CalendarRangeError(day, self.first_year, self.last_year)

    def is_workday(self, day: dt.date) -> bool:
        self.check(day)
        if day in self.makeup:
            return True
        if day in self.off:
            return False
        return day.weekday() < 5

    def holiday_of(self, day: dt.date) -> Holiday:
        return next(h for h in self.holidays if h.start <= day <= h.end)

    def next_workday(self, day: dt.date) -> dt.date:
        d = day + dt.timedelta(days=1)
        while not self.is_workday(d):
            d += dt.timedelta(days=1)
        return d

    def workdays(self, start: dt.date, end: dt.date) -> int:
        """Working days in [start, end]."""
        n, d = 0, start
        while d <= end:
            n += self.is_workday(d)
            d += dt.timedelta(days=1)
        return n


def _parse_years(data: dict) -> dict[int, dict[str, Any]]:
    years = {}
    for year, spec in (data.get("years") or {}).items():
        y = int(year)
        holidays = [Holiday(str(h["name"]), _date(h["from"]), _date(h["to"])) for h in spec.get("holidays") or []]
        makeup = [_date(d) for d in spec.get("workdays") or []]
        for h in holidays:
            if h.end < h.start or not (y - 1 <= h.start.year <= y):
                raise ValueError(f"{y}: holiday {h.name} {h.start}–{h.end} is not in that year")
        for d in makeup:
            if d.year != y or d.weekday() < 5:
                raise ValueError(f"{y}: make-up working day {d} must be a Saturday or Sunday of that year")
        years[y] = {"notice": spec.get("notice", ""), "holidays": holidays, "workdays": makeup}
    return years


def _date(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def overlay_dir() -> Path:
    return data_dir() / "calendar"


def load_calendar(extra: Iterable[Path] | None = None) -> Calendar:
    """The shipped calendar plus the years added in the data directory."""
    base = resources.files("ogi").joinpath("data/calendar.yaml").read_bytes()
    digest = hashlib.sha256(base)
    years = _parse_years(load_yaml(base))
    files = sorted(extra) if extra is not None else sorted(overlay_dir().glob("*.yaml"))
    for f in files:
        raw = f.read_bytes()
        digest.update(raw)
        years.update(_parse_years(load_yaml(raw)))
    cal = Calendar(years, f"{load_yaml(base)['version']}+{max(years)}#{digest.hexdigest()[:8]}")
    for spec in years.values():
        for h in spec["holidays"]:
            cal.holidays.append(h)
            d = h.start
            while d <= h.end:
                cal.off[d] = h.name
                d += dt.timedelta(days=1)
        cal.makeup.update(spec["workdays"])
    return cal


@cache
def default_calendar() -> Calendar:
    return load_calendar()


def add_year_file(path: Path) -> list[int]:
    """Validate a year's schedule file and keep it in the data directory."""
    raw = path.read_bytes()
    years = _parse_years(load_yaml(raw) or {})
    if not years:
        raise ValueError("no years in the file")
    target = overlay_dir()
    target.mkdir(parents=True, exist_ok=True)
    for y in years:
        (target / f"{y}.yaml").write_bytes(raw)
    default_calendar.cache_clear()
    return sorted(years)


# --- deadlines --------------------------------------------------------------------------

@dataclass
class Deadline:
    received: dt.date
    working_days: int
    paused: list[tuple[dt.date, dt.date]]
    extended: int
    due: dt.date
    calendar_version: str
    explanation_zh: str
    counted: list[dt.date] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "received": self.received.isoformat(),
            "working_days": self.working_days,
            "paused": [[a.isoformat(), b.isoformat()] for a, b in self.paused],
            "extended": self.extended,
            "due": self.due.isoformat(),
            "calendar_version": self.calendar_version,
            "explanation_zh": self.explanation_zh,
        }


def _zh(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日（星期{WEEKDAYS_ZH[d.weekday()]}）"


def _paused(day: dt.date, pauses: Sequence[tuple[dt.date, dt.date]]) -> bool:
    return any(a <= day <= b for a, b in pauses)


def deadline(received: dt.date, days: int = STATUTORY_DAYS, pauses: Sequence[tuple[dt.date, dt.date]] = (),
             extend: int = 0, calendar: Calendar | None = None) -> Deadline:
    """The due date of a time limit of `days` working days (+ `extend`) counted from the day
    after `received`, not counting working days within `pauses` (inclusive ranges)."""
    cal = calendar or default_calendar()
    if days < 1 or extend < 0:
        raise ValueError("days must be at least 1 and extend at least 0")
    cal.check(received)
    total = days + extend
    counted: list[dt.date] = []
    skipped_holidays: dict[Holiday, None] = {}
    makeups: list[dt.date] = []
    paused_days: list[dt.date] = []
    d = received
    while len(counted) < total:
        d += dt.timedelta(days=1)
        if not cal.is_workday(d):
            if d in cal.off and d.weekday() < 5:
                skipped_holidays.setdefault(cal.holiday_of(d))
            continue
        if _paused(d, pauses):
            paused_days.append(d)
            continue
        counted.append(d)
        if d in cal.makeup:
            makeups.append(d)
    due = counted[-1]
    parts = [f"收到申请之日为{_zh(received)}，自次日起计算，第1个工作日为{_zh(counted[0])}"]
    for h in skipped_holidays:
        span = f"{h.start.month}月{h.start.day}日" + (f"至{h.end.month}月{h.end.day}日" if h.end != h.start else "")
        parts.append(f"{h.name}假期（{span}）不计")
    for m in makeups:
        parts.append(f"{m.month}月{m.day}日（星期{WEEKDAYS_ZH[m.weekday()]}）为调休上班日，计入")
    if paused_days:
        spans = "、".join(f"{a.month}月{a.day}日至{b.month}月{b.day}日" for a, b in pauses)
        parts.append(f"暂停计算期间（{spans}）的{len(paused_days)}个工作日不计")
    limit = f"{days}个工作日" + (f"，延长{extend}个工作日" if extend else "")
    parts.append(f"期限{limit}，共{total}个工作日，截止日为{_zh(due)}")
    return Deadline(received, days, list(pauses), extend, due, cal.version, "；".join(parts) + "。", counted)
