"""Reports turned to text by LibreOffice (`soffice --convert-to txt`), as researchers turn a
year's DOCX attachments into text: every table cell on a line of its own, an empty cell an
empty line, table 四's one line of figures right under its last heading. Made at test time
from the development corpus's reports, written as DOCX by ogi and converted by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.locate import locate
from ogi.render import render

from .conftest import CORPUS

SOURCES = [CORPUS / "docx" / "shuyang-fgj-2023.docx", CORPUS / "pdf" / "huaian-gov-2024.pdf",
           CORPUS / "text" / "shanghai-office-2025.md"]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, tuple[object, bytes]]:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice not installed")
    tmp = tmp_path_factory.mktemp("converted")
    reports = {}
    for path in SOURCES:
        reports[path.stem] = load_report(path)
        (tmp / f"{path.stem}.docx").write_bytes(render(reports[path.stem], "docx"))
    subprocess.run([office, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to",
                    "txt:Text (encoded):UTF8", "--outdir", str(tmp), *sorted(str(p) for p in tmp.glob("*.docx"))],
                   check=True, capture_output=True, timeout=180)
    return {name: (report, Path(tmp / f"{name}.txt").read_bytes()) for name, report in reports.items()}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_libreoffice_text_export_reads_every_cell(converted, path):
    source, text = converted[path.stem]
    assert "\t" not in text.decode("utf-8-sig")  # one cell per line, as the export writes it
    got = locate(read_bytes(text, f"{path.stem}.txt"))
    wrong = [c for c, v in source.cells.items() if v.state != "missing" and got.cells[c].state != "missing"
             and (got.cells[c].state, got.cells[c].value) != (v.state, v.value)]
    missed = [c for c, v in source.cells.items() if v.state != "missing" and got.cells[c].state == "missing"]
    assert wrong == []
    assert missed == []
    assert (got.agency, got.year) == (source.agency, source.year)


@pytest.mark.parametrize(("lines", "cells"), [
    # pdftotext without -layout: a blank after nearly every line, now and then none or two.
    (["（一）予以公开", "", "5", "", "3", "", "0", "", "", "1", "", "0", "", "2", "", "11"], None),
    (["（一）予以公开", "", "5", "3", "", "0", "", "1", "", "0", "", "2", "", "11"], None),
    # LibreOffice: no blank between cells, an empty cell a blank line.
    (["一、本年新收政府信息公开申请数量", "26", "", "", "", "", "", "26"], ["26", "", "", "", "", "", "26"]),
    (["一、本年新收政府信息公开申请数量", "1", "", "0", "0", "0", "0", "1"], ["1", "", "0", "0", "0", "0", "1"]),
])
def test_blank_lines_are_empty_cells_only_where_cells_stand_without_them(lines, cells):
    from ogi.ingest.text import _one_cell_per_line

    row = _one_cell_per_line(lines)[0]
    if cells is None:
        assert row == "（一）予以公开 5 3 0 1 0 2 11"  # the blanks part cells: the row as before
    else:
        assert row == [lines[0], *cells]
