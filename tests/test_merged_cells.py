"""Merged cells in the figures of a table (a CMS or an officer merging the five 法人或其他组织
cells of a row, or a run of equal figures down a column): every other figure stays in its
column. Built from the real page of the development corpus, its table 三 rewritten."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import lxml.html
import pytest

from ogi.checks import check
from ogi.ingest.load import read_bytes
from ogi.ingest.locate import locate

from .conftest import CORPUS

PAGE = "html/shuyang-fgj-2023.html"
TRUTH = Path(__file__).parent / "data" / "truth"
ORGS = ("commercial", "research", "nonprofit", "legal_service", "other_org")


def _page():
    return lxml.html.fromstring((CORPUS / PAGE).read_bytes())


def _table_three(root):
    return [t for t in root.xpath("//table") if "申请人情况" in t.text_content()][-1]


def _figure_rows(root):
    """The rows of table 三 that end with its seven figure cells."""
    rows = []
    for tr in _table_three(root).xpath(".//tr"):
        tds = tr.xpath("./td")
        if len(tds) >= 8 and all(not td.get("colspan") for td in tds[-7:]):
            rows.append(tds[-7:])
    return rows


def _read(root):
    html = lxml.html.tostring(root, encoding="utf-8")
    return locate(read_bytes(html, "page.html"))


@pytest.fixture(scope="module")
def original():
    return _read(_page())


def _same_except(report, original, changed: set[str]) -> list[str]:
    return [cid for cid, v in original.cells.items()
            if cid not in changed and (report.cells[cid].state, report.cells[cid].number) != (v.state, v.number)]


def _merge_orgs(tds, text: str) -> None:
    first = tds[1]
    first.set("colspan", "5")
    first.text = text
    for td in tds[2:6]:
        td.getparent().remove(td)


def test_five_blank_cells_merged_keep_the_total_in_its_column(original):
    root = _page()
    rows = _figure_rows(root)
    assert len(rows) >= 20
    for tds in rows:
        _merge_orgs(tds, "")
    report = _read(root)
    assert _same_except(report, original, set()) == []
    assert not any(f.rule in ("cell.missing", "requests.row_total") for f in check(report)
                   if any(c.startswith("requests.") for c in f.cells))


def test_a_merged_zero_reads_zero_in_each_cell_it_covers(original):
    root = _page()
    for tds in _figure_rows(root):
        _merge_orgs(tds, "0")
    report = _read(root)
    orgs = {cid for cid in original.cells if cid.startswith("requests.") and cid.rsplit(".", 1)[1] in ORGS}
    assert len(orgs) >= 100
    assert _same_except(report, original, orgs) == []
    assert {(report.cells[c].state, report.cells[c].number) for c in orgs} == {("value", 0)}


def test_a_run_merged_down_a_column_keeps_the_rows_in_their_columns(original):
    root = _page()
    rows = _figure_rows(root)
    # 科研机构 merged down pairs of rows (blank over blank), as a CMS does with equal cells.
    for upper, lower in zip(rows[0::2], rows[1::2], strict=False):
        upper[2].set("rowspan", "2")
        lower[2].getparent().remove(lower[2])
    report = _read(root)
    assert _same_except(report, original, set()) == []


def test_a_merged_non_zero_figure_is_given_to_no_one_cell(original):
    root = _page()
    rows = _figure_rows(root)
    label = rows[0][0].getparent().xpath("./td")[0].text_content()
    assert "新收" in label
    _merge_orgs(rows[0], "7")
    report = _read(root)
    cells = [f"requests.new.{k}" for k in ORGS]
    assert _same_except(report, original, set(cells)) == []
    for cid in cells:
        v = report.cells[cid]
        assert (v.state, v.raw) == ("missing", "7")
        assert "合并" in v.note


def test_a_rule_not_drawn_between_two_columns_of_a_pdf(original):
    """Printed to PDF with the rule between 商业企业 and 科研机构 not drawn, the two figures
    share one cell (“5 0”): each is read in its own column, as with the rule drawn."""
    from weasyprint import CSS, HTML

    root = _page()
    for i, tds in enumerate(_figure_rows(root)):
        for td in tds[1:6]:
            td.text = "0"
        tds[1].text = str(i % 7 + 1)
        tds[1].set("class", "open-right")
        tds[2].set("class", "open-left")
    page = lxml.html.tostring(root, encoding="unicode")
    css = ("@page { size: A4; margin: 2cm } body { font-size: 10pt } table { border-collapse: collapse }"
           " td, th { border: 1px solid #000; padding: 2px }")
    ruled = locate(read_bytes(HTML(string=page).write_pdf(stylesheets=[CSS(string=css)]), "ruled.pdf"))
    open_css = css + " td.open-right { border-right: none !important } td.open-left { border-left: none !important }"
    unruled = HTML(string=page).write_pdf(stylesheets=[CSS(string=open_css)])
    doc = read_bytes(unruled, "unruled.pdf")
    joined = [c.text for t in doc.tables for row in t.rows for c in row if re.fullmatch(r"\d+ \d+", c.text)]
    report = locate(doc)
    wrong = [cid for cid, v in ruled.cells.items() if cid.startswith("requests.") and v.state == "value"
             and (report.cells[cid].state, report.cells[cid].number) != (v.state, v.number)]
    assert wrong == []
    assert joined, "the two columns were not printed in one cell: the test no longer tests anything"
    assert ruled.cells["requests.new.commercial"].number == 1


def _pdf(root, extra_css: str = "") -> bytes:
    from weasyprint import CSS, HTML

    css = ("@page { size: A4; margin: 2cm } body { font-size: 10pt } table { border-collapse: collapse }"
           " td, th { border: 1px solid #000; padding: 2px }")
    return HTML(string=lxml.html.tostring(root, encoding="unicode")).write_pdf(stylesheets=[CSS(string=css + extra_css)])


def test_a_pdf_whose_rows_all_merge_the_same_columns_is_not_filled_from_the_left(original):
    """Printed to PDF with the five 法人 cells merged in every row, table 三 has three
    columns of figures where its lines have seven: which columns the figures are is not
    known, so none is guessed (3001 was read as 科研机构's)."""
    root = _page()
    for tds in _figure_rows(root):
        _merge_orgs(tds, "")
    # The five headings under 法人或其他组织 left out too: the grid has no column for them.
    for td in _table_three(root).xpath(".//td"):
        text = td.text_content().strip()
        if text in ("自然人", "法人或其他组织", "总计"):
            td.attrib.pop("rowspan", None)
            td.attrib.pop("colspan", None)
        elif text == "申请人情况":
            td.set("colspan", "3")
        elif text.startswith("（本列数据的勾稽"):
            td.set("rowspan", "2")
    sub = next(tr for tr in _table_three(root).xpath(".//tr") if "社会公益组织" in tr.text_content())
    sub.getparent().remove(sub)
    report = locate(read_bytes(_pdf(root), "merged.pdf"))
    wrong = [cid for cid, v in report.cells.items() if cid.startswith("requests.") and v.state == "value"
             and (original.cells[cid].state, original.cells[cid].number) != (v.state, v.number)]
    assert wrong == []
    new = report.cells["requests.new.natural"]
    assert new.state == "missing" and "无法确定" in new.note


def _numbered(root):
    """Table 三 with a distinct figure in every 法人 cell, so that a column read as
    another shows."""
    for i, tds in enumerate(_figure_rows(root)):
        for j, td in enumerate(tds[1:6]):
            td.text = str(10 * i + j + 1)
    return root


def _swap(a, b) -> None:
    pa, pb = a.getparent(), b.getparent()
    ia, ib = pa.index(a), pb.index(b)
    pa.remove(a)
    pb.insert(ib if pb is not pa or ib < ia else ib - 1, a)
    pb.remove(b)
    pa.insert(ia, b)


def _td(root, text: str):
    return next(td for td in _table_three(root).xpath(".//td") if "".join(td.text_content().split()) == text)


def test_columns_printed_in_another_order_are_read_by_their_headings():
    """商业企业 and 法律服务机构 swapped, headings and figures alike; then 总计 printed
    right after 自然人: every figure is read into the column its heading names."""
    expected = _read(_numbered(_page()))
    assert expected.cells["requests.new.commercial"].number == 1

    root = _numbered(_page())
    _swap(_td(root, "商业企业"), _td(root, "法律服务机构"))
    for tds in _figure_rows(root):
        _swap(tds[1], tds[4])
    swapped = _read(root)
    assert _same_except(swapped, expected, set()) == []

    root = _numbered(_page())
    natural, total = _td(root, "自然人"), _td(root, "总计")
    total.getparent().remove(total)
    natural.addnext(total)
    for tds in _figure_rows(root):
        tds[6].getparent().remove(tds[6])
        tds[0].addnext(tds[6])
    total_first = _read(root)
    assert _same_except(total_first, expected, set()) == []


def test_columns_in_another_order_with_a_heading_unread_are_not_guessed():
    root = _numbered(_page())
    _swap(_td(root, "商业企业"), _td(root, "法律服务机构"))
    for tds in _figure_rows(root):
        _swap(tds[1], tds[4])
    other = _td(root, "其他")
    for child in list(other):
        other.remove(child)
    other.text = ""  # the heading 其他 not read
    report = _read(root)
    new = report.cells["requests.new.commercial"]
    assert new.state == "missing" and "顺序" in new.note
    assert not [cid for cid, v in report.cells.items() if cid.startswith("requests.") and v.state == "value"
                and cid.rsplit(".", 1)[1] in ORGS]


@pytest.mark.parametrize("blank_first", [False, True])
def test_a_row_a_page_break_cut_in_two_is_joined(blank_first):
    """Word and LibreOffice let a row break across pages: its label's first line and the
    top of its figures end one page's table (6.属于 … 1), the rest begins the next
    (四类过程性信息 … 2). The two halves read as the one row, 12 — also when the next page's
    table opens with a row of empty cells (which once took the join's place)."""
    import copy as copying

    from ogi.ingest.document import Table

    doc = read_bytes(lxml.html.tostring(_numbered(_page()), encoding="utf-8"), "page.html")
    whole = locate(copying.deepcopy(doc))
    k, table = next((k, b) for k, b in enumerate(doc.blocks) if isinstance(b, Table)
                    and any("四类过程性信息" in c.text for row in b.rows for c in row))
    r = next(i for i, row in enumerate(table.rows) if any("四类过程性信息" in c.text for c in row))
    row = table.rows[r]
    at = next(j for j, c in enumerate(row) if "四类过程性信息" in c.text)
    top = [copying.copy(c) for c in row]
    rest = [copying.copy(c) for c in row]
    top[at].text, rest[at].text = "6.属于", "四类过程性信息"
    for j in range(at + 1, len(row)):
        text = row[j].text.strip()
        top[j].text, rest[j].text = (text[:1], text[1:]) if len(text) > 1 else (text, "")
    for j in range(at):
        rest[j].text, rest[j].copy = "", None
    blank = [copying.copy(c) for c in row]
    for c in blank:
        c.text, c.copy = "", None
    first = [blank, rest] if blank_first else [rest]
    doc.blocks[k:k + 1] = [Table([*table.rows[:r], top], table.source), Table([*first, *table.rows[r + 1:]], table.source)]
    report = locate(doc)
    cells = [c for c in whole.cells if c.startswith("requests.withheld.process_info.")]
    assert any(whole.cells[c].number and whole.cells[c].number >= 10 for c in cells)
    assert [(report.cells[c].state, report.cells[c].number) for c in cells] == \
        [(whole.cells[c].state, whole.cells[c].number) for c in cells]


def test_a_row_cut_inside_its_merged_group_label_is_joined():
    """The break cuts the row's label (2. 其他法律行 | 政法规禁止公开) and the group label
    merged down beside it (（三）不予公 | 开); the rest of the row, on the next page, has no
    figures. The figures stay the row's."""
    import copy as copying

    from ogi.ingest.document import Table

    doc = read_bytes(lxml.html.tostring(_numbered(_page()), encoding="utf-8"), "page.html")
    whole = locate(copying.deepcopy(doc))
    k, table = next((k, b) for k, b in enumerate(doc.blocks) if isinstance(b, Table)
                    and any("其他法律行政法规禁止公开" in c.text for row in b.rows for c in row))
    r = next(i for i, row in enumerate(table.rows) if any("其他法律行政法规禁止公开" in c.text for c in row))
    row = table.rows[r]
    at = next(j for j, c in enumerate(row) if "其他法律行政法规禁止公开" in c.text)
    group = next(j for j in range(at - 1, -1, -1) if "不予公开" in row[j].text)
    top = [copying.copy(c) for c in row]
    rest = [copying.copy(c) for c in row]
    top[at].text, rest[at].text = "2. 其他法律行", "政法规禁止公开"
    top[group].text, rest[group].text, rest[group].copy = "（三）不予公", "开", None
    for j in range(len(row)):
        if j not in (at, group):
            rest[j].text, rest[j].copy = "", None
    doc.blocks[k:k + 1] = [Table([*table.rows[:r], top], table.source), Table([rest, *table.rows[r + 1:]], table.source)]
    report = locate(doc)
    cells = [c for c in whole.cells if c.startswith("requests.withheld.law_prohibited.")]
    assert sum(whole.cells[c].state == "value" for c in cells) >= 2
    assert [(report.cells[c].state, report.cells[c].number) for c in cells] == \
        [(whole.cells[c].state, whole.cells[c].number) for c in cells]


def test_another_tables_headings_do_not_reorder_the_reports(original):
    """A page's own statistics table with 总计 before 自然人, before the report, says
    nothing of the order of the report's table 三."""
    from ogi.ingest.document import Cell, Table

    doc = read_bytes(lxml.html.tostring(_page(), encoding="utf-8"), "page.html")
    doc.blocks.insert(5, Table([[Cell("类别"), Cell("总计"), Cell("自然人")], [Cell("依申请"), Cell("3"), Cell("2")]]))
    assert _same_except(locate(doc), original, set()) == []


def test_a_figure_spaced_out_is_one_figure_where_the_row_says_so(original):
    """“2 6” (a PDF spacing out its digits) in a row whose other figures fill it is 26, not
    two figures; “1 234.56” is one amount."""
    doc = read_bytes((CORPUS / PAGE).read_bytes(), "page.html")
    spaced = 0
    for t in doc.tables:
        t.short_rows_lose_tail = False  # as a PDF's tables
        for row in t.rows:
            for c in row:
                if c.text == "26":
                    c.text, spaced = "2 6", spaced + 1
    assert spaced >= 4
    fee_row = next(r for t in doc.tables for r in t.rows if r[0].text == "行政事业性收费")
    for c in fee_row[1:]:  # the figure and the positions its merged cell covers
        c.text = "1 234.56"
    report = locate(doc)
    assert _same_except(report, original, {"active.fees.amount"}) == []
    assert str(report.cells["active.fees.amount"].number) == "12345600"


def _wrong(report, expected) -> list[str]:  # type: ignore[no-untyped-def]
    """Cells read other than `expected` (a Report) has them."""
    return [c for c, v in report.cells.items() if v.state != "missing"
            and (v.state, v.number) != (expected.cells[c].state, expected.cells[c].number)]


def test_a_figure_repeated_in_each_cell_of_an_unmerged_merge_is_read_where_the_identities_confirm_it(original):
    """自然人 printed over two grid columns, its heading and figures merged across both, then
    unmerged by a converter that prints the figure in each: rows of eight figures for seven
    columns. A row whose identities confirm one reading (26 26 … 26: the figure twice) is
    read; a row of zeros and blanks reads as well with 0 or blank for 商业企业 and stays
    missing, saying why."""
    from ogi.corpus.truth import load_truth, score

    root = _page()
    natural = _td(root, "自然人")
    natural.addnext(copy.deepcopy(natural))
    for tds in _figure_rows(root):
        tds[0].addnext(copy.deepcopy(tds[0]))
    report = _read(root)
    truth = load_truth(TRUTH / "shuyang-fgj-2023.html.yaml")
    s = score(report, truth)
    assert s.wrong == 0 and _wrong(report, original) == []
    rows = {c.rsplit(".", 1)[0] for c in original.cells if c.startswith("requests.")}
    figures = {r for r in rows if any(original.cells[c].number for c in original.cells if c.rsplit(".", 1)[0] == r)}
    assert len(figures) == 3  # 本年新收, 予以公开, 总计: the page's others are 0
    for row in rows:
        ids = [c for c in original.cells if c.rsplit(".", 1)[0] == row]
        if row in figures:
            assert [report.cells[c].state for c in ids] == [original.cells[c].state for c in ids], row
        else:
            assert all(report.cells[c].state == "missing" and "合并单元格拆分" in report.cells[c].note for c in ids), row


@pytest.fixture(scope="module")
def signed():  # type: ignore[no-untyped-def]
    from .conftest import SEED_2020
    from .scans import signed_report

    return signed_report(SEED_2020)


def test_a_total_repeated_in_word_is_read_by_the_identities(signed):
    """A report ogi writes as Word, table 三's 总计 split in two columns each printing the
    total (a cell spanning two grid columns, unmerged): every figure read as written."""
    import io
    import zipfile

    from lxml import etree

    from ogi.render import render

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    data = render(signed, "docx")
    src = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(src.read("word/document.xml"))
    table = [t for t in root.iter(f"{w}tbl") if "申请人情况" in "".join(t.itertext())][-1]
    for tr in table.iter(f"{w}tr"):
        tr.findall(f"{w}tc")[-1].addnext(copy.deepcopy(tr.findall(f"{w}tc")[-1]))
    table.find(f"{w}tblGrid").append(copy.deepcopy(table.find(f"{w}tblGrid")[-1]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            z.writestr(item, etree.tostring(root) if item.filename == "word/document.xml" else src.read(item))
    report = locate(read_bytes(out.getvalue(), "report.docx"))
    assert _wrong(report, signed) == []
    assert not [c for c, v in report.cells.items() if v.state == "missing"]
    assert report.cells["requests.new.total"].source["recovered"] == "repeated"


def test_a_workbook_unmerged_and_filled_reads_no_figure_the_identities_do_not_confirm(signed):
    """The Excel workbook ogi writes with every merged range unmerged and its value filled
    into each cell (Excel's unmerge and fill): table 二's 本年增/减 of 行政事业性收费, merged
    over two columns, is printed twice where the row has two columns. No identity holds
    those cells: they stay missing, saying why; every other figure is read as written."""
    import io

    import openpyxl

    from ogi.render import render

    wb = openpyxl.load_workbook(io.BytesIO(render(signed, "xlsx")))
    for ws in wb.worksheets:
        for rng in list(ws.merged_cells.ranges):
            value = ws.cell(rng.min_row, rng.min_col).value
            ws.unmerge_cells(str(rng))
            for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col):
                for c in row:
                    c.value = value
    out = io.BytesIO()
    wb.save(out)
    report = locate(read_bytes(out.getvalue(), "report.xlsx"))
    assert _wrong(report, signed) == []
    missing = {c for c, v in report.cells.items() if v.state == "missing"}
    assert missing and all(c.startswith("active.") and "合并单元格拆分" in report.cells[c].note for c in missing)
    assert "active.fees.change" in missing


def test_a_sidebars_repeated_figures_give_way_to_the_reports_own_row(original):
    """A row of the page's sidebar (a statistics table before the article) printing more
    figures than columns, then the report's own row of that name: the report's figures are
    read, and the sidebar's row is said once to be outside the report, not tried again."""
    root = _page()
    body = root.find("body")
    side = lxml.html.fromstring("<table><tr><td>一、本年新收政府信息公开申请数量</td>"
                                + "<td>4</td>" * 2 + "<td>0</td>" * 5 + "<td>4</td></tr></table>")
    body.insert(0, side)
    report = _read(root)
    assert _wrong(report, original) == []
    ids = [c for c in original.cells if c.startswith("requests.new.")]
    assert [(report.cells[c].state, report.cells[c].number) for c in ids] == \
        [(original.cells[c].state, original.cells[c].number) for c in ids]
    side_rows = [u for u in report.unplaced if u["values"][:2] == ["4", "4"]]
    assert len(side_rows) == 1, side_rows
