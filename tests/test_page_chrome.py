"""Tables of a web page outside the report (a sidebar of counts, a statistics table before
the article) print rows named like the report's. The report's own table, shown to be so by
its heading or header row, gives the figures. Built from the real page of the corpus."""

from __future__ import annotations

import lxml.html
import pytest

from ogi.ingest.load import read_bytes
from ogi.ingest.locate import locate

from .conftest import CORPUS

PAGE = CORPUS / "html" / "shuyang-fgj-2023.html"

SIDEBAR = """<table class="side"><tr><td>信息公开目录</td><td></td></tr>
<tr><td>规章</td><td>2</td></tr><tr><td>规范性文件</td><td>37</td></tr>
<tr><td>行政许可</td><td>1523</td></tr><tr><td>行政处罚</td><td>87</td></tr>
<tr><td>行政强制</td><td>5</td></tr><tr><td>行政事业性收费</td><td>4</td></tr></table>"""

STATS = """<table class="stats"><tr><td>行政执法数据公示</td><td>自然人</td><td>法人</td><td>其他</td></tr>
<tr><td>行政许可</td><td>1200</td><td>1100</td><td>30</td></tr>
<tr><td>行政处罚</td><td>400</td><td>500</td><td>6</td></tr>
<tr><td>总计</td><td>1849</td><td>1813</td><td>36</td></tr></table>"""


def _numbers(report):
    return {cid: (v.state, v.number) for cid, v in report.cells.items()}


def test_tables_before_the_article_do_not_give_the_reports_figures():
    data = PAGE.read_bytes()
    original = locate(read_bytes(data, "page.html"))
    root = lxml.html.fromstring(data)
    body = root.find("body")
    for i, chunk in enumerate((SIDEBAR, STATS)):
        body.insert(i, lxml.html.fragment_fromstring(chunk))
    report = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    assert _numbers(report) == _numbers(original)
    assert any("报告表格之外" in u["reason"] for u in report.unplaced)


def test_a_table_after_the_report_still_gives_way_to_it():
    data = PAGE.read_bytes()
    original = locate(read_bytes(data, "page.html"))
    root = lxml.html.fromstring(data)
    root.find("body").append(lxml.html.fragment_fromstring(SIDEBAR))
    report = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    assert _numbers(report) == _numbers(original)


def test_two_tables_neither_shown_to_be_the_reports_give_no_figures_they_disagree_on():
    """A statistics table before the report's table 二, which prints neither its header
    nor a heading naming it: either could be the report's. Where the two print a row
    with other figures, none is taken (the first one was taken before)."""
    root = lxml.html.fromstring(PAGE.read_bytes())
    tables = list(root.iter("table"))
    for tr in tables[1].findall(".//tr"):
        if "第二十条" in tr.text_content() or "信息内容" in tr.text_content():
            tr.getparent().remove(tr)
    tables[1].addprevious(lxml.html.fragment_fromstring(SIDEBAR))
    page = lxml.html.tostring(root, encoding="unicode").replace("主动公开政府信息情况", "")
    report = locate(read_bytes(page.encode(), "page.html"))
    sidebar = {"active.regulations.issued": 2, "active.licensing.decisions": 1523, "active.penalty.decisions": 87}
    for cid, printed in sidebar.items():
        assert report.cells[cid].number != printed
        assert report.cells[cid].state == "missing" and "无法确定哪一处属于报告" in report.cells[cid].note
    # The other tables read as they did.
    original = locate(read_bytes(PAGE.read_bytes(), "page.html"))
    others = {cid for cid in original.cells if not cid.startswith("active.")}
    assert {c: _numbers(report)[c] for c in others} == {c: _numbers(original)[c] for c in others}


