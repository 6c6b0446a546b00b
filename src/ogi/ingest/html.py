"""Reader for web pages: any encoding, the report found inside site navigation, tables
expanded into a grid (rowspan/colspan), layout tables read as flow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import cssselect
import tinycss2
from lxml import etree

from ..textnorm import SUPERSCRIPT_DIGITS, squash
from .document import Block, Document, Evidence, Paragraph, expand_grid, table_blocks
from .metadata import forms

_SKIP = {"script", "style", "noscript", "template", "select", "option", "button", "input", "textarea", "svg",
         "iframe", "object", "head", "title", "meta", "link"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
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


def _cell_string(td: etree._Element) -> str:
    """Every text node of a cell: _text_content, in half the time (an XPath evaluation sets
    up a context for each of a report's hundreds of cells)."""
    return etree.tostring(td, method="text", encoding=str, with_tail=False)


def _clean(text: str) -> str:
    t = _SPACES.sub(" ", text).strip()
    # (Only a space or an unprintable character can be a gap: most paragraphs have none.)
    return _CJK_GAP.sub("", t) if " " in t or not t.isprintable() else t


def _int(v: str | None) -> int:
    if v is None or v == "1":
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
        # Inside how many <a> and <h1>…<h6>; whether the paragraph being gathered has text
        # outside any link, and text inside a heading (what metadata knows of the container).
        self.in_link = 0
        self.in_heading = 0
        self.buf_unlinked = False
        self.buf_heading = False
        # The page's pictures, where each stands: a table may be printed as one.
        self.pictures: list[tuple[int, etree._Element]] = []

    def flush(self) -> None:
        if not self.buf:
            return
        text = _clean("".join(self.buf))
        if text:
            role = "heading" if self.buf_heading else "" if self.buf_unlinked else "link"
            self.blocks.append(Paragraph(text, {"line": self.buf_line} if self.buf_line else {}, role))
        self.buf = []
        self.buf_line = None
        self.buf_unlinked = self.buf_heading = False

    def text(self, s: str, el: etree._Element) -> None:
        # The line is looked up only for a paragraph's first text (sourceline is not free).
        if self.buf_line is None and s.strip():
            self.buf_line = el.sourceline
        if not self.in_link and not s.isspace():
            self.buf_unlinked = True
        if self.in_heading:
            self.buf_heading = True
        self.buf.append(s)

    def walk(self, el: etree._Element) -> None:
        # (Tag names come lower-cased from the HTML parser; comments and processing
        # instructions have a function for a tag.)
        tag = el.tag
        if tag.__class__ is not str or tag in _SKIP:
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.pictures.append((len(self.blocks), el))
            return
        if tag == "table" and not _INNER_TABLE(el):
            self.flush()
            self.table(el)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        link, heading = tag == "a", tag in _HEADINGS
        if link:
            self.in_link += 1
        if heading:
            self.in_heading += 1
        if el.text:
            self.text(el.text, el)
        for child in el:
            self.walk(child)
            tail = child.tail
            if tail:
                self.text(tail, el)
        if link:
            self.in_link -= 1
        if heading:
            self.in_heading -= 1
        if block:
            self.flush()

    def table(self, el: etree._Element) -> None:
        self.tables += 1
        t = self.tables
        rows = []
        plain = next(el.iter(*_SKIP, "sup"), None) is None
        for r, tr in enumerate(_rows(el), 1):
            row = []
            for c, td in enumerate(tr.iterchildren("td", "th"), 1):
                rowspan, colspan = td.get("rowspan"), td.get("colspan")
                row.append((squash(_cell_string(td)) if plain else _cell_text(td, plain), {"table": t, "row": r, "col": c},
                            1 if rowspan is None else _int(rowspan), 1 if colspan is None else _int(colspan)))
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
        return squash(_cell_string(td))
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
    return squash("".join(parts))


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)


def read_html(text: str, file: str | None = None, parts: dict[str, bytes] | None = None) -> Document:
    """Turn a decoded web page into a Document; `parts` are the files a page saved as one
    file holds (by address and content id), for the pictures it shows."""
    text = _XML_DECL.sub("", text)
    # lxml's own parser, not lxml.html's: the same tree, without a Python call to choose
    # the class of every element (a third of the time on a report page).
    root = etree.fromstring(text, etree.HTMLParser())
    if root is None:
        raise etree.ParserError("Document is empty")
    if _may_hide(text):
        _drop_hidden(root)
    w = _Walker()
    body = root.find("body")
    w.walk(body if body is not None else root)
    w.flush()
    doc = Document(w.blocks, file=file, kind="html", meta=_page_meta(root))
    if w.pictures:
        _read_pictures(doc, w.pictures, parts or {})
    return doc


# A page's chrome: its logo, icons, sharing buttons, the QR code of its account.
_CHROME_PICTURE = re.compile(r"logo|icon|banner|share|qrcode|ewm|weixin|wechat|weibo|\.gif$|\.svg$", re.I)


