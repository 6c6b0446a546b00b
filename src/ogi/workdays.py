"""Working days of the Chinese calendar — weekends, public holidays and the make-up
working days (调休) of each year's State Council notice — and statutory deadlines counted
in them (Regulation on OGI Art. 30–33: day 1 is the first working day after receipt).

The calendar is data: the project's own file (data/calendar.yaml), plus years an
administrator adds from later notices (the 工作日历 page or `ogi calendar add`), kept in the
data directory. A year without a notice — the next one, until the State Council publishes
it — is estimated from what is fixed in advance: weekends and the statutory holidays of
《全国年节及纪念日放假办法》 as the `holidays` package computes them (lunar dates included).
A deadline counted over such a year is *provisional* and says so; it becomes final when
that year's notice is added."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import holidays
import yaml
from holidays.constants import PUBLIC

from .paths import data_dir
from .yamlfile import load as load_yaml

WEEKDAYS_ZH = "一二三四五六日"
STATUTORY_DAYS = 20  # Art. 33: answer within 20 working days


CALENDAR_PAGE = "“工作日历”页面（页面顶部菜单）"


class CalendarFileError(ValueError):
    """A year's schedule file that cannot be taken; the reason in Chinese and English."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.message_zh, self.message_en = message_zh, message_en


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

    def published(self, year: int) -> bool:
        return year in self.years

    def day_off(self, day: dt.date) -> str | None:
        """The holiday a day belongs to (published, or estimated for a year without a notice)."""
        if self.published(day.year):
            return self.off.get(day)
        return estimated_days_off(day.year).get(day)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.makeup:
            return True
        if self.day_off(day):
            return False
        return day.weekday() < 5

    def holiday_of(self, day: dt.date) -> Holiday:
        spans = self.holidays if self.published(day.year) else estimated_holidays(day.year)
        return next(h for h in spans if h.start <= day <= h.end)

    def unpublished_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Years between two dates (inclusive) whose schedule is estimated, not published."""
        return [y for y in range(start.year, end.year + 1) if not self.published(y)]

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


# --- years without a notice ------------------------------------------------------------------

# The statutory holidays of 《全国年节及纪念日放假办法》 as the `holidays` package names them
# (zh_CN), each mapped to the holiday period it belongs to. Anything else the package knows —
# the substituted days of past notices — is not fixed in advance and is left out.
_STATUTORY = {"元旦": "元旦", "农历除夕": "春节", "春节": "春节", "清明节": "清明节", "劳动节": "劳动节",
              "端午节": "端午节", "中秋节": "中秋节", "国庆节": "国庆节"}
# Art. 6 of the 办法: a holiday falling on a weekend is made up on a working day; the package
# estimates which day and labels it so.
_OBSERVED = "（补假）"


@cache
def estimated_days_off(year: int) -> dict[dt.date, str]:
    """Statutory days off of a year as fixed in advance: the holidays themselves and the
    weekday given for one that falls on a weekend. Make-up working days (调休) are not fixed
    in advance, so none are estimated."""
    if not dt.MINYEAR < year < dt.MAXYEAR:
        return {}
    out: dict[dt.date, str] = {}
    for day, names in _china(year):
        for name in names:
            period = _STATUTORY.get(name.removesuffix(_OBSERVED))
            if period:
                out[day] = period
                break
    return out


def _china(year: int) -> list[tuple[dt.date, list[str]]]:
    h = holidays.China(years=year, categories=(PUBLIC,), language="zh_CN")
    return [(d, h.get_list(d)) for d in sorted(h)]


@cache
def estimated_holidays(year: int) -> list[Holiday]:
    """The estimated days off of a year as holiday periods (for explanations)."""
    spans: list[Holiday] = []
    for day, name in sorted(estimated_days_off(year).items()):
        last = spans[-1] if spans else None
        if last and last.name == name and all(
                (last.end + dt.timedelta(days=i)).weekday() >= 5 for i in range(1, (day - last.end).days)):
            spans[-1] = Holiday(name, last.start, day)
        else:
            spans.append(Holiday(name, day, day))
    return spans


def _parse_years(data: Any) -> dict[int, dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("years") or {}, dict):
        raise CalendarFileError("文件格式不对：应以 years: 开头，其下按年份列出 holidays 和 workdays",
                                "not a calendar file: expected a mapping with 'years'")
    years = {}
    for year, spec in (data.get("years") or {}).items():
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise CalendarFileError(f"年份“{year}”不是数字", f"year {year!r} is not a number") from None
        if not 2000 <= y <= 2100:
            raise CalendarFileError(f"年份 {y} 不在 2000–2100 之间", f"year {y} is outside 2000-2100")
        if not isinstance(spec, dict):
            raise CalendarFileError(f"{y}年：应列出 notice、holidays 和 workdays", f"{y}: expected notice, holidays, workdays")
        if not isinstance(spec.get("holidays") or [], list) or not isinstance(spec.get("workdays") or [], list):
            raise CalendarFileError(f"{y}年：holidays 和 workdays 都应为列表", f"{y}: holidays and workdays must be lists")
        hols = []
        for h in spec.get("holidays") or []:
            if not isinstance(h, dict) or not {"name", "from", "to"} <= set(h):
                raise CalendarFileError(f"{y}年：每个假期应写作 {{name: 名称, from: 起始日期, to: 结束日期}}",
                                        f"{y}: each holiday needs name, from and to")
            hol = Holiday(str(h["name"]), _date(h["from"], y), _date(h["to"], y))
            if hol.end < hol.start or not (y - 1 <= hol.start.year <= y) or hol.end.year > y:
                raise CalendarFileError(f"{y}年：{hol.name}假期 {hol.start}至{hol.end} 不在该年内或起止颠倒",
                                        f"{y}: holiday {hol.name} {hol.start}-{hol.end} is not in that year")
            hols.append(hol)
        makeup = [_date(d, y) for d in spec.get("workdays") or []]
        for d in makeup:
            if d.year != y:
                raise CalendarFileError(f"{y}年：调休上班日 {d} 不在{y}年内（年份填对了吗？）",
                                        f"{y}: make-up working day {d} is not in that year")
            if d.weekday() < 5:
                raise CalendarFileError(f"{y}年：调休上班日 {d} 应为该年的星期六或星期日",
                                        f"{y}: make-up working day {d} must be a Saturday or Sunday of that year")
            inside = next((h for h in hols if h.start <= d <= h.end), None)
            if inside is not None:
                raise CalendarFileError(f"{y}年：调休上班日 {d} 在{inside.name}假期（{inside.start}至{inside.end}）之内",
                                        f"{y}: make-up working day {d} falls inside the {inside.name} holiday")
        years[y] = {"notice": str(spec.get("notice") or ""), "holidays": hols, "workdays": makeup}
    return years


def _date(v: Any, year: int | str = "") -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise CalendarFileError(f"{year}年：“{v}”不是日期（应写作 YYYY-MM-DD）", f"{year}: {v!r} is not a date (YYYY-MM-DD)") from None


def overlay_dir() -> Path:
    return data_dir() / "calendar"


def load_calendar(extra: Iterable[Path] | None = None) -> Calendar:
    """The shipped calendar plus the years added in the data directory."""
    base = resources.files("ogi").joinpath("data/calendar.yaml").read_bytes()
    digest = hashlib.sha256(base)
    years = _parse_years(load_yaml(base))
    files = sorted(extra) if extra is not None else sorted(overlay_dir().glob("*.yaml"))
    dated = str(load_yaml(base)["version"])
    for f in files:
        raw = f.read_bytes()
        digest.update(raw)
        doc = load_yaml(raw)
        years.update(_parse_years(doc))
        # The version is dated by the newest part: a year added on 2026-12-08 is not the
        # shipped file's version of 2026-11-23.
        added = str(doc.get("version") or "") if isinstance(doc, dict) else ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", added):
            dated = max(dated, added)
    cal = Calendar(years, f"{dated}+{max(years)}#{digest.hexdigest()[:8]}")
    for spec in years.values():
        for h in spec["holidays"]:
            cal.holidays.append(h)
            d = h.start
            while d <= h.end:
                cal.off[d] = h.name
                d += dt.timedelta(days=1)
        cal.makeup.update(spec["workdays"])
    return cal


def _overlay_stamp() -> tuple:
    where = overlay_dir()
    try:
        return (str(where), *sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in os.scandir(where)
                                    if e.name.endswith(".yaml")))
    except OSError:
        return (str(where),)


@cache
def _calendar_for(stamp: tuple) -> Calendar:
    return load_calendar()


def default_calendar() -> Calendar:
    """The calendar in force. A year added by another process (the CLI while the server runs)
    is seen at the next call: the cache is keyed by the files of the data directory."""
    return _calendar_for(_overlay_stamp())


default_calendar.cache_clear = _calendar_for.cache_clear  # type: ignore[attr-defined]

MAX_CALENDAR_FILE = 64 * 1024


def parse_year_file(raw: bytes) -> dict[int, dict[str, Any]]:
    """A year's schedule (same format as data/calendar.yaml) checked; CalendarFileError if not."""
    if len(raw) > MAX_CALENDAR_FILE:
        raise CalendarFileError("文件过大：一年的节假日安排不超过 64 KB", "file too large (64 KB at most)")
    try:
        data = load_yaml(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CalendarFileError("文件不是 UTF-8 编码的文本", "not UTF-8 text") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise CalendarFileError(f"文件{where}不是有效的 YAML 格式", f"invalid YAML {where}") from None
    except (ValueError, TypeError, RecursionError) as e:
        # PyYAML builds dates itself: 2027-13-01 or 2027-02-30 fail here.
        raise CalendarFileError("文件中有不是日期的日期（如 13 月或 2 月 30 日），请按 YYYY-MM-DD 核对", f"invalid value: {e}") from None
    years = _parse_years(data)
    if not years:
        raise CalendarFileError("文件中没有任何年份的节假日安排", "no years in the file")
    gaps = [g for y, spec in sorted(years.items()) for g in notice_gaps_zh(y, spec)]
    if gaps:
        raise CalendarFileError("；".join(gaps[:3]), "the notice lacks festivals")
    return years


# The festivals of 《全国年节及纪念日放假办法》 in the order a State Council notice lists them,
# with the day of a fixed-date festival that its days off must include.
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
_FIXED_DAYS = {"元旦": (1, 1), "劳动节": (5, 1), "国庆节": (10, 1)}


def notice_gaps_zh(year: int, spec: dict[str, Any]) -> list[str]:
    """What a year's schedule lacks to be a State Council notice, which every year lists
    the days off of all seven festivals (a festival falling with another, 中秋节、国庆节, is
    named together with it); empty when nothing."""
    gaps, lacking = [], []
    for name in FESTIVALS:
        days = [h for h in spec["holidays"] if name.removesuffix("节") in h.name]
        if not days:
            lacking.append(name)
        elif name in _FIXED_DAYS:
            fixed = dt.date(year, *_FIXED_DAYS[name])
            if not any(h.start <= fixed <= h.end for h in days):
                gaps.append(f"{year}年：{name}的放假日期不含 {fixed.month}月{fixed.day}日")
    if lacking:  # all named at once, in the notice's order, the reason said once
        gaps.insert(0, f"{year}年：没有{'、'.join(lacking)}的放假安排（国务院办公厅的通知每年都列出七个节日的放假日期）")
    return gaps


def _plain(v: Any) -> Any:
    """The document with its dates as text (YYYY-MM-DD), which the year's reader takes alike:
    a date of another class (a test's frozen clock) could not be written."""
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v.isoformat() if isinstance(v, dt.date) else v


def add_year_bytes(raw: bytes) -> list[int]:
    """Validate a year's schedule and keep it in the data directory."""
    years = parse_year_file(raw)
    doc = load_yaml(raw.decode("utf-8-sig"))
    if not (isinstance(doc, dict) and doc.get("version")):
        from . import clock

        # Dated the day it was added: the calendar's version says so (see load_calendar). The
        # document is written again whole (text put before a '---' made two documents).
        raw = yaml.safe_dump(_plain({"version": clock.today().isoformat(), **doc}), allow_unicode=True,
                             sort_keys=False).encode()
        if parse_year_file(raw) != years:  # what is kept reads as what was checked
            raise CalendarFileError("文件无法按原样保存，请核对格式", "the file could not be kept as given")
    target = overlay_dir()
    target.mkdir(parents=True, exist_ok=True)
    for y in years:
        tmp = target / f".{y}.yaml.tmp"
        tmp.write_bytes(raw)
        tmp.replace(target / f"{y}.yaml")  # never a half-written year for a reader in another process
    _calendar_for.cache_clear()
    return sorted(years)


def add_year_file(path: Path) -> list[int]:
    return add_year_bytes(path.read_bytes())


# --- deadlines --------------------------------------------------------------------------

def provisional_reason_zh(years: Sequence[int], calendar: Calendar) -> str:
    """Why a date counted over these years is only estimated (Chinese)."""
    if not years:
        return ""
    later = [y for y in years if y > calendar.last_year]
    earlier = [y for y in years if y not in later]
    ys = "、".join(f"{y}年" for y in (later or earlier))
    why = (f"国务院办公厅尚未公布{ys}部分节假日安排的通知（调休上班日未定）" if later
           else f"工作日历未收录{ys}的节假日安排通知")
    return why + "，按周末和《全国年节及纪念日放假办法》规定的法定节假日（适逢周末的补假按惯例推定）推定"


def provisional_reason_en(years: Sequence[int]) -> str:
    ys = ", ".join(map(str, years))
    return (f"the holiday schedule of {ys} is not published (make-up working days unknown): estimated from weekends "
            "and the statutory holidays")


def final_when_zh(years: Sequence[int]) -> str:
    ys = "、".join(f"{y}年" for y in years)
    return f"最上级机关的管理员在{CALENDAR_PAGE}添加{ys}节假日安排通知后，截止日即确定，变化记入操作记录"


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
    # Years over which the count ran that have no published notice: the due date is estimated.
    estimated_years: list[int] = field(default_factory=list)
    provisional_reason_zh: str = ""
    final_when_zh: str = ""
    # The count alone, for a page that says why the date is estimated in a box of its own.
    calculation_zh: str = ""

    @property
    def provisional(self) -> bool:
        return bool(self.estimated_years)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "received": self.received.isoformat(),
            "working_days": self.working_days,
            "paused": [[a.isoformat(), b.isoformat()] for a, b in self.paused],
            "extended": self.extended,
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            "calendar_version": self.calendar_version,
            "explanation_zh": self.explanation_zh,
        }
        if self.provisional:
            out |= {"estimated_years": self.estimated_years, "provisional_reason_zh": self.provisional_reason_zh,
                    "provisional_reason_en": provisional_reason_en(self.estimated_years),
                    "final_when_zh": self.final_when_zh}
        return out


