"""What the pages, the API and the demo do to the ledger: one place for access rules,
registration, events with their audit record, and personal data."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404

from ogi.records import validate
from ogi.web import clock
from ogi.web.accounts.access import can_see_personal_data, staff_of
from ogi.web.accounts.models import Agency, Staff
from ogi.workdays import CalendarFileError, add_year_bytes, default_calendar, parse_year_file
from ogi.workflow.requests import APPLICANT, BY_EVENT, OPEN_STATES, Context, Refused, due_of, fire

from . import notices
from .models import Correction, Event, Request, new_query_code, new_tracking_no

# Art. 31: the day of receipt by channel — (一) in person: the day handed in; (二) by post:
# the day signed for, ordinary letters: the day receipt is confirmed with the applicant;
# (三) online, e-mail or fax: the day both sides confirm.
RECEIPT_RULE = {
    "in_person": "当面提交的，以提交之日为收到申请之日",
    "letter": "以邮寄方式提交的，以行政机关签收之日为收到申请之日",
    "ordinary_mail": "以平常信函提交的，以与申请人确认之日为收到申请之日",
    "fax": "通过传真提交的，以双方确认之日为收到申请之日",
    "email": "通过电子邮件提交的，以双方确认之日为收到申请之日",
    "online": "通过互联网渠道提交的，以双方确认之日为收到申请之日",
}


def visible(user) -> QuerySet[Request]:  # type: ignore[no-untyped-def]
    """Requests a user may see: their agency's; a supervisor's, those of the agencies below."""
    s = staff_of(user)
    if s is None:
        return Request.objects.none()
    if s.role == "supervisor":
        return Request.objects.filter(agency_id__in=s.agency.subtree_ids())
    return Request.objects.filter(agency_id=s.agency_id)


def get_visible(user, tracking_no: str) -> Request:  # type: ignore[no-untyped-def]
    """The request, or 404 — the same answer whether it does not exist or is another agency's."""
    try:
        return visible(user).select_related("agency").get(tracking_no=tracking_no)
    except Request.DoesNotExist:
        raise Http404("没有这个申请") from None


def reveal(user, r: Request) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The applicant's personal data, recorded in the audit log."""
    if not can_see_personal_data(user, r):
        raise Refused("只有本机关工作人员可以查看申请人个人信息", "forbidden")
    Event.objects.create(request=r, agency=r.agency, actor=user, on=clock.today(), event="view_personal_data",
                         label="查看申请人个人信息", changes={})
    return {"name": r.applicant_name, "id_no": r.applicant_id_no, "contact": r.applicant_contact, "query_code": r.query_code}


def register(user, data: dict[str, Any], agency: Agency | None = None, *,  # type: ignore[no-untyped-def]
             staff: Staff | None = None, token: str | None = None, origin: str = "form",
             twin_within: dt.timedelta | None = None, imported: bool = False) -> Request:
    """Register a request (web form or API). `data` holds the model fields by name; `staff`
    is the user's staff record when the caller has it already (an import, row after row);
    `token` the form's (SubmittedOnce) or the API client's Idempotency-Key, from `origin`;
    `twin_within` how long ago the same open request may have been registered already (the
    page's form, sent again after Back with a new token): the request registered then is
    returned again, marked `repeated`."""
    s = staff if staff is not None and staff.user_id == user.pk else staff_of(user)
    if s is None or s.role == "supervisor":
        raise Refused("只有机关工作人员可以登记申请", "forbidden")
    agency = agency or s.agency
    if agency.pk != s.agency_id:
        raise Refused("只能为本机关登记申请", "forbidden")
    data = validate.clean_request(data, clock.today(), handed_in_rule=not imported)
    return _create(agency, data, actor=user, label="登记申请", note=RECEIPT_RULE.get(data["channel"], ""),
                   submission=submission_key(origin, agency, user.pk, token), twin_within=twin_within)


