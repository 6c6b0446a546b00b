"""Tables printed as pictures: a web page or a Word document whose statistical tables are
pasted as screenshots. The pictures the file holds are read by OCR where they stand; a
picture the page only links to is said to be perhaps the missing table, not the agency's
omission. Built from the corpus's real page, its tables drawn as PNG at test time."""

from __future__ import annotations

import base64
import io
import logging
from email.message import EmailMessage

import lxml.html
import pytest
from lxml import etree

from ogi.checks import check
from ogi.ingest.load import read_bytes
from ogi.ingest.locate import locate
from ogi.render import render

from .builders import score_cells
from .conftest import CORPUS

PAGE = CORPUS / "html" / "shuyang-fgj-2023.html"


def _png(table_html: str) -> bytes:
    """A table as a screenshot of it: drawn by WeasyPrint, cut to its ink."""
    import numpy as np
    import pypdfium2 as pdfium
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    page = ("<html><head><style>@page { size: 260mm 900mm; margin: 5mm } body { font-size: 11pt }"
            " table { border-collapse: collapse } td, th { border: 1px solid #000; padding: 3px 6px }</style></head>"
            f"<body>{table_html}</body></html>")
    pdf = pdfium.PdfDocument(weasyprint.HTML(string=page).write_pdf())
    img = pdf[0].render(scale=2).to_pil().convert("RGB")
    ys, xs = np.where(np.asarray(img.convert("L")) < 200)
    img = img.crop((max(0, int(xs.min()) - 10), max(0, int(ys.min()) - 10), int(xs.max()) + 10, int(ys.max()) + 10))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def drawn():
    """The page, its report as read from its text, and its report tables as pictures."""
    original = locate(read_bytes(PAGE.read_bytes(), PAGE.name))
    root = lxml.html.fromstring(PAGE.read_bytes())
    tables = list(root.iter("table"))[1:]  # (the first is the page's table of fields, not the report's)
    return original, [_png(etree.tostring(t, encoding="unicode", method="html")) for t in tables]


def _page_with(pictures: list[str]) -> bytes:
    root = lxml.html.fromstring(PAGE.read_bytes())
    for table, src in zip(list(root.iter("table"))[1:], pictures, strict=True):
        img = lxml.html.Element("img", src=src, alt="")
        table.getparent().replace(table, img)
    logo = lxml.html.Element("img", src="/images/logo.png", width="180", height="36")
    root.find(".//body").insert(0, logo)
    return lxml.html.tostring(root, encoding="utf-8")




def test_a_page_whose_tables_are_pictures_it_holds_is_read_from_them(drawn):
    """Before, every table was 「未找到」: three errors against an agency that printed them all."""
    original, pngs = drawn
    page = _page_with([f"data:image/png;base64,{base64.b64encode(p).decode()}" for p in pngs])
    report = locate(read_bytes(page, "page.html"))
    right, wrong, missing = score_cells(original, report)
    assert not wrong and right >= 0.95 * (right + missing), (right, wrong, missing)
    assert [n["code"] for n in report.notices] == ["ocr_pictures"]
    assert "3 幅图片印有统计表" in report.notices[0]["message_zh"]
    assert not [f for f in check(report) if f.rule == "cell.missing" and "未找到" in f.message_zh]
    # Where a figure was read: its picture, not a page of a scan.
    source = report.cells["requests.new.natural"].source
    assert source and "picture" in source and "page" not in source and "box" in source
    # Kept as Report JSON and read back, as a dataset does.
    from ogi.ingest.load import report_from_bytes

    again = report_from_bytes(render(report, "json"), "report.json")
    assert again.cells["requests.new.natural"].source == source


def test_a_page_saved_as_one_file_reads_the_pictures_it_holds(drawn):
    original, pngs = drawn
    msg = EmailMessage()
    msg["Subject"] = "page"
    msg.set_content(_page_with([f"images/t{k}.png" for k in range(len(pngs))]).decode("utf-8"), subtype="html")
    msg.make_related()
    for k, data in enumerate(pngs):
        msg.add_related(data, maintype="image", subtype="png", headers=[f"Content-Location: images/t{k}.png"])
    report = locate(read_bytes(msg.as_bytes(), "page.mht"))
    right, wrong, missing = score_cells(original, report)
    assert not wrong and right >= 0.95 * (right + missing), (right, wrong, missing)


