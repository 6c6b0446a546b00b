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
from ogi.workflow.requests import OPEN_STATES, STATES, due_of

from . import services
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
    if s is not None and s.role == "supervisor":
        agencies = list(Agency.objects.filter(pk__in=s.agency.subtree_ids()).exclude(pk=s.agency_id).order_by("name"))
        if p.get("agency"):
            chosen = [a for a in agencies if str(a.pk) == p["agency"] or a.code == p["agency"]]
            if chosen:
                qs = qs.filter(agency=chosen[0])
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
    if p.get("from") and (d := _date(p["from"], notes, "起始日期")):
        qs = qs.filter(received_on__gte=d)
    if p.get("to") and (d := _date(p["to"], notes, "截止日期")):
        qs = qs.filter(received_on__lte=d)
    q = p.get("q", "")[:MAX_QUERY]
    if q:
        match = (Q(tracking_no__icontains=q) | Q(content__icontains=q)
                 | Q(pk__in=Event.objects.filter(note__icontains=q, request__isnull=False).values("request_id")))
        if personal:
            match |= Q(applicant_name__icontains=q)
        qs = qs.filter(match)
    if p.get("due") in DUE_FILTERS:
        qs = qs.filter(pk__in=_due_ids(qs, p["due"], day or clock.today()))
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


def _due_ids(qs: QuerySet[Request], status: str, day: dt.date) -> list[int]:
    """Due dates are derived, never stored: computed for the open requests among `qs`."""
    ids = []
    fields = ("pk", "state", "received_on", "corrected_on", "correction_requested_on", "correction_due", "extension_days", "pauses")
    for r in qs.select_related(None).filter(state__in=OPEN_STATES).only(*fields):
        if due_of(r, day).status == status:
            ids.append(r.pk)
    return ids
