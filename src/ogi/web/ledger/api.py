"""JSON API for portals that already collect requests (django-ninja; the OpenAPI
document is served at /api/openapi.json, its pages at /api/docs). Token authentication:
`Authorization: Bearer <token>` (tokens: `ogi token USER`)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer

from ogi.records import validate
from ogi.records.validate import Invalid
from ogi.workflow.requests import Refused, due_of

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
log = logging.getLogger("ogi.api")

# Every error answers the same shape: {"detail", "message" (Chinese), "message_en"}, and for
# invalid input the fields at fault ("errors": [{"field", "message", "message_en"}]).
_STATUS_ZH = {401: "未提供有效的令牌（Authorization: Bearer <token>）", 403: "无权执行该操作", 404: "没有这个资源",
              405: "不支持该请求方法", 409: "数据已被他人修改，请重新读取后再试", 413: "请求内容过大",
              422: "请求数据有误", 429: "请求过于频繁，请稍后再试", 500: "服务器内部错误，已记录，请稍后再试",
              503: "服务暂时不可用，请稍后再试"}
_STATUS_EN = {401: "a valid token is required (Authorization: Bearer <token>)", 403: "forbidden", 404: "not found",
              405: "method not allowed", 409: "changed by someone else; read it again and retry", 413: "request too large",
              422: "invalid input", 429: "too many requests", 500: "internal error (logged)", 503: "service unavailable"}


def error(request: HttpRequest, status: int, zh: str | None = None, en: str | None = None, **extra: Any) -> HttpResponse:
    zh = zh or _STATUS_ZH.get(status, "请求有误")
    en = en or _STATUS_EN.get(status, "bad request")
    return api.create_response(request, {"detail": zh, "message": zh, "message_en": en, **extra}, status=status)


@api.exception_handler(ValidationError)
def _invalid_schema(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # pydantic's own messages are English and name its internals; say which field, in both languages.
    errors = []
    for e in exc.errors[:20]:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "payload", "query", "path")]
        name = loc[-1] if loc else ""
        zh_name = validate.FIELD_ZH.get(name, name)
        errors.append({"field": ".".join(loc), "message": f"“{zh_name}”格式有误或缺失" if name else "请求体不是有效的 JSON 对象",
                       "message_en": f"{'.'.join(loc) or 'body'}: {e.get('msg', 'invalid')}"})
    return error(request, 422, "；".join(x["message"] for x in errors) or None, "; ".join(x["message_en"] for x in errors) or None,
                 errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    zh = str(exc) if exc.status_code not in (401,) else None
    return error(request, exc.status_code, zh, getattr(exc, "message_en", None))


@api.exception_handler(Invalid)
def _invalid(request: HttpRequest, exc: Invalid) -> HttpResponse:
    return error(request, 422, exc.message_zh, exc.message_en,
                 errors=[{"field": p.field, "message": p.message_zh, "message_en": p.message_en} for p in exc.problems])


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.error("API %s %s failed", request.method, request.path, exc_info=exc)
    return error(request, 500)


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


class RequestCreated(RequestOut):
    query_code: str  # for the portal to give the applicant, who follows the request on /public/track/


class EventIn(Schema):
    model_config = {"extra": "forbid"}

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
    if isinstance(e, Invalid):
        return e  # type: ignore[return-value]  # answered by its own handler, with the fields
    status = {"forbidden": 403, "conflict": 409, "busy": 503}.get(e.code, 422)
    err = HttpError(status, e.message_zh)
    err.message_en = {"forbidden": "forbidden", "conflict": "changed by someone else; read it again and retry",
                      "wrong_state": "the request is not in a state that allows this event",
                      "guard": "a condition of this event does not hold", "unknown_event": "no such event"}.get(e.code, e.code)
    return err


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
    try:
        r = services.record_event(request.user, tracking_no, payload.event, payload.on or today(), inputs, payload.version)
    except Http404:
        raise HttpError(404, "没有这个申请") from None
    except Refused as e:
        raise _refused(e) from None
    return _out(r)
