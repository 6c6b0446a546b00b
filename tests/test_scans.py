"""Scans never give a wrong figure silently: pages rendered at 150 dpi and degraded as
scanners and phones leave them (tests/scans.py), read by OCR, every figure either right or
left missing with a `cell.uncertain` finding that puts the doubt on the reading. A page or
two per test: OCR takes seconds a page."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from ogi.checks import check
from ogi.corpus.truth import load_truth, score
from ogi.ingest.document import Table
from ogi.ingest.locate import locate
from ogi.ingest.pdf import read_pdf
from ogi.render import render

from .conftest import CORPUS, SEED_2020
from .scans import render_pages, scanned_pdf, scanner, signed_report, to_pdf

TRUTH = Path(__file__).parent / "data" / "truth"
CHANGES = ("active.licensing.change", "active.penalty.change", "active.fees.change")


@pytest.fixture(scope="module")
def signed(shared):  # type: ignore[no-untyped-def]
    """A 2019-edition report with 本年增/减 −18, −15, −3, as ogi's PDF writer prints it."""
    made = signed_report(SEED_2020)
    return made, render(made, "pdf")


def _first_readings(doc) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for t in doc.tables for row in t.rows for c in row if c.text.lstrip("-").isdigit()]


def _in_doubt(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {c for f in check(report) if f.rule == "cell.uncertain" for c in f.cells}


def test_signed_changes_keep_their_minus_on_a_faded_scan(signed):
    """Table 二 of a 2019-edition report on a worn scan: the recogniser reads −18 and −15
    as 18 and 15 (whatever the crop); the pixels left of the digits keep the minus. No
    figure of the table is wrongly filled; those not read are in doubt, and said so."""
    made, pdf = signed
    doc = read_pdf(scanned_pdf(pdf, "faded", pages=[2]), "faded.pdf")
    first = _first_readings(doc)
    assert "18" in first and "15" in first and "-18" not in first  # the recogniser dropped the signs
    report = locate(doc)
    assert report.cells["active.licensing.change"].value == -18
    assert report.cells["active.penalty.change"].value == -15
    active = [c for c in made.cells if c.startswith("active.")]
    wrong = [c for c in active if report.cells[c].state != "missing" and report.cells[c].number != made.cells[c].number]
    assert not wrong, wrong
    doubted = _in_doubt(report)
    for cid in active:
        v = report.cells[cid]
        if v.state == "missing" and v.raw:
            assert cid in doubted, cid  # read, but not confirmed: the reading's doubt
    for u in report.uncertain:
        for c in u["cells"]:
            assert made.cells[c].number in [x[0] for x in u["candidates"]] or u["candidates"] == [], u


@pytest.fixture(scope="module")
def table_three(signed):  # type: ignore[no-untyped-def]
    """The first page of table 三 as a flatbed scan, read once."""
    _, pdf = signed
    return read_pdf(scanned_pdf(pdf, "scanner", pages=[3]), "scan.pdf")


def _misread(doc, label: str, printed: str, read: str):  # type: ignore[no-untyped-def]
    """The document as if the recogniser had read `printed` as `read` in the row `label`."""
    doc = copy.deepcopy(doc)
    for t in doc.blocks:
        if isinstance(t, Table):
            for row in t.rows:
                if any(label in c.text for c in row) and row[-1].text == printed:
                    row[-1].text = read
                    return doc, row[-1].source
    raise AssertionError(f"no row {label} ending {printed}")


def test_a_misread_total_is_read_again_and_not_blamed_on_the_agency(table_three):
    """A 7 read as 1 in a 总计 cell (47 → 41) breaks the row's total; read again from its
    box, the cell gives 47, which the identity confirms."""
    doc, _ = _misread(table_three, "本年新收", "47", "41")
    report = locate(doc)
    v = report.cells["requests.new.total"]
    assert v.value == 47 and v.source["reread"] in ("stretched", "binarised")
    assert not [f for f in check(report) if f.rule == "requests.row_total" and "requests.new.total" in f.cells]


def test_a_total_no_reading_confirms_is_in_doubt_not_the_agencys_error(table_three):
    """The same misreading where the box cannot be read again (its pixels gone): the cell
    is missing with what was read as the candidate, the finding says the reading is in
    doubt, and the row total blames no one."""
    doc, source = _misread(table_three, "本年新收", "47", "41")
    gray = doc.pages.get(source["page"]).copy()
    x0, y0, x1, y1 = source["box"]
    gray[y0 - 2:y1 + 3, x0 - 2:x1 + 3] = np.uint8(gray.max())
    doc.pages.keep(source["page"], gray)
    report = locate(doc)
    v = report.cells["requests.new.total"]
    assert v.state == "missing" and v.raw == "41"
    findings = check(report)
    doubt = [f for f in findings if f.rule == "cell.uncertain" and "requests.new.total" in f.cells]
    assert doubt and doubt[0].found == "41" and "不是报告本身的错误" in doubt[0].message_zh
    assert not [f for f in findings if f.rule.startswith("requests.") and "requests.new.total" in f.cells]
    assert not [f for f in findings if f.rule == "cell.missing" and "requests.new.total" in f.cells]


@pytest.mark.parametrize("kind", ["phone"])
def test_other_processing_sub_rows_are_placed_on_a_phone_scan(shared, kind):
    """The three 其他处理 sub-rows of a 2021-edition table 三 (labels wrapped over three
    lines, their first and last lines above and below the figures), on a page photographed
    slightly askew and lit from one side: placed by the table's rules, as the text-layer
    reader does."""
    pdf = (CORPUS / "pdf/huaian-gov-2024.pdf").read_bytes()
    report = locate(read_pdf(scanned_pdf(pdf, kind, pages=[5]), "phone.pdf"))
    truth = load_truth(TRUTH / "huaian-gov-2024.pdf.yaml")
    s = score(report, truth)
    assert s.wrong == 0, s.wrong_cells
    other = [c for c in truth.cells if c.startswith("requests.other.")]
    assert len(other) == 21 and not [c for c in other if c in s.missed_cells]
    # The other pages were not scanned: what the recogniser did not give is said to be the
    # reading's, with a notice naming the scanned page.
    assert [n["code"] for n in report.notices] == ["ocr"] and "第 1 页" in report.notices[0]["message_zh"]
    missing = [f for f in check(report) if f.rule == "cell.missing"]
    assert missing and all("扫描件中未能识别" in f.message_zh for f in missing)


def test_a_short_label_misread_by_one_character_finds_its_row():
    """行政处罚 read as 行政处简: the one four-character row label one character away takes
    the figures — only for labels read by OCR (a text layer's label is as printed), and
    never for two-character labels."""
    from ogi.editions import load_edition
    from ogi.ingest.document import Cell, Document

    def doc(label: str, ocr: bool) -> Document:
        src = {"page": 1, "box": [0, 0, 10, 10], "confidence": 0.91} if ocr else {"page": 1}
        head = [Cell("信息内容", src), Cell("上一年项目数量", src), Cell("本年增/减", src), Cell("处理决定数量", src)]
        return Document([Table([head, [Cell(label, src), Cell("36", src), Cell("-15", src), Cell("717", src)]])])

    ed = load_edition("2019")
    read = locate(doc("行政处简", True), ed)
    assert [read.cells[f"active.penalty.{k}"].value for k in ("prev_items", "change", "decisions")] == [36, -15, 717]
    assert read.cells["active.penalty.change"].state == "value"
    assert locate(doc("行政处简", False), ed).cells["active.penalty.prev_items"].state == "missing"
    assert all(v.state == "missing" for v in locate(doc("规範", True), ed).cells.values())


def test_pages_scanned_on_their_side_are_turned_upright(signed):
    """Table 三's two pages fed into the scanner on their side, one turned each way: the
    recogniser reads lines standing up as well as lying down (it turns a tall box before
    reading it) or reads them upside down, and either way the rows would be columns. Each
    page is turned upright and every figure of tables 三 and 四 read, none wrongly."""
    made, pdf = signed
    pages = [scanner(img, 3 + i).rotate(turn, expand=True)
             for i, (img, turn) in enumerate(zip(render_pages(pdf, [3, 4]), (270, 90), strict=True))]
    assert all(p.width > p.height for p in pages)
    report = locate(read_pdf(to_pdf(pages, quality=80), "sideways.pdf"))
    read = [c for c in made.cells if c.startswith(("requests.", "appeals."))]
    wrong = [c for c in made.cells if report.cells[c].state != "missing" and report.cells[c].number != made.cells[c].number]
    assert not wrong, wrong
    assert len(read) > 130 and not [c for c in read if report.cells[c].state == "missing"]
