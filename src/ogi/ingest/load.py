"""From a path to a Report: size and type checks, decoding, the right reader, the
locator. Every failure is an IngestError with a code and a Chinese and English reason."""

from __future__ import annotations

import json
import os
from pathlib import Path

from charset_normalizer import from_bytes

from ..report import Report
from .document import Document
from .errors import IngestError
from .locate import is_report, locate
from .text import read_text

# Larger inputs are refused before reading: no annual report comes near this.
MAX_BYTES = int(os.environ.get("OGI_MAX_BYTES", str(100 * 1024 * 1024)))


_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
_OLE = b"\xd0\xcf\x11\xe0"


def decode_text(data: bytes) -> str:
    """Decode bytes of a text report: UTF-8 (with or without BOM), UTF-16 with BOM, the
    GB family (GB2312 ⊂ GBK ⊂ GB18030), else the detector's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise IngestError("decode_error", "无法识别文件的文字编码", "cannot determine the text encoding")
    return str(best)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(sample) * 0.05


def read_document(path: str | Path) -> Document:
    """Read a file into a Document, choosing the reader by content."""
    p = Path(path)
    try:
        if not p.exists():
            raise IngestError("not_found", f"文件不存在：{p}", f"no such file: {p}")
        if p.is_dir():
            raise IngestError("is_directory", f"这是一个目录，不是文件：{p}", f"is a directory: {p}")
        size = p.stat().st_size
        if size == 0:
            raise IngestError("empty", "文件为空（0 字节）", "the file is empty")
        if size > MAX_BYTES:
            raise IngestError(
                "too_large",
                f"文件过大（{size / 1048576:.0f} MB，上限 {MAX_BYTES / 1048576:.0f} MB），不像是一份年度报告",
                f"file too large ({size} bytes, limit {MAX_BYTES})",
            )
        data = p.read_bytes()
    except PermissionError:
        raise IngestError("unreadable", f"没有读取权限：{p}", f"permission denied: {p}") from None
    except OSError as e:
        raise IngestError("unreadable", f"无法读取文件：{e.strerror}", f"cannot read file: {e}") from None
    return read_bytes(data, str(path))


def read_bytes(data: bytes, name: str | None = None) -> Document:
    """Bytes → Document, the reader chosen by what the bytes are, not by the name."""
    if data.startswith(b"%PDF") or (b"%PDF-" in data[:1024] and _looks_binary(data)):
        from .pdf import read_pdf

        return read_pdf(data, name)
    if data.startswith(b"PK\x03\x04"):
        return _read_zip(data, name)
    if data.startswith(_OLE):
        from .docx import convert_legacy, read_docx

        suffix = Path(name).suffix.lower() if name else ".doc"
        if suffix in (".xls", ".et"):
            raise IngestError("unsupported_format", "旧版 Excel 文件（.xls）请另存为 .xlsx 后再读取",
                              "legacy .xls workbooks are not supported; save as .xlsx")
        return read_docx(convert_legacy(data, suffix if suffix in (".doc", ".wps") else ".doc"), name)
    if data.startswith(_IMAGE_MAGIC):
        from .ocr import read_image

        return read_image(data, name)
    if _looks_binary(data):
        raise IngestError("binary", "文件是无法识别的二进制数据，不是年度报告", "unrecognised binary data, not a report")
    from .html import declared_charset, looks_like_html, read_html

    if looks_like_html(data):
        charset = declared_charset(data)
        text = None
        if charset:
            try:
                text = data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                text = None  # the declaration lies: detect instead
        return read_html(text if text is not None else decode_text(data), name)
    text = decode_text(data)
    if not text.strip():
        raise IngestError("empty", "文件没有任何文字内容", "the file contains no text")
    return read_text(text, name)


def _read_zip(data: bytes, name: str | None) -> Document:
    from .docx import check_zip, read_docx

    names = set(check_zip(data).namelist())
    if "word/document.xml" in names:
        return read_docx(data, name)
    if "xl/workbook.xml" in names:
        from .xlsx import read_xlsx

        return read_xlsx(data, name)
    raise IngestError("unsupported_format", "压缩包中既不是 Word 文档也不是 Excel 工作簿，无法读取",
                      "a ZIP file that is neither DOCX nor XLSX")


def load_report(path: str | Path) -> Report:
    """A Report from any file ogi reads: a report document, or Report JSON."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        return _load_json(p)
    doc = read_document(p)
    report = locate(doc)
    if not is_report(report):
        raise IngestError(
            "not_a_report",
            "未识别到政府信息公开工作年度报告的章节或统计表，不是年度报告",
            "no sections or tables of an annual OGI report were found",
        )
    return report


def _load_json(p: Path) -> Report:
    try:
        raw = p.read_bytes()
        data = json.loads(decode_text(raw))
    except IngestError:
        raise
    except (OSError, ValueError) as e:
        raise IngestError("bad_json", f"JSON 文件无法解析：{e}", f"invalid JSON: {e}") from None
    # Accept `ogi parse --json` output (a list of results) as well as a bare Report.
    if isinstance(data, list):
        if len(data) != 1 or not isinstance(data[0], dict) or data[0].get("report") is None:
            raise IngestError("bad_json", "JSON 中应只包含一份报告", "the JSON must hold exactly one report")
        data = data[0]["report"]
    try:
        return Report.from_json(data, file=str(p))
    except (ValueError, KeyError, TypeError) as e:
        raise IngestError("bad_report", f"JSON 不是有效的报告数据：{e}", f"not a valid report: {e}") from None