def submission_key(origin: str, agency: Agency, user_pk: int | None, token: str | None) -> str | None:
    """What a request keeps of the token that registered it: a digest of where it came
    from (the public form, a staff form, an API client), for which agency and user, and the
    token. A token from one origin never finds a request registered from another (an API
    client's key is not secret), nor another agency's or user's."""
    if not token:
        return None
    import hashlib

    return origin[:6] + ":" + hashlib.sha256(f"{origin}\x1f{agency.pk}\x1f{user_pk or ''}\x1f{token}".encode()).hexdigest()[:32]


def _create(agency: Agency, data: dict[str, Any], actor, label: str, note: str,  # type: ignore[no-untyped-def]
            submission: str | None = None, twin_within: dt.timedelta | None = None,
            twins: QuerySet[Request] | None = None) -> Request:
    for _ in range(5):
        try:
            with transaction.atomic():
                # The agency's row locked: its registrations take their numbers one after another
                # (PostgreSQL runs them at once otherwise; SQLite's writer lock already queues them).
                Agency.objects.select_for_update().filter(pk=agency.pk).first()
                done = Request.objects.filter(submission=submission).first() if submission is not None else None
                if done is not None and any(getattr(done, k) != v for k, v in data.items()):
                    # The same token with other words: not the same request sent again.
                    raise Refused(f"这次提交的标识已用于申请 {done.tracking_no}，而内容不同：请重新打开登记页（接口请换一个 "
                                  "Idempotency-Key）后再提交", "key_reused")
                if done is None and twin_within is not None:
                    done = _twin(agency, data, twin_within, twins)
                if done is not None:
                    done.repeated = True  # type: ignore[attr-defined]
                    return done
                r = Request.objects.create(agency=agency, tracking_no=new_tracking_no(agency, data["received_on"].year),
                                           query_code=new_query_code(), submission=submission, **data)
                Event.objects.create(request=r, agency=agency, actor=actor, on=r.received_on, event="register", label=label,
                                     changes={"state": [None, r.state]}, calendar_version=default_calendar().version,
                                     note=note)
                return r
        except IntegrityError:
            continue  # two registrations took the same number: take the next
    raise Refused("申请编号冲突，请重试", "conflict")


def _twin(agency: Agency, data: dict[str, Any], within: dt.timedelta, among: QuerySet[Request] | None) -> Request | None:
    """The same open request — every field alike — registered `within` ago (among `among`,
    when given). A withdrawn or answered one is not it: filing again is then a new request."""
    from django.utils import timezone

    rows = among if among is not None else Request.objects.all()
    return (rows.filter(agency=agency, state__in=OPEN_STATES, **data, events__event="register",
                        events__at__gte=timezone.now() - within).order_by("pk").first())


# Art. 31(三): an online request is received on the day both sides confirm it. ogi's own
# form confirms at once — the applicant is shown the tracking number and query code on
# submission — so the day of submission is the day of receipt.
ONLINE_RECEIPT = "通过本机关网上申请平台提交，平台即时出具申请编号和查询码，提交之日即为双方确认之日（条例第三十一条第三项）"


def file_online(agency: Agency, data: dict[str, Any], token: str | None = None, tracked: Sequence[str] = ()) -> Request:
    """A member of the public files a request on the public form: no staff user acts.
    `token` as for register(); `tracked`, the requests this browser has been shown the code
    of: only one of those is returned as the same request filed again (whoever else knows
    an applicant's details is not given the applicant's code)."""
    if not handles_requests(agency):
        raise Refused("该机关不受理政府信息公开申请，请选择其他机关", "forbidden")
    day = clock.today()
    data = validate.clean_request({**data, "channel": "online", "submitted_on": day, "received_on": day}, day, public=True)
    # The same person's same words filed again the same day (Back and submit: the page comes
    # back with a new token) are the request filed then.
    return _create(agency, data, actor=None, label="网上提交申请", note=ONLINE_RECEIPT,
                   submission=submission_key("public", agency, None, token), twin_within=dt.timedelta(days=1),
                   twins=Request.objects.filter(tracking_no__in=list(tracked)))


