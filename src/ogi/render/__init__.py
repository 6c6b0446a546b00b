"""Writers: a Report in the official layout as DOCX, PDF, HTML and an XLSX fill-in
workbook, and as Markdown and JSON. Each writer's output is read back by ogi's readers."""

from __future__ import annotations

import json

from ..report import Report

FORMATS = ("docx", "html", "pdf", "xlsx", "md", "json")
BINARY = {"docx", "pdf", "xlsx"}


def render(report: Report, fmt: str, template: bool = False, note: str = "") -> bytes:
    """The report in one of FORMATS, as bytes (UTF-8 for the text formats). `note` is
    printed after the signature of the HTML, PDF and DOCX: what a reader of the file alone
    must know about it (that it was corrected, or has been since)."""
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(report, note)
    if fmt == "html":
        from .html import render_html

        return render_html(report, note=note).encode("utf-8")
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(report, note)
    if fmt == "xlsx":
        from .xlsx import render_xlsx

        return render_xlsx(report, template=template)
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(report).encode("utf-8")
    if fmt == "json":
        return (json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")
