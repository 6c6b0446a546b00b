"""Table 四 as agencies set it other than the national form: one row per kind of case under a
header of the results, one row per result under a header of the kinds of case (a portrait
page), and in a Word text box. Built from the real reports of the development corpus, with
every figure of table 四 made distinct so that a figure in the wrong cell shows."""

from __future__ import annotations

import copy
import io
import zipfile

import pytest
from lxml import etree

from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.locate import locate
from ogi.render import render
from ogi.report import Report, Value

from .conftest import CORPUS, SHARED

SOURCES = [SHARED / "seeds" / "000_9e37d6351cd66a1a.txt", CORPUS / "docx" / "shuyang-fgj-2023.docx"]
KINDS = [("review", "行政复议"), ("litigation_direct", "未经复议直接起诉"), ("litigation_after_review", "复议后起诉")]
RESULTS = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"),
           ("total", "总计")]
APPEALS = [f"appeals.{k}.{r}" for k, _ in KINDS for r, _ in RESULTS]


def _distinct(path) -> Report:
    r = load_report(path)
    n = 1
    for kind, _ in KINDS:
        total = 0
        for result, _ in RESULTS[:-1]:
            r.cells[f"appeals.{kind}.{result}"] = Value("value", n)
            total += n
            n += 1
        r.cells[f"appeals.{kind}.total"] = Value("value", total)
    return r


def _html_with(report: Report, table: str) -> bytes:
    """The report's web page with its last table (table 四) replaced."""
    page = render(report, "html")
    page = page.decode() if isinstance(page, bytes) else page
    start = page.rfind("<table")
    end = page.find("</table>", start) + len("</table>")
    return (page[:start] + table + page[end:]).encode()


def _kinds_as_rows(report: Report, order: list[int], two_level: bool = False) -> str:
    results = [RESULTS[j] for j in order]
    head = "<tr><th></th>" + "".join(f"<th>{label}</th>" for _, label in results) + "</tr>"
    rows = []
    for i, (kind, label) in enumerate(KINDS):
        first = f"<td colspan=2>{label}</td>" if i == 0 or not two_level else f"<td>{label}</td>"
        if two_level:
            head = "<tr><th colspan=2></th>" + "".join(f"<th>{lab}</th>" for _, lab in results) + "</tr>"
            first = {0: f"<td colspan=2>{label}</td>", 1: f"<td rowspan=2>行政诉讼</td><td>{label}</td>",
                     2: f"<td>{label}</td>"}[i]
        rows.append("<tr>" + first + "".join(f"<td>{report.cells[f'appeals.{kind}.{r}'].value}</td>"
                                             for r, _ in results) + "</tr>")
    return f"<table border=1>{head}{''.join(rows)}</table>"


def _results_as_rows(report: Report, order: list[int], two_level: bool = False) -> str:
    kinds = [KINDS[i] for i in order]
    head = "<tr><th></th>" + "".join(f"<th>{label}</th>" for _, label in kinds) + "</tr>"
    if two_level:
        kinds = KINDS
        head = ("<tr><th rowspan=2></th><th rowspan=2>行政复议</th><th colspan=2>行政诉讼</th></tr>"
                "<tr><th>未经复议直接起诉</th><th>复议后起诉</th></tr>")
    rows = ["<tr><td>" + label + "</td>" + "".join(f"<td>{report.cells[f'appeals.{k}.{r}'].value}</td>"
                                                   for k, _ in kinds) + "</tr>" for r, label in RESULTS]
    return f"<table border=1>{head}{''.join(rows)}</table>"


def _compare(source: Report, got: Report) -> tuple[int, list[str], int]:
    right = sum(1 for c in APPEALS if got.cells[c].state == "value" and got.cells[c].value == source.cells[c].value)
    wrong = [c for c in APPEALS if got.cells[c].state != "missing" and got.cells[c].value != source.cells[c].value]
    return right, wrong, len(APPEALS) - right - len(wrong)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
@pytest.mark.parametrize(("layout", "order", "two_level"), [
    ("kinds", [0, 1, 2, 3, 4], False), ("kinds", [4, 0, 1, 2, 3], False), ("kinds", [3, 1, 0, 4, 2], True),
    ("results", [0, 1, 2], False), ("results", [2, 0, 1], False), ("results", [0, 1, 2], True),
])
def test_table_four_turned_is_read_in_its_printed_order(path, layout, order, two_level):
    source = _distinct(path)
    build = _kinds_as_rows if layout == "kinds" else _results_as_rows
    got = locate(read_bytes(_html_with(source, build(source, order, two_level)), "page.html"))
    assert _compare(source, got) == (15, [], 0)
    # The rest of the report is read as before.
    plain = locate(read_bytes(render(source, "html"), "page.html"))
    assert [c for c in source.cells if (got.cells[c].state, got.cells[c].value) != (plain.cells[c].state, plain.cells[c].value)] == []


