from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

import ogi.web.urls  # noqa: F401  (the API's schemas are built at import: before any test freezes the clock)
from ogi.web.accounts.models import Agency, Staff

# Users are made by the dozen here: the fast hasher, as Django advises for tests.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "pw-用于测试"
TODAY = dt.date(2026, 3, 16)


def make_user(name: str, agency: Agency, role: str):  # type: ignore[no-untyped-def]
    u = get_user_model().objects.create_user(username=name, password=PASSWORD)
    Staff.objects.create(user=u, agency=agency, role=role)
    return u


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """Two departments under one supervising office, and a third agency outside it."""
    sup = Agency.objects.create(name="某市政务公开办", code="GKB", kind="government")
    a = Agency.objects.create(name="某市商务局", code="SWJ", parent=sup)
    b = Agency.objects.create(name="某市民政局", code="MZJ", parent=sup)
    c = Agency.objects.create(name="另一市商务局", code="LSW")
    return {
        "a": a, "b": b, "c": c, "sup": sup,
        "a_clerk": make_user("a-clerk", a, "clerk"), "a_reviewer": make_user("a-reviewer", a, "reviewer"),
        "a_admin": make_user("a-admin", a, "admin"), "b_clerk": make_user("b-clerk", b, "clerk"),
        "supervisor": make_user("sup", sup, "supervisor"), "sup_admin": make_user("sup-admin", sup, "admin"),
    }


def request_data(**kw):  # type: ignore[no-untyped-def]
    data = {"channel": "online", "submitted_on": dt.date(2026, 3, 2), "received_on": dt.date(2026, 3, 2),
            "applicant_category": "natural", "applicant_name": "张小明", "applicant_id_no": "320102199001011232",
            "applicant_contact": "13812345678", "content": "某地块征收补偿方案"}
    data.update(kw)
    return data



def demo_login(name: str):  # type: ignore[no-untyped-def]
    """A test client logged in as one of the demo's users (ogi.web.demo)."""
    from django.http import HttpRequest
    from django.test import Client

    from ogi.web.demo.ledger import PASSWORD as DEMO_PASSWORD

    c = Client()
    assert c.login(request=HttpRequest(), username=name, password=DEMO_PASSWORD)
    return c
