"""Hostile input files, built at test time (nothing large is committed): each case is a
file and what ogi must answer for it under the small limits of `TEST_LIMITS`, chosen so
that every case trips its limit in well under a second."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ogi.ingest.limits import Limits, MiB

from .conftest import CORPUS, SEED_2019, SEED_2020

TEST_LIMITS = Limits(
    file_bytes=8 * MiB, text_bytes=2 * MiB, pdf_pages=20, page_area=10_000_000, image_pixels=4_000_000,
    unzipped_bytes=8 * MiB, table_cells=20_000, document_cells=200_000, xlsx_rows=500, json_depth=32,
    memory_mb=3072, timeout_s=60,
)

# Answers a damaged or foreign file may get: each says what is wrong, none is an internal error.
REFUSALS = {"empty", "binary", "broken_pdf", "broken_file", "broken_image", "not_a_report", "decode_error",
            "bad_json", "bad_report", "not_docx", "unsupported_format", "scan_no_text", "needs_libreoffice",
            "zip_bomb", "too_large", "timeout"}


@dataclass
class Case:
    name: str  # the file name, with the extension the case needs
    data: bytes
    # The error code expected, or "ok" (read as a report), or None: any answer of REFUSALS or ok.
    code: str | None
    # Text the Chinese message must hold (the limit's name and the file's figure), if any.
    says: tuple[str, ...] = ()


def _pdf(pages: int = 1, size: tuple[float, float] = (595, 842)) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(*size)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _encrypted(data: bytes, user: str, owner: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    w.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return out.getvalue()


def _lying_zip(name: str, content: bytes, claimed: int) -> bytes:
    """A ZIP whose headers (local and central) claim `claimed` bytes for a member that
    inflates to len(content)."""
    data = bytearray(_zip({name: content}))
    real = len(content)
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        while at != -1:
            if struct.unpack_from("<I", data, at + offset)[0] == real:
                struct.pack_into("<I", data, at + offset, claimed)
            at = data.find(sig, at + 4)
    return bytes(data)


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str, prolog: str = "") -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>",
                 "word/document.xml": f'<?xml version="1.0"?>{prolog}<w:document {_W}><w:body>{body}</w:body></w:document>'
                 .encode()})


def _nested_tables(depth: int) -> str:
    inner = "<w:p><w:r><w:t>内容</w:t></w:r></w:p>"
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc><w:tc><w:p><w:r><w:t>0</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    return inner


def _png_header(width: int, height: int) -> bytes:
    """A PNG's signature and header for an image of that size, with a token of pixel data:
    enough to be opened, far from enough to decode — the size alone must stop reading."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def _xlsx(rows: int) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    for r in range(rows):
        ws.write_row(r, 0, ["行政许可", r, 0])
    wb.close()
    return out.getvalue()


def _spans(rows: int, per_row: int, span: int) -> bytes:
    cells = f'<td rowspan="{span}" colspan="{span}">1</td>' * per_row
    return ("<html><body><p>政府信息公开工作年度报告</p><table>" + f"<tr>{cells}</tr>" * rows + "</table></body></html>").encode()


def seed_with(value: str) -> bytes:
    """The 2019 seed with one count (表三, a line of its own) printed as `value`."""
    lines = SEED_2019.read_text(encoding="utf-8").split("\n")
    lines[180] = "\t" + value
    return "\n".join(lines).encode("utf-8")


def _cut_inside_character(data: bytes) -> bytes:
    """The bytes up to the middle of a multi-byte UTF-8 character, two thirds in."""
    at = len(data) * 2 // 3
    while data[at] < 0xC0:  # move to the first byte of a character of 2+ bytes …
        at += 1
    return data[: at + 1]  # … and keep only that first byte


def corpus_files() -> list[Path]:
    return [p for p in sorted(CORPUS.glob("*/*")) if p.is_file() and p.parent.name != "templates"]


