"""Reader for web pages: any encoding, the report found inside site navigation, tables
expanded into a grid (rowspan/colspan), layout tables read as flow."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from ..textnorm import SUPERSCRIPT_DIGITS
from .document import Block, Document, Evidence, Paragraph, expand_grid, table_blocks
from .metadata import forms

_SKIP = {"script", "style", "noscript", "template", "select", "option", "button", "input", "textarea", "svg",
         "iframe", "object", "head", "title", "meta", "link"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
          "header", "footer", "nav", "aside", "main", "blockquote", "pre", "form", "fieldset", "address", "center",
          "table", "tr", "td", "th", "caption", "hr", "figure", "figcaption", "body"}
_SPACES = re.compile(r"[ \t\r\n\u00a0\u3000]+")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")
_MAX_SPAN = 100
# Compiled once: an XPath given as a string is compiled again on every call.
_INNER_TABLE = etree.XPath(".//table")
# What lxml.html's text_content() is.
_text_content = etree.XPath("string()", smart_strings=False)


def _clean(text: str) -> str:
    t = _SPACES.sub(" ", text).strip()
    return _CJK_GAP.sub("", t)


def _int(v: str | None) -> int:
    if v is None:
        return 1
    try:
        return max(1, min(_MAX_SPAN, int(str(v).strip() or 1)))
    except ValueError:
        return 1


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.tables = 0

    def flush(self) -> None:
        if not self.buf:
            return
        text = _clean("".join(self.buf))
        if text:
            self.blocks.append(Paragraph(text, {"line": self.buf_line} if self.buf_line else {}))
        self.buf = []
        self.buf_line = None

    def text(self, s: str | None, el: etree._Element) -> None:
        if s:
            # The line is looked up only for a paragraph's first text (sourceline is not free).
            if self.buf_line is None and s.strip():
                self.buf_line = el.sourceline
            self.buf.append(s)

    def walk(self, el: etree._Element) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return
        tag = tag.lower()
        if tag in _SKIP:
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table" and not _INNER_TABLE(el):
            self.flush()
            self.table(el)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        if el.text:
            self.text(el.text, el)
        for child in el:
            self.walk(child)
            if child.tail:
                self.text(child.tail, el)
        if block:
            self.flush()

    def table(self, el: etree._Element) -> None:
        self.tables += 1
        t = self.tables
        rows = []
        plain = next(el.iter(*_SKIP, "sup"), None) is None
        for r, tr in enumerate(_rows(el)):
            row = []
            for c, td in enumerate(tr.iterchildren("td", "th")):
                row.append((_cell_text(td, plain), {"table": t, "row": r + 1, "col": c + 1}, _int(td.get("rowspan")),
                            _int(td.get("colspan"))))
            rows.append(row)
        grid = expand_grid(rows)
        self.blocks += table_blocks(grid, {"table": t, "line": el.sourceline})


def _rows(table: etree._Element) -> Iterator[etree._Element]:
    """The table's own rows in document order: its <tr> children and those of its
    <thead>, <tbody>, <tfoot> (not the rows of a table inside a cell)."""
    for child in table.iterchildren("tr", "thead", "tbody", "tfoot"):
        if child.tag == "tr":
            yield child
        else:
            yield from child.iterchildren("tr")


def _cell_text(td: etree._Element, plain: bool) -> str:
    """A cell's text without any space: a line break inside a cell is a wrap. `plain`
    when the table holds no element of _SKIP: then it is every text node of the cell."""
    if plain:
        return _SPACES.sub("", _text_content(td))
    parts: list[str] = []

    def rec(e: etree._Element) -> None:
        if not isinstance(e.tag, str) or e.tag.lower() in _SKIP:
            return
        if e.tag.lower() == "sup":
            # A footnote mark (3119<sup>1</sup>) stays a mark, not a digit of the figure.
            parts.append(_text_content(e).translate(SUPERSCRIPT_DIGITS))
            return
        if e.text:
            parts.append(e.text)
        for ch in e:
            rec(ch)
            if ch.tail:
                parts.append(ch.tail)

    rec(td)
    return _SPACES.sub("", "".join(parts))


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)


def read_html(text: str, file: str | None = None) -> Document:
    """Turn a decoded web page into a Document."""
    text = _XML_DECL.sub("", text)
    # lxml's own parser, not lxml.html's: the same tree, without a Python call to choose
    # the class of every element (a third of the time on a report page).
    root = etree.fromstring(text, etree.HTMLParser())
    if root is None:
        raise etree.ParserError("Document is empty")
    w = _Walker()
    body = root.find("body")
    w.walk(body if body is not None else root)
    w.flush()
    return Document(w.blocks, file=file, kind="html", meta=_page_meta(root))


def _page_meta(root: etree._Element) -> list[Evidence]:
    """What the page says about the article beside its text: <title>, the content
    system's meta tags (ArticleTitle, ContentSource, PubDate …), a <publishtime> element."""
    out: list[Evidence] = []
    for t in root.iter("title"):
        if _text_content(t).strip():
            out.append(Evidence("title", _clean(_text_content(t)), "html:title"))
            break
    names = {k.lower(): (k, v) for k, v in forms()["meta"].items()}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        content = _clean(m.get("content") or "")
        if name in names and content:
            tag, key = names[name]
            out.append(Evidence(key, content, f"meta:{tag}"))
    for el in root.iter("publishtime"):
        if _text_content(el).strip():
            out.append(Evidence("published", _clean(_text_content(el)), "html:publishtime"))
    return out
