"""One test per rule of rules.md: a report that breaks it and one that does not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ogi.checks import RULES, check, check_all
from ogi.report import Heading, LabelSeen, Value

from .builders import setcells, zero_report


def rules_of(report):
    return [f.rule for f in check(report)]


def only(report, rule):
    return [f for f in check(report) if f.rule == rule]


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_clean_report_has_no_finding(edition):
    assert check(zero_report(edition)) == []


def test_every_rule_of_rules_md_is_registered():
    expected = {
        "requests.balance", "requests.processed_total", "requests.row_total", "appeals.total", "value.type",
        "cell.missing", "cell.blank", "cell.dash", "section.missing", "section.order", "label.nonstandard",
        "edition.mismatch", "metadata.agency", "metadata.year", "metadata.date", "active.published_le_total",
        "active.items_change", "requests.other_high", "narrative.numbers", "overview.length", "section6.fees",
        "continuity.carried", "continuity.in_force", "continuity.appeals", "similarity.copied",
    }
    assert expected <= set(RULES)
    for r in RULES.values():
        assert r.severity in ("error", "warning", "info")


# --- arithmetic ----------------------------------------------------------------------------

def test_balance():
    r = setcells(zero_report(), {"requests.new.natural": 2, "requests.new.total": 2})
    fs = only(r, "requests.balance")
    assert sorted(f.where["column"] for f in fs) == ["总计", "自然人"]
    assert all((f.found, f.expected, f.severity) == (2, 0, "error") for f in fs)
    ok = setcells(zero_report(), {"requests.new.natural": 2, "requests.new.total": 2,
                                  "requests.carried_out.natural": 2, "requests.carried_out.total": 2})
    assert only(ok, "requests.balance") == []


def test_processed_total():
    r = setcells(zero_report("2019"), {"requests.other.legal_service": 3, "requests.other.total": 3})
    fs = only(r, "requests.processed_total")
    assert {f.where["column"] for f in fs} == {"法人或其他组织/法律服务机构", "总计"}
    assert {(f.found, f.expected) for f in fs} == {(0, 3)}
    ok = setcells(zero_report("2019"), {"requests.other.legal_service": 3, "requests.other.total": 3,
                                        "requests.processed_total.legal_service": 3, "requests.processed_total.total": 3,
                                        "requests.new.legal_service": 3, "requests.new.total": 3})
    assert [f for f in check(ok) if f.severity == "error"] == []


def test_row_total_names_the_culprit():
    r = setcells(zero_report(), {"requests.withheld.third_party.natural": 4, "requests.withheld.third_party.total": 5,
                                 "requests.processed_total.natural": 4, "requests.processed_total.total": 5,
                                 "requests.new.natural": 4, "requests.new.total": 5})
    # One figure, the 总计 of 4.保护第三方合法权益, explains nothing alone: three rows have total 5
    # against parts 4. The row_total identities fail; none is pinned to one cell.
    fs = only(r, "requests.row_total")
    assert len(fs) == 3 and all(f.culprit is None for f in fs)
    r2 = setcells(zero_report(), {"requests.granted.commercial": 7})
    fs2 = [f for f in check(r2) if f.severity == "error"]
    assert {f.rule for f in fs2} == {"requests.row_total", "requests.processed_total"}
    assert {f.culprit for f in fs2} == {"requests.granted.commercial"}
    assert {(f.found, f.expected) for f in fs2} == {(7, 0)}


def test_appeals_total_hongze_case():
    # 洪泽区 2023: 行政复议 10/1/0/0 with 总计 0.
    r = setcells(zero_report(), {"appeals.review.upheld": 10, "appeals.review.corrected": 1})
    fs = only(r, "appeals.total")
    assert [(f.where["row"], f.found, f.expected) for f in fs] == [("行政复议", 0, 11)]
    ok = setcells(zero_report(), {"appeals.review.upheld": 10, "appeals.review.corrected": 1, "appeals.review.total": 11})
    assert only(ok, "appeals.total") == []


def test_value_type():
    r = setcells(zero_report("2019"), {
        "requests.new.natural": Value("value", -1, "-1"),
        "active.penalty.decisions": Value("value", Decimal("2.5"), "2.5"),
        "active.licensing.change": Value("value", -3, "-3"),  # a change may be negative
        "active.procurement.amount": Value("value", Decimal(-5), "-5元"),
    })
    fs = only(r, "value.type")
    assert sorted(f.culprit for f in fs) == ["active.penalty.decisions", "active.procurement.amount", "requests.new.natural"]


# --- completeness and form -----------------------------------------------------------------

def test_cell_missing_per_row_and_per_table():
    r = setcells(zero_report(), {"requests.granted.research": Value("missing", note="无法识别")})
    assert [f.cells for f in only(r, "cell.missing")] == [["requests.granted.research"]]
    whole = zero_report()
    for cid in whole.cells:
        if cid.startswith("appeals."):
            whole.cells[cid] = Value("missing")
    fs = only(whole, "cell.missing")
    assert len(fs) == 1 and len(fs[0].cells) == 15


def test_cell_blank_gives_value_for_totals():
    r = setcells(zero_report(), {"requests.new.natural": 3, "requests.new.total": Value("blank"),
                                 "requests.new.research": Value("blank"),
                                 "requests.carried_out.natural": 3, "requests.carried_out.total": 3})
    fs = only(r, "cell.blank")
    by_cell = {tuple(f.cells): f for f in fs}
    assert by_cell[("requests.new.total",)].expected == 3
    assert by_cell[("requests.new.research",)].expected is None
    assert all(f.severity == "warning" for f in fs)
    assert only(zero_report(), "cell.blank") == []


def test_cell_dash():
    r = setcells(zero_report(), {"requests.new.research": Value("dash", 0, "—")})
    fs = only(r, "cell.dash")
    assert [(f.cells, f.severity) for f in fs] == [(["requests.new.research"], "info")]
    assert only(r, "requests.balance") == []


def test_section_missing():
    r = zero_report()
    r.headings = [h for h in r.headings if h.section != "problems"]
    r.sections["problems"] = None
    assert [f.where["section"] for f in only(r, "section.missing")] == ["五"]


def test_section_order():
    r = zero_report()
    r.headings = [Heading("overview", "一", 0), Heading("requests", "三", 1), Heading("active", "二", 2)] + [
        Heading(k, k, i + 3) for i, k in enumerate(["appeals", "problems", "other"])]
    assert len(only(r, "section.order")) == 1
    assert only(zero_report(), "section.order") == []


def test_label_nonstandard():
    r = zero_report()
    found, standard = "5.要求行政机关确认或重新出具以获取信息", "5.要求行政机关确认或重新出具已获取信息"
    r.labels.append(LabelSeen("row", found, standard, "表三", None, "三"))
    fs = only(r, "label.nonstandard")
    assert len(fs) == 1 and "“以”应为“已”" in fs[0].message_zh


def test_edition_mismatch():
    r = zero_report("2019", year=2022)
    assert [f.expected for f in only(r, "edition.mismatch")] == ["2021"]
    assert only(zero_report("2019", year=2020), "edition.mismatch") == []
    agg = zero_report("2021")
    agg.aggregates.append({"table": "requests", "label": "（六）其他处理", "standard": "（六）其他处理", "values": ["0"] * 7})
    assert len(only(agg, "edition.mismatch")) == 1


def test_metadata_agency():
    r = zero_report()
    r.agency = None
    assert len(only(r, "metadata.agency")) == 1


def test_metadata_year():
    r = zero_report(year=2023)
    r.year_evidence = {"title": 2023, "period": 2022}
    assert len(only(r, "metadata.year")) == 1
    r.year_evidence = {"title": 2023, "body": 2022}
    assert len(only(r, "metadata.year")) == 1  # body never speaks of the title's year
    r.year_evidence = {"title": 2023, "period": 2023, "body": 2023}
    assert only(r, "metadata.year") == []
    r.year = None
    assert len(only(r, "metadata.year")) == 1


@pytest.mark.parametrize(("kind", "level", "issued", "severity"), [
    ("department", None, dt.date(2024, 1, 31), None),
    ("department", None, dt.date(2024, 2, 1), "info"),
    ("government", "county", dt.date(2024, 2, 20), None),
    ("government", "county", dt.date(2024, 2, 21), "info"),
    ("government", "city", dt.date(2024, 3, 10), None),
    ("government", "city", dt.date(2024, 3, 11), "info"),
    ("government", "province", dt.date(2024, 3, 31), None),
    ("government", "province", dt.date(2024, 4, 1), "info"),
    ("department", None, None, "warning"),
])
def test_metadata_date(kind, level, issued, severity):
    r = zero_report(year=2023)
    r.kind, r.level, r.issued_on = kind, level, issued
    fs = only(r, "metadata.date")
    assert [f.severity for f in fs] == ([severity] if severity else [])


# --- plausibility --------------------------------------------------------------------------

def test_published_le_total():
    r = setcells(zero_report("2019"), {"active.normative.published": 5, "active.normative.total": 3})
    assert [f.cells[0] for f in only(r, "active.published_le_total")] == ["active.normative.published"]
    ok = setcells(zero_report("2019"), {"active.normative.published": 3, "active.normative.total": 5})
    assert only(ok, "active.published_le_total") == []


def test_items_change():
    r = setcells(zero_report("2019"), {"active.licensing.prev_items": 2, "active.licensing.change": -3})
    assert len(only(r, "active.items_change")) == 1
    ok = setcells(zero_report("2019"), {"active.licensing.prev_items": 3, "active.licensing.change": -3})
    assert only(ok, "active.items_change") == []


def _with_outcomes(granted: int, other: int):
    total = granted + other
    return setcells(zero_report(), {
        "requests.granted.natural": granted, "requests.granted.total": granted,
        "requests.other.other.natural": other, "requests.other.other.total": other,
        "requests.processed_total.natural": total, "requests.processed_total.total": total,
        "requests.new.natural": total, "requests.new.total": total})


def test_other_high():
    assert [f.severity for f in only(_with_outcomes(10, 10), "requests.other_high")] == ["info"]
    assert only(_with_outcomes(18, 2), "requests.other_high") == []
    assert [f for f in check(_with_outcomes(10, 10)) if f.severity == "error"] == []


def test_narrative_numbers():
    r = setcells(zero_report(), {"requests.new.natural": 3, "requests.new.total": 3,
                                 "requests.carried_out.natural": 3, "requests.carried_out.total": 3})
    r.sections["overview"] = "全年共收到政府信息公开申请 5 件，均按时答复。"
    fs = only(r, "narrative.numbers")
    assert [(f.found, f.expected, f.cells) for f in fs] == [(5, 3, ["requests.new.total"])]
    r.sections["overview"] = "全年共收到政府信息公开申请 3 件，结转下年度 3 件。"
    assert only(r, "narrative.numbers") == []
    n = setcells(zero_report(), {"active.normative.in_force": 12})
    n.sections["active"] = "截至年底，现行有效行政规范性文件 10 件。"
    assert [f.cells for f in only(n, "narrative.numbers")] == [["active.normative.in_force"]]


def test_overview_length():
    r = zero_report("2021")
    r.sections["overview"] = "政务公开工作稳步推进。" * 250
    assert [f.severity for f in only(r, "overview.length")] == ["info"]
    r2 = zero_report("2019")
    r2.sections["overview"] = r.sections["overview"]
    assert only(r2, "overview.length") == []  # the 2019 format gives no length


def test_section6_fees():
    r = zero_report("2021")
    r.sections["other"] = "无其他需要报告的事项。"
    assert len(only(r, "section6.fees")) == 1
    r.sections["other"] = "本机关未收取信息处理费。"
    assert only(r, "section6.fees") == []
    r19 = zero_report("2019")
    r19.sections["other"] = "无。"
    assert only(r19, "section6.fees") == []


# --- across reports ------------------------------------------------------------------------

def _pair():
    prev = setcells(zero_report("2021", year=2023), {
        "requests.new.natural": 2, "requests.new.total": 2,
        "requests.carried_out.natural": 2, "requests.carried_out.total": 2,
        "active.normative.in_force": 10})
    cur = setcells(zero_report("2021", year=2024), {
        "requests.carried_in.natural": 2, "requests.carried_in.total": 2,
        "requests.carried_out.natural": 2, "requests.carried_out.total": 2,
        "active.normative.issued": 3, "active.normative.repealed": 1, "active.normative.in_force": 12})
    return prev, cur


def test_continuity_carried():
    prev, cur = _pair()
    assert [f for fs in check_all([prev, cur]) for f in fs] == []
    setcells(cur, {"requests.carried_in.natural": 1, "requests.carried_in.total": 1,
                   "requests.carried_out.natural": 1, "requests.carried_out.total": 1})
    fs = [f for f in check_all([cur, prev])[0] if f.rule == "continuity.carried"]
    assert sorted((f.culprit, f.found, f.expected) for f in fs) == [
        ("requests.carried_in.natural", 1, 2), ("requests.carried_in.total", 1, 2)]


def test_continuity_only_for_same_agency_and_consecutive_years():
    prev, cur = _pair()
    setcells(cur, {"requests.carried_in.natural": 0, "requests.carried_in.total": 0,
                   "requests.carried_out.natural": 0, "requests.carried_out.total": 0})
    other = setcells(zero_report("2021", year=2024), {})
    other.agency = "另一个局"
    assert not [f for f in check_all([prev, other])[1] if f.rule.startswith("continuity")]
    cur.year = 2025
    assert not [f for f in check_all([prev, cur])[1] if f.rule.startswith("continuity")]


def test_continuity_in_force():
    prev, cur = _pair()
    setcells(cur, {"active.normative.in_force": 15})
    fs = [f for f in check_all([prev, cur])[1] if f.rule == "continuity.in_force"]
    assert [(f.found, f.expected, f.severity) for f in fs] == [(15, 12, "warning")]


def test_cell_blank_whole_columns_are_one_finding():
    r = zero_report()
    for cid in r.cells:
        if cid.startswith("requests.") and cid.rsplit(".", 1)[1] in ("commercial", "research"):
            r.cells[cid] = Value("blank")
    fs = only(r, "cell.blank")
    assert len(fs) == 1 and len(fs[0].cells) == 2 * 25
    assert "商业企业" in fs[0].message_zh and "科研机构" in fs[0].message_zh


def test_same_agency_with_and_without_its_city():
    from ogi.checks.continuity import same_agency

    assert same_agency("洪泽区人民政府", "淮安市洪泽区人民政府")
    assert same_agency("上海市科委", "上海市科委")
    assert not same_agency("洪泽区人民政府", "淮阴区人民政府")
    assert not same_agency("商务局", "开封市文化局")


def test_continuity_appeals():
    prev, cur = _pair()
    setcells(prev, {"appeals.review.pending": 3, "appeals.review.total": 3})
    assert [(f.found, f.expected, f.severity) for f in check_all([prev, cur])[1] if f.rule == "continuity.appeals"] == [(0, 3, "info")]
    setcells(cur, {"appeals.review.upheld": 2, "appeals.review.pending": 1, "appeals.review.total": 3})
    assert not [f for f in check_all([prev, cur])[1] if f.rule == "continuity.appeals"]


TEXT_A = ("我局高度重视政府信息公开工作，成立了由主要负责同志任组长的领导小组。全面梳理公开目录，及时更新各类信息。"
          "依申请公开办理规范，均在法定期限内答复。")
TEXT_B = "本年度聚焦营商环境，集中发布惠企政策并开展解读。开展政务新媒体专项检查，整改问题链接与错误信息。"


def test_similarity_copied_from_last_year_and_between_agencies():
    prev, cur = _pair()
    prev.sections["overview"] = TEXT_A
    cur.sections["overview"] = TEXT_A.replace("我局", "本局")  # copied, one word changed
    fs = [f for f in check_all([prev, cur])[1] if f.rule == "similarity.copied"]
    assert len(fs) == 1 and "2023年度" in fs[0].message_zh and "“" in fs[0].message_zh
    cur.sections["overview"] = TEXT_B
    assert not [f for f in check_all([prev, cur])[1] if f.rule == "similarity.copied"]
    other = setcells(zero_report("2021", year=2024), {})
    other.agency = "另一个局"
    other.sections["overview"] = TEXT_B
    fs = [f for f in check_all([cur, other])[0] if f.rule == "similarity.copied"]
    assert len(fs) == 1 and "另一个局" in fs[0].message_zh


def test_narrative_counts_checked_and_quoted_as_written():
    r = zero_report()
    setcells(r, {"requests.new.total": 141, "requests.processed_total.total": 134})
    r.sections["overview"] = "依照《条例》，全年共收到政府信息公开申请 141 件，本年度办结133件，均在法定期限内答复。"
    found = [f for f in check(r) if f.rule == "narrative.numbers"]
    assert [(f.found, f.expected) for f in found] == [(133, 134)]
    # Quoted with the agency's own punctuation and spacing, not the normalised text's.
    assert "申请 141 件，本年度办结133件”" in found[0].message_zh
    r.sections["overview"] = r.sections["overview"].replace("办结133件", "办结134件")
    assert not [f for f in check(r) if f.rule == "narrative.numbers"]
