"""The supervising office's library: tree, matching, timeliness, rubric scores computed
by hand, ranking, benchmarks, repetition, collection of the real corpus, the 通报."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from ogi.report import Finding
from ogi.supervision.benchmarks import Benchmark, _flag, benchmark, measures, parse_benchmarks, quartiles
from ogi.supervision.collect import collect
from ogi.supervision.match import Matcher
from ogi.supervision.notice import Notice, render_notice_docx, render_notice_xlsx
from ogi.supervision.ranking import issuer_in, rank
from ogi.supervision.repetition import repetitions
from ogi.supervision.rubric import Facts, RubricError, default_rubric, parse_rubric, score
from ogi.supervision.timeliness import Timeliness, judge, publication_date
from ogi.supervision.tree import Agency, TreeError, build_region, parse_region

from .builders import setcells, zero_report

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():
    SHARED = Path("/work/shared")

TREE_CSV = """机关名称,上级机关,类别,层级,其他名称
淮安市人民政府,,人民政府,市级,淮安市政府
淮安市洪泽区人民政府,淮安市人民政府,人民政府,县级,洪泽区政府
淮安市商务局,淮安市人民政府,部门,市级,
沭阳县人民政府,,人民政府,县级,
沭阳县发展和改革局,沭阳县人民政府,部门,县级,沭阳县发改局
绿园区商务局,,部门,县级,
开封市商务局,,部门,市级,
上海市人民政府办公厅,,部门,省级,
"""


def region():  # type: ignore[no-untyped-def]
    r, problems = parse_region(TREE_CSV.encode())
    assert problems == []
    return r


# --- tree ---------------------------------------------------------------------------------

def test_sheet_problems_are_reported_row_by_row_and_bad_rows_left_out() -> None:
    csv = ("机关名称,上级机关,类别,层级,其他名称\n"
           "甲市人民政府,,人民政府,市级,甲市政府\n"
           "甲市人民政府,,人民政府,市级,\n"  # duplicate
           "甲市民政局,甲市人民政府,部门,区级,\n"  # unknown level
           "甲市财政局,乙市人民政府,部门,市级,甲市政府\n"  # unknown parent, alias taken
           ",,部门,市级,\n"  # no name
           "甲镇人民政府,甲县人民政府,人民政府,乡镇,\n"
           "甲县人民政府,甲镇人民政府,人民政府,县级,\n")  # a loop
    r, problems = parse_region(csv.encode())
    text = [str(p) for p in problems]
    assert any(t.startswith("第 3 行") and "重复" in t for t in text)
    assert any(t.startswith("第 4 行") and "层级“区级”无法识别" in t for t in text)
    assert any(t.startswith("第 5 行") and "“甲市政府”已属于“甲市人民政府”" in t for t in text)
    assert any(t.startswith("第 5 行") and "上级机关“乙市人民政府”不在名录中" in t for t in text)
    assert any(t.startswith("第 6 行") and "缺少机关名称" in t for t in text)
    assert any("循环" in t for t in text)
    assert sorted(a.name for a in r) == ["甲县人民政府", "甲市人民政府", "甲市财政局", "甲镇人民政府"]
    assert r["甲市财政局"].parent is None and r["甲市财政局"].aliases == ()
    # However the loop is cut, walking up from each agency ends.
    for a in r:
        seen, cur = set(), a.name
        while cur is not None:
            assert cur not in seen
            seen.add(cur)
            cur = r[cur].parent


def test_sheet_without_a_name_column_is_refused_in_chinese() -> None:
    with pytest.raises(TreeError) as e:
        parse_region("单位,级别\n甲,市级\n".encode())
    assert "机关名称" in e.value.message_zh


def test_xlsx_sheet_and_subtree(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in TREE_CSV.strip().splitlines():
        ws.append(row.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    r, problems = parse_region(buf.getvalue(), "tree.xlsx")
    assert problems == []
    assert r["淮安市洪泽区人民政府"].aliases == ("洪泽区政府",)
    assert [a.name for a in r.subtree("淮安市人民政府")] == ["淮安市人民政府", "淮安市洪泽区人民政府", "淮安市商务局"]
    assert [a.name for a in r.siblings("淮安市商务局")] == ["淮安市洪泽区人民政府"]


@pytest.mark.parametrize(("kind", "level", "due"), [
    ("department", "city", dt.date(2026, 1, 31)),
    ("department", "province", dt.date(2026, 1, 31)),
    ("government", "township", dt.date(2026, 1, 31)),
    ("government", "county", dt.date(2026, 2, 20)),
    ("government", "city", dt.date(2026, 3, 10)),
    ("government", "province", dt.date(2026, 3, 31)),
])
def test_deadline_by_kind_and_level(kind: str, level: str, due: dt.date) -> None:
    # rules.md metadata.date: departments and townships 31 Jan; county 20 Feb, city 10 Mar, province 31 Mar.
    assert Agency("某机关", kind, level).deadline(2025) == due


# --- matching -----------------------------------------------------------------------------

def test_matching_assigns_only_sure_names() -> None:
    m = Matcher(region())
    assert (m.match("淮安市人民政府").agency, m.match("淮安市人民政府").how) == ("淮安市人民政府", "exact")
    assert (m.match("淮安市政府").agency, m.match("淮安市政府").how) == ("淮安市人民政府", "alias")
    assert m.match(" 淮安市 洪泽区人民政府（盖章）").agency == "淮安市洪泽区人民政府"
    assert m.match("洪泽区人民政府").agency == "淮安市洪泽区人民政府"  # through the alias 洪泽区政府
    place = m.match("江苏省淮安市商务局")  # the printed name with its enclosing province
    assert (place.agency, place.how) == ("淮安市商务局", "place")
    assert m.match("商务局").status == "unmatched"  # too short to stand for any one agency
    ocr = m.match("沐阳县人民政府")  # OCR read 沭 as 沐: a candidate, not an assignment
    assert ocr.status == "doubtful" and ocr.agency is None and ocr.candidates[0] == "沭阳县人民政府"
    assert "请人工指定" in ocr.message_zh
    assert m.match("某某省教育厅").status == "unmatched"
    assert m.match(None).status == "unmatched"


def test_two_agencies_printing_alike_go_to_the_queue() -> None:
    # Both keys are 甲开发区 (the governing body after a zone is not part of the name).
    r, _ = build_region([(2, {"name": "甲开发区管委会", "level": "县级", "kind": "人民政府"}),
                         (3, {"name": "甲开发区党工委", "level": "县级", "kind": "人民政府"})])
    got = Matcher(r).match("甲开发区 管理委员会")
    assert got.status == "doubtful" and got.candidates == ["甲开发区党工委", "甲开发区管委会"]


def test_a_government_written_without_people_is_the_same_government() -> None:
    # 政府 for 人民政府, with or without the enclosing city, and no alias in the tree.
    r, _ = build_region([(2, {"name": "丙州市丁山区人民政府", "level": "县级"})])
    m = Matcher(r)
    assert m.match("丙州市丁山区政府").agency == "丙州市丁山区人民政府"
    assert (m.match("丁山区政府").agency, m.match("丁山区政府").how) == ("丙州市丁山区人民政府", "place")


_cjk = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=2, max_size=6)


@settings(deadline=None)  # building a Matcher per example; the shared machine's load is no failure
@given(st.lists(_cjk, min_size=1, max_size=8, unique=True), st.data())
def test_property_every_listed_name_finds_its_agency_whatever_the_spacing(stems: list[str], data) -> None:  # type: ignore[no-untyped-def]
    r, _ = build_region([(None, {"name": s + "局", "level": "市级"}) for s in stems])
    m = Matcher(r)
    for s in stems:
        name = s + "局"
        spaced = "".join(ch + data.draw(st.sampled_from(["", " ", "\u3000"])) for ch in name)
        assert m.match(spaced).agency == name


# --- timeliness ---------------------------------------------------------------------------

@freeze_time("2026-12-31 20:00:00+08:00")
def test_a_date_after_today_is_no_publication_date() -> None:
    # Printed 2027年1月15日 with the clock (China time) at 31 December 2026: a misprint, not a day of publication.
    county = Agency("乙县人民政府", "government", "county")
    rep = zero_report(year=2025)
    rep.issued_on = dt.date(2027, 1, 15)
    t = judge(county, 2025, rep)
    assert (t.status, t.published_on) == ("undated", None)
    assert "2027-01-15 晚于今天（2026-12-31）" in t.reason_zh and t.to_json()["reason_zh"] == t.reason_zh
    assert judge(county, 2025, rep, dt.date(2027, 1, 15)).status == "late"  # judged on that day, it is a date
    from ogi.checks.metadata import check_date
    assert any("晚于今天（2026-12-31）" in f.message_zh for f in check_date(rep))


def test_timeliness_from_the_publication_date() -> None:
    county = Agency("甲县人民政府", "government", "county")
    rep = zero_report(year=2025)
    rep.issued_on = dt.date(2026, 2, 20)
    assert judge(county, 2025, rep).status == "on_time"  # on the deadline day itself
    rep.issued_on = dt.date(2026, 3, 2)
    t = judge(county, 2025, rep)
    assert (t.status, t.days_late, t.status_zh) == ("late", 10, "逾期 10 天")
    rep.published_on = dt.date(2026, 2, 1)
    assert publication_date(rep) == dt.date(2026, 2, 1) and judge(county, 2025, rep).status == "on_time"
    assert judge(county, 2025, None).status == "not_found"
    # Judged on a day: no report yet, on or before the deadline, is not yet due — in the
    # reporting season and in the year itself; the day after, it is missing.
    for day in (dt.date(2025, 12, 7), dt.date(2026, 1, 15), dt.date(2026, 2, 20)):
        assert judge(county, 2025, None, day).status_zh == "未到发布期限"
    assert judge(county, 2025, None, dt.date(2026, 2, 21)).status == "not_found"
    rep.issued_on = rep.published_on = None
    assert judge(county, 2025, rep).status == "undated"


# --- rubric -------------------------------------------------------------------------------

def _t(status: str, days: int = 0) -> Timeliness:
    return Timeliness("甲局", 2025, status, dt.date(2026, 1, 31), dt.date(2026, 1, 31) + dt.timedelta(days=days) if days else None, days)


def _f(rule: str, severity: str = "error") -> Finding:
    return Finding(rule, severity, f"{rule} 的问题", rule)


def test_default_rubric_scores_by_hand() -> None:
    rubric = default_rubric()
    # Late by 40 days: 2 (late) + 2 × 2 (two periods of 30 days begun). Seven arithmetic errors at
    # 0.5 = 3.5, capped at 3. One missing cell 0.2. An info finding of requests.* is not an
    # arithmetic error. 60% copied from last year: 0.5. 100 - 2 - 4 - 3 - 0.2 - 0.5 = 90.3.
    findings = [_f("requests.balance")] * 4 + [_f("appeals.total")] * 3 + [_f("cell.missing"), _f("requests.other_high", "info")]
    s = score(rubric, Facts("甲局", 2025, _t("late", 40), findings, {"previous": 0.6, "sibling": 0.5}))
    got = {d.item: d.points for d in s.deductions}
    assert got == {"late": Decimal(2), "late_days": Decimal(4), "arithmetic": Decimal(3), "cells": Decimal("0.2"),
                   "copied_previous": Decimal("0.5")}
    arith = next(d for d in s.deductions if d.item == "arithmetic")
    assert arith.count == 7 and arith.capped
    assert s.total == Decimal("90.3")
    # Exactly 50% is not "大于50%"; a report not found loses 20 and nothing else.
    assert not any(d.item == "copied_sibling" for d in s.deductions)
    assert score(rubric, Facts("乙局", 2025, _t("not_found"))).total == Decimal(80)


def test_lateness_costs_as_it_grows_but_never_as_much_as_not_publishing() -> None:
    """A report 311 days late lost 2 points and ranked first; one not published loses 20."""
    rubric = default_rubric()
    totals = {days: score(rubric, Facts("甲局", 2025, _t("late", days))).total for days in (1, 30, 31, 90, 311, 3000)}
    assert totals == {1: Decimal(96), 30: Decimal(96), 31: Decimal(94), 90: Decimal(92), 311: Decimal(82), 3000: Decimal(82)}
    assert min(totals.values()) > score(rubric, Facts("乙局", 2025, _t("not_found"))).total
    with pytest.raises(RubricError, match="every"):
        parse_rubric("items:\n  - {id: x, label: 逾期, points: 1, per: days_late, when: {timeliness: [late]}}")
    with pytest.raises(RubricError, match="cannot be combined"):  # (the findings would have won, once)
        parse_rubric("items:\n  - {id: x, label: 逾期, points: 1, per: days_late, every: 30, when: {rules: [cell.missing]}}")


def test_an_agency_that_published_nothing_ranks_after_every_one_that_did() -> None:
    """Under the default rubric a report a year late with flaws in its tables (82 less 3 for
    arithmetic and 3 for sections) scored 76, and was ranked below an agency that published
    nothing at all (80): in the ranking and the 通报 those with no report come last."""
    r, _ = build_region([(None, {"name": n, "level": "市级"}) for n in ("甲局", "乙局", "丙局", "丁局")])
    facts = [Facts("甲局", 2025, _t("late", 311), [_f("requests.balance")] * 6 + [_f("section.missing")] * 3),
             Facts("乙局", 2025, _t("not_found")), Facts("丙局", 2025, _t("on_time")), Facts("丁局", 2025, _t("not_found"))]
    ss = [score(default_rubric(), f) for f in facts]
    assert [str(s.total) for s in ss] == ["76", "80", "100", "80"]
    [group] = rank(r, ss)
    assert [(x.rank, x.score.agency) for x in group.ranked] == [(1, "丙局"), (2, "甲局"), (3, "丁局"), (3, "乙局")]
    assert ss[1].to_json()["unpublished"] is True and ss[0].to_json()["unpublished"] is False


def test_office_rubric_changes_the_ranking() -> None:
    r, _ = build_region([(None, {"name": n, "level": "市级"}) for n in ("甲局", "乙局", "丙局")])
    facts = [Facts("甲局", 2025, _t("late", 3)), Facts("乙局", 2025, _t("on_time"), [_f("section.missing")] * 2),
             Facts("丙局", 2025, _t("on_time"))]
    default = rank(r, [score(default_rubric(), f) for f in facts])[0]
    got = [(x.rank, x.score.agency, str(x.score.total)) for x in default.ranked]
    assert got == [(1, "丙局", "100"), (2, "乙局", "98"), (3, "甲局", "96")]
    strict = parse_rubric("""
