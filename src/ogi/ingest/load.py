"""From a path to a Report: size and type checks, decoding, the right reader, the
locator. Every failure is an IngestError with a code and a Chinese and English reason."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fileio import os_reason, read_at_most
from ..report import Report

if TYPE_CHECKING:
    from ..editions import Edition
from . import limits as _limits
from .document import Document
from .errors import IngestError
from .locate import locate, why_not_report
from .text import read_text

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
_OLE = b"\xd0\xcf\x11\xe0"
_RTF = b"{\\rtf"
# An OpenDocument file names its kind in its first entry, stored uncompressed: "mimetype".
_ODF = b"mimetypeapplication/vnd.oasis.opendocument."


def _is_rtf(data: bytes) -> bool:
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(_RTF)


def _odf_kind(data: bytes) -> bytes | None:
    """b"text", b"spreadsheet" …: the kind an OpenDocument file names in its first entry."""
    if data[30:30 + len(_ODF)] != _ODF:
        return None
    return data[30 + len(_ODF):30 + len(_ODF) + 12]
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def wide_encoding(data: bytes) -> str | None:
    """UTF-16/UTF-32, told by their BOM or, without one, by where the NUL bytes fall: in
    UTF-32 two or three bytes of every four (all characters of a report are in the BMP);
    in UTF-16 the second byte of every ASCII character (digits, spaces, line ends — a
    report has many), at one parity only. Asked before the binary test (NULs are not
    binary here); a guess whose text would be mostly control characters is no guess."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    sample = data[:4096]
    n = len(sample) - len(sample) % 4
    if n < 8 or b"\x00" not in sample:
        return None
    quads = n // 4
    share = [sum(sample[i] == 0 for i in range(k, n, 4)) / quads for k in range(4)]
    guess = None
    if share[2] > 0.9 and share[3] > 0.9 and share[0] < 0.5:
        guess = "utf-32-le"
    elif share[0] > 0.9 and share[1] > 0.9 and share[3] < 0.5:
        guess = "utf-32-be"
    else:
        even = (share[0] + share[2]) / 2
        odd = (share[1] + share[3]) / 2
        if odd >= 0.05 and odd >= 4 * even:
            guess = "utf-16-le"
        elif even >= 0.05 and even >= 4 * odd:
            guess = "utf-16-be"
    if guess is None:
        return None
    text = sample[:n].decode(guess, errors="replace")
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return guess if controls <= 0.05 * len(text) else None


def _decode_wide(data: bytes, enc: str) -> str:
    """UTF-16/32; cut inside its last character (an odd length, half a surrogate pair),
    decoded up to the cut (a `Truncated` str)."""
    bom = next((len(b) for b, e in _BOMS if e == enc and data.startswith(b)), 0)
    try:
        return data[bom:].decode(enc, errors="strict")
    except UnicodeDecodeError:
        text = _cut_decode(data[bom:], enc, 7)
        if text is None:
            raise
        text.at += bom
        return text


def _cut_decode(data: bytes, enc: str, back: int) -> Truncated | None:
    """The text of `data` cut inside its last character (at most `back` bytes of it), in
    an encoding whose characters are several bytes long: None when no shorter prefix
    decodes either (the bytes are not in that encoding)."""
    for k in range(1, min(back, len(data) - 1) + 1):
        try:
            text = Truncated(data[:-k].decode(enc))
        except UnicodeDecodeError:
            continue
        text.at = len(data) - k
        return text
    return None


class Truncated(str):
    """Decoded text of a file cut inside a character: read up to the cut (`at`: the byte)."""

    at: int


