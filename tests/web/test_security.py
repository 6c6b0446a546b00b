"""Access and privacy at the doors: login throttling per account and address, no caching
of pages with personal data or codes, the receipt shown once, security headers, letters
behind the same permission and audit as personal data, only request-handling agencies
offered to the public."""

from __future__ import annotations

import pytest
from django.test import Client

from ogi.web.ledger import services
from ogi.web.ledger.models import Event

from .conftest import PASSWORD, request_data

pytestmark = pytest.mark.django_db


def _login(addr: str, password: str, username: str = "a-clerk"):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=addr).post("/login/", {"username": username, "password": password})


def test_login_is_throttled_per_account_and_address(world):
    for _ in range(4):
        assert _login("203.0.113.5", "wrong-password").status_code == 200
    assert _login("203.0.113.5", "wrong-password").status_code == 429  # the fifth locks the pair out
    locked = _login("203.0.113.5", PASSWORD)
    assert locked.status_code == 429 and "已暂停登录" in locked.content.decode()
    # The same account from another address, and another account from this one, still log in.
    assert _login("198.51.100.20", PASSWORD).status_code == 302
    assert _login("203.0.113.5", PASSWORD, "a-reviewer").status_code == 302


def test_pages_with_personal_data_or_codes_are_not_cached_and_headers_are_set(world):
    c = Client()
    c.force_login(world["a_clerk"])
    r = services.register(world["a_clerk"], request_data())
    for resp in (c.get(f"/requests/{r.tracking_no}/"), Client().get("/public/track/"), Client().get("/public/apply/")):
        assert resp["Cache-Control"] == "no-store"
        csp = resp["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert resp["X-Frame-Options"] == "DENY" and resp["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in Client().get("/public/reports/").get("Cache-Control", "")


def test_receipt_is_shown_once(world):
    c = Client()
    form = {"agency": str(world["a"].pk), "applicant_category": "natural", "applicant_name": "李四",
            "applicant_id_no": "320102198802023458", "applicant_contact": "lisi@example.cn",
            "content": "2025年某路段拓宽工程的环境影响评价批复文件", "delivery": "email"}
    assert c.post("/public/apply/", form).status_code == 302
    first = c.get("/public/receipt/")
    assert first.status_code == 200 and "查询码" in first.content.decode()
    again = c.get("/public/receipt/")
    assert again.status_code == 302 and again["Location"] == "/public/track/"


def test_public_form_offers_only_agencies_that_handle_requests(world):
    page = Client().get("/public/apply/").content.decode()
    assert "某市商务局" in page and "某市政务公开办" not in page  # the office: a supervisor and an administrator
    form = {"agency": str(world["sup"].pk), "applicant_category": "natural", "applicant_name": "李四",
            "applicant_id_no": "320102198802023458", "applicant_contact": "lisi@example.cn",
            "content": "2025年某路段拓宽工程的环境影响评价批复文件", "delivery": "email"}
    assert Client().post("/public/apply/", form).status_code == 422


def test_letters_need_personal_data_permission_and_are_audited(world):
    r = services.register(world["a_clerk"], request_data())
    services.record_event(world["a_reviewer"], r.tracking_no, "answer", r.received_on, {"outcome": "granted"})
    letter = r.letters.get(kind="reply")
    path = f"/requests/{r.tracking_no}/letters/{letter.year}-{letter.seq}.docx"
    sup = Client()
    sup.force_login(world["supervisor"])
    assert sup.get(path).status_code == 403 and sup.get(f"/requests/{r.tracking_no}/letter.docx").status_code == 403
    clerk = Client()
    clerk.force_login(world["a_clerk"])
    assert clerk.get(path).status_code == 200
    assert Event.objects.filter(request=r, event="download_letter", actor=world["a_clerk"]).count() == 1


def test_api_docs_load_their_assets_locally(world):
    page = Client().get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_opening_a_form_address_gives_the_sites_page(world):
    """A form's address opened in the browser (a bookmark, a pasted link) answers the site's
    Chinese page with 405, not an empty response the browser shows in its own language."""
    c = Client()
    c.force_login(world["a_clerk"])
    resp = c.get("/requests/ANY-2026-00001/events/answer/")
    text = resp.content.decode()
    assert resp.status_code == 405 and resp["Allow"] == "POST"
    assert "不支持该操作" in text and "用页面上的按钮操作" in text and "<html" in text
    assert "<html" not in Client().get("/api/requests").content.decode()  # the API keeps its own answers


def test_processes_starting_at_once_on_a_new_data_folder_share_one_secret_key(tmp_path):
    """The key signs sessions and CSRF tokens: two server workers started together must not
    each make one (one's logins would be refused by the other), nor read it half-written.
    A key file left empty by an old crash is replaced."""
    import os
    import subprocess
    import sys

    code = "import ogi.web.settings as s; print(s.SECRET_KEY)"
    env = {k: v for k, v in os.environ.items() if k != "OGI_SECRET_KEY"}
    for round_ in range(3):
        data = tmp_path / f"d{round_}"
        procs = [subprocess.Popen([sys.executable, "-c", code], env={**env, "OGI_DATA_DIR": str(data)},
                                  stdout=subprocess.PIPE, text=True) for _ in range(6)]
        keys = {p.communicate(timeout=120)[0].strip() for p in procs}
        assert len(keys) == 1 and len(keys.pop()) >= 50
        assert [f.name for f in data.iterdir() if f.name.startswith(".secret_key")] == []
        assert (data / "secret_key").stat().st_mode & 0o077 == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "secret_key").write_text("")
    out = subprocess.run([sys.executable, "-c", code], env={**env, "OGI_DATA_DIR": str(empty)}, capture_output=True, text=True)
    assert len(out.stdout.strip()) >= 50 and (empty / "secret_key").read_text() == out.stdout.strip()
