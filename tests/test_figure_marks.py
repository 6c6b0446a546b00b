"""A footnote mark set after a figure (3119<sup>1</sup> on a page, a superscript run in
Word) is a mark, not a digit of the figure. Built from the real page and document of the
development corpus."""

from __future__ import annotations

import io
import re
import zipfile

import lxml.html

from ogi.ingest.load import read_bytes
from ogi.ingest.locate import locate

from .conftest import CORPUS

NAME = "shuyang-fgj-2023"


def _numbers(report):
    return {cid: (v.state, v.number) for cid, v in report.cells.items()}


def test_a_superscript_mark_on_a_web_page_is_not_a_digit():
    data = (CORPUS / "html" / f"{NAME}.html").read_bytes()
    original = locate(read_bytes(data, "page.html"))
    root = lxml.html.fromstring(data)
    marked = 0
    for td in root.xpath("//table//td"):
        if re.fullmatch(r"\d+", td.text_content().strip()) and marked < 12:
            sup = lxml.html.Element("sup")
            sup.text = str(marked % 3 + 1)
            td.append(sup)
            marked += 1
    assert marked == 12
    report = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    assert _numbers(report) == _numbers(original)


def test_a_superscript_run_in_word_is_not_a_digit():
    data = (CORPUS / "docx" / f"{NAME}.docx").read_bytes()
    original = locate(read_bytes(data, "report.docx"))
    src = zipfile.ZipFile(io.BytesIO(data))
    xml = src.read("word/document.xml").decode("utf-8")
    # After every figure run of a table cell: a raised run (as LibreOffice writes it) or a superscript one.
    marks = ['<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>1</w:t></w:r>',
             '<w:r><w:rPr><w:position w:val="8"/><w:sz w:val="19"/></w:rPr><w:t>2</w:t></w:r>']
    count = 0

    def mark(m: re.Match) -> str:
        nonlocal count
        count += 1
        return m.group(0) + marks[count % 2]

    xml = re.sub(r"<w:r>(?:(?!</w:r>).)*<w:t(?: [^>]*)?>\d+</w:t></w:r>(?=</w:p></w:tc>)", mark, xml)
    assert count > 20
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, xml.encode("utf-8") if item.filename == "word/document.xml" else src.read(item))
    report = locate(read_bytes(out.getvalue(), "report.docx"))
    assert _numbers(report) == _numbers(original)


def _set(td, text: str) -> None:
    for child in list(td):
        td.remove(child)
    td.text = text


def test_fees_printed_in_yuan_where_the_header_says_so():
    """本年收费金额（单位：元） with 961716000 is 96171.6 万元, not 961716000 万元."""
    from decimal import Decimal

    page = (CORPUS / "html" / f"{NAME}.html").read_text(encoding="utf-8")
    root = lxml.html.fromstring(page)
    fee = next(td for td in root.xpath("//table//td") if "本年收费金额" in td.text_content())
    row = fee.getparent()
    amount = row.getnext().xpath("./td")[-1]
    assert amount.text_content().strip() == "0"
    _set(amount, "961716")
    wan = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    assert wan.cells["active.fees.amount"].number == Decimal("9617160000")
    for e in fee.iter():
        e.text = e.text.replace("万元", "元") if e.text else e.text
        e.tail = e.tail.replace("万元", "元") if e.tail else e.tail
    _set(amount, "961716000")
    yuan = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    assert yuan.cells["active.fees.amount"].number == Decimal("961716000")
