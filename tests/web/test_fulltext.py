"""The ledger's full-text index (ledger/fulltext.py): the same answers as a scan of the
ledger for any query, on SQLite and on PostgreSQL; kept in step with every kind of write;
built in place on a database that had requests before it existed; and the due-date filter
equal to due_of() on every request."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from ogi.web.ledger import fulltext, ledger_import, search, services
from ogi.web.ledger.models import Event, Request
from ogi.workflow.requests import OPEN_STATES, due_of

from .conftest import request_data

# Texts with what makes substring search hard: no word boundaries, ASCII case, LIKE's own
# wildcards and escape, quotes (FTS5's query syntax), full-width and accented letters.
TEXTS = ["刘德明", "王芳", "刘家村征地补偿方案", "道路改造工程招标文件", "Road-7 招标 ABC", "abc_def%ghi", r"路径C:\temp\刘",
         '他说"公开"', "ＡＢＣ全角", "Émile Zola", "申请人", "明德路", "德", "x"]
ALPHABET = "刘德明王芳家村申请人路ABCabc_%\\\"'-7 ＡÉé"


def _legacy(q: str, personal: bool) -> Q:
    """The filter as it was before the index: icontains over the columns, the events' notes
    by a subquery."""
    match = (Q(tracking_no__icontains=q) | Q(content__icontains=q)
             | Q(pk__in=Event.objects.filter(note__icontains=q, request__isnull=False).values("request_id")))
    return match | Q(applicant_name__icontains=q) if personal else match


@pytest.fixture
def ledger(world):  # type: ignore[no-untyped-def]
    clerk = world["a_clerk"]
    for i, text in enumerate(TEXTS):
        r = services.register(clerk, request_data(applicant_name=TEXTS[-1 - i], content=text))
        if i % 3 == 0:
            services.record_event(clerk, r.tracking_no, "request_correction", dt.date(2026, 3, 4),
                                  {"note": f"请补充{TEXTS[(i + 5) % len(TEXTS)]}"})
    services.register(world["b_clerk"], request_data(applicant_name="刘德明", content="刘家村低保名单"))
    return world


def _same(world, q: str) -> None:  # type: ignore[no-untyped-def]
    for user, personal in ((world["a_clerk"], True), (world["supervisor"], False)):
        visible = services.visible(user)
        want = set(visible.filter(_legacy(q, personal)).values_list("pk", flat=True))
        got = set(visible.filter(search.text_match(q, personal, sorted({r.agency_id for r in visible}))).values_list("pk", flat=True))
        assert got == want, (q, personal)


@pytest.mark.parametrize("few", [fulltext.FEW, 0])  # the ids read once; the condition left to the database
def test_every_query_finds_what_a_scan_finds(ledger, monkeypatch, few):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fulltext, "FEW", few)
    queries = {t[i:j] for t in TEXTS for i in range(len(t)) for j in range(i + 1, min(len(t), i + 4) + 1)}
    queries |= {"ABC", "abc", "Abc", "ａｂｃ", "émile", "ÉMILE", "%", "_", "\\", '"', '""', "\x1f", "刘\x1f", "7", "r", "不存在的内容"}
    for q in sorted(queries):
        _same(ledger, q)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=ALPHABET, min_size=1, max_size=5))
def test_any_query_finds_what_a_scan_finds(ledger, q):  # type: ignore[no-untyped-def]
    _same(ledger, q)


def _found(user, q: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.tracking_no for r in search.find(user, {"q": q}).qs}


def test_the_index_follows_every_write(world):  # type: ignore[no-untyped-def]
    clerk = world["a_clerk"]
    r = services.register(clerk, request_data(applicant_name="欧阳修", content="醉翁亭修缮经费"))
    assert _found(clerk, "欧阳") == {r.tracking_no} == _found(clerk, "醉翁亭")
    assert _found(clerk, "邮寄") == set() and _found(clerk, "双方确认") == {r.tracking_no}  # the registration's note
    services.record_event(clerk, r.tracking_no, "request_correction", dt.date(2026, 3, 4), {"note": "请写明亭名"})
    assert _found(clerk, "亭名") == {r.tracking_no}
    # A correction of the row by an administrator (the admin site saves the model).
    Request.objects.filter(pk=r.pk).update(content="丰乐亭修缮经费", applicant_name="苏轼")
    assert _found(clerk, "醉翁") == set() and _found(clerk, "丰乐") == {r.tracking_no}
    assert _found(clerk, "欧阳") == set() and _found(clerk, "苏轼") == {r.tracking_no}
    ev = Event.objects.get(request=r, note="请写明亭名")
    ev.note = "请写明亭的位置"
    ev.save()
    assert _found(clerk, "亭名") == set() and _found(clerk, "位置") == {r.tracking_no}
    ev.delete()
    assert _found(clerk, "位置") == set()
    # Rows loaded in bulk, bypassing the services.
    bulk = Request.objects.bulk_create([Request(agency=world["a"], tracking_no=f"SWJ-BULK-{i}", channel="letter",
                                                submitted_on=dt.date(2026, 3, 2), received_on=dt.date(2026, 3, 2),
                                                applicant_category="natural", applicant_name=f"批量{i}号", content="批量导入")
                                        for i in range(3)])
    assert _found(clerk, "批量1号") == {"SWJ-BULK-1"} and len(_found(clerk, "批量")) == 3
    Request.objects.filter(pk__in=[b.pk for b in bulk]).delete()
    assert _found(clerk, "批量") == set()
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {fulltext.TABLE}")
        assert cur.fetchone()[0] == Request.objects.count()


def test_imported_rows_are_found_and_a_preview_leaves_nothing(world):  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "收到日期", "申请人类型", "申请人", "申请内容"])
    ws.append(["2026-001", "2026-03-02", "自然人", "司马光", "砸缸事件调查报告"])
    buf = io.BytesIO()
    wb.save(buf)
    table = ledger_import.read_table(buf.getvalue(), "ledger.xlsx")
    mapping = ledger_import.guess_mapping(table.headers)
    clerk = world["a_clerk"]
    ledger_import.run(clerk, table, mapping, commit=False)
    assert _found(clerk, "司马") == set()
    done = ledger_import.run(clerk, table, mapping, commit=True)
    assert done.committed and _found(clerk, "司马光") == {done.rows[0].tracking_no}
    assert _found(clerk, "原编号 2026-001") == {done.rows[0].tracking_no}  # the import's own note


def test_triggers_lost_to_a_table_rebuild_come_back_with_the_text(world):  # type: ignore[no-untyped-def]
    # SQLite alters a table by copying it: its triggers are dropped. post_migrate restores them.
    clerk = world["a_clerk"]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER ledger_requesttext_ri ON ledger_request")
        else:
            cur.execute("DROP TRIGGER ledger_requesttext_ri")
    r = services.register(clerk, request_data(applicant_name="范仲淹", content="岳阳楼记"))
    assert _found(clerk, "岳阳楼") == set()
    assert fulltext.ensure(connection) and not fulltext.ensure(connection)
    assert _found(clerk, "岳阳楼") == {r.tracking_no}
    s = services.register(clerk, request_data(content="滕王阁序"))
    assert _found(clerk, "滕王阁") == {s.tracking_no}


@pytest.mark.django_db(transaction=True)
def test_a_ledger_from_before_the_index_is_indexed_in_place() -> None:
    from django.db.migrations.executor import MigrationExecutor

    before = [("ledger", "0013_split_into_apps")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldAgency, OldRequest, OldEvent = old.get_model("accounts", "Agency"), old.get_model("ledger", "Request"), \
        old.get_model("ledger", "Event")
    agency = OldAgency.objects.create(name="某市商务局", code="SWJ")
    r = OldRequest.objects.create(agency=agency, tracking_no="SWJ-2025-00001", channel="letter", submitted_on=dt.date(2025, 3, 3),
                                  received_on=dt.date(2025, 3, 4), applicant_category="natural", applicant_name="柳宗元",
                                  content="永州八记", state="registered")
    OldEvent.objects.create(request=r, agency=agency, event="register", label="登记申请", changes={}, note="小石潭")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = Request.objects.all()
    for q in ("柳宗元", "永州", "小石潭", "00001", "swj-2025"):
        assert rows.filter(search.text_match(q, True)).count() == 1, q
    assert rows.filter(search.text_match("柳宗元", False)).count() == 0
    Event.objects.create(request_id=r.pk, agency_id=agency.pk, event="note", label="备注", changes={}, note="钴鉧潭")
    assert rows.filter(search.text_match("钴鉧", False)).count() == 1


def test_the_due_filter_is_due_of_on_every_request(world):  # type: ignore[no-untyped-def]
    """Over a span with holidays (Spring Festival, Qingming) and requests of every kind:
    plain, corrected, paused, extended, waiting on a correction."""
    clerk = world["a_clerk"]
    rows = []
    for i in range(70):
        received = dt.date(2026, 1, 5) + dt.timedelta(days=i)
        r = services.register(clerk, request_data(received_on=received, submitted_on=received))
        rows.append(r)
    changes = {3: {"corrected_on": dt.date(2026, 1, 20)}, 5: {"extension_days": 10}, 7: {"state": "consulting",
               "pauses": [{"kind": "consultation", "start": "2026-01-15", "end": None}]},
               9: {"pauses": [{"kind": "consultation", "start": "2026-01-20", "end": "2026-01-30"}]},
               11: {"state": "correction", "correction_requested_on": dt.date(2026, 1, 17), "correction_due": dt.date(2026, 2, 16)},
               13: {"state": "answered", "outcome": "granted", "answered_on": dt.date(2026, 1, 25)},
               15: {"pauses": "not a list"}}
    for i, fields in changes.items():
        Request.objects.filter(pk=rows[i].pk).update(**fields)
    everyone = services.visible(clerk)
    for day in [dt.date(2026, 1, 5) + dt.timedelta(days=k) for k in range(0, 120, 3)]:
        for status in ("overdue", "due_soon"):
            want = {r.pk for r in everyone if r.state in OPEN_STATES and due_of(r, day).status == status}
            got = set(everyone.filter(search.due_match(everyone, status, day)).values_list("pk", flat=True))
            assert got == want, (day, status)