def request_agencies() -> QuerySet[Agency]:
    """The agencies the public may file a request with: those with staff who handle
    requests (经办人, 审核人). A supervising office with only read-only users and an
    administrator (who keeps accounts and the calendar) cannot act on one."""
    return (Agency.objects.filter(staff__role__in=HANDLERS, staff__user__is_active=True).distinct().order_by("name"))


HANDLERS = ("clerk", "reviewer")


def handles_requests(agency: Agency) -> bool:
    return request_agencies().filter(pk=agency.pk).exists()


def find_by_code(tracking_no: str, query_code: str) -> Request | None:
    """The request whose tracking number and query code both match; None otherwise, the
    same answer whichever of the two was wrong."""
    r = Request.objects.select_related("agency").filter(tracking_no=tracking_no.strip().upper()).first()
    given = query_code.strip().upper().encode()
    if r is None or not r.query_code or not secrets.compare_digest(r.query_code.encode(), given):
        return None
    return r


def record_event(user, tracking_no: str, event: str, on: dt.date, inputs: dict[str, Any],  # type: ignore[no-untyped-def]
                 expected_version: int | None = None) -> Request:
    """Fire a workflow event. The row is locked and its version checked, so two people
    acting on one request at once never lose an update: the second is refused."""
    s = staff_of(user)
    if s is None:
        raise Refused("请先登录", "forbidden")
    return _fire_locked(visible(user), tracking_no, event, on, s.role, inputs, user, expected_version)[0]


def withdraw_online(tracking_no: str, reason: str) -> Request:
    """The applicant withdraws the request on the tracking page. The caller has checked
    that this is the applicant: the browser showed the request's query code."""
    return _fire_locked(Request.objects.all(), tracking_no, "withdraw", clock.today(), APPLICANT,
                        {"note": "申请人在网上撤回申请" + (f"：{reason.strip()}" if reason.strip() else "")}, None, None)[0]


def correct_online(tracking_no: str, text: str, attachment: tuple[str, bytes] | None = None,
                   token: str | None = None) -> Correction:
    """The applicant sends the correction asked for on the tracking page: recorded as staff
    record 收到补正 — the same event, dated the day it is sent, the answer's time limit counted
    again from it (条例第三十条) — with the corrected description and the attachment kept
    beside it. The caller has checked that this is the applicant (the browser showed the
    request's query code). `token`: the form's (SubmittedOnce); the same form sent again
    returns the correction it sent, marked `repeated`. Raises Refused."""
    from ogi.web.uploads import attachment_kind, safe_file_name

    with transaction.atomic():
        r = Request.objects.select_for_update().filter(tracking_no=tracking_no).first()
        if r is None:
            raise Http404("没有这个申请")
        # One request's form: its token finds nothing of another's.
        key = submission_key("correct", r.agency, None, f"{r.tracking_no}\x1f{token}") if token else None
        done = Correction.objects.filter(submission=key, request=r).select_related("event").first() if key else None
        if done is not None:
            done.repeated = True  # type: ignore[attr-defined]
            return done
        if r.state != "correction":
            # A second tab, or a page left open: said as what happened, not as the workflow's words.
            raise Refused(f"本申请已于{_zh_date(r.corrected_on)}收到补正，无需再次提交" if r.corrected_on and r.state in OPEN_STATES
                          else f"本申请当前为“{r.state_label}”，不在待补正状态，无需提交补正", "wrong_state")
        problems: list[validate.Problem] = []
        text = validate.text({"content": text}, "content", problems, required=True)
        if problems:
            raise validate.Invalid(problems)
        name, data, kind = "", None, ""
        if attachment is not None:
            kind, why = attachment_kind(attachment[1])
            if why:
                raise Refused(why, "bad_input")
            name, data = safe_file_name(attachment[0], kind), attachment[1]
        # (Not the file's name: the log is read by the office above, and a name may be personal.)
        note = "申请人在网上提交补正" + ("（含附件 1 份）" if name else "")
        r, ev = _fire_locked(Request.objects.all(), tracking_no, "receive_correction", clock.today(), APPLICANT,
                             {"note": note}, None, None)
        return Correction.objects.create(request=r, event=ev, text=text, file_name=name, file_kind=kind, file=data,
                                         submission=key)


