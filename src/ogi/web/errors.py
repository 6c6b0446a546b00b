"""The pages a user sees when something is refused or goes wrong: Chinese, in the site's
layout, with the reason when there is one in Chinese; a fragment for htmx requests."""

from __future__ import annotations

import logging
import re

from django.http import HttpRequest, HttpResponse
from django.template import loader

log = logging.getLogger("ogi.web")

TITLES = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 405: "不支持该操作", 409: "操作冲突", 413: "内容过大",
          422: "提交的内容有误", 429: "操作过于频繁", 500: "服务器出现错误", 503: "服务暂时不可用"}
MESSAGES = {400: "页面收到的请求无法处理，可能是链接不完整或表单已过期。请返回后重试。",
            403: "您没有访问该页面的权限。如需访问，请联系本机关的管理员。",
            404: "没有找到您要访问的页面，它可能已被移除，或地址有误。",
            405: "这个地址只接受页面上按钮或表单的提交，不能直接打开。请返回上一页，用页面上的按钮操作。",
            500: "处理您的请求时服务器出现错误，错误已记录。请稍后再试；如果反复出现，请联系系统管理员。"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    """Whether a message is written for people here (an exception's English is not shown)."""
    return bool(_CJK.search(text))


def refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """A refusal with its reason, as a page of the site (or the bare text for htmx)."""
    if getattr(request, "htmx", False):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    html = loader.render_to_string("error.html", {"status": status, "title": TITLES.get(status, "无法完成"),
                                                          "message": message}, request=request)
    return HttpResponse(html, status=status)


def _page(request: HttpRequest, status: int, exception: BaseException | None) -> HttpResponse:
    detail = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str) and has_chinese(exception.args[0]):
        detail = exception.args[0]
    return refuse(request, status, detail or MESSAGES[status])


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, RequestDataTooBig):
        return refuse(request, 413, f"提交的内容过大（表单中的文字合计不超过 {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024**2} MB 左右），"
                                    "未能提交。请删减后重试；附件请作为文件上传。")
    if isinstance(exception, TooManyFilesSent):
        return refuse(request, 413, f"一次最多上传 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个文件，未能提交；更多的文件请打包为 ZIP 上传。")
    if isinstance(exception, TooManyFieldsSent):
        return refuse(request, 413, "提交的表单项过多，未能提交。")
    return _page(request, 400, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form's safety token was missing or stale (cookies cleared, the page open for
    days, another tab logged out): said in Chinese with what to do."""
    message = ("表单已过期，或浏览器没有保存本站的 Cookie，提交未被接受。请返回上一页，刷新页面后重新提交；"
               "如仍不行，请确认浏览器允许本站使用 Cookie。")
    if request.headers.get("HX-Request"):  # shown inside the page (ogi.js), as a refusal's text
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    html = loader.render_to_string("error.html", {"status": 403, "title": "表单已过期", "message": message}, request=request)
    return HttpResponse(html, status=403)


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(request, 403, exception)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context: whatever failed (the database, a context
    # processor) must not fail this page too.
    try:
        html = loader.render_to_string("500.html")
    except Exception:  # the last resort must answer
        log.exception("500 page failed to render")
        html = "<!doctype html><meta charset=utf-8><title>服务器出现错误</title><p>服务器出现错误，错误已记录，请稍后再试。</p>"
    return HttpResponse(html, status=500)


class MethodNotAllowedPage:
    """Django answers a GET to a form's address (require_POST) with an empty 405, which a
    browser shows as its own error page in its own language: the site's page instead. The
    JSON API keeps its own answers."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            # The API answers every error in its JSON shape, those made before its views too
            # (an unknown address, a method an operation does not take).
            if response.status_code in (404, 405) and "json" not in response.get("Content-Type", ""):
                from .api.base import plain_error

                answer = plain_error(response.status_code)
                if response.has_header("Allow"):
                    answer["Allow"] = response["Allow"]
                return answer
            return response
        if response.status_code == 405 and not response.content:
            page = refuse(request, 405, MESSAGES[405])
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