full_marks: 10
items:
  - {id: late, label: 逾期, points: 5, when: {timeliness: [late]}}
  - {id: sec, label: 缺章节, points: 0.25, per: finding, when: {rules: ["section.*"]}}
""")
    ranked = rank(r, [score(strict, f) for f in facts])[0].ranked
    assert [(x.rank, x.score.agency, str(x.score.total)) for x in ranked] == [(1, "丙局", "10"), (2, "乙局", "9.5"), (3, "甲局", "5")]


def test_equal_scores_share_a_rank_and_groups_follow_level_and_kind() -> None:
    r, _ = build_region([(None, {"name": "甲局", "level": "市级"}), (None, {"name": "乙局", "level": "市级"}),
                         (None, {"name": "丙局", "level": "市级"}), (None, {"name": "丁县人民政府", "level": "县级"})])
    ss = [score(default_rubric(), Facts(n, 2025, _t(st_))) for n, st_ in
          (("甲局", "on_time"), ("乙局", "on_time"), ("丙局", "late"), ("丁县人民政府", "on_time"))]
    groups = rank(r, ss)
    assert [g.title_zh for g in groups] == ["市级部门", "县级人民政府"]
    assert [(x.rank, x.of) for x in groups[0].ranked] == [(1, 3), (1, 3), (3, 3)]


def test_an_agency_whose_report_is_not_due_yet_is_not_ranked() -> None:
    """In January nothing is deducted from a report not yet due, and full marks beside one
    already published said it did as well: it follows its group, unranked."""
    r, _ = build_region([(None, {"name": n, "level": "市级"}) for n in ("甲局", "乙局", "丙局")])
    ss = [score(default_rubric(), Facts(n, 2026, _t(st_))) for n, st_ in
          (("甲局", "not_due"), ("乙局", "on_time"), ("丙局", "late"))]
    [group] = rank(r, ss)
    assert [(x.rank_zh, x.score.agency, x.total_zh, x.of) for x in group.ranked] == [
        ("1", "乙局", "100", 2), ("2", "丙局", "98", 2), ("—", "甲局", "未到发布期限", 2)]
    assert ss[0].to_json()["pending"] is True and ss[1].to_json()["pending"] is False


@pytest.mark.parametrize(("text", "says"), [
    ("items: [", "不是有效的 YAML"),
    ("name: x", "items"),
    ("items: [{id: a, label: b, points: 1, when: {colour: red}}]", "条件无法识别"),
    ("items: [{id: a, label: b, points: -1, when: {timeliness: [late]}}]", "不小于 0"),
    ("items: [{id: a, label: b, points: 1, per: finding, when: {timeliness: [late]}}]", "rules 或 severity"),
    ("items: [{id: a, label: b, points: 1, when: {repetition: {against: previous, over: 50}}}]", "0.5"),
    ("items: [{id: a, label: b, points: 1, when: {timeliness: [soon]}}]", "timeliness 只能是"),
    ("items: [{id: a, label: b, points: 1, when: {timeliness: [late]}}, {id: a, label: c, points: 1, when: {timeliness: [late]}}]", "重复"),
])
def test_a_bad_rubric_says_what_is_wrong_in_chinese(text: str, says: str) -> None:
    with pytest.raises(RubricError) as e:
        parse_rubric(text)
    assert says in e.value.message_zh and e.value.message_en


# --- benchmarks and repetition ------------------------------------------------------------

def test_quartiles_and_flags_by_hand() -> None:
    # Eight values 0.1 … 0.8: P25 at position 1.75 → 0.275, P50 0.45, P75 at 5.25 → 0.625.
    p25, p50, p75 = quartiles([i / 10 for i in range(1, 9)])
    assert (round(p25, 6), round(p50, 6), round(p75, 6)) == (0.275, 0.45, 0.625)
    high = Benchmark("other_share", "其他处理占比", "high", 1.5)
    assert _flag(high, 0.6, p25, p50, p75) is None
    assert _flag(high, 0.7, p25, p50, p75) == "yellow"
    assert _flag(high, 1.2, p25, p50, p75) == "red"  # beyond 0.625 + 1.5 × 0.35 = 1.15
    low = Benchmark("disclosure_rate", "公开率", "low", 1.5)
    assert _flag(low, 0.2, p25, p50, p75) == "yellow" and _flag(low, 0.3, p25, p50, p75) is None
    assert _flag(high, 0.9, 0.5, 0.5, 0.5) == "yellow"  # no spread: never red


def _with_outcomes(granted: int, other: int) -> object:
    r = zero_report(year=2025)
    return setcells(r, {"requests.new.total": granted + other, "requests.granted.total": granted,
                        "requests.other.other.total": other, "requests.processed_total.total": granted + other})


def test_benchmarks_mark_only_a_large_enough_peer_group() -> None:
    rep = _with_outcomes(3, 1)
    m = measures(rep)  # type: ignore[arg-type]
    assert m["disclosure_rate"] == 0.75 and m["other_share"] == 0.25 and m["appeals_per_100"] == 0.0
    assert m["correction_rate"] is None  # no appeals: no rate, not 0
    names = [f"第{i}局" for i in range(8)]
    r, _ = build_region([(None, {"name": n, "level": "市级"}) for n in names])
    reports = {n: _with_outcomes(9, 1) for n in names[:7]} | {names[7]: _with_outcomes(1, 9)}
    small = parse_benchmarks("min_sample: 9\nindicators: [{id: other_share, bad: high}]")
    assert all(x.flag is None for x in benchmark(r, reports, small))  # type: ignore[arg-type]
    marks = {x.agency: x for x in benchmark(r, reports) if x.indicator == "other_share"}  # type: ignore[arg-type]
    assert marks[names[7]].flag == "yellow" and marks[names[7]].sample == 8  # no spread among the others
    assert marks[names[0]].flag is None and marks[names[0]].p50 == pytest.approx(0.1)


def test_repetition_against_last_year_and_siblings_side_by_side() -> None:
    # Sentences without digits or 年/月/日 (those are ignored), so shares are plain lengths.
    said = "本机关认真贯彻落实政府信息公开条例，持续加强组织领导和制度建设。"
    new = "本机关重点推进基层政务公开标准化规范化工作。"
    last, now, sib = zero_report(year=2024), zero_report(year=2025), zero_report(year=2025)
    for r in (last, now, sib):
        r.sections = dict.fromkeys(r.sections)
    last.sections["overview"] = said + "各项工作均按计划推进，群众满意度较高。"
    now.sections["overview"] = said + "\n" + new
    sib.sections["problems"] = new + "其他内容与本机关完全不同，不应被计入。"
    reps = {x.against: x for x in repetitions(now, ("甲局", last), [("乙局", sib)])}
    assert reps["previous"].passages == [(said, said)] and reps["sibling"].passages == [(new, new)]
    assert reps["previous"].share == pytest.approx(len(said) / (len(said) + len(new)))
    assert reps["sibling"].other_agency == "乙局" and reps["sibling"].share == pytest.approx(len(new) / (len(said) + len(new)))
    assert repetitions(now, None, [("丙局", last.__class__())]) == []


# --- the real corpus ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_zip(tmp_path_factory):  # type: ignore[no-untyped-def]
    files = [*sorted((SHARED / "corpus").glob("*/*")), *sorted((SHARED / "seeds").glob("*"))]
    files = [f for f in files if f.suffix != ".pdf" or f.name != "huaian-gov-2024.pdf"]
    z = tmp_path_factory.mktemp("zip") / "年报.zip"
    with zipfile.ZipFile(z, "w") as out:
        for f in files:
            out.write(f, f"{f.parent.name}/{f.name}")
    return z


@pytest.fixture(scope="module")
def collected(corpus_zip):  # type: ignore[no-untyped-def]
    return collect(region(), [corpus_zip], jobs=2)


def test_collection_of_the_corpus_matches_queues_and_keeps_versions(collected) -> None:  # type: ignore[no-untyped-def]
    c = collected
    assert set(c.current) == {("淮安市洪泽区人民政府", 2023), ("淮安市洪泽区人民政府", 2024), ("沭阳县发展和改革局", 2023),
                              ("绿园区商务局", 2020), ("开封市商务局", 2019), ("上海市人民政府办公厅", 2025)}
    # The HTML page and its DOCX conversion are one report: one is current, the other history.
    assert [h.report.agency for h in c.history] == ["沭阳县发展和改革局"]
    queued = {q.printed: q.match.status for q in c.queue}
    assert queued == {"沐阳县人民政府": "doubtful", "上海市科委": "unmatched", None: "unmatched"}
    # The two 洪泽 reports print the name differently and are still one agency's years.
    reps = c.repetitions("淮安市洪泽区人民政府", 2024)
    assert [(r.against, r.other_year) for r in reps] == [("previous", 2023)] and 0 < reps[0].share < 0.5
    ocr = next(q for q in c.queue if q.printed == "沐阳县人民政府")
    c.assign(ocr, "沭阳县人民政府")
    assert ("沭阳县人民政府", 2025) in c.current and ocr not in c.queue
    t = {x.agency: x for x in c.timeliness(2025)}
    # 2025-end report dated 2026-01-23, a county government: due 2026-02-20.
    assert t["沭阳县人民政府"].status == "on_time" and t["淮安市人民政府"].status == "not_found"


def test_scores_and_notice_of_the_corpus(collected, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = collected
    scores = c.scores(2024)
    by = {s.agency: s for s in scores}
    assert by["淮安市人民政府"].total == Decimal(80)  # not found
    assert all(s.total <= 100 for s in scores)
    # Issued from above: the city government is judged with the others.
    groups = rank(c.region, scores, issuer=issuer_in(c.region, "江苏省人民政府办公厅"))
    n = Notice("江苏省人民政府办公厅", 2024, c.region, c.timeliness(2024), groups, dt.date(2025, 4, 10), dt.date(2025, 5, 10))
    docx = render_notice_docx(n)
    from docx import Document

    d = Document(io.BytesIO(docx))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "关于2024年度政府信息公开工作年度报告评议情况的通报"
    assert texts[-1] == "2025年4月10日" and texts[-2] == "江苏省人民政府办公厅"
    assert any("未发布 " in t for t in texts)
    ranked_rows = [[c_.text for c_ in row.cells] for t in d.tables for row in t.rows]
    # 洪泽 2024 (PDF, no date printed): undated 0.5, three missing cells 3 × 0.2, nonstandard
    # labels 0.5 once = 1.6 → 98.4; 沭阳县人民政府 published no 2024 report → 80.
    assert ["1", "淮安市洪泽区人民政府", "98.4"] in [r[:3] for r in ranked_rows]
    assert ["2", "沭阳县人民政府", "80"] in [r[:3] for r in ranked_rows]
    wb = openpyxl.load_workbook(io.BytesIO(render_notice_xlsx(n)))
    assert wb.sheetnames == ["排名", "扣分明细", "发布情况"]
    rows = list(wb["发布情况"].iter_rows(values_only=True))
    assert ("淮安市人民政府", "市级", "人民政府", "2025-03-10", None, "未发布", 0) in [tuple(r) for r in rows]
    if shutil.which("soffice"):
        f = tmp_path / "通报.docx"
        f.write_bytes(docx)
        p = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                            "--outdir", str(tmp_path), str(f)], capture_output=True, timeout=180)
        assert p.returncode == 0 and (tmp_path / "通报.pdf").stat().st_size > 10_000


def test_the_issuing_government_neither_ranks_nor_counts_itself(collected) -> None:  # type: ignore[no-untyped-def]
    """The city's general office issues the notice on the city's departments and counties;
    the city government's own report is judged by the province."""
    c = collected
    office = "淮安市人民政府办公室"
    assert issuer_in(c.region, office) == "淮安市人民政府" and issuer_in(c.region, "政务公开办公室") is None
    groups = rank(c.region, c.scores(2024), issuer=issuer_in(c.region, office))
    ranked = [x.score.agency for g in groups for x in g.ranked]
    assert "淮安市人民政府" not in ranked and "淮安市洪泽区人民政府" in ranked
    n = Notice(office, 2024, c.region, c.timeliness(2024), groups, dt.date(2025, 4, 10))
    assert "淮安市人民政府" not in [t.agency for t in n.timeliness] and len(n.timeliness) == len(c.timeliness(2024)) - 1