def _zh_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def online_corrections(requests: QuerySet[Request]) -> list[Correction]:
    """Corrections applicants sent online to these open requests that staff have not acted
    on since (no workflow event after them): what the clerk's inbox and mail point to."""
    rows = (Correction.objects.filter(request__in=requests.filter(state__in=OPEN_STATES))
            .select_related("request__agency", "event").defer("file").order_by("created_at", "pk"))
    return [c for c in rows if not Event.objects.filter(request_id=c.request_id, event__in=list(BY_EVENT),
                                                        pk__gt=c.event_id).exists()]


def _fire_locked(rows: QuerySet[Request], tracking_no: str, event: str, on: dt.date, role: str,  # type: ignore[no-untyped-def]
                 inputs: dict[str, Any], actor, expected_version: int | None) -> tuple[Request, Event]:
    with transaction.atomic():
        try:
            r = rows.select_for_update().get(tracking_no=tracking_no)
        except Request.DoesNotExist:
            raise Http404("没有这个申请") from None
        if expected_version is not None and r.version != expected_version:
            raise Refused("该申请刚被他人修改，请刷新页面后重试", "conflict")
        version = r.version
        # The step that put the request where it is: one recorded late but dated right (a
        # reply received during a consultation, entered after the extension) still fits.
        last = r.events.filter(event__in=list(BY_EVENT), changes__has_key="state").order_by("-on", "-pk").first()
        on, inputs = validate.clean_event(event, on, inputs, r.received_on, clock.today(),
                                          fee_amount=validate.money(r.fee_amount) if r.fee_amount is not None else None,
                                          after=(last.on, last.label) if last is not None else None)
        if event == "fee_notice" and inputs.get("basis") == "per_request":
            # 按件: this applicant's requests to this agency in the calendar month of this one.
            inputs = {**inputs, "nth_in_month": Request.objects.filter(
                agency=r.agency, applicant_name=r.applicant_name, applicant_id_no=r.applicant_id_no,
                received_on__year=r.received_on.year, received_on__month=r.received_on.month,
                received_on__lte=r.received_on, pk__lte=r.pk).count()}
        changes = fire(r, event, Context(on=on, role=role, inputs=inputs))
        fields = {k: getattr(r, k) for k in changes}
        updated = Request.objects.filter(pk=r.pk, version=version).update(**fields, version=version + 1)
        if updated != 1:
            raise Refused("该申请刚被他人修改，请刷新页面后重试", "conflict")
        r.version = version + 1
        ev = Event.objects.create(request=r, agency=r.agency, actor=actor, on=on, event=event, label=BY_EVENT[event].label,
                                  changes={k: [b, a] for k, (b, a) in changes.items()},
                                  calendar_version=default_calendar().version,
                                  note=str(inputs.get("note") or inputs.get("reason") or ""))
        # The notice goes out with its event or neither happens.
        notices.for_event(r, ev, inputs, actor)
    return r, ev


def inbox(user, day: dt.date | None = None) -> dict[str, list[tuple[Request, Any]]]:  # type: ignore[no-untyped-def]
    """Open requests with their derived deadlines: late, due soon, the rest."""
    day = day or clock.today()
    cal = default_calendar()  # once: due_of() alone looks for a newer calendar file per request
    groups: dict[str, list[tuple[Request, Any]]] = {"overdue": [], "due_soon": [], "waiting": [], "ok": []}
    for r in visible(user).filter(state__in=OPEN_STATES).select_related("agency").order_by("received_on"):
        d = due_of(r, day, cal)
        groups.setdefault(d.status, []).append((r, d))
    for k in groups:
        groups[k].sort(key=lambda x: x[1].due or dt.date.max)
    return groups


