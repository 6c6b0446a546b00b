"""JSON API for portals that already collect requests (django-ninja; the OpenAPI
document is served at /api/openapi.json, its pages at /api/docs). Token authentication:
`Authorization: Bearer <token>` (tokens: `ogi token USER`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from ogi.records.workflow import Refused, due_of

from . import services
from .models import ApiToken, Request, today


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        t = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.digest(token)).first()
        if t is None or not t.user.is_active:
            return None
        request.user = t.user
        return t.user


api = NinjaAPI(title="ogi 政府信息公开申请台账 API", version="1", auth=TokenAuth(), urls_namespace="api")


class RequestIn(Schema):
    channel: str
    submitted_on: dt.date
    received_on: dt.date
    applicant_category: str
    applicant_name: str
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


class RequestCreated(RequestOut):
    query_code: str  # for the portal to give the applicant, who follows the request on /public/track/


class EventIn(Schema):
    event: str
    on: dt.date | None = None
    inputs: dict[str, Any] = {}
    version: int | None = None


def _out(r: Request) -> RequestOut:
    d = due_of(r, today())
    extra: dict[str, Any] = {}
    if d.provisional:
        extra = {"provisional": True, "provisional_reason_zh": d.provisional_reason_zh, "final_when_zh": d.final_when_zh,
                 "provisional_reason_en": "the holiday schedule of a year the count runs into is not yet published "
                                          "(make-up working days unknown): due date estimated from weekends and statutory holidays"}
    return RequestOut(tracking_no=r.tracking_no, agency=r.agency.name, state=r.state, state_zh=r.state_label,
                      received_on=r.received_on, applicant_category=r.applicant_category, outcome=r.outcome,
                      due=d.due, days_left=d.days_left, status=d.status, version=r.version, **extra)


def _refused(e: Refused) -> HttpError:
    status = {"forbidden": 403, "conflict": 409}.get(e.code, 422)
    return HttpError(status, e.message_zh)


@api.post("/requests", response={201: RequestCreated})
def create_request(request: HttpRequest, payload: RequestIn):  # type: ignore[no-untyped-def]
    try:
        r = services.register(request.user, payload.dict())
    except Refused as e:
        raise _refused(e) from None
    return Status(201, RequestCreated(**_out(r).dict(), query_code=r.query_code))


@api.get("/requests/{tracking_no}", response=RequestOut)
def get_request(request: HttpRequest, tracking_no: str):  # type: ignore[no-untyped-def]
    try:
        return _out(services.get_visible(request.user, tracking_no))
    except Http404:
        raise HttpError(404, "没有这个申请") from None


@api.post("/requests/{tracking_no}/events", response=RequestOut)
def post_event(request: HttpRequest, tracking_no: str, payload: EventIn):  # type: ignore[no-untyped-def]
    inputs = dict(payload.inputs)
    if "correction_due" in inputs and isinstance(inputs["correction_due"], str):
        try:
            inputs["correction_due"] = dt.date.fromisoformat(inputs["correction_due"])
        except ValueError:
            raise HttpError(422, "correction_due 应为 YYYY-MM-DD") from None
    try:
        r = services.record_event(request.user, tracking_no, payload.event, payload.on or today(), inputs, payload.version)
    except Http404:
        raise HttpError(404, "没有这个申请") from None
    except Refused as e:
        raise _refused(e) from None
    return _out(r)
