"""The region pages' figures kept per row (kept.py) and the scores kept per agency follow
every change of a row: a changed figure, a changed finding, a report replaced; and a
re-check leaves the rows it does not change untouched (their time of change is the key)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.http import HttpRequest
from django.test import Client

from ogi.web.accounts.models import Agency
from ogi.web.supervision import kept
from ogi.web.supervision.models import CollectedReport

from ..conftest import SEED_2019, SEED_2020
from .conftest import PASSWORD, make_user


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    city = Agency.objects.create(name="开封市人民政府", code="KFS", kind="government", level="city")
    Agency.objects.create(name="开封市商务局", code="KSW", parent=city)
    Agency.objects.create(name="长春市绿园区商务局", code="LSW", level="county", parent=city, aliases=["绿园区商务局"])
    c = Client()
    assert c.login(request=HttpRequest(), username=make_user("gkb", city, "supervisor").username, password=PASSWORD)
    return city, c


def _upload(c: Client, **files: bytes) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    buf.seek(0)
    buf.name = "年报.zip"
    c.post("/supervision/", {"files": [buf]})


def _total(page: str, cell: str) -> str:
    return page.split(f'data-cell="{cell}"')[1].split(">")[1].split("<")[0]


def test_changed_rows_are_read_again_and_unchanged_rows_left_alone(office) -> None:  # type: ignore[no-untyped-def]
    city, c = office
    _upload(c, **{"开封.txt": SEED_2019.read_bytes()})
    first = CollectedReport.objects.get(state="current")
    stamp = first.updated_at
    page = c.get("/supervision/dashboard/?year=2019").content.decode()
    assert _total(page, "requests.carried_in.total") == "1"
    # Another agency's report of another year: the first row's findings do not change, nor its time of change.
    _upload(c, **{"绿园.txt": SEED_2020.read_bytes()})
    first.refresh_from_db()
    assert first.updated_at == stamp
    # A figure changed (saved: its time of change moves): the total follows.
    first.figures = {**first.figures, "requests.carried_in.total": 41}
    first.save()
    assert _total(c.get("/supervision/dashboard/?year=2019").content.decode(), "requests.carried_in.total") == "41"
    assert [k.figure("requests.carried_in.total") for k in kept.rows(city, 2019)] == [41]
    # A finding added to the row: the ranking's deduction follows for that agency alone.
    def row(page: str) -> str:
        return page.split('data-agency="开封市商务局"')[1].split("</tr>")[0]

    before = row(c.get("/supervision/2019/ranking/?group=city-department").content.decode())
    assert "统计表单元格缺失" not in before
    def table(url: str) -> str:
        return c.get(url).content.decode().split('<table class="ranking"')[1].split("</table>")[0]

    other = table("/supervision/2020/ranking/?group=county-department")
    first.findings = [*first.findings, {"rule": "cell.missing", "severity": "error", "message_zh": "某单元格缺失", "cells": []}]
    first.save()
    after = row(c.get("/supervision/2019/ranking/?group=city-department").content.decode())
    assert "-0.2 统计表单元格缺失或数值格式错误" in after
    assert table("/supervision/2020/ranking/?group=county-department") == other
    # Replaced by another version: no longer counted.
    first.state = "replaced"
    first.save()
    page = c.get("/supervision/dashboard/?year=2019").content.decode()
    assert 'data-year="2019"' not in page and 'data-year="2020"' in page  # 2019 has no current report left
    assert kept.rows(city, 2019) == []