def _read_pictures(doc: Document, found: list[tuple[int, etree._Element]], parts: dict[str, bytes]) -> None:
    from .pictures import Picture, data_uri

    for at, el in found:
        src = (el.get("src") or "").strip()
        data = data_uri(src) if src.startswith("data:") else parts.get(src) or parts.get(src.split("/")[-1])
        width, height = (int(v) if (v := (el.get(a) or "").strip()).isdigit() else None for a in ("width", "height"))
        if (width is not None and width < 100) or (height is not None and height < 40):
            continue  # drawn as an icon, whatever its file
        doc.pictures.append(Picture(at, src[:200], data, linked=data is None and not src.startswith("data:")
                                    and not _CHROME_PICTURE.search(src)))


_HIDING = etree.XPath("//*[@hidden or contains(@style, 'none') or contains(@style, 'hidden')"
                      " or contains(@style, 'NONE') or contains(@style, 'HIDDEN')]")
_STYLES = etree.XPath("//style")
_NEVER_DROPPED = {"html", "head", "body"}
# Looked for in the page's text before anything is parsed: most pages hide nothing. Each
# word is found with str.find and the declaration matched where it stands (a regular
# expression searched over the whole page, or the page lowered first, cost a tenth of the
# page's reading); mixed case (Display:None) is not seen.
_HIDES_BY_STYLE = [(w(word), re.compile(w(word) + r"\s*:\s*" + w(value)))
                   for w in (str.lower, str.upper) for word, value in (("display", "none"), ("visibility", "hidden"))]
_ATTR_END = frozenset(" \t\r\n=/>")
_HIDES = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)


def _may_hide(text: str) -> bool:
    """Whether the page may hide anything at all: a display:none or visibility:hidden, or
    an attribute hidden."""
    for word, declaration in _HIDES_BY_STYLE:
        i = text.find(word)
        while i >= 0:
            if declaration.match(text, i):
                return True
            i = text.find(word, i + 1)
    for word in ("hidden", "HIDDEN"):
        i = text.find(word, 1)
        while i >= 0:
            after = text[i + len(word):i + len(word) + 1]
            if text[i - 1].isspace() and (not after or after in _ATTR_END):
                return True
            i = text.find(word, i + 1)
    return False


def _declarations(css: str | list) -> dict[str, str]:
    """A declaration block as property → value (lower case; the last one wins, as in CSS)."""
    out = {}
    for d in tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True):
        if d.type == "declaration":
            out[d.lower_name] = tinycss2.serialize(d.value).strip().lower()
    return out


@lru_cache(maxsize=64)
def _display_rules(css: str) -> tuple[tuple[etree.XPath, bool], ...]:
    """(selector as XPath, sets display:none) for each rule of a stylesheet that sets a
    display. Pages of one site share their stylesheet, hence the cache."""
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue  # @media and the like: whether it applies to the screen is not worked out
        display = _declarations(rule.content).get("display")
        if not display:
            continue
        try:
            selectors = cssselect.parse(tinycss2.serialize(rule.prelude))
            paths = [cssselect.HTMLTranslator().selector_to_xpath(s) for s in selectors if s.pseudo_element is None]
            out += [(etree.XPath(xp), display.split()[0] == "none") for xp in paths]
        except (cssselect.SelectorError, etree.XPathError):
            continue
    return tuple(out)


def _rule_hidden(root: etree._Element) -> set[etree._Element]:
    """Elements the page's own <style> rules set to display:none. An element that another
    rule or its own style attribute gives a display of its own is left alone: the cascade
    is not worked out here."""
    sheets = [_text_content(st) for st in _STYLES(root)
              if (st.get("media") or "all").strip().lower() in ("all", "screen", "")]
    if not any(_DISPLAY_NONE.search(css) for css in sheets):
        return set()
    rules = [r for css in sheets for r in _display_rules(css)]
    keep = {el for xp, none in rules if not none for el in xp(root)}
    return {el for xp, none in rules if none for el in xp(root)
            if el not in keep and "display" not in _declarations(el.get("style") or "")}


def _drop_hidden(root: etree._Element) -> None:
    """Take out what a browser does not show, so that it is not read into a figure
    (<span style="display:none">88</span>2 is shown as 2): elements with the hidden
    attribute, a style attribute of display:none or visibility:hidden, or a display:none
    rule of the page's <style>. A page that hides its report (every table, or most of its
    text) shows it by script: it is read whole, as before."""
    hidden = _rule_hidden(root)
    for el in _HIDING(root):
        if el.get("hidden") is not None:
            hidden.add(el)
            continue
        style = el.get("style", "")
        if _HIDES.search(style):
            decl = _declarations(style)
            if decl.get("display", "").startswith("none") or decl.get("visibility", "").startswith("hidden"):
                hidden.add(el)
    hidden = {el for el in hidden if isinstance(el.tag, str) and el.tag.lower() not in _NEVER_DROPPED}
    if not hidden:
        return
    outer = [el for el in hidden if not any(a in hidden for a in el.iterancestors())]
    in_hidden = sum(1 for el in outer for _ in el.iter("table"))
    if in_hidden and in_hidden >= sum(1 for _ in root.iter("table")):
        return
    hidden_text = sum(len(_SPACES.sub("", _text_content(el))) for el in outer)
    # A report has thousands of characters: a few hidden words cannot be most of one.
    if hidden_text > 500 and hidden_text * 2 > len(_SPACES.sub("", _text_content(root))):
        return
    for el in outer:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)


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
