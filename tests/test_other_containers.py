"""Reports published in containers other than DOCX/HTML/PDF, as agencies' sites carry them: an
RTF document (often named .doc), an OpenDocument text (.odt), a web page saved as one file
(.mht, Word's 单个文件网页, quoted-printable in GB2312 or base64). Each made at test time from
a report of the development corpus and read whole; an OpenDocument spreadsheet is refused
with what to do."""

from __future__ import annotations

import base64
import quopri
import shutil
import zipfile
from io import BytesIO

import pytest

from ogi import office
from ogi.ingest.errors import IngestError
from ogi.ingest.load import container_zh, load_report, read_bytes, slow_to_read
from ogi.ingest.locate import locate

from .conftest import CORPUS

SOURCE = CORPUS / "docx" / "shuyang-fgj-2023.docx"
needs_office = pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                                  reason="LibreOffice not installed")


def _same(source, got) -> None:
    differ = [c for c, v in source.cells.items() if (got.cells[c].state, got.cells[c].value) != (v.state, v.value)]
    assert differ == []
    assert (got.agency, got.year) == (source.agency, source.year)
    assert [h.section for h in got.headings] == [h.section for h in source.headings]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, bytes]:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice not installed")
    tmp = tmp_path_factory.mktemp("containers")
    shutil.copy(SOURCE, tmp / "report.docx")
    office.convert([tmp / "report.docx"], "rtf", tmp)
    office.convert([tmp / "report.docx"], "odt", tmp)
    return {fmt: (tmp / f"report.{fmt}").read_bytes() for fmt in ("rtf", "odt")}


@needs_office
@pytest.mark.parametrize(("fmt", "name", "said"), [("rtf", "附件1.doc", "RTF 文档"), ("odt", "report.odt", "OpenDocument 文档")])
def test_rtf_and_opendocument_are_read_whole(converted, fmt, name, said):
    data = converted[fmt]
    assert container_zh(data) == said and slow_to_read(data[:1024])
    _same(load_report(SOURCE), locate(read_bytes(data, name)))


def _mht(html: str, charset: str, encoding: str) -> bytes:
    body = html.replace("charset=utf-8", f"charset={charset}").encode("gb18030" if charset == "gb2312" else charset)
    payload = quopri.encodestring(body) if encoding == "quoted-printable" else base64.encodebytes(body)
    return (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01DA"\r\n\r\n'
            b"This document is a Single File Web Page, also known as a Web Archive file.\r\n\r\n"
            b"------=_NextPart_01DA\r\nContent-Location: file:///C:/report.htm\r\n"
            + f"Content-Transfer-Encoding: {encoding}\r\nContent-Type: text/html; charset=\"{charset}\"\r\n\r\n".encode()
            + payload + b"\r\n------=_NextPart_01DA\r\nContent-Location: file:///C:/report.files/image001.gif\r\n"
            b"Content-Transfer-Encoding: base64\r\nContent-Type: image/gif\r\n\r\nR0lGODlhAQABAAAAACw=\r\n"
            b"------=_NextPart_01DA--\r\n")


@pytest.mark.parametrize(("charset", "encoding"), [("gb2312", "quoted-printable"), ("utf-8", "base64")])
def test_a_web_page_saved_as_one_file_is_read_as_its_page(charset, encoding):
    html = (CORPUS / "html" / "shuyang-fgj-2023.html").read_text(encoding="utf-8")
    source = locate(read_bytes(html.encode(), "page.html"))
    got = locate(read_bytes(_mht(html, charset, encoding), "报告.mht"))
    _same(source, got)
    assert got.title == source.title


def test_mail_text_is_not_taken_for_a_saved_page():
    """Text that begins like mail headers but is no multipart/related message stays text."""
    text = "Subject: 2023年政府信息公开工作年度报告\n\n一、总体情况\n正文\n".encode()
    assert read_bytes(text, "x.txt").kind == "text"


def test_an_opendocument_spreadsheet_is_refused_with_what_to_do():
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(IngestError) as e:
        read_bytes(buf.getvalue(), "填报表.ods")
    assert e.value.code == "unsupported_format" and "另存为 .xlsx" in e.value.message_zh


def test_without_libreoffice_an_rtf_named_doc_says_what_it_is(monkeypatch):
    """Not 不是年度报告, as its control words read as text made it: what the file is and what
    reading it needs."""
    data = rb"{\rtf1\ansi\ansicpg936 {\fonttbl{\f0 SimSun;}} \f0 2023\'c4\'ea}"
    monkeypatch.setattr(office.shutil, "which", lambda _: None)
    with pytest.raises(IngestError) as e:
        read_bytes(data, "附件.doc")
    assert e.value.code == "needs_libreoffice" and "RTF" in e.value.message_zh


def test_a_saved_page_of_thousands_of_parts_is_refused_before_it_is_parsed():
    """Python's MIME parser takes seconds a thousand parts: 200 000 empty ones took 41 s."""
    parts = b"".join(b"--q\r\nContent-Type: image/gif\r\n\r\nR0lGODlh\r\n" for _ in range(5000))
    data = b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="q"\r\n\r\n' + parts + b"--q--\r\n"
    with pytest.raises(IngestError) as e:
        read_bytes(data, "报告.mht")
    assert e.value.code == "too_complex" and "5001 个" in e.value.message_zh


def test_an_rtf_nesting_its_groups_deeper_than_json_may_is_no_json(monkeypatch):
    """An RTF opens with a brace, as JSON does: nesting 40 groups, it was refused as JSON 嵌套过深."""
    from ogi.ingest.load import is_json

    data = rb"{\rtf1\ansi" + b"{" * 40 + b"x" + b"}" * 40 + b"}"
    assert not is_json(data, "附件.doc")
    monkeypatch.setattr(office.shutil, "which", lambda _: None)
    with pytest.raises(IngestError) as e:
        read_bytes(data, "附件.doc")
    assert e.value.code == "needs_libreoffice"