def test_pictures_a_page_only_links_to_are_said_to_be_perhaps_its_tables():
    page = _page_with(["/uploads/2024/01/table2.png", "/uploads/2024/01/table3.jpg", "/uploads/2024/01/table4.png"])
    report = locate(read_bytes(page, "page.html"))
    assert [n["code"] for n in report.notices] == ["pictures_unread"]
    assert "3 幅图片未能读取" in report.notices[0]["message_zh"]  # (the logo is not counted)
    missing = [f for f in check(report) if f.rule == "cell.missing"]
    assert len(missing) == 3 and all(f.message_zh.startswith("文字中未找到") and "可能以图片形式发布" in f.message_zh
                                     for f in missing)
    assert "图片" in report.cells["requests.new.total"].note
    # A page that prints its tables as text says nothing of its pictures.
    text = lxml.html.fromstring(PAGE.read_bytes())
    text.find(".//body").insert(0, lxml.html.Element("img", src="/uploads/photo.jpg"))
    assert not locate(read_bytes(lxml.html.tostring(text, encoding="utf-8"), "page.html")).notices


def test_a_word_document_whose_tables_are_pictures_is_read_from_them(drawn):
    import docx

    original, pngs = drawn
    document = docx.Document(io.BytesIO(render(original, "docx")))
    for table, data in zip(document.tables, pngs, strict=True):
        holder = document.add_paragraph()
        holder.add_run().add_picture(io.BytesIO(data), width=docx.shared.Mm(150))
        table._tbl.addprevious(holder._p)
        table._tbl.getparent().remove(table._tbl)
    buf = io.BytesIO()
    document.save(buf)
    report = locate(read_bytes(buf.getvalue(), "report.docx"))
    right, wrong, missing = score_cells(original, report)
    assert not wrong and right >= 0.95 * (right + missing), (right, wrong, missing)
    assert [n["code"] for n in report.notices] == ["ocr_pictures"]


def test_a_picture_without_a_table_adds_nothing():
    """A photo, a seal, a banner: read by OCR, it holds no table and is left out whole."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1)
    photo = Image.fromarray(rng.integers(0, 255, (300, 600, 3), dtype=np.uint8))
    buf = io.BytesIO()
    photo.save(buf, "PNG")
    root = lxml.html.fromstring(PAGE.read_bytes())
    root.find(".//body").insert(0, lxml.html.Element("img", src=f"data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"))
    report = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    original = locate(read_bytes(PAGE.read_bytes(), PAGE.name))
    assert score_cells(original, report) == score_cells(original, original) and not report.notices


def test_a_picture_is_opened_only_as_an_image_format(monkeypatch):
    """An EPS given as a page's picture would be handed by PIL to Ghostscript, a program
    run on what a page says: it is not opened at all."""
    from PIL import EpsImagePlugin

    ran = []
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", lambda *a, **k: ran.append(a) or (_ for _ in ()).throw(OSError))
    eps = (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 600 300\n%%EndComments\n"
           b"newpath 0 0 moveto 600 300 lineto stroke showpage\n%%EOF\n")
    root = lxml.html.fromstring(PAGE.read_bytes())
    root.find(".//body").insert(0, lxml.html.Element("img", src=f"data:image/eps;base64,{base64.b64encode(eps).decode()}"))
    report = locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))
    assert not ran and not report.notices


def _printed(html: bytes) -> bytes:
    import weasyprint

    page = html.decode("utf-8").replace("<img ", '<img style="max-width:100%;max-height:230mm" ')
    return weasyprint.HTML(string=page).write_pdf()


def test_a_pdf_whose_tables_are_pictures_on_its_text_pages_is_read_from_them(drawn):
    """A document with its tables pasted as screenshots, printed to PDF: the pages that hold
    text and a table's picture were read for their text alone, the table not found."""
    original, pngs = drawn
    pdf = _printed(_page_with([f"data:image/png;base64,{base64.b64encode(p).decode()}" for p in pngs]))
    report = locate(read_bytes(pdf, "report.pdf"))
    right, wrong, missing = score_cells(original, report)
    assert not wrong and right >= 0.95 * (right + missing), (right, wrong, missing)
    assert "ocr_pictures" in [n["code"] for n in report.notices]


def test_pictures_are_read_only_when_a_table_is_not_found(monkeypatch):
    """A seal, a logo, a photo beside tables printed as text: no second of OCR spent on them."""
    from ogi.ingest import pictures

    asked = []
    monkeypatch.setattr(pictures, "_ocr", lambda *a: asked.append(a) or [])
    import numpy as np
    from PIL import Image

    photo = Image.fromarray(np.full((300, 800, 3), 200, dtype=np.uint8))
    buf = io.BytesIO()
    photo.save(buf, "PNG")
    root = lxml.html.fromstring(PAGE.read_bytes())
    root.find(".//body").insert(0, lxml.html.Element("img", src=f"data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"))
    page = lxml.html.tostring(root, encoding="utf-8")
    for data, name in ((page, "page.html"), (_printed(page), "page.pdf")):
        doc = read_bytes(data, name)
        assert doc.pictures
        report = locate(doc)
        assert not asked and report.cells["requests.new.total"].state == "value"
