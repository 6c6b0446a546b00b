"""Two people acting on one request at the same moment, on two database connections:
no update is lost — the second either sees the first's change or is refused."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from ogi.web.ledger import services
from ogi.web.ledger.models import Event, Request
from ogi.workflow.requests import Refused

from .conftest import request_data

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def _server_connections(n: int, seconds: float = 30.0):  # type: ignore[no-untyped-def]
    """A race opens one connection per thread. On PostgreSQL (100 connections by default) two
    races at once on the two test workers would exhaust the server, so races take turns across
    the workers' processes, each waiting until the server can take its connections (the backends
    of closed ones may still be exiting)."""
    if connection.vendor != "postgresql":
        yield
        return
    with open(Path(tempfile.gettempdir()) / "ogi-test-connection-races.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _wait_for_free(n, seconds)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _wait_for_free(n: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('max_connections')::int"
                        " - current_setting('superuser_reserved_connections')::int"
                        " - (SELECT count(*) FROM pg_stat_activity)")
            free = cur.fetchone()[0]
        if free >= n or time.monotonic() > deadline:
            return
        time.sleep(0.1)


def _race(funcs):  # type: ignore[no-untyped-def]
    with _server_connections(len(funcs) + 2):
        return _race_now(funcs)


def _race_now(funcs):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(funcs))
    results: list = [None] * len(funcs)

    def run(i, f):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            results[i] = f()
        except Exception as e:  # the outcome is what the test inspects
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(funcs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_same_form_submitted_twice_at_once_applies_once(world):
    r = services.register(world["a_clerk"], request_data())
    fire = lambda: services.record_event(world["a_reviewer"], r.tracking_no, "extend", dt.date(2026, 3, 10),  # noqa: E731
                                         {"days": 20}, expected_version=0)
    results = _race([fire, fire])
    ok = [x for x in results if isinstance(x, Request)]
    refused = [x for x in results if isinstance(x, Refused)]
    assert len(ok) == 1 and len(refused) == 1, results
    r.refresh_from_db()
    assert r.version == 1 and r.extension_days == 20
    assert Event.objects.filter(request=r, event="extend").count() == 1


def test_two_different_events_at_once_both_kept(world):
    r = services.register(world["a_clerk"], request_data())
    a = lambda: services.record_event(world["a_reviewer"], r.tracking_no, "extend", dt.date(2026, 3, 10), {"days": 10})  # noqa: E731
    b = lambda: services.record_event(world["a_clerk"], r.tracking_no, "start_consultation", dt.date(2026, 3, 10),  # noqa: E731
                                      {"party": "某公司"})
    results = _race([a, b])
    assert all(isinstance(x, Request) for x in results), results
    r.refresh_from_db()
    # Both changes survive: neither overwrote the other's fields.
    assert r.extension_days == 10 and r.state == "consulting" and r.version == 2
    assert len(r.pauses) == 1
    assert connection.vendor in ("sqlite", "postgresql")


def _post_all(n: int, path: str, data_for, addr: str = "203.0.113.7"):  # type: ignore[no-untyped-def]
    from django.test import Client

    def one(i: int):  # type: ignore[no-untyped-def]
        return lambda: Client(REMOTE_ADDR=addr).post(path, data_for(i)).status_code

    return _race([one(i) for i in range(n)])


def test_query_code_guesses_exactly_the_limit_under_50_concurrent_tries(world):
    from ogi.web.portal import views as public_views

    r = services.register(world["a_clerk"], request_data())
    codes = _post_all(50, "/public/track/", lambda i: {"tracking_no": r.tracking_no, "query_code": f"WRONG{i:03d}"})
    assert codes.count(404) == public_views.MAX_FAILED and codes.count(429) == 50 - public_views.MAX_FAILED, codes
    # The limit is on the tracking number too: from another address the same number rests as well.
    from django.test import Client

    other = Client(REMOTE_ADDR="198.51.100.9").post("/public/track/", {"tracking_no": r.tracking_no, "query_code": r.query_code})
    assert other.status_code == 429


def test_filings_exactly_the_limit_under_50_concurrent_submissions(world, monkeypatch):
    from ogi.web.portal import views as public_views

    monkeypatch.setattr(public_views, "MAX_FILED_PER_DAY", 20)
    form = {"agency": str(world["a"].pk), "applicant_category": "natural", "applicant_name": "李四",
            "applicant_id_no": "320102198802023458", "applicant_contact": "lisi@example.cn",
            "content": "2025年某路段拓宽工程的环境影响评价批复文件", "delivery": "email"}
    codes = _post_all(50, "/public/apply/", lambda i: {**form, "content": f"{form['content']}（第{i}份）"})
    assert codes.count(302) == 20 and codes.count(429) == 30, codes
    assert Request.objects.count() == 20


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(world, monkeypatch):
    from django.test import Client

    from ogi.web import security
    from ogi.web.portal import views as public_views

    monkeypatch.setenv("OGI_TRUSTED_PROXIES", "10.0.0.0/8")
    security.trusted_proxies.cache_clear()
    monkeypatch.setattr(public_views, "MAX_FAILED_PER_ADDRESS", 2)
    try:
        r = services.register(world["a_clerk"], request_data())
        proxy = "10.0.0.5"
        tries = iter(range(100))

        def guess(visitor: str) -> int:
            # Each try asks about a number of its own: only the address limit is in play.
            return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {visitor}").post(
                "/public/track/", {"tracking_no": f"NOPE-{next(tries)}", "query_code": "WRONGXXX"}).status_code

        assert [guess("198.51.100.1") for _ in range(3)] == [404, 404, 429]
        assert guess("198.51.100.2") == 404  # another visitor behind the same proxy is not locked out
        # The locked-out visitor writes another address into the header: the proxy appends the
        # real one, which is the one believed.
        spoofed = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.1").post(
            "/public/track/", {"tracking_no": r.tracking_no, "query_code": r.query_code})
        assert spoofed.status_code == 429
    finally:
        security.trusted_proxies.cache_clear()


def test_a_publish_notice_sent_twice_at_once_is_sent_once(world):
    """Two clicks on 发出催报 at the same moment (or two of the office's staff): one 催报通知."""
    from ogi.web.supervision import rectification
    from ogi.web.supervision.models import Rectification

    def urge():  # type: ignore[no-untyped-def]
        return rectification.urge(world["sup"], world["supervisor"], world["a"], 2026, dt.date(2027, 1, 31),
                                  dt.date(2027, 3, 1), "", dt.date(2027, 2, 10))

    results = _race([urge, urge])
    sent = [x for x in results if isinstance(x, Rectification)]
    refused = [x for x in results if isinstance(x, rectification.NotUrged)]
    assert len(sent) == 1 and len(refused) == 1, results
    assert Rectification.objects.filter(agency=world["a"], year=2026, kind="publish").count() == 1
