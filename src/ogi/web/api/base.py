"""The JSON API (django-ninja; the OpenAPI document at /api/openapi.json, its pages at
/api/docs, served from ogi's own static files). Token authentication: `Authorization:
Bearer <token>` (tokens: `ogi token USER`). Every error answers one shape:
{"detail", "message" (Chinese), "message_en"}, and for invalid input the fields at fault."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer

from ogi.records import validate
from ogi.records.validate import Invalid
from ogi.web.accounts.models import ApiToken
from ogi.web.errors import has_chinese


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        t = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.digest(token)).first()
        if t is None or not t.user.is_active:
            return None
        request.user = t.user
        return t.user


class ErrorOut(Schema):
    """Every error's shape (documented on the operations that answer it)."""

    detail: str
    message: str
    message_en: str


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


def plain_error(status: int) -> HttpResponse:
    """An error answered before any operation ran (no route, no such method)."""
    zh, en = _STATUS_ZH.get(status, "请求有误"), _STATUS_EN.get(status, "bad request")
    return JsonResponse({"detail": zh, "message": zh, "message_en": en}, status=status, json_dumps_params={"ensure_ascii": False})


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
        errors.append({"field": ".".join(loc), "message": _zh_schema_error(name, zh_name, e) if name else "请求体不是有效的 JSON 对象",
                       "message_en": f"{'.'.join(loc) or 'body'}: {e.get('msg', 'invalid')}"})
    return error(request, 422, "；".join(x["message"] for x in errors) or None, "; ".join(x["message_en"] for x in errors) or None,
                 errors=errors)


def _zh_schema_error(name: str, zh_name: str, e: dict[str, Any]) -> str:
    kind = e.get("type", "")
    if kind == "missing":
        return f"缺少“{zh_name}”"
    if kind == "extra_forbidden":
        return f"不认识的字段“{name[:40]}”"  # as the client spelt it, to find it in its own code
    if kind == "literal_error":  # the codes the field takes, as the client must send them
        codes = re.findall(r"'([^']*)'", str((e.get("ctx") or {}).get("expected", "")))
        return f"“{zh_name}”应为以下之一：{'、'.join(c or '（空）' for c in codes)}"
    return f"“{zh_name}”格式有误"


# The messages ninja writes itself are English: said in Chinese for the Chinese field.
_NINJA_ZH = {"Cannot parse request body": "请求体无法解析为 JSON：应为 UTF-8 编码、结构完整、嵌套层数合理的 JSON"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    text = str(exc)
    if exc.status_code == 401:
        return error(request, 401)
    if has_chinese(text):
        return error(request, exc.status_code, text, getattr(exc, "message_en", None))
    return error(request, exc.status_code, _NINJA_ZH.get(text), text or None)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error(request, 413, f"请求内容过大（不超过 {limit / 1024**2:.1f} MB）", f"request body too large (at most {limit} bytes)")


@api.exception_handler(Invalid)
def _invalid(request: HttpRequest, exc: Invalid) -> HttpResponse:
    return error(request, 422, exc.message_zh, exc.message_en,
                 errors=[{"field": p.field, "message": p.message_zh, "message_en": p.message_en} for p in exc.problems])


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.error("API %s %s failed", request.method, request.path, exc_info=exc)
    return error(request, 500)
