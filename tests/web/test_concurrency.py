"""Two people acting on one request at the same moment, on two database connections:
no update is lost — the second either sees the first's change or is refused."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from ogi.records.workflow import Refused
from ogi.web.ledger import services
from ogi.web.ledger.models import Event, Request

from .conftest import request_data

pytestmark = pytest.mark.django_db(transaction=True)


def _race(funcs):  # type: ignore[no-untyped-def]
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
