"""The report as PDF: the web page laid out by WeasyPrint on A4, CJK fonts embedded
(subset), text selectable, table rows never split across pages."""

from __future__ import annotations

import logging

from ..report import Report
from .html import render_html


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=render_html(report)).write_pdf()