def test_a_table_printed_without_its_header_is_read_in_the_form_in_force():
    """Without table 二's header nothing tells the 2019 form from the 2021 one: the 2019
    form fitted the page by one line more, and a 2023 report was said to use the old form
    (edition.mismatch, and 26 false 空白 findings)."""
    from ogi.checks import check

    root = lxml.html.fromstring(PAGE.read_bytes())
    for tr in list(root.iter("table"))[1].findall(".//tr"):
        if "第二十条" in tr.text_content() or "信息内容" in tr.text_content():
            tr.getparent().remove(tr)
    report = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    original = locate(read_bytes(PAGE.read_bytes(), "page.html"))
    assert (report.year, report.edition) == (2023, "2021")
    assert _numbers(report) == _numbers(original)
    assert not [f for f in check(report) if f.rule == "edition.mismatch"]


def test_a_text_copy_that_lost_the_tables_says_so():
    """Copied from a browser one cell per line, the page keeps the row labels and loses the
    rows: the missing figures are the copy's failure, not the agency's, and ogi says so."""
    from ogi.checks import check

    from .conftest import SEED_FILES

    root = lxml.html.fromstring(PAGE.read_bytes())
    lines = []
    for el in root.iter("p", "td", "th"):
        text = "".join(el.text_content().split())
        if text and not el.xpath(".//p"):
            lines.append(text)
    report = locate(read_bytes("\n".join(lines).encode("utf-8"), "copy.txt"))
    assert [n["code"] for n in report.notices] == ["layout_lost"]
    missing = [f for f in check(report) if f.rule == "cell.missing"]
    assert missing and all("未能按行读出" in f.message_zh or "表格结构已丢失" in f.message_zh for f in missing)
    for seed in SEED_FILES:
        assert not locate(read_bytes(seed.read_bytes(), seed.name)).notices


def test_prose_naming_the_rows_is_no_lost_table():
    from ogi.ingest.document import Document, Paragraph

    prose = ("本年度我单位共制发行政规范性文件3件，办理行政许可事项，行政处罚和行政强制均依法公开。共收到申请10件，其中予以公开6件，"
             "部分公开2件，本机关不掌握相关政府信息1件，重复申请1件，信访举报投诉类申请0件，没有现成信息需要另行制作的0件，行政事业性收费0元。")
    report = locate(Document([Paragraph("某某局2023年政府信息公开工作年度报告"), Paragraph(prose)], kind="text"))
    assert not report.notices


def _link_page(agency: str, year: int, encoding: str = "utf-8") -> bytes:
    """A report's page as sites publish many: the title, the site's menus and footer, and the
    report itself as an attached PDF."""
    title = f"{agency}{year}年政府信息公开工作年度报告"
    return (f'<html><head><meta charset="{encoding}"><title>{title}_{agency}</title></head><body>'
            '<div><a>首页</a> <a>政务公开</a> <a>政府信息公开目录</a> <a>政府信息公开年报</a></div>'
            f'<ul><li><a>{agency}{year - 1}年政府信息公开工作年度报告</a></li></ul>'
            f'<h1>{title}</h1><p>发布日期：{year + 1}-01-15 浏览次数：1234</p>'
            f'<p>附件：<a href="a.pdf">{title}.pdf</a></p>'
            '<p>本网站由政务公开办公室主办。大数据管理局承办。网站标识码：3208000001。苏ICP备05009071号。</p>'
            '</body></html>').encode(encoding)


def test_a_page_that_only_links_the_report_is_not_read_as_the_report():
    """Read as a report, such a page scored zero on every section and, collected beside the
    PDF it links, stood in for it."""
    import pytest

    from ogi.ingest.load import IngestError, report_from_bytes

    for agency, encoding in (("淮安市洪泽区人民政府", "utf-8"), ("沭阳县发展和改革局", "gbk")):
        with pytest.raises(IngestError) as e:
            report_from_bytes(_link_page(agency, 2024, encoding), "t20250115.html")
        assert e.value.code == "not_a_report" and "附" in e.value.message_zh
    # A report of prose alone, without headings or tables, is still a report: checked, not refused.
    prose = ("某某市商务局2025年政府信息公开工作年度报告\n\n2025年，我局持续推进决策、执行、管理、服务、结果公开。"
             "全年主动公开政府信息120条。\n\n我局共收到政府信息公开申请12件，均在法定期限内答复。\n\n"
             "存在的主要问题是公开的及时性还需加强。\n")
    assert report_from_bytes(prose.encode(), "prose.txt").agency == "某某市商务局"


