"""The check API as a job: a small text file is answered at once; a scan or a large file
answers 202 with a status URL that goes queued/running → done (the Report and findings)
or failed, read off the request thread by the bounded reader; another office never sees
a job; results expire; a full server answers busy; every error in the API's shape."""

from __future__ import annotations

import datetime as dt
import io
import time
import uuid

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from ogi.web.accounts.models import Agency, ApiToken
from ogi.web.supervision.models import CheckJob

from ..conftest import CORPUS, SEED_2019
from .conftest import make_user

# The job runs in a thread of the server, with its own connection: the test's rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def offices(db):  # type: ignore[no-untyped-def]
    a = Agency.objects.create(name="甲市政务公开办", code="JGKB", kind="government", level="city")
    b = Agency.objects.create(name="乙市政务公开办", code="YGKB", kind="government", level="city")
    dept = Agency.objects.create(name="甲市商务局", code="JSW", parent=a)

    def client(user) -> Client:  # type: ignore[no-untyped-def]
        return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, 't')}")

    return {"a": client(make_user("a-sup", a, "supervisor")), "b": client(make_user("b-sup", b, "supervisor")),
            "clerk": client(make_user("a-clerk", dept, "clerk"))}


def _scan() -> bytes:
    """Page 4 of an official PDF (table 三) as a scanner would give it: an image."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument((CORPUS / "pdf" / "huaian-gov-2024.pdf").read_bytes())
    buf = io.BytesIO()
    pdf[3].render(scale=2).to_pil().save(buf, format="PNG")
    pdf.close()
    return buf.getvalue()


def _file(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def _wait(c: Client, url: str, seconds: float = 300) -> dict:
    deadline = time.monotonic() + seconds
    seen = set()
    while True:
        resp = c.get(url)
        assert resp.status_code == 200, resp.content
        body = resp.json()
        seen.add(body["state"])
        if body["state"] in ("done", "failed") or time.monotonic() > deadline:
            body["seen"] = seen
            return body
        time.sleep(0.3)


def _shape(resp) -> dict:  # type: ignore[no-untyped-def]
    body = resp.json()
    assert {"detail", "message", "message_en"} <= set(body) and body["detail"] == body["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]) and body["message_en"].isascii()
    return body


def test_a_scan_becomes_a_job_read_off_the_request_thread(shared, offices) -> None:  # type: ignore[no-untyped-def]
    a, b = offices["a"], offices["b"]
    t0 = time.monotonic()
    resp = a.post("/api/supervision/check", {"file": _file(_scan(), "扫描件.png")})
    answered = time.monotonic() - t0
    assert resp.status_code == 202, resp.content
    job = resp.json()
    assert job["state"] in ("queued", "running") and job["report"] is None and job["file_name"] == "扫描件.png"
    assert resp["Location"] == job["status_url"] == f"http://testserver/api/supervision/check/{job['job']}"
    assert answered < 10  # the request did not wait for the OCR
    # Another office's token: not found, in the API's shape; a clerk's: forbidden.
    body = _shape(b.get(job["status_url"]))
    assert body["message"] == "没有这个检查任务（或已超过保存期限）"
    assert b.get(job["status_url"]).status_code == 404 and offices["clerk"].get(job["status_url"]).status_code == 403
    done = _wait(a, job["status_url"])
    assert done["state"] == "done", done
    assert done["seen"] & {"queued", "running"} or done["started_at"]
    # The scan's table 三, read by OCR in the bounded worker.
    assert done["report"]["cells"]["requests.withheld.enforcement_file.total"]["value"] == 9
    assert isinstance(done["findings"], list) and done["finished_at"] >= done["started_at"]
    assert b.get(job["status_url"]).status_code == 404  # still not the other office's


def test_a_large_file_is_a_job_a_small_one_is_answered_at_once_and_failures_are_reported(offices) -> None:  # type: ignore[no-untyped-def]
    a = offices["a"]
    seed = SEED_2019.read_bytes()
    quick = a.post("/api/supervision/check", {"file": _file(seed, "开封.txt")})
    assert quick.status_code == 200 and quick.json()["report"]["agency"] == "开封市商务局"
    assert not CheckJob.objects.exists()
    # The same report past 1 MiB (OGI_CHECK_SYNC_BYTES): a job, with the same answer.
    large = seed + b"\n" * (1024 * 1024)
    resp = a.post("/api/supervision/check", {"file": _file(large, "开封-大.txt")})
    assert resp.status_code == 202
    done = _wait(a, resp.json()["status_url"], 120)
    assert done["state"] == "done" and done["size"] == len(large)
    assert done["report"]["agency"] == "开封市商务局"
    assert sorted(f["rule"] for f in done["findings"]) == sorted(f["rule"] for f in quick.json()["findings"])
    # A large file that is no report: the job fails, with the reason in both languages.
    notice = ("请各单位按时报送年度报告。\n" * 80_000).encode()
    resp = a.post("/api/supervision/check", {"file": _file(notice, "通知.txt")})
    failed = _wait(a, resp.json()["status_url"], 120)
    assert failed["state"] == "failed" and "不是年度报告" in failed["message"] and failed["message_en"]
    assert failed["report"] is None
    # Report JSON (what `ogi render --to json` writes) reads as on the command line: it was read
    # as text (200, agency null, sections made of the JSON's own lines). So do its faults.
    from ogi.ingest.load import load_report

    as_json = load_report(SEED_2019).to_json()
    import json as _json

    resp = a.post("/api/supervision/check", {"file": _file(_json.dumps(as_json, ensure_ascii=False).encode(), "开封.json")})
    assert resp.status_code == 200 and resp.json()["report"]["agency"] == "开封市商务局"
    assert resp.json()["report"]["sections"] == as_json["sections"]
    for data, said in [(b"[" * 100_000, "JSON 嵌套过深"), (b'{"edition": "2019"}', "JSON 不是有效的报告数据"), (b"", "文件为空")]:
        resp = a.post("/api/supervision/check", {"file": _file(data, "x.json")})
        assert resp.status_code == 422 and said in resp.json()["message"], (said, resp.json())
    # Unknown job, malformed id: the API's shape.
    assert _shape(a.get(f"/api/supervision/check/{uuid.uuid4()}"))["message_en"].startswith("no such check job")
    assert a.get("/api/supervision/check/abc").status_code == 422


def test_results_expire_lost_jobs_fail_and_a_full_server_is_busy(shared, offices) -> None:  # type: ignore[no-untyped-def]
    from ogi.web.supervision import checkjobs

    a = offices["a"]
    office = Agency.objects.get(code="JGKB")
    now = timezone.now()
    old = CheckJob.objects.create(id=uuid.uuid4(), office=office, file_name="x.pdf", size=1, state="done",
                                  result={"report": {}, "findings": []}, expires_at=now - dt.timedelta(seconds=1))
    assert a.get(f"/api/supervision/check/{old.pk}").status_code == 404
    # A job its server never finished (it stopped): failed once past any time it could take.
    stuck = CheckJob.objects.create(id=uuid.uuid4(), office=office, file_name="y.pdf", size=1, state="running",
                                    started_at=now - dt.timedelta(hours=2), expires_at=now + dt.timedelta(hours=1))
    body = a.get(f"/api/supervision/check/{stuck.pk}").json()
    assert body["state"] == "failed" and "服务器已重启" in body["message"]
    # One reader, no queue: a second file while the first (a scan, OCR) is read is refused, not piled up.
    large = SEED_2019.read_bytes() + b"\n" * (2 * 1024 * 1024)
    with override_settings(OGI_CHECK_WORKERS=1, OGI_CHECK_QUEUE=0):
        first = a.post("/api/supervision/check", {"file": _file(_scan(), "1.png")})
        second = a.post("/api/supervision/check", {"file": _file(large, "2.txt")})
        assert first.status_code == 202
        if _wait(a, first.json()["status_url"], 0)["state"] not in ("done", "failed"):  # still being read
            assert second.status_code == 503 and "正忙" in _shape(second)["message"]
        else:  # the machine read the whole scan before the second request: nothing to judge
            assert _wait(a, second.json()["status_url"], 120)["state"] == "done"
        assert _wait(a, first.json()["status_url"], 300)["state"] == "done"
        third = a.post("/api/supervision/check", {"file": _file(large, "3.txt")})
        assert third.status_code == 202  # the slot is free again
        assert _wait(a, third.json()["status_url"], 120)["state"] == "done"
    # Expired rows are deleted as new jobs come.
    assert not CheckJob.objects.filter(pk=old.pk).exists()
    assert checkjobs.purge() == 0


def test_openapi_documents_the_job(offices) -> None:  # type: ignore[no-untyped-def]
    doc = Client().get("/api/openapi.json").json()
    post = doc["paths"]["/api/supervision/check"]["post"]
    assert {"200", "202", "413", "422", "503"} <= set(post["responses"]) and "status_url" in post["description"]
    get = doc["paths"]["/api/supervision/check/{job_id}"]["get"]
    assert {"200", "404"} <= set(get["responses"])
    schemas = doc["components"]["schemas"]
    assert {"state", "status_url", "report", "findings", "message_en"} <= set(schemas["JobOut"]["properties"])
    assert set(schemas["ErrorOut"]["properties"]) == {"detail", "message", "message_en"}


def test_a_small_page_or_document_holding_pictures_is_a_job_not_read_in_the_request():
    """Its tables may be pictures, read by OCR (seconds each): not in the request's time."""
    import base64
    import zipfile

    from ogi.web.supervision import checkjobs

    page = (CORPUS / "html" / "shuyang-fgj-2023.html").read_bytes()
    assert checkjobs.quick(page[:1024], len(page), page)
    with_picture = page.replace(b"<body", b'<body><img src="data:image/png;base64,' + base64.b64encode(b"\x89PNG") + b'"', 1)
    assert not checkjobs.quick(with_picture[:1024], len(with_picture), with_picture)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/media/image1.png", b"\x89PNG")
    docx = buf.getvalue()
    assert not checkjobs.quick(docx[:1024], len(docx), docx)