# The calendar is every agency's: it is kept by the top of the tree of agencies.
CALENDAR_EDITORS_ZH = "节假日安排为全系统各机关共用，只有最上级机关（没有上级机关的机关）的管理员或系统运维人员可以添加"


def may_edit_calendar(user) -> bool:  # type: ignore[no-untyped-def]
    if getattr(user, "is_superuser", False):
        return True
    s = staff_of(user)
    return s is not None and s.role == "admin" and s.agency.parent_id is None


def provisional_count(user, day: dt.date) -> int:  # type: ignore[no-untyped-def]
    """Open requests whose due date is estimated: every agency's for whoever keeps the
    calendar (adding the notice settles them all), else those the user sees."""
    rows = Request.objects.all() if may_edit_calendar(user) else visible(user)
    cal = default_calendar()
    return sum(due_of(r, day, cal).provisional for r in rows.filter(state__in=OPEN_STATES).select_related("agency"))


def calendar_effect_zh(moved: int, confirmed: int) -> str:
    """What adding a notice did to the open requests, as the page and the command say it."""
    parts = [f"{moved} 件办理中申请的截止日随之改变" if moved else "",
             f"{confirmed} 件截止日不变、由推定转为确定" if confirmed else ""]
    said = "，".join(p for p in parts if p)
    return f"{said}，均已记入各申请的操作记录" if said else "没有办理中申请的截止日因此改变"


def add_calendar_year(raw: bytes, actor=None) -> tuple[list[int], int, int]:  # type: ignore[no-untyped-def]
    """A year's holiday notice added (the 工作日历 page or `ogi calendar add`): validated
    (CalendarFileError, nothing kept), kept, and every open request whose due date it changes —
    a provisional one becoming final, most often — gets an entry in its audit log with the
    due date before and after and both calendar versions. Returns (years, requests whose due
    date moved, requests whose due date stayed and is now final)."""
    if actor is not None and not may_edit_calendar(actor):
        raise Refused(CALENDAR_EDITORS_ZH, "forbidden")
    years = parse_year_file(raw)
    day = clock.today()
    old = default_calendar()
    # A year already held is every agency's deadlines since it was added: not replaced from
    # the page. The operator's command (no actor) corrects one, or adds a later notice.
    held = [y for y in sorted(years) if y in old.years] if actor is not None else []
    if held:
        y = held[0]
        raise CalendarFileError(f"{y}年的节假日安排已在日历中（{old.years[y]['notice'] or '已收录'}），不能在网页上覆盖；"
                                "如确需更正，请系统运维人员用 ogi calendar add 命令处理", f"{y} is already in the calendar")
    with transaction.atomic():
        rows = list(Request.objects.select_for_update().filter(state__in=OPEN_STATES).select_related("agency"))
        before = {r.pk: due_of(r, day, old) for r in rows}
        add_year_bytes(raw)
        new = default_calendar()
        notice = "；".join(spec["notice"] for spec in years.values() if spec["notice"])
        names = "、".join(f"{y}年" for y in sorted(years))
        moved = confirmed = 0  # a due date moved; the same date, now final
        for r in rows:
            b, a = before[r.pk], due_of(r, day, new)
            if (b.due, b.provisional) == (a.due, a.provisional):
                continue
            was = f"{b.due}{'（推定）' if b.provisional else ''}"
            now = f"{a.due}{'（推定）' if a.provisional else '（确定）'}"
            Event.objects.create(
                request=r, agency=r.agency, actor=actor, on=day, event="calendar_update", label="节假日安排更新，截止日重新计算",
                changes={"due": [b.due.isoformat() if b.due else None, a.due.isoformat() if a.due else None],
                         "provisional": [b.provisional, a.provisional], "calendar_version": [old.version, new.version]},
                calendar_version=new.version,
                note=f"添加{names}节假日安排{f'（{notice}）' if notice else ''}后，截止日由 {was} 改为 {now}")
            if b.due == a.due:
                confirmed += 1
            else:
                moved += 1
    return sorted(years), moved, confirmed