def _utf8_cut(data: bytes) -> int | None:
    """Where valid UTF-8 ends, when all that follows is an incomplete last character
    (a download or copy cut short): the text up to there is the file."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data" or (e.end >= len(data) - 3 and e.start >= len(data) - 3):
            return e.start
        return None


def decode_text(data: bytes) -> str:
    """Decode bytes of a text report: UTF-8 (with or without BOM), UTF-16/32 (with or
    without BOM), the GB family (GB2312 ⊂ GBK ⊂ GB18030), else the detector's best guess.
    UTF-8 cut inside its last character is decoded up to the cut (a `Truncated` str)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    wide = wide_encoding(data)
    if wide:
        try:
            return _decode_wide(data, wide)
        except UnicodeDecodeError:
            pass  # NULs by chance: the other decoders decide
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    cut = _utf8_cut(data)
    if cut is not None and cut > 0:
        text = Truncated(data[:cut].decode("utf-8"))
        text.at = cut
        return text
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    cut_gb = _cut_decode(data, "gb18030", 3)  # a GB18030 character is at most 4 bytes
    if cut_gb is not None:
        return cut_gb
    from charset_normalizer import from_bytes  # only for what is neither UTF-8 nor GB18030

    best = from_bytes(data).best()
    if best is None:
        raise IngestError("decode_error", "无法识别文件的文字编码", "cannot determine the text encoding")
    return str(best)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    # GB2312 and GBK pages routinely contain characters only GB18030 (their superset) names.
    if name in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936"):
        return "gb18030"
    return name


def looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head or (
        b"<table" in data[:200000].lower() and b"</" in head)


# Every byte but the control characters text does not use (tab, newlines, form feed, escape are text).
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls > len(sample) * 0.05


def _check_text_size(data: bytes) -> None:
    lim = _limits.current()
    if len(data) > lim.text_bytes:
        raise _limits.exceeded("text_bytes", "文本过大", _limits.mb(len(data)), _limits.mb(lim.text_bytes),
                               len(data), lim.text_bytes)


def _truncation_notice(text: str, size: int) -> dict[str, str] | None:
    if not isinstance(text, Truncated):
        return None
    return {"code": "truncated",
            "message_zh": f"文件在第 {text.at} 字节处（共 {size} 字节）截断于一个字符中间，只读取了截断之前的内容",
            "message_en": f"the file is cut inside a character at byte {text.at} of {size}; read up to the cut"}


def read_document(path: str | Path) -> Document:
    """Read a file into a Document, choosing the reader by content."""
    return read_bytes(file_bytes(Path(path)), str(path))


def file_bytes(p: Path) -> bytes:
    """The bytes of a file, after checking it is one, not empty and within the size limit."""
    try:
        if not p.exists():
            raise IngestError("not_found", f"文件不存在：{p}", f"no such file: {p}")
        if p.is_dir():
            raise IngestError("is_directory", f"这是一个目录，不是文件：{p}", f"is a directory: {p}")
        if not p.is_file():  # a pipe or a device: reading it blocks, or never ends
            raise IngestError("not_a_file", f"不是普通文件（可能是管道或设备）：{p}", f"not a regular file: {p}")
        size = p.stat().st_size
        if size == 0:
            raise IngestError("empty", "文件为空（0 字节）", "the file is empty")
        limit = _limits.current().file_bytes
        if size > limit:
            raise _limits.exceeded("file_bytes", "文件过大，不像是一份年度报告", _limits.mb(size), _limits.mb(limit),
                                   size, limit)
        with p.open("rb") as f:
            data = read_at_most(f, size, limit)  # a file that grows while it is read is still cut at the limit
        if len(data) > limit:
            raise _limits.exceeded("file_bytes", "文件过大，不像是一份年度报告", f"超过 {_limits.mb(limit)}",
                                   _limits.mb(limit), f"> {limit}", limit)
        return data
    except PermissionError:
        raise IngestError("unreadable", f"没有读取权限：{p}", f"permission denied: {p}") from None
    except OSError as e:
        raise IngestError("unreadable", f"无法读取文件：{os_reason(e)}", f"cannot read file: {e}") from None


def container_zh(data: bytes) -> str | None:
    """What a file that is no text is, in words a user knows ("PDF 文件"), told by its first
    bytes; None for text and for what is not recognised. For a refusal that names what was
    given, not a failure of the reader that was not meant for it."""
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    if head.startswith(_OLE):
        return "旧版 Office 文件（.xls 或 .doc）"
    if head.startswith(_IMAGE_MAGIC):
        return "图片"
    if _is_rtf(data):
        return "RTF 文档"
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        return "可执行程序"
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())  # the directory only: nothing inflated
        except (zipfile.BadZipFile, ValueError, OSError):
            return "损坏的压缩包"
        if _odf_kind(data) is not None:
            return "OpenDocument 文档"
        return "Word 文档" if "word/document.xml" in names else "Excel 工作簿" if "xl/workbook.xml" in names else "压缩包"
    return None


