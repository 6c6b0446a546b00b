"""Reports as crawled web pages: the agency, year and both dates from the page (site
chrome before the title, meta tags, a 发布日期 line), an agency written several ways
treated as one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogi.checks import check_all
from ogi.corpus.dataset import compare
from ogi.ingest.html import read_html
from ogi.ingest.load import read_bytes
from ogi.ingest.locate import locate
from ogi.ingest.metadata import _clean_agency, agency_key, read_metadata, same_agency
from ogi.render.html import render_html
from tests.builders import setcells, zero_report

ZONE = "青山湖综合实验区"


def crawled_page(report_agency: str, year: int, published: str, *, signature: str | None,
                 meta: bool = True, line: bool = True, in_force: int = 0) -> str:
    """A report as a government site serves it: 45 lines of site navigation, a
    breadcrumb, the 发布日期/来源 line, the article without a date in its signature,
    related links to other years after it."""
    r = zero_report("2021", year)
    r.agency, r.issued_on = report_agency, None
    setcells(r, {"active.normative.in_force": in_force})
    article = render_html(r)
    body = re.search(r"<main>(.*)</main>", article, re.S)
    assert body is not None
    inner = body.group(1)
    sig = f'<div class="signature"><p>{signature}</p></div>' if signature else ""
    inner = re.sub(r'<div class="signature">.*?</div>', sig, inner, flags=re.S)
    nav = "\n".join(f'<li><a href="/c{i}/">{name}</a></li>' for i, name in enumerate(
        ["首页", "走进青山湖", "政务公开", "政府信息公开指南", "政府信息公开制度", "法定主动公开内容",
         "政府信息公开年报", "政务服务", "互动交流", "领导之窗", "机构职能", "政策文件", "规划计划",
         "财政资金", "重点领域", "人事信息", "应急管理", "统计信息", "新闻发布会", "政策解读"] * 2))
    heads = "".join([
        f'<meta name="ArticleTitle" content="{report_agency}{year}年政府信息公开工作年度报告">' if meta else "",
        f'<meta name="PubDate" content="{published} 09:30">' if meta else "",
        '<meta name="ContentSource" content="青山湖综合实验区党政办公室">' if meta else "",
        '<meta name="SiteName" content="青山湖综合实验区门户网站">',
    ])
    info = f'<div class="info">发布日期：{published}　来源：{report_agency}　浏览次数：128</div>' if line else ""
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>{report_agency}{year}年政府信息公开工作年度报告_青山湖综合实验区门户网站</title>{heads}</head>
<body><div class="top"><span>无障碍</span><span>长者模式</span><span>登录</span></div>
<ul class="nav">{nav}</ul>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<div class="article">{info}{inner}</div>
<div class="links"><p>上一篇：{report_agency}{year - 1}年政府信息公开工作年度报告</p>
<p>下一篇：关于开展{year + 1}年度政务公开工作的通知</p></div>
<div class="foot">主办：青山湖综合实验区党政办公室　备案号：某ICP备00000000号</div></body></html>"""


def test_title_after_site_chrome_suffixless_agency_and_both_dates():
    html = crawled_page(ZONE, 2023, "2024-01-26", signature=f"{ZONE}党工委管委会")
    doc = read_html(html)
    assert next(i for i, p in enumerate(doc.paragraphs) if "年度报告" in p.text) > 40
    r = locate(doc)
    assert (r.agency, r.year, r.issued_on, r.published_on) == (ZONE, 2023, None, dt.date(2024, 1, 26))
    assert r.provenance["agency"] == "title" and r.provenance["year"] == "title"
    assert r.provenance["published_on"] == "meta:PubDate"
    assert r.kind == "department"
    rules = {f.rule for f in check_all([r])[0]}
    assert "metadata.agency" not in rules and "metadata.date" not in rules


def test_date_line_alone_gives_the_publication_date():
    html = crawled_page(ZONE, 2023, "2024-02-05", signature=None, meta=False)
    r = locate(read_html(html))
    assert r.published_on == dt.date(2024, 2, 5) and r.provenance["published_on"] == "fields:发布日期"
    assert r.agency == ZONE
    # Departments publish by 31 January: the page's date is what is judged.
    late = [f for f in check_all([r])[0] if f.rule == "metadata.date"]
    assert [(f.severity, f.found) for f in late] == [("info", dt.date(2024, 2, 5))]


def test_publication_decides_timeliness_over_the_date_of_issue():
    r = zero_report("2021", 2023)
    r.issued_on, r.published_on = dt.date(2024, 1, 20), dt.date(2024, 2, 3)
    assert [f.found for f in check_all([r])[0] if f.rule == "metadata.date"] == [dt.date(2024, 2, 3)]
    r.issued_on, r.published_on = dt.date(2024, 2, 3), dt.date(2024, 1, 30)
    assert not [f for f in check_all([r])[0] if f.rule == "metadata.date"]
    r.issued_on = r.published_on = None
    assert [f.severity for f in check_all([r])[0] if f.rule == "metadata.date"] == ["warning"]


def test_page_title_alone_names_agency_and_year():
    """A page whose article has no title line: the <title> and meta tags still say."""
    html = crawled_page(ZONE, 2022, "2023-01-18", signature=None)
    html = re.sub(r"<h1>.*?</h1>", "", html, flags=re.S)
    r = locate(read_html(html))
    assert (r.agency, r.year) == (ZONE, 2022)
    assert r.provenance["agency"] in ("html:title", "meta:ArticleTitle")
    assert r.provenance["year"] == "page"