# Links to other reports placed before the article: a list of other years' reports, a
# sidebar of other agencies' reports. They name a report as a title does; the article's own
# heading, the page's <title> and the text agree on the report's year.
PREVIOUS = "<ul class='prev'><li><a href='/2022.html'>沭阳县发展和改革局2022年政府信息公开年度报告</a></li></ul>"
SIDE_REPORTS = ("<ul class='side'><li><a href='/a.html'>沭阳县财政局2023年政府信息公开年度报告</a></li>"
                "<li><a href='/b.html'>沭阳县人民政府2022年政府信息公开工作年度报告</a></li></ul>")


def _page(before: str, drop_heading: bool = False, title: str | None = None):
    root = lxml.html.fromstring(PAGE.read_bytes())
    h1 = root.find(".//h1")
    if drop_heading:
        h1.getparent().remove(h1)
    if title is not None:
        root.find(".//title").text = title
    body = root.find("body")
    body.insert(0, lxml.html.fragment_fromstring(before))
    return locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))


@pytest.mark.parametrize("before, drop_heading", [(PREVIOUS, False), (SIDE_REPORTS, False), (SIDE_REPORTS, True)],
                         ids=["previous-year", "other-agencies", "no-heading"])
def test_links_to_other_reports_before_the_article_are_not_its_title(before, drop_heading):
    report = _page(before, drop_heading)
    without = _page("<p></p>", drop_heading)
    assert (report.year, report.agency) == (2023, "沭阳县发展和改革局")
    assert (report.title, report.provenance) == (without.title, without.provenance)
    assert "沭阳县发展和改革局2023年" in report.title


def test_a_link_the_pages_title_agrees_with_is_left_as_it_was():
    """The page's <title> names the linked report's year, not the heading's: the evidence
    disagrees and the first title-like line stays the title, as before."""
    report = _page(PREVIOUS, title="沭阳县发展和改革局2022年政府信息公开年度报告")
    assert report.title == "沭阳县发展和改革局2022年政府信息公开年度报告"


def test_lines_of_links_above_a_markdown_title_are_navigation():
    text = (CORPUS / "text" / "shanghai-office-2025.md").read_text(encoding="utf-8")
    head = "正文\n2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n"
    assert text.startswith(head)
    links = ("首页 > 政府信息公开 > 年报\n上海市人民政府办公厅2024年政府信息公开工作年度报告\n"
             "上海市人民政府办公厅2023年政府信息公开工作年度报告\n\n")
    md = links + "# 上海市人民政府办公厅2025年政府信息公开工作年度报告\n" + text[len(head):]
    report = locate(read_bytes(md.encode(), "report.md"))
    assert (report.year, report.title) == (2025, "上海市人民政府办公厅2025年政府信息公开工作年度报告")


def test_a_report_whose_own_title_is_a_link_keeps_it():
    """Every title-like link was taken for navigation when there were two: a page printing
    its own title as a link, beside links to other years, lost its title and its agency."""
    from ogi.ingest.html import read_html

    page = ('<html><head><title>首页</title></head><body><div class="t"><a href="r.html">某某市商务局2024年政府信息公开'
            '工作年度报告</a></div><p>一、总体情况</p><p>2024年，本机关认真贯彻落实政府信息公开条例。</p><ul>'
            '<li><a href="a.html">某某市商务局2023年政府信息公开工作年度报告</a></li>'
            '<li><a href="b.html">某某市商务局2022年政府信息公开工作年度报告</a></li></ul></body></html>')
    report = locate(read_html(page))
    assert (report.agency, report.year) == ("某某市商务局", 2024)


