"""What a page of a government site tells the collector: its title and publication date,
which of its links are the column's next pages, which name an annual report, and which
are a report's attachments. Pure functions over the page's text, so the crawl, a WARC
brought in and the tests share one reading.

A report is recognised by its title (…政府信息公开工作年度报告), as `ogi.ingest.metadata`
recognises it in a document; a column's pages by their 下一页 / page-number links or by
the `createPageHTML(…)` call that many content systems print instead of links."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import pairwise
from posixpath import dirname
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from lxml import etree, html

from ..ingest.metadata import _TITLE_END, _title_part, field_lines, forms
from ..textnorm import nfkc, parse_date, squash

DOCUMENT_TYPES = {".pdf": "pdf", ".doc": "doc", ".docx": "docx", ".wps": "wps", ".xls": "xls", ".xlsx": "xlsx", ".et": "et",
                  ".ofd": "ofd", ".txt": "txt", ".rtf": "rtf", ".odt": "odt", ".mht": "mht", ".mhtml": "mht"}
IMAGE_TYPES = {".jpg": "jpg", ".jpeg": "jpg", ".png": "png", ".gif": "gif", ".bmp": "bmp", ".tif": "tif", ".tiff": "tif",
               ".webp": "webp"}
CONTENT_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf", "application/msword": "doc",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
                 "application/vnd.ms-excel": "xls",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx", "application/kswps": "wps",
                 "application/wps-office.wps": "wps", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
                 "image/bmp": "bmp", "image/tiff": "tif", "image/webp": "webp", "text/plain": "txt",
                 "application/ofd": "ofd", "application/rtf": "rtf", "text/rtf": "rtf",
                 "application/vnd.oasis.opendocument.text": "odt", "multipart/related": "mht", "message/rfc822": "mht",
                 "application/x-mimearchive": "mht"}
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".jhtml", ".jsp", ".asp", ".aspx", ".php", ".do", "/")
NEXT_PAGE = {"下一页", "下页", "后一页", "后页", ">", ">>", "›", "»", "下一页>", "下一页>>"}
# Many content systems (TRS WCM and its kin) print the pager as a script call:
# createPageHTML(total pages, current page index, "index", "shtml") → index_1.shtml …
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_YEAR = re.compile(r"(?:19|20)\d\d")
_REPORT_WORDS = re.compile(r"政府信息公开(?:工作)?(?:年度|年)?(?:报告|年报)")
ATTACHMENTS_PER_PAGE = 30  # a report has a few; a page linking more is a listing of downloads, not a report


@dataclass
class Link:
    url: str
    text: str
    date: dt.date | None = None  # the date a listing prints beside the link


@dataclass
class Page:
    title: str | None = None
    published_on: dt.date | None = None
    next_pages: list[str] = field(default_factory=list)
    reports: list[Link] = field(default_factory=list)  # links whose text names an annual report
    attachments: list[Link] = field(default_factory=list)  # documents and content images
    documents: list[str] = field(default_factory=list)  # every document link of a column page (its chrome's among them)


_DISPOSITION_PARAM = re.compile(r"""(?:^|;)\s*(filename\*?)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)""", re.I)


def disposition_filename(header: str | None) -> str | None:
    """The file name a Content-Disposition header gives (RFC 6266), `filename*=` (RFC 5987,
    UTF-8'' or another charset, percent-encoded) before `filename=`; only its last part,
    since the name is the server's to choose."""
    if not header:
        return None
    names: dict[str, str] = {}
    for key, raw in _DISPOSITION_PARAM.findall(header):
        value = raw.strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if key.lower() == "filename*":
            charset, _, rest = value.partition("'")
            _lang, _, encoded = rest.partition("'")
            try:
                value = unquote(encoded, encoding=charset or "utf-8", errors="replace")
            except LookupError:  # a charset Python does not know
                continue
        else:
            # Many servers send raw UTF-8 bytes in filename=, which arrive as Latin-1.
            try:
                value = value.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        names.setdefault(key.lower(), value)
    name = names.get("filename*") or names.get("filename")
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() if name else None
    return name or None