def _zh(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日（星期{WEEKDAYS_ZH[d.weekday()]}）"


def _paused(day: dt.date, pauses: Sequence[tuple[dt.date, dt.date]]) -> bool:
    return any(a <= day <= b for a, b in pauses)


# Counting stops this far from the end of the Gregorian calendar Python knows.
_LAST_COUNTABLE = dt.date(dt.MAXYEAR, 1, 1)


def deadline(received: dt.date, days: int = STATUTORY_DAYS, pauses: Sequence[tuple[dt.date, dt.date]] = (),
             extend: int = 0, calendar: Calendar | None = None, start_zh: str = "收到申请之日") -> Deadline:
    """The due date of a time limit of `days` working days (+ `extend`) counted from the day
    after `received`, not counting working days within `pauses` (inclusive ranges). Over a
    year without a published notice the due date is provisional (`estimated_years`).
    `start_zh` names the day counted from in the explanation (收到补正之日 after a correction)."""
    cal = calendar or default_calendar()
    if days < 1 or extend < 0:
        raise ValueError("days must be at least 1 and extend at least 0")
    if received >= _LAST_COUNTABLE:
        raise ValueError("received date beyond the years that can be counted")
    total = days + extend
    counted: list[dt.date] = []
    skipped_holidays: dict[Holiday, None] = {}
    makeups: list[dt.date] = []
    paused_days: list[dt.date] = []
    d = received
    while len(counted) < total:
        d += dt.timedelta(days=1)
        if not cal.is_workday(d):
            if cal.day_off(d) and d.weekday() < 5:
                skipped_holidays.setdefault(cal.holiday_of(d))
            continue
        if _paused(d, pauses):
            paused_days.append(d)
            continue
        counted.append(d)
        if d in cal.makeup:
            makeups.append(d)
    due = counted[-1]
    estimated = cal.unpublished_years(received + dt.timedelta(days=1), due)
    parts = [f"{start_zh}为{_zh(received)}，自次日起计算，第1个工作日为{_zh(counted[0])}"]
    for h in skipped_holidays:
        span = f"{h.start.month}月{h.start.day}日" + (f"至{h.end.month}月{h.end.day}日" if h.end != h.start else "")
        guess = "" if cal.published(h.end.year) else "，推定"
        parts.append(f"{h.name}假期（{span}{guess}）不计")
    for m in makeups:
        parts.append(f"{m.month}月{m.day}日（星期{WEEKDAYS_ZH[m.weekday()]}）为调休上班日，计入")
    if paused_days:
        spans = "、".join(f"{a.month}月{a.day}日至{b.month}月{b.day}日" for a, b in pauses)
        parts.append(f"暂停计算期间（{spans}）的{len(paused_days)}个工作日不计")
    limit = f"{days}个工作日" + (f"，延长{extend}个工作日" if extend else "")
    parts.append(f"期限{limit}，共{total}个工作日，截止日为{_zh(due)}" + ("（推定）" if estimated else ""))
    calculation = text = "；".join(parts) + "。"
    reason = provisional_reason_zh(estimated, cal)
    final = final_when_zh(estimated) if estimated else ""
    if estimated:
        text += f"截止日为推定：{reason}；{final}。"
    return Deadline(received, days, list(pauses), extend, due, cal.version, text, counted, estimated, reason, final,
                    calculation)


def version_zh(version: str) -> str:
    """A calendar version for people: "2026-11-23+2026#ec21c541" (the shipped file's date,
    the last year it holds, the digest of every file read) as 至2026年的节假日安排（2026-11-23 版·ec21c541）.
    The digest stays, small: two calendars with the same years may still differ."""
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\+(\d{4})#([0-9a-f]+)", version or "")
    if not m:
        return version or ""
    return f"至{m.group(2)}年的节假日安排（{m.group(1)} 版·{m.group(3)}）"
