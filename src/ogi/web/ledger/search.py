"""Finding requests: one set of filters for the list, its XLSX export and the API of the
page — full text over tracking number, content, event notes and (for staff allowed to see
it) the applicant's name; state, channel, category, outcome, dates, due status, agency;
sorting by a fixed set of columns. Bad parameters are ignored with a message, never an error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes
from ogi.web import clock
from ogi.web.accounts import access
from ogi.web.accounts.models import Agency
from ogi.web.params import query_date, query_int
from ogi.workdays import default_calendar
from ogi.workflow.requests import OPEN_STATES, STATES, due_of

from . import fulltext, services
from .models import CHANNELS, Event, Request

SORTS = {"tracking_no": "申请编号", "received_on": "收到日期", "agency": "机关", "state": "状态", "channel": "提交方式",
         "outcome": "办理结果", "applicant_category": "申请人类别"}
_ORDER = {"agency": "agency__name"}
DUE_FILTERS = {"due_soon": "即将到期（5个工作日内）", "overdue": "已逾期"}
MAX_QUERY = 100


@dataclass
class Search:
    qs: QuerySet[Request]
    params: dict[str, str]
    sort: str
    personal: bool  # whether names were searched and may be shown
    agencies: list[Agency] = field(default_factory=list)  # a supervisor's choice
    notes: list[str] = field(default_factory=list)  # what was ignored, in Chinese


def _date(text: str, notes: list[str], what: str) -> dt.date | None:
    d = query_date(text)
    if d is None:
        notes.append(f"{what}“{text[:20]}”不是有效日期（应为 YYYY-MM-DD），已忽略")
    return d


def find(user, params: Mapping[str, str], day: dt.date | None = None) -> Search:  # type: ignore[no-untyped-def]
    """The user's visible requests narrowed by `params` (a GET query)."""
    s = access.staff_of(user)
    qs = services.visible(user).select_related("agency")
    p = {k: str(v).strip() for k, v in params.items() if str(v).strip() and k != "page"}
    notes: list[str] = []
    # Names are personal data: only the agency's own staff search or see them.
    personal = s is not None and s.role != "supervisor"
    agencies: list[Agency] = []
    scope = [s.agency_id] if s is not None else []  # the agencies searched: what visible() allows, or the one chosen
    if s is not None and s.role == "supervisor":
        agencies = list(Agency.objects.filter(pk__in=s.agency.subtree_ids()).exclude(pk=s.agency_id).order_by("name"))
        scope += [a.pk for a in agencies]
        if p.get("agency"):
            chosen = [a for a in agencies if str(a.pk) == p["agency"] or a.code == p["agency"]]
            if chosen:
                qs = qs.filter(agency=chosen[0])
                scope = [chosen[0].pk]
            else:
                notes.append("所选机关不在监督范围内，已忽略")
    for key, choices in (("state", STATES), ("channel", dict(CHANNELS)), ("category", APPLICANT_CATEGORIES),
                         ("outcome", outcomes())):
        if key in p:
            if p[key] in choices:
                qs = qs.filter(**{"applicant_category" if key == "category" else key: p[key]})
            else:
                notes.append(f"筛选条件“{p[key][:20]}”无效，已忽略")
    if p.get("year"):
        year = query_int(p["year"], None, 2008, 2100)
        if year is None:
            notes.append(f"年度“{p['year'][:20]}”无效，已忽略")
        else:
            qs = qs.filter(received_on__year=year)
    start = _date(p["from"], notes, "起始日期") if p.get("from") else None
    end = _date(p["to"], notes, "截止日期") if p.get("to") else None
    if start and end and start > end:
        # Typed the wrong way round: the range meant, not an empty list without a word.
        notes.append(f"起始日期晚于截止日期，已按 {end} 至 {start} 查询")
        start, end = end, start
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    q = p.get("q", "")[:MAX_QUERY]
    if q:
        qs = qs.filter(text_match(q, personal, scope))
    if p.get("due") in DUE_FILTERS:
        qs = qs.filter(due_match(qs, p["due"], day or clock.today()))
    elif p.get("due"):
        notes.append("期限筛选无效，已忽略")
    sort = p.get("sort", "-received_on")
    key = sort.lstrip("-")
    if key not in SORTS:
        notes.append("排序字段无效，已按收到日期排序")
        sort, key = "-received_on", "received_on"
    field_ = _ORDER.get(key, key)
    qs = qs.order_by(("-" if sort.startswith("-") else "") + field_, ("-pk" if sort.startswith("-") else "pk"))
    return Search(qs=qs, params=p, sort=sort, personal=personal, agencies=agencies, notes=notes)


