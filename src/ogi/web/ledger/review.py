"""What waits for a reviewer: a clerk may not answer a request or extend its time limit
(条例第三十三条: 延长须经政府信息公开工作机构负责人同意), so the clerk submits the answer or the
extension for review; the reviewer sees it in the inbox and fires the event with the
clerk's inputs. A submission is pending until that event (or a newer submission) follows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ogi.records import validate
from ogi.records.outcomes import outcomes
from ogi.web import clock
from ogi.web.reporting.models import AnnualReport
from ogi.workflow.requests import OPEN_STATES, Refused

from .models import Event, Request

# The submission, the event a reviewer fires for it, and what the clerk supplies.
SUBMISSIONS = {"submit_answer": ("answer", "提请审核：答复", ("outcome", "withheld", "note")),
               "submit_extension": ("extend", "提请审核：延长答复期限", ("days", "note"))}


@dataclass
class Pending:
    request: Request
    submission: Event
    event: str  # what the reviewer fires: answer | extend

    @property
    def summary(self) -> str:
        c = self.submission.changes.get("proposed", {})
        if self.event == "answer":
            return f"拟答复：{outcomes().get(c.get('outcome', ''), '')}"
        return f"拟延长 {c.get('days')} 个工作日"


def submit(user, tracking_no: str, kind: str, inputs: dict[str, Any]) -> Event:  # type: ignore[no-untyped-def]
    """A clerk's answer or extension, submitted for the reviewer's approval."""
    from .services import get_visible, staff_of

    s = staff_of(user)
    if s is None or s.role == "supervisor":
        raise Refused("只有本机关工作人员可以提请审核", "forbidden")
    if kind not in SUBMISSIONS:
        raise Refused("没有这个操作", "unknown_event")
    r = get_visible(user, tracking_no)
    if r.state not in OPEN_STATES:
        raise Refused("该申请已办结，无需提请审核", "wrong_state")
    event, label, fields = SUBMISSIONS[kind]
    # The same rules as the event the reviewer will fire with these inputs.
    _, cleaned = validate.clean_event(event, None, {k: inputs[k] for k in fields if k in inputs}, r.received_on, clock.today())
    proposed = {k: v for k, v in cleaned.items() if v not in (None, "")}
    return Event.objects.create(request=r, agency=r.agency, actor=user, on=clock.today(), event=kind, label=label,
                                changes={"proposed": proposed}, note=str(proposed.get("note") or ""))


def pending(requests: QuerySet[Request]) -> list[Pending]:
    """Submissions not yet acted on, oldest first."""
    out = []
    subs = (Event.objects.filter(request__in=requests.filter(state__in=OPEN_STATES), event__in=SUBMISSIONS)
            .select_related("request__agency", "actor").order_by("request_id", "-at", "-pk"))
    seen: set[tuple[int, str]] = set()
    for ev in subs:
        target = SUBMISSIONS[ev.event][0]
        key = (ev.request_id, target)
        if key in seen:
            continue  # an older submission, replaced by the newer one
        seen.add(key)
        done = Event.objects.filter(request_id=ev.request_id, event=target, at__gte=ev.at).exists()
        if not done:
            out.append(Pending(ev.request, ev, target))
    return sorted(out, key=lambda p: p.submission.at)


def pending_for(r: Request) -> dict[str, Pending]:
    return {p.event: p for p in pending(Request.objects.filter(pk=r.pk))}


def reports_in_review(agency_id: int) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(agency_id=agency_id, state="review").select_related("submitted_by").order_by("year")


def age_days(p: Pending, day: dt.date | None = None) -> int:
    return ((day or clock.today()) - p.submission.on).days if p.submission.on else 0