def slow_to_read(head: bytes) -> bool:
    """Whether a file beginning with `head` (its first KiB is enough) goes to a reader that
    may take long whatever its size: a PDF or an image (OCR), a legacy Word, RTF or
    OpenDocument file (converted by LibreOffice)."""
    return head.startswith((b"%PDF", _OLE, *_IMAGE_MAGIC)) or b"%PDF-" in head[:1024] \
        or _is_rtf(head) or _odf_kind(head) is not None


def read_bytes(data: bytes, name: str | None = None) -> Document:
    """Bytes → Document, the reader chosen by what the bytes are, not by the name."""
    with _limits.one_file():
        return _read_bytes(data, name)


def _read_bytes(data: bytes, name: str | None) -> Document:
    _not_empty(data)
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
    if _is_rtf(data):
        from .docx import convert_legacy, read_docx

        return read_docx(convert_legacy(data, ".rtf", "RTF 格式的文档（常见于名为 .doc 的附件）"), name)
    if _is_mime_html(data):
        return _read_mht(data, name)
    wide = wide_encoding(data)
    if wide is None and _looks_binary(data):
        raise IngestError("binary", "文件是无法识别的二进制数据，不是年度报告", "unrecognised binary data, not a report")
    _check_text_size(data)

    if wide is not None:
        try:
            data_text: str | None = _decode_wide(data, wide)
        except UnicodeDecodeError:
            raise IngestError("decode_error", f"文件看似 {wide.upper()} 编码，但其中有无法解码的字节",
                              f"looks like {wide} but does not decode") from None
    else:
        data_text = None
    if data_text is not None and looks_like_html(data_text.encode("utf-8")[:200000]):
        from .html import read_html

        doc = read_html(data_text, name)
    elif data_text is None and looks_like_html(data):
        charset = declared_charset(data)
        text = None
        if charset:
            try:
                text = data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                text = None  # the declaration lies (or the file is cut): detect instead
        text = text if text is not None else decode_text(data)
        from .html import read_html

        doc = read_html(text, name)
        doc.notices += [n for n in [_truncation_notice(text, len(data))] if n]
    else:
        text = data_text if data_text is not None else decode_text(data)
        if not text.strip():
            raise IngestError("empty", "文件没有任何文字内容", "the file contains no text")
        doc = read_text(text, name)
        doc.notices += [n for n in [_truncation_notice(text, len(data))] if n]
    return doc


_MIME_HEAD = re.compile(rb"^(?:[A-Za-z-]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*){0,30}?content-type:\s*multipart/related",
                        re.I)


_MIME_PARTS = 2000
_MIME_HEADER_BYTES = 16384


def _is_mime_html(data: bytes) -> bool:
    """A web page saved as one file (.mht/.mhtml: Word's and browsers' 单个文件网页): a MIME
    message whose headers say multipart/related."""
    head = data[:4096]
    return head[:1].isalpha() and b"multipart/related" in head.lower() and _MIME_HEAD.match(head) is not None


def _read_mht(data: bytes, name: str | None) -> Document:
    import email
    from email import policy

    from .html import read_html

    # Python's MIME parser takes seconds a thousand parts: a page saved with its images has
    # tens of them; 200 000 empty ones took 41 s.
    head = email.message_from_bytes(data[:_MIME_HEADER_BYTES].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0],
                                    policy=policy.default)
    boundary = head.get_boundary()
    parts = data.count(b"--" + boundary.encode("latin-1", "replace")) if boundary else 0
    if parts > _MIME_PARTS:
        raise IngestError("too_complex", f"单个文件网页（.mht）包含的部分过多（{parts} 个，上限 {_MIME_PARTS} 个），无法读取",
                          f"a MIME HTML file of {parts} parts (at most {_MIME_PARTS})")
    msg = email.message_from_bytes(data, policy=policy.default)
    part = next((p for p in msg.walk() if p.get_content_type() == "text/html"), None)
    if part is None:
        raise IngestError("unsupported_format", "单个文件网页（.mht）中没有网页内容，无法读取",
                          "a MIME HTML file with no text/html part")
    body = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or declared_charset(body)
    text = None
    if charset:
        try:
            text = body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            text = None
    # The pictures the page shows, by the address it names them with (a table may be one).
    parts: dict[str, bytes] = {}
    for p in msg.walk():
        if p.get_content_maintype() != "image":
            continue
        try:
            payload = p.get_payload(decode=True)
        except Exception:  # a part broken in its own encoding: the page is read without it
            continue
        if not isinstance(payload, bytes):
            continue
        location = (p.get("Content-Location") or "").strip()
        if location:
            parts[location] = payload
            parts.setdefault(location.split("/")[-1], payload)
        cid = (p.get("Content-ID") or "").strip().strip("<>")
        if cid:
            parts[f"cid:{cid}"] = payload
    return read_html(text if text is not None else decode_text(body), name, parts)


