"""The reply letter (答复书) for an answered request, as DOCX in the official style, its
decisive paragraph chosen by the outcome code (letters.yaml)."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from importlib import resources

import yaml
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from ..render.docx import BODY, SIZE_BODY, SIZE_TITLE, TITLE, add_paragraph, set_fonts
from ..render.text import date_zh

REMEDY = ("如对本答复不服，可以在收到本答复之日起60日内依法申请行政复议，或者在6个月内依法向人民法院提起行政诉讼。")


@cache
def paragraphs() -> dict[str, str]:
    return yaml.safe_load(resources.files("ogi.records").joinpath("letters.yaml").read_text(encoding="utf-8"))


def reply_letter(*, agency: str, tracking_no: str, applicant: str, received_on: dt.date, content: str,
                 outcome: str, answered_on: dt.date) -> bytes:
    """The letter for one answered request."""
    if outcome not in paragraphs():
        raise KeyError(f"no letter for outcome {outcome!r}")
    doc = Document()
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    set_fonts(doc.styles["Normal"], BODY, SIZE_BODY)
    add_paragraph(doc, "政府信息公开申请答复书", TITLE, SIZE_TITLE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    add_paragraph(doc, f"（申请编号：{tracking_no}）", BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    add_paragraph(doc, f"{applicant}：", BODY, SIZE_BODY, indent=False)
    add_paragraph(doc, f"本机关于{date_zh(received_on)}收到您提出的政府信息公开申请，您申请获取：“{content}”。", BODY, SIZE_BODY)
    add_paragraph(doc, paragraphs()[outcome], BODY, SIZE_BODY)
    add_paragraph(doc, REMEDY, BODY, SIZE_BODY)
    add_paragraph(doc, "", BODY, SIZE_BODY)
    add_paragraph(doc, agency, BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    add_paragraph(doc, date_zh(answered_on), BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