def file_type(url: str, content_type: str | None = None, filename: str | None = None) -> str | None:
    """The kind of file a URL or a Content-Type names (pdf, docx, wps, jpg, html …), or None.
    `filename` is the name a Content-Disposition header gives: a download script
    (download.jsp?id=3) sent as application/octet-stream says its type only there."""
    if content_type:
        ct = content_type.split(";")[0].strip().lower()
        if ct in CONTENT_TYPES:
            return CONTENT_TYPES[ct]
    if filename:
        name = filename.lower()
        suffix = name[name.rfind("."):] if "." in name else ""
        kind = DOCUMENT_TYPES.get(suffix) or IMAGE_TYPES.get(suffix)
        if kind:
            return kind
    path = urlsplit(url).path.lower()
    suffix = path[path.rfind("."):] if "." in path.rsplit("/", 1)[-1] else ""
    if suffix in DOCUMENT_TYPES:
        return DOCUMENT_TYPES[suffix]
    if suffix in IMAGE_TYPES:
        return IMAGE_TYPES[suffix]
    if suffix in PAGE_SUFFIXES or path.endswith("/") or not suffix:
        return "html" if content_type is None or "html" in content_type.lower() else None
    return None


def is_document(url: str, text: str = "") -> bool:
    """A link to a file a report can be (or be part of): by its path, or by the file name
    the link's text shows (downfile.jsp?id=… 「2023年度报告.pdf」)."""
    kinds = {file_type(url), file_type("file:///" + squash(text)) if text else None}
    return bool(kinds & set(DOCUMENT_TYPES.values()))


def names_report(text: str) -> bool:
    """Whether a link text or page title names a year's annual OGI report (the title forms
    of `ogi.ingest.metadata`, after any site name the page title appends). A year is
    required: a bare 政府信息公开年报 is the column's name in the site's menu."""
    t = squash(nfkc(text or ""))
    if not t:
        return False
    part = _title_part(t)
    return bool((_TITLE_END.search(part) or _REPORT_WORDS.search(part)) and _YEAR.search(part))


def _text(el: etree._Element) -> str:
    return squash(nfkc("".join(el.itertext())))


def _same_scope(url: str, column: str) -> bool:
    """A column's own pages stay on its host and under its folder (index.html, index_1.html,
    ?page=2): links out of it are the site's navigation, not the column's pagination."""
    a, b = urlsplit(url), urlsplit(column)
    if a.netloc != b.netloc:
        return False
    folder = b.path if b.path.endswith("/") else dirname(b.path) + "/"
    return a.path.startswith(folder)


