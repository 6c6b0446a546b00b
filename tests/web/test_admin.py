"""The operator's admin pages as an operator might misuse them: what the ledger's own pages
refuse is refused here too, and what only the ledger's steps may change is not changed here."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client

from ogi.web.accounts.models import Agency
from ogi.web.ledger import services
from ogi.web.ledger.models import Event, Request

from .conftest import PASSWORD, request_data


@pytest.fixture
def root(world):  # type: ignore[no-untyped-def]
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    c = Client()
    assert c.login(request=HttpRequest(), username="root", password=PASSWORD)
    return c


def _agency_form(a: Agency, **changes: str) -> dict[str, str]:
    form = {"name": a.name, "code": a.code, "kind": a.kind, "parent": str(a.parent_id or ""), "level": a.level,
            "aliases": "", "letter_prefix": a.letter_prefix, "letter_templates": "{}"}
    form.update(changes)
    return form


def _errors(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S))


def test_agency_edits_that_would_break_pages_are_refused(root, world):
    sup, a = world["sup"], world["a"]
    # The office put under its own department: a loop in the tree, which hung every page that walks it.
    page = root.post(f"/admin/accounts/agency/{sup.pk}/change/", _agency_form(sup, parent=str(a.pk))).content.decode()
    assert "上级关系会形成循环" in _errors(page)
    sup.refresh_from_db()
    assert sup.parent_id is None
    # A code with a slash made every request number of the agency unaddressable (500 on its ledger).
    for code in ("Z/J", "Z J", "自规"):
        page = root.post(f"/admin/accounts/agency/{a.pk}/change/", _agency_form(a, code=code)).content.decode()
        assert "编号只能由英文字母和数字组成" in _errors(page), code
    # Names too long for a name; JSON of the wrong shape, which the supervision tree and the letters then failed on.
    page = root.post(f"/admin/accounts/agency/{a.pk}/change/", _agency_form(a, aliases="局" * 101)).content.decode()
    assert "每个名称不超过 100 个字" in _errors(page)
    for bad in ("[1, 2]", '{"letters": 5}', '{"remedy": ""}'):
        page = root.post(f"/admin/accounts/agency/{a.pk}/change/", _agency_form(a, letter_templates=bad)).content.decode()
        assert _errors(page), bad
    # Not JSON at all: said where, in Chinese (Django said only "输入一个有效的 JSON").
    page = root.post(f"/admin/accounts/agency/{a.pk}/change/",
                     _agency_form(a, letter_templates='{\n  "remedy": "x",\n  \'number_pattern\': 1\n}')).content.decode()
    assert "第 3 行第 3 列附近有误" in _errors(page) and "填 {}" in _errors(page) and "{{" not in _errors(page)
    a.refresh_from_db()
    assert (a.code, a.aliases, a.letter_templates) == ("SWJ", [], {})
    # A code already in use (an older database held SW-J) is kept: the agency's other fields stay editable.
    Agency.objects.filter(pk=a.pk).update(code="SW-J")
    a.refresh_from_db()
    assert root.post(f"/admin/accounts/agency/{a.pk}/change/", _agency_form(a, letter_prefix="市商务")).status_code == 302
    Agency.objects.filter(pk=a.pk).update(code="SWJ")
    a.refresh_from_db()
    # What is right is saved.
    # The other names, one per line (it was a JSON box): blank lines and repeats dropped.
    resp = root.post(f"/admin/accounts/agency/{a.pk}/change/",
                     _agency_form(a, code="SWJ2", aliases=" 商务局\r\n\r\n市商务局\r\n商务局", letter_templates=""))
    assert resp.status_code == 302
    a.refresh_from_db()
    assert (a.code, a.aliases, a.letter_templates) == ("SWJ2", ["商务局", "市商务局"], {})
    page = root.get(f"/admin/accounts/agency/{a.pk}/change/").content.decode()
    assert re.search(r'<textarea name="aliases"[^>]*>\s*商务局\n市商务局</textarea>', page), page[page.find('name="aliases"') - 50:][:300]


def test_a_loop_already_in_the_data_does_not_hang_a_page(world):
    """Made before the check existed (or in the database directly): walking the tree ends."""
    sup, a = world["sup"], world["a"]
    Agency.objects.filter(pk=sup.pk).update(parent=a)
    assert sorted(sup.subtree_ids()) == sorted([sup.pk, a.pk, world["b"].pk])


def test_requests_and_the_audit_log_are_looked_up_not_edited_in_the_admin(root, world):
    r = services.register(world["a_clerk"], request_data())
    assert root.get(f"/admin/ledger/request/{r.pk}/change/").status_code == 200  # viewed
    page = root.get(f"/admin/ledger/request/{r.pk}/change/").content.decode()
    assert world["a_clerk"].username and "张小明" not in page  # personal data stays behind the ledger's audited view
    resp = root.post(f"/admin/ledger/request/{r.pk}/change/", {"state": "answered", "outcome": "granted"})
    assert resp.status_code == 403
    r.refresh_from_db()
    assert (r.state, r.version) == ("registered", 0) and r.outcome in (None, "")
    assert root.get("/admin/ledger/request/add/").status_code == 403
    n = Event.objects.count()
    assert root.post("/admin/ledger/event/add/", {"_save": "1"}).status_code == 403
    assert Event.objects.count() == n
    assert Request.objects.count() == 1
    assert root.get(f"/admin/ledger/request/{r.pk}/delete/").status_code == 403
    from ogi.web.reporting.models import AnnualReport

    report = AnnualReport.objects.create(agency=world["a"], year=2025, state="published", slug="swj-2025")
    assert root.get(f"/admin/reporting/annualreport/{report.pk}/delete/").status_code == 403
    assert root.post(f"/admin/reporting/annualreport/{report.pk}/change/", {"state": "draft"}).status_code == 403
    assert "删除所选" not in root.get("/admin/reporting/annualreport/").content.decode()
    shown = root.get(f"/admin/reporting/annualreport/{report.pk}/change/").content.decode()
    assert "某市商务局2025年度报告" in shown and "AnnualReport object" not in shown
    # The fields are named in Chinese.
    page = root.get(f"/admin/ledger/event/{Event.objects.first().pk}/change/").content.decode()
    assert "操作人" in page and ">Actor<" not in page and "记录时间" in page and "Event object" not in page


def test_the_operator_on_the_staff_pages_is_named_and_pointed_to_the_admin(root):
    page = root.get("/").content.decode()
    header = page.split("<header>")[1].split("</header>")[0]
    assert "root</a> · 运维人员" in header and "（）" not in header
    assert 'href="/admin/"' in header and 'href="/reports/"' not in header  # (年度报告 led the operator to a 404)


def test_the_admin_speaks_chinese(root):
    """Django's admin index and django-axes' pages had English captions (Model name, Add link,
    Access attempts, Axes); the new agency form showed null in its templates box."""
    allowed = {"ogi", "root", "IP", "HTTP", "Accept", "sha256", "GET", "POST", "rsaquo", "letters", "decisions", "remedy",
               "number_pattern", "SWJ"}  # names, and keys the operator types
    for url in ("/admin/", "/admin/axes/accessattempt/", "/admin/axes/accesslog/", "/admin/accounts/agency/add/"):
        page = root.get(url).content.decode()
        text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>|&lt;unknown&gt;|&\w+;", " ", page, flags=re.S)
        words = set(re.findall(r"[A-Za-z_]{2,}", text)) - allowed
        assert not words, (url, sorted(words))
