"""What a browser or an API client is told when a request is refused before any page or
operation ran: too large, too many files, a stale form, an unknown address or method, a
body that is not JSON. Always Chinese (the API: Chinese and English, in its one shape),
whatever language the browser asks for; never a 500."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.test import Client

from ogi.web.accounts.models import ApiToken


def _api(world) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(world['a_clerk'], 't')}")


def _shape(resp, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status and resp["Content-Type"].startswith("application/json"), resp.content[:200]
    body = resp.json()
    assert set(body) >= {"detail", "message", "message_en"} and not body["message"].isascii()
    return body


def test_api_errors_before_an_operation_keep_the_json_shape(world):
    c = _api(world)
    body = _shape(c.post("/api/requests", "{" + " " * (3 * 1024 * 1024) + "}", content_type="application/json"), 413)
    assert "请求内容过大" in body["message"]
    assert "UTF-8" in _shape(c.post("/api/requests", "{not json", content_type="application/json"), 400)["message"]
    gbk = c.generic("POST", "/api/requests", '{"applicant_name": "张三"}'.encode("gbk"), content_type="application/json")
    assert "UTF-8" in _shape(gbk, 400)["message"]
    _shape(c.get("/api/no-such-thing"), 404)
    resp = c.put("/api/requests", "{}", content_type="application/json")
    assert _shape(resp, 405)["message"] == "不支持该请求方法"


def test_pages_speak_chinese_to_an_english_browser(world):
    c = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = c.post("/public/apply/", {"applicant_category": "bogus", "submitted_on": "someday"}).content.decode()
    assert "Select a valid choice" not in page and "Enter a valid date" not in page and "选择一个有效的选项" in page


def test_a_stale_form_is_explained_in_chinese(world):
    c = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    resp = c.post("/public/apply/", {"applicant_name": "张三"})
    page = resp.content.decode()
    assert resp.status_code == 403 and "表单已过期" in page and "CSRF" not in page and "DEBUG" not in page
    assert "<title>表单已过期" in page and "申请台账" not in page  # the public's brand, not the staff's
    assert "申请台账" not in Client().get("/no-such-page/").content.decode()


def test_too_large_or_too_many_get_their_reason(world):
    c = Client()
    c.force_login(world["a_clerk"])
    log = Path(settings.LOG_DIR) / "ogi.log"
    before = log.read_text(encoding="utf-8") if log.exists() else ""
    resp = c.post("/requests/new/", {"content": "字" * 1_000_000})
    assert resp.status_code == 413 and "提交的内容过大" in resp.content.decode()
    # The sender's doing: one line in the log, not a traceback read as a fault of the server.
    logged = log.read_text(encoding="utf-8")[len(before):]
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in logged and "Traceback" not in logged
    sup = Client()
    sup.force_login(world["supervisor"])

    def files(n: int) -> list[io.BytesIO]:
        out = []
        for i in range(n):
            f = io.BytesIO(b"x")
            f.name = f"{i}.txt"
            out.append(f)
        return out

    resp = sup.post("/supervision/", {"files": files(201)})
    assert resp.status_code == 413 and "一次最多上传 200 个文件" in resp.content.decode()
    resp = sup.post("/supervision/", {"files": files(150)}, follow=True)  # within the page's own limit
    assert resp.status_code == 200 and "可能是链接不完整" not in resp.content.decode()


def test_a_null_character_is_explained(world):
    page = Client().post("/public/apply/", {"applicant_name": "张\x00三"}).content.decode()
    assert "不能含有空字符" in page and "不允许是用空字符串" not in page


def test_the_report_downloads_under_its_printed_name(world):
    from urllib.parse import quote

    c = Client()
    c.force_login(world["a_clerk"])
    resp = c.get("/reports/2026/export.docx")
    assert resp.status_code == 200
    assert quote("某市商务局2026年政府信息公开工作年度报告.docx") in resp["Content-Disposition"]