def _read_zip(data: bytes, name: str | None) -> Document:
    import zipfile

    from .docx import read_docx, safe_zip

    data = safe_zip(data)
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    if "word/document.xml" in names:
        return read_docx(data, name)
    if "xl/workbook.xml" in names:
        from .xlsx import read_xlsx

        return read_xlsx(data, name)
    kind = _odf_kind(data)  # LibreOffice's and 永中/中标's own format
    if kind is not None:
        from .docx import convert_legacy, read_docx

        if kind.startswith(b"text"):
            return read_docx(convert_legacy(data, ".odt", "OpenDocument 文档（.odt）"), name)
        if kind.startswith(b"spreadsheet"):
            raise IngestError("unsupported_format", "OpenDocument 表格（.ods）请另存为 .xlsx 后再读取",
                              "OpenDocument spreadsheets are not supported; save as .xlsx")
    raise IngestError("unsupported_format", "压缩包中既不是 Word 文档也不是 Excel 工作簿，无法读取",
                      "a ZIP file that is neither DOCX nor XLSX")


def load_report(path: str | Path) -> Report:
    """A Report from any file ogi reads: a report document, or Report JSON."""
    p = Path(path)
    return report_from_bytes(file_bytes(p), str(p))


def report_from_bytes(data: bytes, name: str | None = None) -> Report:
    """A Report from a file's bytes, whether it came from a disk or an upload: Report JSON
    (told by what the bytes are, as every reader is), or a report document located."""
    if is_json(data, name):
        return report_json(data, name)
    doc = read_bytes(data, name)
    report = locate(doc)
    why = why_not_report(report, doc)
    if why is not None:
        raise IngestError("not_a_report", *why)
    return report


_JSON_NAMES = (".json", ".jsonl", ".ndjson")


def is_json(data: bytes, name: str | None) -> bool:
    """Named as JSON, or opening as JSON does ({ or [, after a byte-order mark and blanks, in
    any encoding the text reader takes) and read as JSON whole — or as JSON Lines, two lines
    and more each an object: a crawler's text may open with [首页], or a line [1], and is no JSON."""
    if name and Path(name).suffix.lower() in _JSON_NAMES:
        return True
    if data.startswith((b"%PDF", b"PK\x03\x04", _OLE, *_IMAGE_MAGIC)):
        return False  # (a container says what it is: never decoded whole as text here)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] not in (b"{", b"[") and wide_encoding(data[:4096]) is None:
        return False
    if _is_rtf(head):
        return False  # an RTF document opens with a brace too, and nests its groups deep
    lim = _limits.current()
    if len(data) > lim.text_bytes:
        return False  # (the text reader refuses it, with its size)
    text = decode_text(data)
    if text.lstrip("\ufeff \t\r\n")[:1] not in ("{", "["):
        return False
    if json_depth(text, lim.json_depth) > lim.json_depth:
        return True  # JSON, too deep to parse: refused as such
    try:
        json.loads(text, parse_int=_big_int)
    except (ValueError, RecursionError):
        return _is_json_lines(text)
    return True


def _is_json_lines(text: str | bytes) -> bool:
    """Two lines and more, each a JSON object (what ogi synth and crawlers write)."""
    if isinstance(text, bytes):
        text = decode_text(text)
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()][:3]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(line, parse_int=_big_int), dict) for line in lines)
    except (ValueError, RecursionError):
        return False


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str, limit: int) -> int:
    """How deep the JSON text nests (objects and arrays), counted without parsing it — the
    parser recurses once per level — and given up as soon as it passes `limit`."""
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if m.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        else:
            depth -= 1
    return deepest


def _big_int(digits: str) -> int | Decimal:
    # Python refuses int() of more than 4300 digits; such a figure is kept as what it is.
    return int(digits) if len(digits) < 4000 else Decimal(digits)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number in JSON")