def test_three_years_one_agency_written_three_ways_chain_checked():
    names = [ZONE, f"{ZONE}管委会", f"{ZONE}党工委管委会"]
    # 2021 → 2022 holds (10 + 0 − 0 = 10); 2022 → 2023 breaks (10 ≠ 13).
    pages = [crawled_page(n, y, f"{y + 1}-01-20", signature=None, in_force=v)
             for n, y, v in zip(names, (2021, 2022, 2023), (10, 10, 13), strict=True)]
    reports = [locate(read_bytes(p.encode("utf-8"), f"{y}.html")) for p, y in zip(pages, (2021, 2022, 2023), strict=True)]
    assert [r.agency for r in reports] == names
    findings = check_all(reports)
    in_force = [[f.found for f in fs if f.rule == "continuity.in_force"] for fs in findings]
    assert in_force == [[], [], [13]]
    groups = compare([(f"{y}.html", r, None) for y, r in zip((2021, 2022, 2023), reports, strict=True)], findings)
    assert [a["agency"] for a in groups["agencies"]] == [f"{ZONE}党工委管委会"]
    assert [e["year"] for e in groups["agencies"][0]["reports"]] == [2021, 2022, 2023]


@pytest.mark.parametrize(("a", "b", "same"), [
    ("苏州工业园区", "苏州工业园区管委会", True),
    ("苏州工业园区", "苏州工业园区党工委管委会", True),
    ("苏州工业园区管委会", "苏州工业园区党工委管委会", True),
    ("洪泽区人民政府", "淮安市洪泽区人民政府", True),
    ("洪泽区", "淮安市洪泽区人民政府", True),
    ("某某街道办事处", "某某街道", True),
    ("开封市商务局", "商务局", False),
    ("苏州工业园区管委会", "苏州工业园区经济发展委员会", False),
    ("沭阳县人民政府", "沭阳县人民政府办公室", False),
    ("沭阳县发展和改革局", "沭阳县人民政府", False),
    ("洪泽区政府", "淮安市洪泽区人民政府", True),
    ("丁州市商务局（本级）", "丁州市商务局", True),
    ("丁州市商务局(本级)", "丁州市商务局（本级）", True),
    # A bracket inside the name tells agencies apart: only a remark closing it is dropped.
    ("中国（上海）自由贸易试验区管理委员会", "中国（江苏）自由贸易试验区管理委员会", False),
])
def test_one_agency_written_several_ways(a, b, same):
    assert same_agency(a, b) is same
    assert same_agency(b, a) is same


def test_agency_key_drops_only_a_governing_body_after_a_place():
    assert agency_key("苏州工业园区党工委管委会") == "苏州工业园区"
    assert agency_key("淮安市人民政府") == "淮安市"
    assert agency_key("市人民政府") == "市人民政府"
    assert agency_key("淮安市人民政府办公室") == "淮安市人民政府办公室"


@pytest.mark.parametrize("title", ["丁州市商务局（本级）2019年政府信息公开工作年度报告",
                                   "（丁州市商务局（本级））2019年度政府信息公开工作年度报告"])
def test_a_remark_the_agency_s_name_closes_on_is_kept_whole(title):
    md = read_metadata([title, "一、总体情况", "……"])
    assert md.agency == "丁州市商务局(本级)" and md.year == 2019


def test_a_name_inside_thousands_of_brackets_is_read_without_going_too_deep():
    # (One call a bracket pair: 3 000 of them went past the interpreter's depth, and the whole
    # file was refused as nested too deep.)
    assert _clean_agency("（" * 3000 + "丁州市商务局" + "）" * 3000) == "丁州市商务局"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="丁州市局（）()本级“”", max_size=16))
def test_agency_from_a_title_has_no_bracket_left_open_or_unopened(name):
    agency = _clean_agency(name)
    if agency is not None:
        depth = 0
        for c in agency:
            depth += c in "（("
            depth -= c in "）)"
            assert depth >= 0
        assert depth == 0
        assert _clean_agency(agency) == agency  # nothing more to take off


def test_sources_disagreeing_the_most_named_agency_wins():
    """A reposted page: the site's 来源 names another agency than the title and signature."""
    paragraphs = ["首页 > 信息公开", "来源：某某市人民政府办公室", f"{ZONE}2023年政府信息公开工作年度报告",
                  "一、总体情况", "……", f"{ZONE}管委会", "2024年1月10日"]
    md = read_metadata(paragraphs)
    assert md.agency == ZONE and md.provenance["agency"] == "title"
    assert md.issued_on == dt.date(2024, 1, 10) and md.provenance["issued_on"] == "signature"


def test_related_link_is_not_the_title():
    paragraphs = ["首页", "政务公开", *[f"栏目{i}" for i in range(30)], "上一篇：某某县2021年政府信息公开工作年度报告",
                  "一、总体情况", "某某县人民政府根据条例规定……"]
    md = read_metadata(paragraphs)
    assert md.title is None


def test_page_json_round_trip_keeps_dates_and_provenance(tmp_path):
    from ogi.report import Report

    r = locate(read_html(crawled_page(ZONE, 2023, "2024-01-26", signature=None)))
    back = Report.from_json(r.to_json())
    assert back.published_on == dt.date(2024, 1, 26) and back.provenance == r.provenance
