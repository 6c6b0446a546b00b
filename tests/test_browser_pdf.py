"""A crawled report page printed to PDF by a browser, as a researcher's "save as PDF" gives
it: the site's chrome around the article, no styles (the site's stylesheets are not
reachable), the characters the main font lacks drawn in a fallback font, and table 三
split over pages with its borders left open at the breaks. Every cell must be read, and
no label finding may appear that the page itself does not have."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ogi.checks import check
from ogi.corpus.truth import load_truth, score
from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.locate import locate
from ogi.ingest.pdf import snap_to_baselines

from .conftest import CORPUS

TRUTH = Path(__file__).parent / "data" / "truth"
PAGE = "html/shuyang-fgj-2023.html"


def _print_to_pdf(html: Path, out: Path) -> bytes:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    # Every host name resolves to nothing: the page's links and scripts reach no network.
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-first-run", f"--user-data-dir={out.parent / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
                    "--no-pdf-header-footer", f"--print-to-pdf={out}", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return out.read_bytes()


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _print_to_pdf(CORPUS / PAGE, tmp_path_factory.mktemp("print") / "page.pdf")


def _labels(report) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {(x.kind, x.found, x.standard) for x in report.labels}


def test_browser_printed_page_reads_every_cell(shared, printed):
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(printed)) > 3  # the table runs over pages
    report = locate(read_bytes(printed, "page.pdf"))
    s = score(report, load_truth(TRUTH / "shuyang-fgj-2023.html.yaml"))
    assert (s.right, s.wrong, s.missed) == (200, 0, 0), (s.wrong_cells, s.missed_cells)
    assert (report.agency, report.year) == ("沭阳县发展和改革局", 2023)


def test_browser_printed_page_has_only_the_pages_own_label_findings(shared, printed):
    """The printed label findings are exactly those of the page read as HTML: the
    fallback font's 一 out of its place (一3.危及“三安全稳定”, 一（）予以公开) is the text
    layer's order, not the agency's writing."""
    report = locate(read_bytes(printed, "page.pdf"))
    assert _labels(report) == _labels(load_report(CORPUS / PAGE))
    found = {f.found for f in check(report) if f.rule == "label.nonstandard"}
    assert found and not any(x.startswith("一") for x in found)


def test_characters_of_another_font_join_their_line(shared):
    """Characters on one baseline get the line's box, whatever font drew them, so that
    line-by-line extraction reads them in the order they stand."""
    from pdfplumber.utils import extract_text

    def char(text: str, x: float, top: float) -> dict:
        return {"text": text, "x0": x, "x1": x + 12, "top": top, "bottom": top + 12, "doctop": top, "y0": 780 - top,
                "y1": 792 - top, "size": 12.0, "upright": True, "matrix": (1, 0, 0, 1, x, 231.0),
                "object_type": "char", "width": 12, "height": 12}

    line = [char(t, 100 + 12 * i, 550.44) for i, t in enumerate("三安全")]
    line.insert(3, char("一", 136, 544.81))  # the fallback font's box stands 5.6 pt higher
    line.append(char("稳", 148, 550.44))
    assert extract_text(line) != "三安全一稳"
    snap_to_baselines(line)
    assert extract_text(line) == "三安全一稳"


def test_columns_left_blank_stay_blank_on_a_scan_of_the_printed_page(shared, printed):
    """The page's table 三 leaves the five 法人或其他组织 columns blank in every row: on a
    scan of it the figures of 自然人 and 总计 keep their columns (the blank cells are
    found between the vertical rules), never shifted into the blank ones."""
    from ogi.ingest.pdf import read_pdf

    from .scans import scanned_pdf

    truth = load_truth(TRUTH / "shuyang-fgj-2023.html.yaml")
    report = locate(read_pdf(scanned_pdf(printed, "scanner", pages=[5]), "scan.pdf"))
    rows = ("new", "carried_in", "granted", "partial", "withheld.state_secret", "withheld.law_prohibited",
            "withheld.security_stability", "withheld.third_party")
    cells = [c for c in truth.cells if c.startswith("requests.") and c.split(".", 1)[1].rsplit(".", 1)[0] in rows]
    read = {c: report.cells[c] for c in cells if report.cells[c].state != "missing"}
    assert len(read) >= 0.9 * len(cells), sorted(set(cells) - set(read))
    for c, v in read.items():
        expected = truth.cells[c]
        assert (v.state == "blank") if expected is None else (v.number == int(expected)), (c, v, expected)
    assert report.cells["requests.new.natural"].value == 26 and report.cells["requests.new.commercial"].state == "blank"
