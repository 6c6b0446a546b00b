"""Cross-report passes through indexes: the same answers as comparing every pair, and
output that grows with the number of copied reports, not with the number of pairs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.checks import check_all
from ogi.checks.continuity import Agencies, consecutive, same_agency
from ogi.checks.similarity import RARE, check_copied
from ogi.corpus.dataset import compare
from ogi.ingest.metadata import agency_key
from ogi.report import Report

from .builders import setcells, zero_report

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Few letters, many of them place endings, so that names often are tails of each other.
NAMES = st.text(alphabet="淮安市洪泽区县局人民政府 　ＡA", min_size=0, max_size=12)


def _slow_agencies(names: list[str]) -> dict[str, str]:
    """Every pair compared: the definition `Agencies` must agree with. A name's agency is
    its key's; a key with longer keys it is the same agency as (`same_agency`, any name of
    either) takes their agency when they all have one and the same, else stays its own."""
    by_key: dict[str, list[str]] = {}
    for n in names:
        if n:
            by_key.setdefault(agency_key(n), []).append(n)
    root: dict[str, str] = {}
    for k in sorted(by_key, key=lambda k: (-len(k), k)):
        longer = [m for m in by_key if len(m) > len(k)
                  and any(same_agency(a, b) for a in by_key[k] for b in by_key[m])]
        roots = {root[m] for m in longer}
        root[k] = roots.pop() if len(roots) == 1 else k
    return {n: root[agency_key(n)] for n in names if n}


def _slow_consecutive(reports: list[Report]) -> list[tuple[int, int]]:
    agency = _slow_agencies([r.agency or "" for r in reports])
    out = []
    for i, r in enumerate(reports):
        if not r.agency or r.year is None:
            continue
        prev = [p for p, q in enumerate(reports)
                if q.agency and q.year == r.year - 1 and agency[q.agency] == agency[r.agency]]
        if prev:
            out.append((prev[0], i))
    return out


@SETTINGS
@given(st.lists(NAMES, max_size=12))
def test_agencies_are_the_pairwise_rule_resolved_over_the_whole_set(names: list[str]) -> None:
    agencies = Agencies(names)
    assert {n: agencies.of(n) for n in names if n} == _slow_agencies(names)
    # The order the names come in changes nothing.
    again = Agencies(reversed(names))
    assert all(again.of(n) == agencies.of(n) for n in names)


@SETTINGS
@given(st.lists(st.tuples(NAMES, st.integers(2019, 2022)), max_size=12))
def test_consecutive_agrees_with_comparing_every_pair(items: list[tuple[str, int]]) -> None:
    reports = [Report(agency=a or None, year=y) for a, y in items]
    assert sorted(consecutive(reports)) == sorted(_slow_consecutive(reports))


@SETTINGS
@given(st.lists(NAMES, min_size=1, max_size=10), st.randoms())
def test_compare_groups_by_agency_whatever_the_order(names: list[str], rnd) -> None:
    results = [(f"f{i}", Report(agency=n or None, year=2020 + i), None) for i, n in enumerate(names)]
    data = compare(results, [[] for _ in results])
    agency = _slow_agencies(names)
    groups: dict[str | None, list[str]] = {}
    for n in names:
        groups.setdefault(agency.get(n), []).append(n or "（机关不明）")
    expected = sorted(min(g, key=lambda n: (-len(n), n)) for g in groups.values())
    assert [a["agency"] for a in data["agencies"]] == expected
    shuffled = list(results)
    rnd.shuffle(shuffled)
    again = compare(shuffled, [[] for _ in results])
    assert [(a["agency"], sorted(e["file"] for e in a["reports"])) for a in again["agencies"]] == [
        (a["agency"], sorted(e["file"] for e in a["reports"])) for a in data["agencies"]]


def test_a_short_name_two_agencies_fit_joins_neither_in_any_order() -> None:
    # Two districts of one name in two cities, and the district alone: it cannot be told.
    a = ("a", Report(agency="甲城市朝阳区商务局", year=2019), None)
    b = ("b", Report(agency="乙城市朝阳区商务局", year=2020), None)
    c = ("c", Report(agency="朝阳区商务局", year=2020), None)
    for order in ([c, b, a], [a, c, b], [b, a, c]):
        data = compare(order, [[] for _ in order])
        assert sorted((g["agency"], [e["file"] for e in g["reports"]]) for g in data["agencies"]) == [
            ("乙城市朝阳区商务局", ["b"]), ("朝阳区商务局", ["c"]), ("甲城市朝阳区商务局", ["a"])]
        assert list(consecutive([r for _, r, _ in order])) == []
    # With one city only, the district is that city's.
    data = compare([c, a], [[], []])
    assert [(g["agency"], len(g["reports"])) for g in data["agencies"]] == [("甲城市朝阳区商务局", 2)]


def test_government_and_people_s_government_are_one_agency_in_every_pass() -> None:
    # The supervisor's matching takes 丁山区政府 for 丙州市丁山区人民政府: so do the cross-report passes.
    old = _report("丙州市丁山区人民政府", 2019, TEMPLATE + _narrative(1))
    new = _report("丁山区政府", 2020, TEMPLATE + _narrative(1))
    data = compare([("h1", old, None), ("h2", new, None)], [[], []])
    assert [(g["agency"], len(g["reports"])) for g in data["agencies"]] == [("丙州市丁山区人民政府", 2)]
    assert list(consecutive([old, new])) == [(0, 1)]
    assert [f.message_zh.split("相同")[0] for _, f in check_copied([old, new])] == ["正文约 100% 与本机关2019年度的报告"]


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


def test_two_copies_of_one_agency_s_report_of_a_year_are_not_copied() -> None:
    # A page and its attached file: one report, read twice; 丁山县 written with and without its city.
    page = _report("丙州市丁山县发展和改革局", 2023, TEMPLATE + _narrative(2))
    docx = _report("丁山县发展和改革局", 2023, TEMPLATE + _narrative(2))
    assert list(check_copied([page, docx])) == []
    # Beside another agency printing the same text, each copy names that agency alone, never itself.
    other = [_report(f"戊县{k}局", 2023, TEMPLATE + _narrative(2)) for k in range(2)]
    found = {i: f.message_zh for i, f in check_copied([page, docx, *other])}
    assert sorted(found) == [0, 1, 2, 3]
    assert "与戊县0局等 2 份同年度的报告相同" in found[0] and "与戊县0局等 2 份同年度的报告相同" in found[1]
    assert "与丙州市丁山县发展和改革局等 3 份同年度的报告相同" in found[2]
    # Close but not identical: the same agency's other copy is no candidate either.
    edited = _report("丁山县发展和改革局", 2023, TEMPLATE + _narrative(2) + _narrative(9)[:30])
    assert list(check_copied([page, edited])) == []


def test_two_reports_of_one_agency_s_year_are_one_kept_and_one_named_a_copy() -> None:
    y19 = _report("丙州市丁山县商务局", 2019, _narrative(1))
    page, docx = _report("丙州市丁山县商务局", 2020, _narrative(2)), _report("丁山县商务局", 2020, _narrative(2))
    y21 = _report("丁山县商务局", 2021, _narrative(3))
    setcells(y19, {"requests.new.total": 10})
    for r in (page, docx):
        setcells(r, {"requests.new.total": 14})
    setcells(y21, {"requests.new.total": 15})
    files = [("y21", y21, None), ("b.docx", docx, None), ("a.html", page, None), ("y19", y19, None)]
    data = compare(files, [[] for _ in files])
    [agency] = data["agencies"]
    got = {e["file"]: (e["duplicate_of"], e["change"] and e["change"]["received"]) for e in agency["reports"]}
    assert got == {"y19": (None, None), "a.html": (None, 4), "b.docx": ("a.html", None), "y21": (None, 1)}
    # Continuity: the next year is compared with the first copy; the copies not with each other.
    assert sorted(consecutive([y19, page, docx, y21])) == [(0, 1), (0, 2), (1, 3)]
    # Reports naming no agency are none of them a copy of another, nor compared.
    a, b = _report(None, 2020, _narrative(4)), _report(None, 2020, _narrative(5))
    nameless = compare([("a", a, None), ("b", b, None)], [[], []])["agencies"]
    assert [(e["duplicate_of"], e["change"]) for x in nameless for e in x["reports"]] == [(None, None), (None, None)]