def text_match(q: str, personal: bool, agencies: list[int] | None = None) -> Q:
    """Requests whose tracking number, content or an event's note — and, when `personal`, the
    applicant's name — contain `q` (case as Django's icontains). Read from the full-text
    index (fulltext.py); the same condition over the ledger's own columns when it cannot answer."""
    found = fulltext.match(q, personal, agencies)
    if found is not None:
        return found
    match = (Q(tracking_no__icontains=q) | Q(content__icontains=q)
             | Q(pk__in=Event.objects.filter(note__icontains=q, request__isnull=False).values("request_id")))
    if personal:
        match |= Q(applicant_name__icontains=q)
    return match


# Due dates are derived, never stored. Without a pause or an extension a request's due date is
# the 20th working day after its start (receipt, or the correction), so it grows with the start
# date and a status is a range of start dates, found once per search by asking due_of itself.
# Only the requests with pauses or an extension are computed one by one.
_COUNTED = tuple(s for s in OPEN_STATES if s != "correction")  # a correction waits on the applicant
_WINDOW = dt.timedelta(days=366)  # 20 working days never span a year


def due_match(qs: QuerySet[Request], status: str, day: dt.date) -> Q:
    """The requests among `qs` whose due status on `day` is `status` (due_soon or overdue),
    exactly as due_of() says, with due_of() called for the few whose due date is not plain."""
    bounds = _plain_bounds(day)
    if bounds is None:  # a calendar that breaks the ordering: every open request is computed
        return Q(pk__in=_due_ids(qs.filter(state__in=OPEN_STATES), status, day))
    overdue_to, due_soon_to = bounds
    by_start = _start_between(None, overdue_to) if status == "overdue" else _start_between(overdue_to, due_soon_to)
    plain = Q(state__in=_COUNTED, pauses=[], extension_days=0)
    others = qs.filter(state__in=_COUNTED).exclude(pauses=[], extension_days=0)
    return (plain & by_start) | Q(pk__in=_due_ids(others, status, day))


def _start_between(after: dt.date | None, upto: dt.date) -> Q:
    """corrected_on, or else received_on, in (after, upto]."""
    corrected = Q(corrected_on__lte=upto) & (Q(corrected_on__gt=after) if after else Q())
    received = Q(corrected_on__isnull=True, received_on__lte=upto) & (Q(received_on__gt=after) if after else Q())
    return corrected | received


def _plain_bounds(day: dt.date) -> tuple[dt.date, dt.date] | None:
    """(the last start date overdue on `day`, the last start date due soon) for a request
    without pauses or extension; None if the statuses are not ordered by start date."""
    rank = {"overdue": 0, "due_soon": 1, "ok": 2}
    memo: dict[dt.date, int] = {}
    cal = default_calendar()

    def rank_of(start: dt.date) -> int:
        if start not in memo:
            memo[start] = rank.get(due_of(Request(state="registered", received_on=start), day, cal).status, -1)
        return memo[start]

    low, high = day - _WINDOW, day
    if rank_of(low) != 0 or rank_of(high) != 2:
        return None

    def last(at_most: int) -> dt.date:
        lo, hi = low, high  # rank_of(lo) <= at_most < rank_of(hi)
        while (hi - lo).days > 1:
            mid = lo + dt.timedelta(days=(hi - lo).days // 2)
            if rank_of(mid) <= at_most:
                lo = mid
            else:
                hi = mid
        return lo

    return last(0), last(1)


def _due_ids(qs: QuerySet[Request], status: str, day: dt.date) -> list[int]:
    cal = default_calendar()  # once: due_of() would look for a newer calendar file per request
    fields = ("pk", "state", "received_on", "corrected_on", "correction_requested_on", "correction_due", "extension_days", "pauses")
    return [r.pk for r in qs.select_related(None).only(*fields) if due_of(r, day, cal).status == status]