def cases() -> list[Case]:
    seed = SEED_2020.read_text(encoding="utf-8")
    out = [
        # PDF: a page of 14400 pt square (5 m), more pages than the limit, passwords.
        Case("huge-page.pdf", _pdf(1, (14400, 14400)), "too_large", ("page_area", "14400×14400")),
        Case("many-pages.pdf", _pdf(30), "too_large", ("pdf_pages", "30 页")),
        Case("encrypted.pdf", _encrypted((CORPUS / "pdf" / "hongze-gov-2023.pdf").read_bytes(), "secret", "owner"),
             "encrypted", ("加密",)),
        # Only an owner password (printing, copying restricted): no password is needed to read it.
        Case("owner-password.pdf", _encrypted((CORPUS / "pdf" / "hongze-gov-2023.pdf").read_bytes(), "", "owner"), "ok"),
        # Images: sizes read from the header, before any pixel is decoded.
        Case("huge.png", _png_header(20000, 20000), "too_large", ("图片过大", "20000×20000", "image_pixels")),
        Case("big.png", _png_header(9000, 9000), "too_large", ("9000×9000",)),
        # Containers: bytes counted while inflating.
        Case("bomb.docx", _zip({"word/document.xml": b"<" * (20 * MiB)}), "zip_bomb", ("unzipped_bytes",)),
        Case("lying.docx", _lying_zip("word/document.xml", b"\0" * (20 * MiB), 2048), "broken_file"),
        Case("traversal.docx", _zip({"word/document.xml": b"<w:document/>", "../../etc/cron.d/x": b"* * * * *"}),
             "bad_archive", ("包外",)),
        Case("xxe.docx", _docx("<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>",
                               '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), None),
        Case("nested-tables.docx", _docx(_nested_tables(60)), None),
        Case("rows.xlsx", _xlsx(600), "too_large", ("xlsx_rows", "500")),
        # Tables: the grid after rowspan/colspan, counted before it is built.
        Case("spans.html", _spans(60, 30, 100), "too_large", ("table_cells",)),
        # Text and JSON.
        Case("big.txt", seed.encode("utf-8") * 600, "too_large", ("text_bytes",)),
        Case("deep.json", b"[" * 100_000 + b"]" * 100_000, "too_large", ("json_depth",)),
        Case("mistyped.json", b'{"edition": "2019", "agency": 5, "year": 2019, "issued_on": null, "kind": null,'
             b' "sections": {}, "cells": []}', "bad_report", ("agency",)),
        # Encodings that are text, not binary.
        Case("utf16le-bom.txt", seed.encode("utf-16"), "ok"),
        Case("utf16be.txt", seed.encode("utf-16-be"), "ok"),
        Case("utf16le.txt", seed.encode("utf-16-le"), "ok"),
        Case("utf32le-bom.txt", seed.encode("utf-32"), "ok"),
        Case("utf32be.txt", seed.encode("utf-32-be"), "ok"),
        Case("cut.html", _cut_inside_character((CORPUS / "html" / "shuyang-fgj-2023.html").read_bytes()), "ok"),
        Case("cut.txt", _cut_inside_character(seed.encode("utf-8")), "ok"),
    ]
    rnd = random.Random(10)
    for ext in ("pdf", "docx", "xlsx", "doc", "html", "htm", "txt", "md", "png", "jpg", "json"):
        out.append(Case(f"garbage.{ext}", bytes(rnd.randrange(256) for _ in range(4096)), None))
        out.append(Case(f"empty.{ext}", b"", "empty"))
    for src in corpus_files():
        data = src.read_bytes()
        for share in (10, 50, 90):
            out.append(Case(f"cut{share}-{src.name}", data[: len(data) * share // 100], None))
    return out


def write(cases: list[Case], folder: Path) -> list[Path]:
    paths = []
    for c in cases:
        p = folder / c.name
        p.write_bytes(c.data)
        paths.append(p)
    return paths


