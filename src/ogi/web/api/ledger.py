"""The ledger through the API, for portals that already collect requests: register a
request (answered with the tracking number and the applicant's query code), read it, fire
its workflow events — through the same services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ogi.records.validate import Invalid
from ogi.web import clock
from ogi.web.ledger import review, services
from ogi.web.ledger.models import Request
from ogi.workflow.requests import BY_EVENT, Refused, due_of

router = Router(tags=["ledger"])


class RequestIn(Schema):
    model_config = {"extra": "forbid"}  # a misspelt field is refused, not silently dropped

    channel: Literal["in_person", "letter", "ordinary_mail", "fax", "email", "online"]
    submitted_on: dt.date
    received_on: dt.date
    applicant_category: str
    applicant_name: str
    applicant_id_type: Literal["", "resident_id", "uscc", "residence_permit", "hk_macao_permit", "taiwan_permit", "passport",
                               "foreign_permanent", "other"] = ""
    applicant_id_no: str = ""
    applicant_contact: str = ""
    content: str
    delivery: Literal["", "email", "post", "collect", "online"] = ""


class RequestOut(Schema):
    tracking_no: str
    agency: str
    state: str
    state_zh: str
    received_on: dt.date
    applicant_category: str
    outcome: str | None
    due: dt.date | None
    days_left: int | None
    status: str
    # The due date counts over a year whose holiday notice is not yet published: an estimate.
    provisional: bool = False
    provisional_reason_zh: str | None = None
    provisional_reason_en: str | None = None
    final_when_zh: str | None = None
    version: int
    # What a clerk submitted and a reviewer has not yet acted on: the event the reviewer
    # would fire (answer | extend) with the inputs proposed.
    awaiting_review: list[dict[str, Any]] = []


class RequestCreated(RequestOut):
    query_code: str  # for the portal to give the applicant, who follows the request on /public/track/


class EventIn(Schema):
    model_config = {"extra": "forbid"}

    event: str
    on: dt.date | None = None
    inputs: dict[str, Any] = {}
    version: int | None = None


def _out(r: Request) -> RequestOut:
    d = due_of(r, clock.today())
    extra: dict[str, Any] = {}
    if d.provisional:
        extra = {"provisional": True, "provisional_reason_zh": d.provisional_reason_zh, "final_when_zh": d.final_when_zh,
                 "provisional_reason_en": "the holiday schedule of a year the count runs into is not yet published "
                                          "(make-up working days unknown): due date estimated from weekends and statutory holidays"}
    return RequestOut(tracking_no=r.tracking_no, agency=r.agency.name, state=r.state, state_zh=r.state_label,
                      received_on=r.received_on, applicant_category=r.applicant_category, outcome=r.outcome,
                      due=d.due, days_left=d.days_left, status=d.status, version=r.version,
                      awaiting_review=[{"event": event, "submission": p.submission.pk,
                                        "proposed": p.submission.changes.get("proposed", {}), "submitted_on": p.submission.on}
                                       for event, p in review.pending_for(r).items()],
                      **extra)


def _refused(e: Refused) -> HttpError:
    if isinstance(e, Invalid):
        return e  # type: ignore[return-value]  # answered by its own handler, with the fields
    status = {"forbidden": 403, "conflict": 409, "key_reused": 409, "busy": 503}.get(e.code, 422)
    err = HttpError(status, e.message_zh)
    err.message_en = {"forbidden": "forbidden", "conflict": "changed by someone else; read it again and retry",
                      "key_reused": "this Idempotency-Key was used for another request with different content: "
                                    "use a new key for a new request",
                      "bad_input": "invalid input", "busy": "the server is busy; retry later",
                      "wrong_state": "the request is not in a state that allows this event",
                      "guard": "a condition of this event does not hold", "unknown_event": "no such event"}.get(e.code, e.code)
    return err


@router.post("/requests", response={200: RequestCreated, 201: RequestCreated})
def create_request(request: HttpRequest, payload: RequestIn):  # type: ignore[no-untyped-def]
    """Register a request. With an `Idempotency-Key` header (up to 200 characters, new for
    each request the client means to register), the same call sent again — a retry after
    a lost answer — registers nothing more and answers 200 with the request it registered."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 200:
        err = HttpError(422, f"Idempotency-Key 不超过 200 个字符（现有 {len(key)} 个）")
        err.message_en = f"Idempotency-Key is longer than 200 characters ({len(key)})"  # type: ignore[attr-defined]
        raise err
    try:
        r = services.register(request.user, payload.dict(), token=key or None, origin="api")
    except Refused as e:
        raise _refused(e) from None
    return Status(200 if getattr(r, "repeated", False) else 201, RequestCreated(**_out(r).dict(), query_code=r.query_code))


@router.get("/requests/{tracking_no}", response=RequestOut)
def get_request(request: HttpRequest, tracking_no: str):  # type: ignore[no-untyped-def]
    try:
        return _out(services.get_visible(request.user, tracking_no))
    except Http404:
        raise HttpError(404, "没有这个申请") from None


@router.post("/requests/{tracking_no}/events", response=RequestOut)
def post_event(request: HttpRequest, tracking_no: str, payload: EventIn):  # type: ignore[no-untyped-def]
    """Fire a workflow event, as on the request's page. A clerk does not answer or extend:
    `submit_answer` (inputs `outcome`, `withheld`, `note`) and `submit_extension` (`days`,
    `note`) submit them for review, dated today; a reviewer fires `answer` / `extend`, or
    sends the submission back with `return_answer` / `return_extension` (input `reason`)."""
    inputs = dict(payload.inputs)
    known = [*BY_EVENT, *review.SUBMISSIONS, *review.RETURNED]
    if payload.event not in known:
        err = HttpError(422, f"没有“{payload.event[:40]}”这个操作（可用：{'、'.join(known)}）")
        err.message_en = f"no such event {payload.event[:40]!r}; events: {', '.join(known)}"  # type: ignore[attr-defined]
        raise err
    try:
        if payload.event in review.SUBMISSIONS or payload.event in review.RETURNED:
            if payload.on not in (None, clock.today()):
                raise Refused(f"提请审核和退回提请记为当天（{clock.today():%Y-%m-%d}），不能另填日期", "bad_input")
            seen = services.get_visible(request.user, tracking_no)
            if payload.version is not None and seen.version != payload.version:
                raise Refused("该申请刚被他人修改，请重新读取后重试", "conflict")
            if payload.event in review.SUBMISSIONS:
                review.submit(request.user, tracking_no, payload.event, inputs)
            else:
                # `submission`: the one the reviewer read (in awaiting_review); a newer one is not returned unseen.
                sub = inputs.get("submission")
                review.send_back(request.user, tracking_no, review.RETURNED[payload.event], str(inputs.get("reason") or ""),
                                 sub if isinstance(sub, int) and not isinstance(sub, bool) else None)
            r = services.get_visible(request.user, tracking_no)
        else:
            r = services.record_event(request.user, tracking_no, payload.event, payload.on or clock.today(), inputs,
                                      payload.version)
    except Http404:
        raise HttpError(404, "没有这个申请") from None
    except Refused as e:
        raise _refused(e) from None
    return _out(r)
