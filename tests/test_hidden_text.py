"""Text a reader does not see is not read: a figure kept hidden in a cell beside the shown
one (an old value, a tracking mark) would otherwise be read into it (88 hidden before 2
read as 882). Built from the real reports of the corpus."""

from __future__ import annotations

import re

import lxml.html
import pytest

from ogi.ingest.load import read_bytes
from ogi.ingest.locate import locate

from .conftest import CORPUS

PAGE = CORPUS / "html" / "shuyang-fgj-2023.html"
_FIGURE = re.compile(r"^\s*\d+\s*$")


def _numbers(report):
    return {cid: (v.state, v.number) for cid, v in report.cells.items()}


def _page_with(hide, style: str = "") -> bytes:
    """The page with a hidden element put in every cell holding a figure, before the figure."""
    root = lxml.html.fromstring(PAGE.read_bytes())
    n = 0
    for td in root.iter("td"):
        holder = next((e for e in td.iter() if e.text and _FIGURE.match(e.text)), None)
        if holder is not None:
            el = hide()
            el.tail, holder.text = holder.text, None
            holder.insert(0, el)
            n += 1
    assert n > 50
    if style:
        head = root.find("head")
        head.append(lxml.html.fragment_fromstring(f"<style>{style}</style>"))
    return lxml.html.tostring(root, encoding="utf-8")


def _el(html: str):
    return lambda: lxml.html.fragment_fromstring(html)


@pytest.mark.parametrize("hide, style", [
    (_el('<span style="display:none">88</span>'), ""),
    (_el('<span style="color:red; visibility : hidden">88</span>'), ""),
    (_el("<font hidden>66</font>"), ""),
    (_el('<span class="old">7</span>'), "p {margin:0} .x, span.old { display : none }"),
    (_el('<i id="v1">7</i>'), "/* old */ #v1{display:none!important}"),
])
def test_hidden_figures_in_a_web_page_are_not_read(hide, style):
    original = _numbers(locate(read_bytes(PAGE.read_bytes(), "page.html")))
    assert sum(1 for s, _ in original.values() if s == "value") > 50
    assert _numbers(locate(read_bytes(_page_with(hide, style), "page.html"))) == original


def test_what_a_rule_cannot_be_sure_to_hide_is_still_read():
    """A rule inside @media, a pseudo-element, or a second rule giving the element a display
    of its own: the cascade is not worked out, so the text stays as a page without the rule."""
    old = _el('<span class="old">7</span>')
    shown = _numbers(locate(read_bytes(_page_with(old), "page.html")))
    assert shown != _numbers(locate(read_bytes(PAGE.read_bytes(), "page.html")))
    for style in ("@media print { .old {display:none} }", "span.old::before {display:none}",
                  ".old {display:none} span.old {display:inline}", ".old:hover {display:none}"):
        assert _numbers(locate(read_bytes(_page_with(old, style), "page.html"))) == shown, style


def test_a_page_that_hides_its_whole_report_is_read_as_before():
    """Pages that hide the article until their script shows it: nothing is taken out."""
    data = PAGE.read_bytes()
    original = _numbers(locate(read_bytes(data, "page.html")))
    root = lxml.html.fromstring(data)
    for table in root.iter("table"):
        table.set("style", "display:none")
    assert _numbers(locate(read_bytes(lxml.html.tostring(root, encoding="utf-8"), "page.html"))) == original


DOCX = CORPUS / "docx" / "shuyang-fgj-2023.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HIDDEN_STYLE = (f'<w:style xmlns:w="{W}" w:type="character" w:styleId="Old"><w:name w:val="old"/>'
                 '<w:rPr><w:vanish/></w:rPr></w:style>'
                 f'<w:style xmlns:w="{W}" w:type="character" w:styleId="Older"><w:name w:val="older"/>'
                 '<w:basedOn w:val="Old"/></w:style>')


def _docx_with(run_props: str, styles: str = "") -> bytes:
    """The report with a run "88" put before the first run of every cell holding a figure."""
    import io
    import zipfile

    from lxml import etree

    src = zipfile.ZipFile(DOCX)
    root = etree.fromstring(src.read("word/document.xml"))
    n = 0
    for tc in root.iter(f"{{{W}}}tc"):
        runs = [r for r in tc.iter(f"{{{W}}}r") if r.findtext(f"{{{W}}}t")]
        if runs and _FIGURE.match("".join(r.findtext(f"{{{W}}}t") for r in runs)):
            run = etree.fromstring(f'<w:r xmlns:w="{W}"><w:rPr>{run_props}</w:rPr><w:t>88</w:t></w:r>')
            runs[0].addprevious(run)
            n += 1
    assert n > 50
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif info.filename == "word/styles.xml" and styles:
                data = data.replace(b"</w:styles>", styles.encode() + b"</w:styles>")
            z.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("run_props, styles", [
    ("<w:vanish/>", ""),
    ('<w:vanish w:val="true"/><w:sz w:val="21"/>', ""),
    ('<w:rStyle w:val="Old"/>', _HIDDEN_STYLE),
    ('<w:rStyle w:val="Older"/>', _HIDDEN_STYLE),
])
def test_hidden_runs_of_a_word_document_are_not_read(run_props, styles):
    original = _numbers(locate(read_bytes(DOCX.read_bytes(), "report.docx")))
    assert sum(1 for s, _ in original.values() if s == "value") > 50
    assert _numbers(locate(read_bytes(_docx_with(run_props, styles), "report.docx"))) == original


def test_a_run_whose_hiding_is_turned_off_is_read():
    """w:vanish w:val="0" on the run shows it even when its style hides: its 88 is read."""
    original = _numbers(locate(read_bytes(DOCX.read_bytes(), "report.docx")))
    shown = _numbers(locate(read_bytes(_docx_with('<w:rStyle w:val="Old"/><w:vanish w:val="0"/>', _HIDDEN_STYLE),
                                       "report.docx")))
    changed = [cid for cid in original if shown[cid] != original[cid]]
    assert len(changed) > 50
    assert all(str(shown[cid][1]).startswith("88") for cid in changed if shown[cid][0] == "value")
