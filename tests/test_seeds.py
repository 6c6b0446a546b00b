"""The two seeds end to end: values as printed, and exactly the findings rules.md lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ogi.checks import check
from ogi.ingest.load import load_report

from .conftest import SEED_2019, SEED_2020


@pytest.fixture(scope="module")
def kaifeng():
    return load_report(SEED_2019)


@pytest.fixture(scope="module")
def lvyuan():
    return load_report(SEED_2020)


def _nonzero(report):
    return {cid: v.value for cid, v in report.cells.items() if v.state == "value" and v.value != 0}


def test_kaifeng_metadata(kaifeng):
    assert (kaifeng.edition, kaifeng.agency, kaifeng.year, kaifeng.issued_on, kaifeng.kind) == (
        "2019", "开封市商务局", 2019, None, "department")


def test_kaifeng_cells_as_printed(kaifeng):
    # Read off the seed by hand: everything else is printed as 0.
    assert _nonzero(kaifeng) == {
        "requests.carried_in.natural": 1,
        "requests.carried_in.total": 1,
        "active.penalty.change": 2,
        "active.penalty.decisions": 2,
        "appeals.litigation_direct.other": 1,
        "appeals.litigation_direct.total": 1,
    }
    assert all(v.state == "value" for v in kaifeng.cells.values())
    assert len(kaifeng.cells) == 198
    assert kaifeng.cells["requests.carried_in.natural"].source == {"line": 137}


def test_kaifeng_findings(kaifeng):
    findings = check(kaifeng)
    got = sorted((f.rule, tuple(f.cells[:1])) for f in findings)
    assert [f.rule for f in findings if f.severity == "error"] == ["requests.balance", "requests.balance"]
    balance = {f.where["column"]: (f.found, f.expected) for f in findings if f.rule == "requests.balance"}
    assert balance == {"自然人": (1, 0), "总计": (1, 0)}
    labels = sorted((f.found, f.expected) for f in findings if f.rule == "label.nonstandard")
    assert labels == sorted([
        ("（本列数据的勾稽关系为：第一项家第二项之和等于第三项加第四项之和）",
         "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"),
        ("二、上年政府信息公开申请数量", "二、上年结转政府信息公开申请数量"),
        ("（二）部分公开（区分处理的，只记这一情形，不计其他情形）", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        ("5.要求行政机关确认或重新出具以获取信息", "5.要求行政机关确认或重新出具已获取信息"),
    ])
    assert {f.rule for f in findings} == {"requests.balance", "label.nonstandard", "metadata.date"}, got


def test_lvyuan_metadata(lvyuan):
    assert (lvyuan.edition, lvyuan.agency, lvyuan.year, lvyuan.issued_on) == (
        "2019", "绿园区商务局", 2020, dt.date(2021, 1, 21))


def test_lvyuan_cells_as_printed(lvyuan):
    assert _nonzero(lvyuan) == {
        "active.procurement.projects": 1,
        "active.procurement.amount": Decimal(21738),
    }
    lost = lvyuan.cells["active.penalty.decisions"]
    assert lost.state == "missing" and lost.value is None
    # Not shifted: the two printed figures stay in the first two columns and 行政强制 keeps its own.
    assert lvyuan.cells["active.penalty.prev_items"].source == {"line": 53}
    assert lvyuan.cells["active.penalty.change"].source == {"line": 54}
    assert lvyuan.cells["active.coercion.prev_items"].source == {"line": 56}
    assert lvyuan.cells["active.procurement.amount"].raw == "21738元"
    assert [k for k, v in lvyuan.cells.items() if v.state != "value"] == ["active.penalty.decisions"]


def test_lvyuan_findings(lvyuan):
    findings = check(lvyuan)
    assert [(f.rule, f.cells) for f in findings] == [("cell.missing", ["active.penalty.decisions"])]


def test_lvyuan_local_line_is_not_an_error(lvyuan):
    # "…政府信息公开发布总数量…：1" is an extra local line, neither a cell nor a finding.
    assert not lvyuan.unplaced
    assert not lvyuan.labels


def test_sections_found_in_both(kaifeng, lvyuan):
    for r in (kaifeng, lvyuan):
        assert [h.section for h in r.headings] == ["overview", "active", "requests", "appeals", "problems", "other"]
    assert lvyuan.sections["other"] == "我局暂无其他报告的事项。"  # the signature is not part of it
    assert kaifeng.sections["other"] == "无"
