"""No 500 a user can reach: every URL of the site, as every role (and as nobody), by GET
and by POST, over a database holding one broken legacy row of each kind — rows written
before the ledger checked its input, or edited in the database by hand. Pages answer
with the row's problem shown, a Chinese refusal or a redirect; never an error page."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ogi.web import clock
from ogi.web.accounts.models import ApiToken
from ogi.web.ledger import services
from ogi.web.ledger.models import Event, Letter, Request
from ogi.web.reporting import services as reports
from ogi.web.reporting.models import AnnualReport, AppealCase, RegulatoryDocument, YearFigures
from ogi.web.supervision.models import CollectedReport, Rectification, RectificationItem
from ogi.workflow.requests import BY_EVENT

from .conftest import PASSWORD, request_data

pytestmark = pytest.mark.django_db(transaction=False)
DAY = dt.date(2026, 3, 16)


@pytest.fixture
def broken(world, monkeypatch):  # type: ignore[no-untyped-def]
    """The world of conftest, some ordinary work, and one broken row of each kind."""

    monkeypatch.setattr(clock, "today", lambda: DAY)
    a, clerk, reviewer = world["a"], world["a_clerk"], world["a_reviewer"]
    good = services.register(clerk, request_data())
    answered = services.register(clerk, request_data(applicant_name="李四"))
    services.record_event(reviewer, answered.tracking_no, "answer", dt.date(2026, 3, 10), {"outcome": "granted"})
    broken_rows = {}
    for name, fields in {
        "category": {"applicant_category": "bogus"},
        "channel": {"channel": "pigeon", "delivery": "drone"},
        "fee": {"state": "fee_pending", "fee_amount": "12345678901", "fee_notice_on": dt.date(2026, 3, 5)},
        "empty": {"applicant_name": "", "content": ""},
        "future": {"state": "answered", "outcome": "bogus", "answered_on": dt.date(2099, 1, 1)},
        "pauses": {"pauses": [{"start": "someday"}, "x", {"kind": "fee"}], "extension_days": 30000},
        "state": {"state": "limbo"},
        "done": {"state": "closed", "outcome": None, "closed_on": dt.date(2026, 3, 9)},
    }.items():
        r = services.register(clerk, request_data(applicant_name=f"旧数据{name}"))
        Request.objects.filter(pk=r.pk).update(**fields)
        broken_rows[name] = r.tracking_no
    if connection.vendor == "sqlite":  # SQLite keeps what PostgreSQL's column types refuse
        r = services.register(clerk, request_data())
        with connection.cursor() as cur:
            cur.execute("UPDATE ledger_request SET fee_amount = 1e30, applicant_name = %s, applicant_id_no = %s WHERE id = %s",
                        ["名" * 200_000, "1" * 1000, r.pk])
        broken_rows["huge"] = r.tracking_no
    other = services.register(world["b_clerk"], request_data())
    YearFigures.objects.create(agency=a, year=2026, values={"licensing.decisions": "abc", "penalty.decisions": "三百四十",
                                                           "nonsense": 1})
    YearFigures.objects.create(agency=a, year=2025, values="not a mapping")
    AppealCase.objects.create(agency=a, kind="bogus", filed_on=dt.date(2026, 2, 1), result="weird", decided_on=dt.date(2026, 1, 1),
                              request=Request.objects.get(pk=other.pk))
    AppealCase.objects.create(agency=a, kind="review", filed_on=dt.date(2026, 2, 1))
    RegulatoryDocument.objects.create(agency=a, kind="bogus", title="旧文件", issued_on=dt.date(2026, 2, 1),
                                      repealed_on=dt.date(2020, 1, 1))
    ws = reports.workspace(a, 2024)
    ws.row.save()
    AnnualReport.objects.filter(pk=ws.row.pk).update(
        overrides={"requests.new.total": {"value": "abc"}, "nonexistent.cell": {"value": 1, "reason": "x"}, "x": "y"},
        sections="not a mapping", previous=[1, 2], frozen={"garbage": True}, state="published", slug="broken-2024")
    published = reports.workspace(world["b"], 2025)
    published.row.frozen = published.year_report.live_report.to_json()
    published.row.state, published.row.slug = "published", "good-2025"
    published.row.save()
    Letter.objects.create(request=good, agency=a, kind="reply", year=2026, seq=7, number="〔2026〕第7号", issued_on=DAY,
                          title="答复书", addressee="张小明", paragraphs="not a list")
    Event.objects.create(request=good, agency=a, event="weird", label="旧记录", changes=[1, 2, 3])
    Event.objects.create(request=good, agency=a, event="answer", label="旧记录", changes={"state": "x", "outcome": ["a", "b"]})
    collected = CollectedReport.objects.create(office=world["sup"], agency=a, printed_agency="某市商务局", file_name="旧.txt",
                                               sha256="0" * 64, report={"garbage": 1}, findings="x", figures=[],
                                               repetition=None or {}, state="current", year=2025)
    notice = Rectification.objects.create(office=world["sup"], agency=a, report=collected, year=2025, due_on=dt.date(2026, 4, 1))
    RectificationItem.objects.create(notice=notice, rule="bogus.rule", message_zh="旧整改项", cells="x")
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    get_user_model().objects.filter(username="a-admin").update(is_staff=True)  # the agency administrator's admin pages
    return {"good": good.tracking_no, "answered": answered.tracking_no, "other": other.tracking_no, "rows": broken_rows,
            "collected": collected.pk, "notice": notice.pk, "item": notice.items.get().pk, "root": admin}


def _samples(b: dict) -> dict[str, list]:  # type: ignore[type-arg]
    numbers = [b["good"], b["answered"], b["other"], *b["rows"].values(), "NOPE-2026-00001", "x" * 300]
    return {
        "tracking_no": numbers, "year": [2026, 2025, 2024, 2019, 9999], "slug": ["good-2025", "broken-2024", "nope"],
        "fmt": ["pdf", "docx", "xlsx", "html", "md", "json", "csv", "jsonl", "exe"],
        "cell_id": ["requests.new.total", "active.fees.amount", "bogus"], "key": ["overview", "other", "bogus"],
        "event": ["submit", "approve", "publish", "return", "bogus"], "name": [*BY_EVENT, "bogus"],
        "kind": ["submit_answer", "submit_extension", "bogus"], "seq": [7, 1, 99], "pk": [b["collected"], b["notice"], b["item"],
                                                                                         999999],
        "username": ["a-clerk", "b-clerk", "nobody"], "action": ["disable", "enable", "reset", "role", "bogus"],
    }


def _routes() -> list[tuple[str, list[str]]]:
    """Every route of the site (the admin's are walked by its own test): the path with
    its parameters' names."""
    out = []

    def walk(patterns, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            route = getattr(p.pattern, "_route", None)
            if route is None:
                continue  # a regex route: the admin's
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                full = prefix + route
                out.append((full, re.findall(r"<(?:\w+:)?(\w+)>", full)))

    walk(get_resolver().url_patterns, "/")
    return out


def _paths(route: str, names: list[str], samples: dict[str, list]) -> list[str]:  # type: ignore[type-arg]
    """The route with each parameter's first sample, then each other sample of one
    parameter at a time."""
    def fill(values: dict[str, object]) -> str:
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)

    base = {n: samples.get(n, ["x"])[0] for n in names}
    paths = [fill(base)]
    for n in names:
        for v in samples.get(n, ["x"])[1:]:
            paths.append(fill({**base, n: v}))
    return paths


def _clients(world, b) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    out = {"anonymous": Client()}
    for role in ("a_clerk", "a_reviewer", "a_admin", "b_clerk", "supervisor"):
        c = Client()
        assert c.login(request=HttpRequest(), username=world[role].username, password=PASSWORD)
        out[role] = c
    root = Client()
    root.force_login(b["root"])
    out["operator"] = root
    return out


def _writes(queries: list[dict], path: str) -> list[str]:
    """The statements of a GET that change a row, but for the record of the look itself: the
    session, the login throttle, the audit entry of a letter or ledger downloaded, and a
    letter's PDF kept once it has been made (the letter itself unchanged)."""
    audited = ("/letter.docx", "/letters/", "/requests/export.xlsx")
    out = []
    for sql in (q["sql"] for q in queries):
        verb = sql.lstrip().split(" ", 1)[0].upper()
        if verb not in ("INSERT", "UPDATE", "DELETE") or "django_session" in sql or '"axes_' in sql:
            continue
        if '"ledger_event"' in sql and verb == "INSERT" and any(a in path for a in audited):
            continue
        if sql.startswith('UPDATE "ledger_letter" SET "pdf"') and path.endswith(".pdf"):
            continue
        out.append(sql[:100])
    return out


def test_every_url_as_every_role_over_broken_rows(world, broken):
    """Every route, every role, GET then POST: never a 500; and a GET never writes (opening
    a year's report does not create it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = _samples(broken)
    clients = _clients(world, broken)
    for c in clients.values():  # the first visit after login settles the session
        c.get("/")
    tokens = {role: ApiToken.issue(world[role], "walk") for role in ("a_clerk", "a_reviewer", "supervisor")}
    seen, failed, wrote = 0, [], []
    for route, names in _routes():
        for path in _paths(route, names, samples):
            for who, c in clients.items():
                for method in ("get", "post"):
                    headers = {}
                    if path.startswith("/api/") and who in tokens:
                        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
                    try:
                        with CaptureQueriesContext(connection) as q:
                            if method == "get":
                                resp = c.get(path, **headers)
                            else:
                                resp = c.post(path, {"value": "abc", "reason": "", "text": "x", "on": "2099-01-01"}, **headers)
                    except Exception as e:  # the test client re-raises what the view raised
                        failed.append(f"{method.upper()} {path} as {who}: {type(e).__name__}: {str(e)[:120]}")
                        continue
                    seen += 1
                    if resp.status_code >= 500:
                        failed.append(f"{method.upper()} {path} as {who}: {resp.status_code}")
                    if method == "get":
                        wrote += [f"GET {path} as {who}: {sql}" for sql in _writes(q.captured_queries, path)]
    assert not failed, f"{len(failed)} failed:\n" + "\n".join(failed[:60])
    assert not wrote, "\n".join(wrote[:20])
    assert seen > 1000


def test_admin_pages_over_broken_rows(world, broken):
    """The operator's admin and the agency administrator's: lists and change forms of every
    model, broken rows included."""
    from django.contrib import admin

    clients = {"operator": Client(), "a_admin": Client()}
    clients["operator"].force_login(broken["root"])
    assert clients["a_admin"].login(request=HttpRequest(), username="a-admin", password=PASSWORD)
    for model, _ in admin.site._registry.items():
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        pks = list(model.objects.values_list("pk", flat=True)[:30])
        for c in clients.values():
            for path in itertools.chain([base, base + "add/", base + "?q=%E5%90%8D&o=1.-2"],
                                        (f"{base}{pk}/change/" for pk in pks), (f"{base}{pk}/history/" for pk in pks[:3])):
                resp = c.get(path)
                assert resp.status_code < 500, f"GET {path}: {resp.status_code}"


def test_a_broken_row_shows_its_problem(world, broken):
    c = Client()
    assert c.login(request=HttpRequest(), username="a-clerk", password=PASSWORD)
    page = c.get(f"/requests/{broken['rows']['category']}/").content.decode()
    assert 'id="row-problems"' in page and "申请人类别" in page and "bogus" in page
    listing = c.get("/requests/").content.decode()
    assert "数据有误" in listing
    ws_page = c.get("/reports/2026/").content.decode()
    assert 'data-rule="records.invalid"' in ws_page and "无法统计" in ws_page
    assert "不是有效的数值" in ws_page  # the year figure typed as 三百四十


def _agency_admin(world) -> None:  # type: ignore[no-untyped-def]
    get_user_model().objects.filter(username="a-admin").update(is_staff=True)


def test_admin_year_figures_are_typed_fields_with_chinese_labels(world):
    _agency_admin(world)
    c = Client()
    assert c.login(request=HttpRequest(), username="a-admin", password=PASSWORD)
    page = c.get("/admin/reporting/yearfigures/add/?year=2025").content.decode()
    assert "行政许可" in page and "本年处理决定数量" in page and 'name="f_licensing.decisions"' in page
    assert '"values"' not in page and "textarea" not in page
    bad = c.post("/admin/reporting/yearfigures/add/?year=2025", {"year": "2025", "f_licensing.decisions": "三百四十"})
    assert bad.status_code == 200 and "输入整数" in bad.content.decode()
    assert not YearFigures.objects.exists()
    ok = c.post("/admin/reporting/yearfigures/add/?year=2025", {"year": "2025", "f_licensing.decisions": "340",
                                                              "f_fees.amount": "12000.50"})
    assert ok.status_code == 302
    row = YearFigures.objects.get()
    assert row.agency == world["a"] and row.values == {"licensing.decisions": 340, "fees.amount": "12000.50"}


def test_admin_case_cannot_link_another_agencys_request(world):
    other = services.register(world["b_clerk"], request_data())
    _agency_admin(world)
    c = Client()
    assert c.login(request=HttpRequest(), username="a-admin", password=PASSWORD)
    resp = c.post("/admin/reporting/appealcase/add/", {"kind": "review", "filed_on": "2026-02-01", "request": other.pk})
    assert resp.status_code == 200 and not AppealCase.objects.exists()


def test_chinese_error_pages(world):
    resp = Client().get("/no/such/page/")
    page = resp.content.decode()
    assert resp.status_code == 404 and "页面不存在" in page and 'id="error-page"' in page and "Not Found" not in page
    c = Client()
    assert c.login(request=HttpRequest(), username="a-clerk", password=PASSWORD)
    refused = c.get("/oversight/")
    assert refused.status_code == 403 and "只有“监督”角色的用户可以查看本页" in refused.content.decode()
    assert 'id="error-page"' in refused.content.decode()
    for odd in ("０", "9" * 5000, "²", "-1", "2026.5"):
        assert c.get("/requests/", {"year": odd}).status_code == 200
        assert Client().get("/public/reports/", {"year": odd}).status_code == 200


def test_server_error_page_is_chinese_and_logged(world, settings, caplog):
    """An unexpected failure answers the Chinese 500 page and leaves its traceback in the
    log, without the query string."""
    from ogi.web import errors

    resp = errors.server_error(HttpRequest())
    assert resp.status_code == 500 and "服务器出现错误" in resp.content.decode()
    import logging

    from ogi.web.logfilter import NoPersonalData

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/requests/?q=张三",),
                               None)
    record.request = object()
    NoPersonalData().filter(record)
    assert record.getMessage() == "Internal Server Error: /requests/" and record.request is None


def test_the_icon_browsers_ask_for_is_there(world):
    """/favicon.ico was a 404 on every page (and a line in the log each time)."""
    from django.test import Client

    resp = Client().get("/favicon.ico")
    assert resp.status_code == 301 and resp["Location"].endswith("ogi/favicon.svg")
    assert Client().get(resp["Location"]).status_code == 200