def test_rates_are_shown_rounded_half_up() -> None:
    from ogi.corpus.indicators import percent_text

    # (54 + 12) / 134 = 0.49253…, kept as 0.4925: 49.3 %, which a binary float printed
    # with "%.1f" turns into 49.2 %.
    assert percent_text(0.4925) == percent_text(Decimal("0.4925")) == "49.3%"
    assert f"{0.4925 * 100:.1f}%" == "49.2%"


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_reports_rate_is_rounded_once_from_its_exact_value(num: int, den: int) -> None:
    """4 of 21 disclosed is 19.0 % (19.047…), not 19.1 % (0.1905 rounded again); the data
    keep 0.1905."""
    import pickle
    from fractions import Fraction

    from ogi.corpus.indicators import Rate, percent_text

    rate = Rate.of(num, den)
    tenths = Fraction(num * 1000, den)  # the rate in tenths of a per cent
    expected = int(tenths) + (1 if tenths - int(tenths) >= Fraction(1, 2) else 0)
    assert percent_text(rate) == f"{Decimal(expected) / 10:.1f}%"
    assert str(rate) == str((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP))
    again = pickle.loads(pickle.dumps(rate))
    assert again == rate and percent_text(again) == percent_text(rate)


def test_the_disclosure_rate_of_a_real_report_is_rounded_once(shared) -> None:
    from ogi.corpus.indicators import figures, percent_text
    from ogi.ingest.load import load_report

    rate = figures(load_report(shared / "corpus" / "pdf" / "hongze-gov-2023.pdf"))["disclosure_rate"]
    assert str(rate) == "0.1905" and percent_text(rate) == "19.0%"  # 4 of 21


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_rate_kept_to_four_places_prints_as_its_decimal(num: int, den: int) -> None:
    from decimal import ROUND_HALF_UP

    from ogi.corpus.indicators import percent_text

    kept = (Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    expected = (kept * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert percent_text(float(kept)) == percent_text(kept) == f"{expected}%"


def test_a_deduction_says_each_places_points_beside_the_total() -> None:
    from ogi.supervision.rubric import Deduction

    cells = Deduction("cells", "统计表单元格缺失或数值格式错误（每处）", Decimal("0.8"), 4)
    assert cells.text_zh == "-0.8 统计表单元格缺失或数值格式错误（共 4 处，每处扣 0.2）"
    late = Deduction("late_days", "逾期发布", Decimal("6"), 3, unit="个30日")
    assert late.text_zh == "-6 逾期发布（共 3 个30日，每30日扣 2）"
    capped = Deduction("sections", "缺少规定章节（每处）", Decimal("3"), 9, capped=True)
    assert capped.text_zh == "-3 缺少规定章节（共 9 处，已达上限）"
    assert Deduction("undated", "报告未注明成文日期", Decimal("0.5")).text_zh == "-0.5 报告未注明成文日期"
