"""Cross-report passes through indexes: the same answers as comparing every pair, and
output that grows with the number of copied reports, not with the number of pairs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.checks import check_all
from ogi.checks.continuity import AgencyIndex, consecutive, same_agency
from ogi.checks.similarity import RARE, check_copied
from ogi.corpus.dataset import compare
from ogi.report import Report

from .builders import zero_report

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Few letters, many of them place endings, so that names often are tails of each other.
NAMES = st.text(alphabet="淮安市洪泽区县局人民政府 　ＡA", min_size=0, max_size=12)


def _slow_consecutive(reports: list[Report]) -> list[tuple[int, int]]:
    """Every pair compared: the definition the index must agree with."""
    out = []
    for i, r in enumerate(reports):
        if not r.agency or r.year is None:
            continue
        prev = [p for p, q in enumerate(reports)
                if q.agency and q.year == r.year - 1 and same_agency(q.agency, r.agency)]
        if prev:
            out.append((prev[0], i))
    return out


@SETTINGS
@given(st.lists(NAMES, max_size=12), NAMES)
def test_agency_index_finds_exactly_the_same_agencies(names: list[str], probe: str) -> None:
    index: AgencyIndex[int] = AgencyIndex()
    for i, n in enumerate(names):
        index.add(n, i)
    expected = [i for i, n in enumerate(names) if same_agency(n, probe)]
    assert index.find(probe) == expected


@SETTINGS
@given(st.lists(st.tuples(NAMES, st.integers(2019, 2022)), max_size=12))
def test_consecutive_agrees_with_comparing_every_pair(items: list[tuple[str, int]]) -> None:
    reports = [Report(agency=a or None, year=y) for a, y in items]
    assert sorted(consecutive(reports)) == sorted(_slow_consecutive(reports))


@SETTINGS
@given(st.lists(NAMES, min_size=1, max_size=10))
def test_compare_groups_as_the_first_matching_group(names: list[str]) -> None:
    results = [(f"f{i}", Report(agency=n or None, year=2020 + i), None) for i, n in enumerate(names)]
    data = compare(results, [[] for _ in results])
    # The definition: a report joins the first group one of whose names is the same agency.
    groups: list[list[str]] = []
    for n in names:
        name = n or "（机关不明）"
        g = next((g for g in groups if any(m == name or same_agency(m, name) for m in g)), None)
        if g is None:
            groups.append([name])
        else:
            g.append(name)
    expected = sorted(max(g, key=len) for g in groups)
    assert [a["agency"] for a in data["agencies"]] == expected


TEMPLATE = "我局认真贯彻落实政府信息公开条例，按照上级部署扎实推进政务公开工作。"  # 36 characters


def _narrative(i: int) -> str:
    """A paragraph of its own for report i: three sentences no other report prints."""
    # Digits and numerals are ignored by the comparison (they change yearly): letters instead.
    tag = "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in f"{i:05d}")
    return "".join(f"第{'子丑寅'[k]}项工作由代号{tag}的机关以本机关特有的方式组织开展并形成记录。" for k in range(3))


def _report(agency: str, year: int, text: str) -> Report:
    r = zero_report("2021", year=year)
    r.agency = agency
    r.sections["overview"] = text
    return r


def test_identical_copies_give_one_finding_each_naming_the_group() -> None:
    copies = [_report(f"第{i}个局", 2024, TEMPLATE + _narrative(0)) for i in range(30)]
    own = [_report(f"独立局{i}", 2024, _narrative(i + 1)) for i in range(5)]
    found = [(i, f) for i, f in check_copied(copies + own)]
    # 30 copies: 30 findings (not 30 × 29 pairs); the 5 reports of their own: none.
    assert sorted(i for i, _ in found) == list(range(30))
    assert all("等 29 份同年度的报告" in f.message_zh and f.found == 1.0 for _, f in found)


def test_template_sentence_in_every_report_links_none() -> None:
    # One sentence printed by more than RARE reports, each otherwise its own: no copying.
    reports = [_report(f"第{i}个局", 2024, TEMPLATE + _narrative(i)) for i in range(RARE + 5)]
    assert list(check_copied(reports)) == []
    # …but two of them copying each other's own text still are found, the template counted.
    reports.append(_report("抄写局", 2024, TEMPLATE + _narrative(3)))
    found = {i: f for i, f in check_copied(reports)}
    assert set(found) == {3, len(reports) - 1}
    assert found[3].found == 1.0 and "抄写局同年度的报告" in found[3].message_zh


def test_last_year_and_same_year_are_two_findings_at_most() -> None:
    prev = _report("某某市某某局", 2023, TEMPLATE + _narrative(7))
    cur = _report("某某市某某局", 2024, TEMPLATE + _narrative(7))
    twins = [_report(f"同年局{i}", 2024, TEMPLATE + _narrative(7)) for i in range(3)]
    fs = [f for f in check_all([prev, cur, *twins])[1] if f.rule == "similarity.copied"]
    assert sorted(f.message_zh.split("相同")[0] for f in fs) == [
        "正文约 100% 与同年局0等 3 份同年度的报告", "正文约 100% 与本机关2023年度的报告"]
