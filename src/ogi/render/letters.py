"""A notice drawn as a document: DOCX in the official style (the same fonts and margins as
the report's, render/docx.py), PDF through LibreOffice. Its words are composed by
ogi.records.letters."""

from __future__ import annotations

import dataclasses
import functools
import io
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from ..office import OfficeFailed, OfficeMissing, convert
from ..records.letters import Letter, LetterError
from .docx import BODY, SIZE_BODY, SIZE_TITLE, TITLE, add_paragraph, set_fonts
from .text import date_zh


def to_docx(letter: Letter) -> bytes:
    """The letter in the official style: A4, GB/T 9704 margins, 小标宋 title, 仿宋 三号 body."""
    doc = Document()
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    set_fonts(doc.styles["Normal"], BODY, SIZE_BODY)
    add_paragraph(doc, letter.title, TITLE, SIZE_TITLE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    add_paragraph(doc, letter.number, BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    add_paragraph(doc, "", BODY, SIZE_BODY, indent=False)
    add_paragraph(doc, letter.to, BODY, SIZE_BODY, indent=False)
    body = [add_paragraph(doc, p, BODY, SIZE_BODY) for p in letter.paragraphs]
    # The signature goes over a page break with the last paragraph, never alone: a date by
    # itself on a second page is no signed letter.
    tail = [add_paragraph(doc, "", BODY, SIZE_BODY),
            add_paragraph(doc, letter.agency, BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)]
    add_paragraph(doc, date_zh(letter.issued_on), BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    for p in [*body[-1:], *tail]:
        p.paragraph_format.keep_with_next = True
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# What no installed font has a glyph for is printed as 〓, the typesetter's mark for a
# missing character: LibreOffice, given one (a rare character of Extension B in what the
# applicant wrote), lost its fallback for the whole letter — every 年月日 printed as a box
# and a paragraph overprinted itself.
MISSING_GLYPH = "〓"


@functools.cache
def _has_font(ch: str) -> bool:
    fc = shutil.which("fc-list")
    if fc is None:
        return True  # (nothing to ask: left to the converter)
    try:
        out = subprocess.run([fc, f":charset={ord(ch):x}", "family"], capture_output=True, timeout=10, check=False)
    except (subprocess.SubprocessError, OSError):
        return True
    return bool(out.stdout.strip())


def _common(ch: str) -> bool:
    """Characters every CJK font has: ASCII, the CJK punctuation and unified ideographs of the
    Basic Multilingual Plane, full-width forms. Only the rest is looked up."""
    o = ord(ch)
    return o < 0x2000 or 0x3000 <= o <= 0x303F or 0x4E00 <= o <= 0x9FA5 or 0xFF00 <= o <= 0xFFEF


def printable(letter: Letter) -> tuple[Letter, list[str]]:
    """The letter with each character no installed font can print replaced by 〓, and those
    characters (for the PDF: the DOCX keeps what was written)."""
    texts = [letter.title, letter.to, *letter.paragraphs, letter.agency]
    missing = sorted({ch for t in texts for ch in t if not _common(ch) and not ch.isspace() and not _has_font(ch)})
    if not missing:
        return letter, []
    table = str.maketrans(dict.fromkeys(missing, MISSING_GLYPH))
    return dataclasses.replace(letter, title=letter.title.translate(table), to=letter.to.translate(table),
                               paragraphs=tuple(p.translate(table) for p in letter.paragraphs),
                               agency=letter.agency.translate(table)), missing


def to_pdf(docx: bytes, timeout: float = 120) -> bytes:
    """The DOCX as PDF through LibreOffice: the same document as the DOCX, page for page."""
    return to_pdfs([docx], timeout)[0]


def to_pdfs(docxs: Sequence[bytes], timeout: float = 120) -> list[bytes]:
    """Several DOCX letters as PDF in one LibreOffice run (its start-up is most of the cost)."""
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for i, data in enumerate(docxs):
            sources.append(Path(tmp) / f"letter{i}.docx")
            sources[-1].write_bytes(data)
        try:
            convert(sources, "pdf", Path(tmp), timeout)
        except OfficeMissing:
            raise LetterError("needs_libreoffice", "生成 PDF 需要安装 LibreOffice", "PDF letters need LibreOffice (soffice)") from None
        except OfficeFailed as e:
            raise LetterError("convert_failed", "LibreOffice 转换 PDF 失败", f"LibreOffice conversion failed: {e}") from None
        out = []
        for src in sources:
            pdf = src.with_suffix(".pdf")
            if not pdf.exists():
                raise LetterError("convert_failed", "LibreOffice 转换 PDF 失败", "LibreOffice produced no PDF")
            out.append(pdf.read_bytes())
        return out