def _after_paragraph(data: bytes, text: str, chunk: str) -> bytes:
    """The page with a table put right after the paragraph that reads `text`."""
    root = lxml.html.fromstring(data)
    p = next(e for e in root.iter("p") if e.text_content().strip() == text)
    p.addnext(lxml.html.fragment_fromstring(chunk))
    return lxml.html.tostring(root, encoding="utf-8")


@pytest.mark.parametrize("heading", ["（一）主动公开政府信息情况", "二、主动公开政府信息情况"])
def test_a_table_under_a_heading_before_the_reports_own_does_not_give_its_figures(heading):
    """A summary of counts printed right under a heading that names table 二 (in 总体情况,
    or before the report's table in section 二) took the heading's word: the report's own
    table, shown by its header row, came second and its figures were dropped as a repeat
    (规范性文件 read 37, 行政许可 1523). Which one is the report's the heading cannot tell:
    the line is taken from neither, never from the summary."""
    data = PAGE.read_bytes()
    original = locate(read_bytes(data, "page.html"))
    report = locate(read_bytes(_after_paragraph(data, heading, SIDEBAR), "page.html"))
    sidebar = {"active.regulations.issued": 2, "active.normative.issued": 37, "active.licensing.decisions": 1523,
               "active.penalty.decisions": 87, "active.coercion.decisions": 5}
    for cid, printed in sidebar.items():
        assert report.cells[cid].number != printed, cid
        assert report.cells[cid].state == "missing" and "无法确定哪一个属于报告" in report.cells[cid].note
    got, want = _numbers(report), _numbers(original)
    assert {c: v for c, v in got.items() if v[0] != "missing"} == {c: want[c] for c, v in got.items() if v[0] != "missing"}
    assert sum(v[0] == "missing" for v in got.values()) <= 10  # the two tables' lines, no more


def test_a_line_taken_from_neither_table_is_not_said_to_be_taken_from_the_first():
    """Printed a third time, a line two tables disagreed on was set aside as a repeat
    "已采用第一次出现的数值", which no figure was."""
    root = lxml.html.fromstring(PAGE.read_bytes())
    for tr in list(root.iter("table"))[1].findall(".//tr"):
        if "第二十条" in tr.text_content() or "信息内容" in tr.text_content():
            tr.getparent().remove(tr)
    root.find("body").insert(0, lxml.html.fragment_fromstring(SIDEBAR))
    root.find("body").append(lxml.html.fragment_fromstring(SIDEBAR))
    page = lxml.html.tostring(root, encoding="unicode").replace("主动公开政府信息情况", "")
    report = locate(read_bytes(page.encode(), "page.html"))
    assert report.cells["active.normative.issued"].state == "missing"
    said = [u["reason"] for u in report.unplaced if u["labels"] and u["labels"][0] in ("规章", "规范性文件")]
    assert len(said) == 6 and all("均未采用" in r for r in said), said


def test_a_statistics_table_does_not_choose_the_form_by_the_lines_it_prints():
    """A page's statistics table before a report table whose first part is printed without
    its header prints 行政许可 and 行政处罚 with three figures, as the 2019 form's rows have:
    the lines it gave and then lost to the report's own table still counted for the 2019
    form, which won, and the 2023 report's figures were read into the old form's cells
    (规章 本年新制作数量 …)."""
    root = lxml.html.fromstring(PAGE.read_bytes())
    for tr in list(root.iter("table"))[1].findall(".//tr"):
        if "第二十条" in tr.text_content() or "信息内容" in tr.text_content():
            tr.getparent().remove(tr)
    root.find("body").insert(0, lxml.html.fragment_fromstring(STATS))
    report = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    original = locate(read_bytes(PAGE.read_bytes(), "page.html"))
    assert (report.year, report.edition) == (2023, "2021")
    assert _numbers(report) == _numbers(original)
