"""Uploads in the report workspace are read off the request thread: a hostile file costs
its bounded worker, not the server — other pages keep answering, the refusal is shown."""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

import pytest
from django.http import HttpRequest

from ..hostile import _pdf
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


class _Browser:
    """Just enough of a browser for a Django form: cookies and the CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as r:
            return r.read().decode("utf-8")

    def _csrf(self, path: str) -> str:
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        assert m, path
        return m.group(1)

    def login(self, username: str) -> None:
        token = self._csrf("/login/")
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        self.opener.open(urllib.request.Request(self.base + "/login/", body.encode(), headers={"Referer": self.base}),
                         timeout=120).read()

    def upload(self, page: str, action: str, name: str, data: bytes) -> str:
        token = self._csrf(page)
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        req = urllib.request.Request(self.base + action, body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + page})
        with self.opener.open(req, timeout=120) as r:  # follows the redirect to the workspace
            return r.read().decode("utf-8")


def test_oversized_pdf_upload_is_refused_while_the_server_keeps_answering(world, live_server):
    uploader, reader = _Browser(live_server.url), _Browser(live_server.url)
    uploader.login("a-clerk")
    reader.login("a-reviewer")
    reader.get("/")  # the inbox once, so that the timed requests below are not its first
    pdf = _pdf(2000)  # built before: building it in this process would slow the server's threads too
    page: dict[str, str] = {}
    upload = threading.Thread(target=lambda: page.setdefault("html", uploader.upload(
        "/reports/2026/", "/reports/2026/previous/", "2000页.pdf", pdf)))
    upload.start()
    answered_during_upload = []
    while upload.is_alive():
        started = time.monotonic()
        reader.get("/")
        took = time.monotonic() - started
        if upload.is_alive():
            answered_during_upload.append(took)
        time.sleep(0.05)
    upload.join()
    assert answered_during_upload, "the upload was read before any other request could be timed"
    assert max(answered_during_upload) < 1.0, answered_during_upload
    assert "PDF 页数过多：2000 页" in page["html"]


def test_upload_size_is_refused_before_reading(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.OGI_UPLOAD_MAX_BYTES = 1024
    c = Client()
    assert c.login(request=HttpRequest(), username="a-clerk", password=PASSWORD)
    resp = c.post("/reports/2026/previous/", {"file": SimpleUploadedFile("大.pdf", b"%PDF" + b"0" * 200_000)}, follow=True)
    assert "文件过大（0.2 MB）" in resp.content.decode()


def test_busy_readers_ask_to_retry(world):
    from ogi.web.reporting import services as reports
    from ogi.workflow.requests import Refused

    # Every reader busy: the next upload is asked to retry, not queued on a server thread.
    busy = threading.BoundedSemaphore(1)
    busy.acquire()
    saved, reports._readers = reports._readers, busy
    try:
        with pytest.raises(Refused, match="服务器正忙"):
            reports.read_upload(b"abc", "x.txt")
    finally:
        reports._readers = saved
