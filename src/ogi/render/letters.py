"""A notice drawn as a document: DOCX in the official style (the same fonts and margins as
the report's, render/docx.py), PDF through LibreOffice. Its words are composed by
ogi.records.letters."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

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
    for p in letter.paragraphs:
        add_paragraph(doc, p, BODY, SIZE_BODY)
    add_paragraph(doc, "", BODY, SIZE_BODY)
    add_paragraph(doc, letter.agency, BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    add_paragraph(doc, date_zh(letter.issued_on), BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(docx: bytes, timeout: float = 120) -> bytes:
    """The DOCX as PDF through LibreOffice: the same document as the DOCX, page for page."""
    return to_pdfs([docx], timeout)[0]


def to_pdfs(docxs: Sequence[bytes], timeout: float = 120) -> list[bytes]:
    """Several DOCX letters as PDF in one LibreOffice run (its start-up is most of the cost)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise LetterError("needs_libreoffice", "生成 PDF 需要安装 LibreOffice", "PDF letters need LibreOffice (soffice)")
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for i, data in enumerate(docxs):
            sources.append(Path(tmp) / f"letter{i}.docx")
            sources[-1].write_bytes(data)
        # Its own profile directory: two conversions at once would otherwise share one and the second fail.
        profile = Path(tmp, "profile").as_uri()
        try:
            subprocess.run([office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                            "--outdir", tmp, *map(str, sources)], capture_output=True, timeout=timeout, check=True)
        except (subprocess.SubprocessError, OSError) as e:
            raise LetterError("convert_failed", "LibreOffice 转换 PDF 失败", f"LibreOffice conversion failed: {e}") from None
        out = []
        for src in sources:
            pdf = src.with_suffix(".pdf")
            if not pdf.exists():
                raise LetterError("convert_failed", "LibreOffice 转换 PDF 失败", "LibreOffice produced no PDF")
            out.append(pdf.read_bytes())
        return out
