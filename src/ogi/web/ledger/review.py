"""What waits for a reviewer: a clerk may not answer a request or extend its time limit
(条例第三十三条: 延长须经政府信息公开工作机构负责人同意), so the clerk submits the answer or the
extension for review; the reviewer sees it in the inbox and fires the event with the
clerk's inputs. A submission is pending until that event (or a newer submission) follows;
an extension, also until an answer is submitted after it."""

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


# A reviewer who does not agree sends the submission back, with the reason, to its clerk.
RETURNS = {"submit_answer": ("return_answer", "退回提请：答复"), "submit_extension": ("return_extension", "退回提请：延长答复期限")}
RETURNED = {event: kind for kind, (event, _) in RETURNS.items()}  # return event → the submission it returns
MAX_REASON = 500


@dataclass
class Pending:
    request: Request
    submission: Event
    event: str  # what the reviewer fires: answer | extend

    @property
    def summary(self) -> str:
        c = self.submission.changes.get("proposed", {})
        if self.event == "answer":
            withheld = "；".join(line.strip() for line in str(c.get("withheld") or "").splitlines() if line.strip())
            return f"拟答复：{outcomes().get(c.get('outcome', ''), '')}" + (f"（不予公开：{withheld}）" if withheld else "")
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
    if event == "answer" and proposed.get("outcome") == "partial":
        from .notices import parse_withheld

        # Checked as the letter will read it: refused now, not when the reviewer answers.
        if not parse_withheld(proposed.get("withheld"), r.agency.letter_templates or {}):
            raise Refused("部分公开的答复须逐项写明不予公开的部分及其理由（每行一项：内容｜理由）", "bad_input")
    # What the reviewer could not approve today (an extension once the time limit has passed)
    # is refused now, with the same reason, not left in the reviewer's queue.
    from ogi.workflow.machine import Context
    from ogi.workflow.requests import APPROVERS, REQUESTS

    REQUESTS.check(r, event, Context(on=clock.today(), role=APPROVERS[0], inputs=proposed))
    changes: dict[str, Any] = {"proposed": proposed}
    extension = pending_for(r).get("extend") if kind == "submit_answer" else None
    if extension is not None:
        # Said where the clerk and the audit log read it: the extension no longer waits (pending()).
        label += "（取代此前延长答复期限的提请）"
        changes["supersedes"] = extension.submission.pk
    return Event.objects.create(request=r, agency=r.agency, actor=user, on=clock.today(), event=kind, label=label,
                                changes=changes, note=str(proposed.get("note") or ""))


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
        done = Event.objects.filter(request_id=ev.request_id, event__in=(target, RETURNS[ev.event][0]), at__gte=ev.at).exists()
        if not done:
            out.append(Pending(ev.request, ev, target))
    # An answer submitted after an extension makes the extension moot: approved first (the
    # queue is oldest first), it would send the applicant a notice of an extension needed no more.
    answers = {p.request.pk: p.submission.at for p in out if p.event == "answer"}
    out = [p for p in out if not (p.event == "extend" and answers.get(p.request.pk, p.submission.at) > p.submission.at)]
    return sorted(out, key=lambda p: p.submission.at)


def send_back(user, tracking_no: str, kind: str, reason: str, submission: int | None = None) -> Event:  # type: ignore[no-untyped-def]
    """The reviewer does not agree: the submission goes back to its clerk with the reason, and
    waits no more (the clerk submits again, changed, or the reviewer acts otherwise).
    `submission`: the one the reviewer saw; a newer one sent meanwhile is not returned unseen."""
    from ogi.workflow.requests import APPROVERS

    from .services import get_visible, staff_of

    s = staff_of(user)
    if s is None or s.role not in APPROVERS:
        raise Refused("只有审核人或机关管理员可以退回提请", "forbidden")
    if kind not in RETURNS:
        raise Refused("没有这个操作", "unknown_event")
    problems: list[validate.Problem] = []
    reason = validate.text({"reason": reason}, "reason", problems)
    if problems or not reason:
        raise Refused("请写明退回的理由，经办人将据此修改", "bad_input")
    if len(reason) > MAX_REASON:
        raise Refused(f"退回理由不超过 {MAX_REASON} 个字（现有 {len(reason)} 个字）", "bad_input")
    r = get_visible(user, tracking_no)
    waiting = pending_for(r).get(SUBMISSIONS[kind][0])
    if waiting is None or waiting.submission.event != kind:
        raise Refused("这项提请已经处理或已被新的提请取代，无需退回", "wrong_state")
    if submission is not None and waiting.submission.pk != submission:
        raise Refused("经办人刚刚重新提请，内容可能已改：请刷新页面，看过新的提请后再决定", "conflict")
    event, label = RETURNS[kind]
    return Event.objects.create(request=r, agency=r.agency, actor=user, on=clock.today(), event=event, label=label,
                                changes={"returned": {"submission": waiting.submission.pk, "by": waiting.submission.actor_id}},
                                note=reason)


def _outstanding(backs: QuerySet[Event], wanted: Any = None) -> list[Event]:
    """The returns among `backs` not yet cleared — by submitting again, or by the step itself
    taken since (the reviewer extended after all) — the newest of each request and kind."""
    out, seen = [], set()
    for ev in backs.select_related("request", "actor").order_by("-at", "-pk"):
        if (wanted is not None and not wanted(ev)) or (ev.request_id, ev.event) in seen:
            continue
        seen.add((ev.request_id, ev.event))
        kind = RETURNED[ev.event]
        if not Event.objects.filter(request_id=ev.request_id, event__in=(kind, SUBMISSIONS[kind][0]), at__gt=ev.at).exists():
            out.append(ev)
    return out


def returned_submission(back: Event) -> dict[str, Any]:
    """What the submission a return sent back proposed ({} when it cannot be found)."""
    pk = (back.changes.get("returned") or {}).get("submission")
    sub = Event.objects.filter(pk=pk, request_id=back.request_id).first() if isinstance(pk, int) else None
    return dict(sub.changes.get("proposed") or {}) if sub is not None else {}


def returned_of(r: Request) -> list[Event]:
    """This request's submissions sent back and not yet submitted again or acted on."""
    return _outstanding(r.events.filter(event__in=RETURNED))


def returned_to(user, requests: QuerySet[Request]) -> list[Event]:  # type: ignore[no-untyped-def]
    """Submissions of this clerk sent back and not yet submitted again, for open requests."""
    backs = Event.objects.filter(request__in=requests.filter(state__in=OPEN_STATES), event__in=RETURNED)
    return _outstanding(backs, lambda ev: (ev.changes.get("returned") or {}).get("by") == user.pk)


def pending_for(r: Request) -> dict[str, Pending]:
    return {p.event: p for p in pending(Request.objects.filter(pk=r.pk))}


def reports_in_review(agency_id: int, user=None) -> QuerySet[AnnualReport]:  # type: ignore[no-untyped-def]
    """The agency's reports waiting for approval; with `user`, those another person submitted
    (one does not approve one's own)."""
    qs = AnnualReport.objects.filter(agency_id=agency_id, state="review").select_related("submitted_by").order_by("year")
    return qs.exclude(submitted_by=user) if user is not None else qs


def age_days(p: Pending, day: dt.date | None = None) -> int:
    return ((day or clock.today()) - p.submission.on).days if p.submission.on else 0