def _schema_validator() -> Any:
    from ..editions import all_editions

    return _validator_for(tuple(all_editions()))


@cache
def _validator_for(editions: tuple[Edition, ...]) -> Any:
    """The published schema, its edition ids, section keys and table keys widened to the
    editions installed (a format added as a file is accepted like the two shipped)."""
    from importlib import resources

    import jsonschema

    schema = json.loads(resources.files("ogi").joinpath("data/report.schema.json").read_text(encoding="utf-8"))
    props = schema["properties"]
    props["edition"]["enum"] = [*(e.id for e in editions), None]
    keys = list(dict.fromkeys(s.key for e in editions for s in e.sections))
    sections = props["sections"]
    sections["properties"] = {k: {"type": ["string", "null"]} for k in keys}
    sections["required"] = [k for k in keys if all(k in {s.key for s in e.sections} for e in editions)]
    props["headings"]["items"]["properties"]["section"]["enum"] = keys
    tables = "|".join(sorted({re.escape(t.key) for e in editions for t in e.tables}))
    props["cells"]["propertyNames"]["pattern"] = rf"^({tables})\.[a-z_.]+$"
    return jsonschema.Draft202012Validator(schema)


_SCHEMA_ZH = {"type": "类型不对", "required": "缺少必需的项", "enum": "取值不在允许的范围内",
              "minimum": "数值过小", "maximum": "数值过大", "format": "格式不对", "const": "取值不对",
              "additionalProperties": "有不允许的项"}


def validate_report_json(data: Any) -> None:
    """Check Report JSON against docs/report.schema.json; the error names the first place wrong."""
    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: [str(x) for x in e.absolute_path])
    if not errors:
        return
    e = errors[0]
    path = "/".join(str(x) for x in e.absolute_path)
    place_zh, place_en = (f"{path} 处", f"at {path}") if path else ("最外层", "at the top level")
    raise IngestError("bad_report", f"JSON 不是有效的报告数据：{place_zh}{_SCHEMA_ZH.get(str(e.validator), '不符合格式')}"
                      f"（{e.message[:200]}）", f"not a valid report {place_en}: {e.message[:300]}")


def _not_empty(data: bytes) -> None:
    if not data:
        raise IngestError("empty", "文件为空（0 字节）", "the file is empty")


def report_json(raw: bytes, name: str | None) -> Report:
    _not_empty(raw)
    lim = _limits.current()
    if len(raw) > lim.text_bytes:
        raise _limits.exceeded("text_bytes", "JSON 文件过大", _limits.mb(len(raw)), _limits.mb(lim.text_bytes),
                               len(raw), lim.text_bytes)
    text = decode_text(raw)
    depth = json_depth(text, lim.json_depth)
    if depth > lim.json_depth:
        raise _limits.exceeded("json_depth", "JSON 嵌套过深", f"超过 {lim.json_depth} 层", f"{lim.json_depth} 层",
                               f"> {lim.json_depth}", lim.json_depth)
    try:
        data = json.loads(text, parse_int=_big_int, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" and _is_json_lines(raw):
            raise IngestError("bad_json", "这是 JSON Lines 文件（每行一份数据），不是一份报告；请把其中的报告逐份保存为 JSON 文件再读取",
                              "a JSON Lines file (one record a line), not one report: save each report as its own JSON file") from None
        raise IngestError("bad_json", f"JSON 文件无法解析：第 {e.lineno} 行第 {e.colno} 列附近有误",
                          f"invalid JSON: {e}") from None
    except (ValueError, RecursionError) as e:
        raise IngestError("bad_json", "JSON 文件无法解析", f"invalid JSON: {e}") from None
    # Accept `ogi parse --json` output (a list of results) as well as a bare Report.
    if isinstance(data, list):
        if len(data) != 1 or not isinstance(data[0], dict) or not isinstance(data[0].get("report"), dict):
            raise IngestError("bad_json", "JSON 中应只包含一份报告", "the JSON must hold exactly one report")
        data = data[0]["report"]
    validate_report_json(data)
    try:
        return Report.from_json(data, file=name)
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as e:
        # (The values passed the schema's types; what is left is a value no day or figure has,
        # such as 2026-02-30.)
        raise IngestError("bad_report", "JSON 不是有效的报告数据：其中有不存在的日期或无法使用的数值（如 2 月 30 日）",
                          f"not a valid report: {e}") from None
