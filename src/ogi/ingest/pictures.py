"""Tables printed as pictures inside a web page, a Word document or a PDF with a text layer:
a table pasted as a screenshot is how many a page's 表三 survives a content system that
breaks tables. When a table of the report is not found in the text, the pictures the file
holds (a web page's data: addresses, the parts of a page saved as one file, a document's
media, a PDF page's images) are read by OCR where they stand, their figures checked by the
identities as a scan's are; a picture the page only links to cannot be read, and is
counted, so that a table not found is said to be perhaps in one. (Only then: a seal or a
logo read by OCR in every file would cost seconds a file for nothing.)"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .document import Block, Cell, Paragraph, Table

# Pictures read by OCR in one file (each takes seconds): a page of more is read up to them.
MAX_PICTURES = 8
# Smaller than this (pixels) is an icon, a bullet, a logo's strip: no table.
MIN_WIDTH, MIN_HEIGHT = 240, 80
_DATA_URI = re.compile(r"data:image/[a-z0-9.+-]+;base64,(.*)", re.I | re.S)
# The formats a picture is opened as, whatever it says it is: PIL would hand an EPS to
# Ghostscript, a program run on a page's say-so.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")


@dataclass
class Picture:
    at: int  # the index of the block it stands before
    name: str  # its address or part name
    data: bytes | None  # the image file; None: only linked to, or drawn (below)
    # A PDF's picture: its region of the page drawn (RGB pixels), and their size.
    draw: Callable[[], Any] | None = None
    size: tuple[int, int] | None = None
    # Only linked to, by a page: counted when a table is not found (a page's logo is not).
    linked: bool = False


@dataclass
class Read:
    blocks: list[Block]
    pages: Any  # reread.Pages of the pictures read, or None
    read: int  # pictures whose tables were read
    unread: int  # pictures large enough to hold a table that could not be read (linked, broken, too many)


def may_hold_pictures(data: bytes) -> bool:
    """Whether a file may hold pictures to read by OCR (seconds each): a page with inline
    pictures or saved as one file with its images, a Word document with media. Told from
    the bytes without reading the file."""
    if data.startswith(b"PK\x03\x04"):
        return b"word/media/" in data
    return b"data:image" in data or (b"MIME-Version" in data[:4096] and b"image/" in data)


def data_uri(src: str) -> bytes | None:
    """The bytes of an image given inline (data:image/png;base64,…), else None."""
    m = _DATA_URI.match(src.strip())
    if m is None:
        return None
    try:
        return base64.b64decode("".join(m.group(1).split()), validate=False)
    except (binascii.Error, ValueError):
        return None


def splice(blocks: list[Block], pictures: list[Picture], pages: Any = None) -> Read:
    """`blocks` with the tables of the pictures read where each stands. A picture that holds
    no table (a photo, a seal, a banner) adds nothing. Each picture read is kept in `pages`
    (a scan's pages, or new ones) for second readings."""
    from .reread import Pages

    pages = pages if pages is not None else Pages()
    inserts: list[tuple[int, list[Block]]] = []
    read = unread = 0
    for k, pic in enumerate(pictures, start=1):
        if pic.data is None and pic.draw is None:
            unread += pic.linked
            continue
        found = _ocr(pic, k, pages) if read < MAX_PICTURES else None
        if found is None:
            unread += _large(pic) is not None
            continue
        if found:
            read += 1
            inserts.append((pic.at, found))
    if not inserts:
        return Read(blocks, None, 0, unread)
    out = list(blocks)
    for at, found in sorted(inserts, key=lambda x: x[0], reverse=True):
        out[at:at] = found
    return Read(out, pages, read, unread)


def _large(pic: Picture) -> tuple[int, int] | None:
    """The picture's size in pixels when it is large enough to hold a table, else None."""
    size = pic.size or (_size(pic.data) if pic.data is not None else None)
    return size if size is not None and size[0] >= MIN_WIDTH and size[1] >= MIN_HEIGHT else None


def _size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # the header only: the limit is checked with the figures to say
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as img:
            return img.size
    except Exception:  # not an image PIL reads: nothing to say of it
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _ocr(pic: Picture, k: int, pages: Any) -> list[Block] | None:
    """The blocks of picture k when it holds a table ([] when it holds none), None when it
    cannot be read (broken, too large, too small to be a table's)."""
    import numpy as np
    from PIL import Image

    from .errors import IngestError
    from .limits import current
    from .ocr import ocr_image

    size = _large(pic)
    if size is None:
        return None
    if size[0] * size[1] > current().image_pixels:
        return None  # one picture past the limit does not cost the page its text
    try:
        if pic.draw is not None:
            arr = np.asarray(pic.draw())
        else:
            with Image.open(io.BytesIO(pic.data or b""), formats=FORMATS) as img:
                arr = np.asarray(img.convert("RGB"))
    except MemoryError:
        raise
    except Exception:
        return None
    key = ("picture", k)
    try:
        blocks = ocr_image(arr, key, pages)  # type: ignore[arg-type]
    except IngestError:
        return None
    if not any(isinstance(b, Table) for b in blocks):
        return []
    for b in blocks:
        for cell in _cells(b):
            if cell.source.get("page") == key:
                del cell.source["page"]
                cell.source["picture"] = k
        if b.source.get("page") == key:
            del b.source["page"]
            b.source["picture"] = k
    return blocks


def _cells(block: Block) -> list[Cell]:
    if isinstance(block, Paragraph):
        return []
    seen: dict[int, Cell] = {}
    for row in block.rows:
        for c in row:
            seen.setdefault(id(c), c)
    return list(seen.values())


def page_key(source: dict[str, Any]) -> Any:
    """Where a box read by OCR is kept for second readings: its picture, else its page."""
    return ("picture", source["picture"]) if "picture" in source else source.get("page")


def notice(read: int) -> dict[str, str]:
    return {"code": "ocr_pictures",
            "message_zh": f"文件中的 {read} 幅图片印有统计表，由文字识别读取：未能识别的数值按缺失报告，"
                          "不一定是报告本身缺失，请对照原件核对",
            "message_en": f"{read} picture(s) in the file print tables, read by OCR: a figure not recognised is "
                          "reported missing, which need not mean the report lacks it; check against the original"}


UNREAD_CODE = "pictures_unread"


def unread_notice(unread: int) -> dict[str, str]:
    return {"code": UNREAD_CODE,
            "message_zh": f"文件中有 {unread} 幅图片未能读取（只有链接，或无法识别）：统计表若以图片形式发布，"
                          "其中的数值未读到，缺失的表格不一定是报告本身缺失，请对照原网页或原件核对",
            "message_en": f"{unread} picture(s) could not be read (linked only, or unreadable): tables published as "
                          "pictures were not read; a missing table need not mean the report lacks it"}