@pytest.mark.parametrize("layout", ["kinds", "results"])
def test_table_four_turned_with_a_heading_missing_is_left_missing(layout):
    """Without every column heading printed once, which figure is whose is not known."""
    source = _distinct(SOURCES[0])
    if layout == "kinds":
        table = _kinds_as_rows(source, [0, 1, 2, 3, 4]).replace("<th>其他结果</th>", "<th></th>", 1)
    else:
        table = _results_as_rows(source, [0, 1, 2]).replace("<th>未经复议直接起诉</th>", "<th>行政诉讼</th>", 1)
    got = locate(read_bytes(_html_with(source, table), "page.html"))
    right, wrong, _ = _compare(source, got)
    assert wrong == [] and right == 0


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
V = "urn:schemas-microsoft-com:vml"


def _in_text_box(docx: bytes, which: int, fallback: bool) -> bytes:
    """The DOCX with one of its tables moved into a text box, written as Word writes one: the
    shape (mc:Choice) and, for older readers, its VML copy (mc:Fallback)."""
    z = zipfile.ZipFile(io.BytesIO(docx))
    root = etree.fromstring(z.read("word/document.xml"))
    body = root.find(f"{{{W}}}body")
    tbl = body.findall(f"{{{W}}}tbl")[which]
    at = list(body).index(tbl)
    body.remove(tbl)
    p = etree.Element(f"{{{W}}}p")
    alt = etree.SubElement(etree.SubElement(p, f"{{{W}}}r"), f"{{{MC}}}AlternateContent", nsmap={"mc": MC, "wps": WPS, "v": V})
    shape = etree.SubElement(etree.SubElement(etree.SubElement(alt, f"{{{MC}}}Choice", Requires="wps"), f"{{{W}}}drawing"),
                             f"{{{WPS}}}wsp")
    boxes = [etree.SubElement(etree.SubElement(shape, f"{{{WPS}}}txbx"), f"{{{W}}}txbxContent")]
    if fallback:
        vml = etree.SubElement(etree.SubElement(etree.SubElement(alt, f"{{{MC}}}Fallback"), f"{{{W}}}pict"), f"{{{V}}}shape")
        boxes.append(etree.SubElement(etree.SubElement(vml, f"{{{V}}}textbox"), f"{{{W}}}txbxContent"))
    for box in boxes:
        box.append(copy.deepcopy(tbl))
        etree.SubElement(box, f"{{{W}}}p")
    body.insert(at, p)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as o:
        for info in z.infolist():
            o.writestr(info, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                       if info.filename == "word/document.xml" else z.read(info))
    return out.getvalue()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
@pytest.mark.parametrize("which", [0, -1], ids=["table-two", "table-four"])
@pytest.mark.parametrize("fallback", [True, False], ids=["with-fallback", "shape-only"])
def test_a_table_in_a_word_text_box_is_read_as_a_table(path, which, fallback):
    source = _distinct(path)
    docx = render(source, "docx")
    plain = locate(read_bytes(docx, "report.docx"))
    doc = read_bytes(_in_text_box(docx, which, fallback), "report.docx")
    got = locate(doc)
    changed = [c for c in source.cells if (got.cells[c].state, got.cells[c].value) != (plain.cells[c].state, plain.cells[c].value)]
    assert changed == []
    assert _compare(source, got) == (15, [], 0)
    # Read once, though Word writes the box twice.
    assert len(doc.tables) == len(read_bytes(docx, "report.docx").tables)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
@pytest.mark.parametrize("sep", ["\t", "  ", " "], ids=["tabs", "spaces", "one-space"])
@pytest.mark.parametrize("layout", ["kinds", "results"])
def test_table_four_turned_in_text(path, sep, layout):
    """As text: the header a line of its own (cells after tabs, or labels apart), then one line
    per row; in the Markdown the report is written as, table 四 replaced."""
    source = _distinct(path)
    text = render(source, "md")
    text = text.decode() if isinstance(text, bytes) else text
    start = text.rfind("\n", 0, text.find("四、政府信息公开行政复议")) + 1
    end = text.rfind("\n", 0, text.find("五、", start)) + 1
    columns, rows = (RESULTS, KINDS) if layout == "kinds" else (KINDS, RESULTS)
    head = ("\t" if sep == "\t" else "") + sep.join(label for _, label in columns)

    def figure(row: str, column: str) -> str:
        kind, result = (row, column) if layout == "kinds" else (column, row)
        return str(source.cells[f"appeals.{kind}.{result}"].value)

    lines = ["四、政府信息公开行政复议、行政诉讼情况", "", head,
             *(sep.join([label, *(figure(r, c) for c, _ in columns)]) for r, label in rows)]
    got = locate(read_bytes((text[:start] + "\n".join(lines) + "\n\n" + text[end:]).encode(), "report.txt"))
    assert _compare(source, got) == (15, [], 0)