def _clean(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def parse_root(body: str | bytes) -> etree._Element | None:
    try:
        root = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return None
    return root


def read_page(body: str | bytes, url: str, column: str | None = None, chrome: frozenset[str] = frozenset()) -> Page:
    """What a page says and links to. `column` is the URL of the column the page belongs
    to (its first page), for recognising the column's next pages; None on report pages.
    `chrome`: document links the column's page has too, which are the site's (a guide, a
    form to download), not the report's attachments."""
    root = parse_root(body)
    page = Page()
    if root is None:
        return page
    page.title, page.published_on = _title(root), _published(root)
    seen: set[str] = set()
    attachments: list[Link] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        target = _clean(urljoin(url, href))
        if not target.startswith(("http://", "https://")) or target in seen:
            continue
        text = _text(a)
        label = squash(nfkc(a.get("title") or "")) or text  # listings cut long titles short and keep them whole in title=
        if column is not None and _same_scope(target, column) and (text in NEXT_PAGE or text.isdigit()):
            page.next_pages.append(target)
            seen.add(target)
        elif names_report(label) or names_report(text):
            page.reports.append(Link(target, label, _beside(a) if column is not None else None))
            seen.add(target)
        elif column is not None and is_document(target, text):
            page.documents.append(target)
        elif column is None and target not in chrome and (is_document(target, text) or file_type(target) in IMAGE_TYPES.values()):
            attachments.append(Link(target, label))
            seen.add(target)
    if column is None:
        attachments += [link for link in _embedded(root, url, seen) if link.url not in chrome]
    if column is not None:
        page.next_pages += [u for u in _script_pages(body, url) if u not in seen]
    else:
        attachments += _content_images(root, url, seen)
    page.attachments = attachments[:ATTACHMENTS_PER_PAGE]
    return page


# The query parameter a document viewer (pdf.js's viewer.html?file=…, and the like) names
# its document by.
_VIEWER_PARAMS = ("file", "url", "src", "path", "filepath", "fileurl")


def _embedded(root: etree._Element, url: str, seen: set[str]) -> list[Link]:
    """Documents a report page shows inside itself rather than links to: an <iframe>,
    <embed> or <object> of a PDF (or another document), directly or through a viewer page
    that names it in its query (…/pdfjs/web/viewer.html?file=/uploads/2024/report.pdf)."""
    out = []
    for el in root.iter("iframe", "embed", "object"):
        src = (el.get("src") or el.get("data") or "").strip()
        if not src or src.startswith(("javascript:", "data:", "about:")):
            continue
        target = _clean(urljoin(url, src))
        candidates = [target]
        query = urlsplit(target).query
        for key, value in (part.partition("=")[::2] for part in query.split("&") if part):
            if key.lower() in _VIEWER_PARAMS and value:
                candidates.append(_clean(urljoin(target, unquote(value))))
        for found in candidates:
            if found.startswith(("http://", "https://")) and found not in seen and is_document(found):
                out.append(Link(found, squash(nfkc(el.get("title") or ""))))
                seen.add(found)
    return out


def _beside(a: etree._Element) -> dt.date | None:
    """The date a listing prints beside a link (<li><a>…</a><span>2024-01-15</span></li>, or a
    table row's other cell): the nearest enclosing element that holds this link and no other."""
    el = a
    for _ in range(3):
        el = el.getparent()
        if el is None or el.tag in ("body", "html") or len(el.xpath(".//a[@href]")) > 1:
            return None
        text = " ".join(nfkc(t) for t in el.xpath("descendant-or-self::text()[not(ancestor::a)]"))
        if text.strip():
            d = parse_date(text)
            if d is not None:
                return d
    return None


def _script_pages(body: str | bytes, url: str) -> list[str]:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    m = _CREATE_PAGE.search(text)
    if not m:
        return []
    total, _current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    return [urljoin(url, f"{stem}_{i}.{ext}") for i in range(1, total)] + [urljoin(url, f"{stem}.{ext}")]


def _content_images(root: etree._Element, url: str, seen: set[str]) -> list[Link]:
    """Images of the article (a report published as scans), told from the site's logos
    and banners by where they are kept: beside the page or below its folder."""
    folder = dirname(urlsplit(url).path) + "/"
    host = urlsplit(url).netloc
    out = []
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if not src or src.startswith("data:"):
            continue
        target = _clean(urljoin(url, src))
        parts = urlsplit(target)
        if target in seen or parts.netloc != host or not parts.path.startswith(folder):
            continue
        if file_type(target) in IMAGE_TYPES.values():
            out.append(Link(target, squash(nfkc(img.get("alt") or ""))))
            seen.add(target)
    return out


def _title(root: etree._Element) -> str | None:
    names = {k.lower(): v for k, v in forms()["meta"].items()}
    for m in root.iter("meta"):
        if names.get((m.get("name") or "").lower()) == "title" and (m.get("content") or "").strip():
            return squash(nfkc(m.get("content") or "")) or None
    for t in root.iter("title"):
        text = _text(t)
        if text:
            return text
    return None


def _published(root: etree._Element) -> dt.date | None:
    """The publication date the page prints: a content system's meta tag, else a
    发布日期：… line above the article (the labels of data/agencies.yaml)."""
    names = {k.lower(): v for k, v in forms()["meta"].items()}
    for m in root.iter("meta"):
        if names.get((m.get("name") or "").lower()) == "published":
            d = parse_date(m.get("content") or "")
            if d is not None:
                return d
    body = root.find("body")
    lines = [" ".join(nfkc(t).split()) for t in (body if body is not None else root).itertext()]
    lines = [t for t in lines if t][:400]
    # Labels and values are often in neighbouring elements: join each label with the next piece.
    joined = [a + (b if a.endswith((":", "：")) else "") for a, b in pairwise([*lines, ""])]
    for ev in field_lines(joined):
        if ev.key == "published":
            d = parse_date(ev.value)
            if d is not None:
                return d
    return None
