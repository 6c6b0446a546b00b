"""Reader for Word documents (DOCX; DOC and WPS through LibreOffice when installed):
paragraphs and tables in document order, merged cells in both directions, nested
tables, text boxes, and list numbering written out as the reader sees it."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

from ..textnorm import SUPERSCRIPT_DIGITS
from .document import Block, Document, Evidence, Paragraph, expand_grid, table_blocks
from .errors import IngestError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
_W = f"{{{W}}}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_VML_IMAGE = "{urn:schemas-microsoft-com:vml}imagedata"
_CN = "〇一二三四五六七八九"
_CHUNK = 64 * 1024


def _inflated(z: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """One member inflated in small steps, so that no step can produce more than a chunk
    whatever the headers claim; past the budget, reading stops."""
    out = bytearray()
    with z.open(info) as f:
        while chunk := f.read(_CHUNK):
            out += chunk
            if len(out) > budget:
                break
    return bytes(out)


def safe_zip(data: bytes) -> bytes:
    """A DOCX/XLSX container checked and rebuilt: every member inflated while its bytes are
    counted (declared sizes are not trusted: a member claiming 2 KB may inflate to
    gigabytes), names that would leave the archive refused, and the content written again
    uncompressed — so that no reader inflates anything it was not counted for."""
    from .limits import MiB, current, exceeded, mb

    lim = current()
    limit = lim.unzipped_bytes
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise IngestError("broken_file", "文件已损坏，无法作为 DOCX/XLSX 打开", f"broken ZIP container: {e}") from None
    for i in infos:
        name = i.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
            raise IngestError("bad_archive", f"压缩包中有指向包外的路径（{i.filename[:80]}），已拒绝读取",
                              f"a member name leaves the archive: {i.filename[:200]!r}")
    out = io.BytesIO()
    total = 0
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as w:
            for i in infos:
                if i.is_dir():
                    continue
                content = _inflated(z, i, limit - total)
                total += len(content)
                if total > limit:
                    raise exceeded("unzipped_bytes", "文件解压后过大（疑似压缩炸弹）", f"超过 {mb(limit)}", mb(limit),
                                   f"> {limit} bytes", limit, code="zip_bomb")
                w.writestr(i.filename, content)
        packed = max(1, sum(i.compress_size for i in infos))
        if total > MiB and total / packed > lim.unzip_ratio:
            raise exceeded("unzip_ratio", "文件解压后异常膨胀（疑似压缩炸弹）",
                           f"{mb(packed)} 解压为 {mb(total)}（{total / packed:.0f} 倍）", f"{lim.unzip_ratio} 倍",
                           f"{total / packed:.0f}x", lim.unzip_ratio, code="zip_bomb")
    except IngestError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
        # A bad CRC (a member longer or shorter than declared), an unknown compression, a password …
        raise IngestError("broken_file", "文件已损坏（压缩包内容与其记录不符），无法作为 DOCX/XLSX 打开",
                          f"broken ZIP container: {type(e).__name__}: {e}") from None
    return out.getvalue()


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open a ZIP container that `safe_zip` has checked and rebuilt."""
    return zipfile.ZipFile(io.BytesIO(safe_zip(data)))


def _cn_count(n: int) -> str:
    if n <= 10:
        return "十" if n == 10 else _CN[n]
    if n < 20:
        return "十" + _CN[n - 10]
    tens, ones = divmod(n, 10)
    return _CN[tens] + "十" + (_CN[ones] if ones else "")


def _fmt_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting"):
        return _cn_count(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    return str(n)


class _Numbering:
    """Enough of numbering.xml to write list numbers (一、 （一） 1.) as Word shows them."""

    def __init__(self, xml: bytes | None):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        if not xml:
            return
        root = etree.fromstring(xml)
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for a in root.findall(f"{_W}abstractNum"):
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in a.findall(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                lv[ilvl] = (fmt.get(f"{_W}val") if fmt is not None else "decimal",
                            text.get(f"{_W}val") if text is not None else "",
                            int(start.get(f"{_W}val")) if start is not None else 1)
            abstract[a.get(f"{_W}abstractNumId")] = lv
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{_W}val"), {}).items():
                self.levels[(num.get(f"{_W}numId"), ilvl)] = spec

    def label(self, p: etree._Element) -> str:
        numpr = p.find(f"{_W}pPr/{_W}numPr")
        if numpr is None:
            return ""
        num_el, ilvl_el = numpr.find(f"{_W}numId"), numpr.find(f"{_W}ilvl")
        num_id = num_el.get(f"{_W}val") if num_el is not None else None
        ilvl = int(ilvl_el.get(f"{_W}val")) if ilvl_el is not None else 0
        if num_id is None or (num_id, ilvl) not in self.levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        fmt, text, start = self.levels[(num_id, ilvl)]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if fmt == "bullet" or fmt == "none":
            return ""

        def repl(m: re.Match) -> str:
            lvl = int(m.group(1)) - 1
            f = self.levels.get((num_id, lvl), (fmt,))[0]
            return _fmt_number(counters[lvl] or 1, f)

        return re.sub(r"%(\d)", repl, text)




def _superscript(run: etree._Element | None) -> bool:
    """A run set as a superscript, or raised above the line (LibreOffice writes a
    superscript as w:position)."""
    props = run.find(f"{_W}rPr") if run is not None else None
    if props is None:
        return False
    align = props.find(f"{_W}vertAlign")
    if align is not None:
        return align.get(f"{_W}val") == "superscript"
    raised = props.find(f"{_W}position")
    value = raised.get(f"{_W}val", "") if raised is not None else ""
    return value.isdigit() and int(value) > 0


_OFF = ("0", "false", "off")


def _vanish(props: etree._Element | None) -> bool | None:
    """What run properties say of hiding (w:vanish), None when they say nothing."""
    v = props.find(f"{_W}vanish") if props is not None else None
    return None if v is None else v.get(f"{_W}val", "true") not in _OFF


class _Hidden:
    """Which runs Word hides: w:vanish on the run, or through its character style or its
    paragraph's style (each style through those it is based on). w:specVanish (a heading's
    paragraph mark kept out of the table of contents) hides nothing here."""

    def __init__(self, styles_xml: bytes | None, document_xml: bytes):
        self.styles: dict[str, bool] = {}
        self.any = b"vanish" in document_xml
        if styles_xml and b"vanish" in styles_xml:
            root = etree.fromstring(styles_xml, etree.XMLParser(resolve_entities=False, no_network=True))
            own: dict[str, bool | None] = {}
            based: dict[str, str] = {}
            for st in root.findall(f"{_W}style"):
                sid = st.get(f"{_W}styleId")
                if sid is None:
                    continue
                own[sid] = _vanish(st.find(f"{_W}rPr"))
                base = st.find(f"{_W}basedOn")
                if base is not None and base.get(f"{_W}val"):
                    based[sid] = base.get(f"{_W}val")
            for sid in own:
                seen, cur = set(), sid
                while cur in own and cur not in seen and own[cur] is None:
                    seen.add(cur)
                    cur = based.get(cur)
                if own.get(cur):
                    self.styles[sid] = True
            self.any = self.any or bool(self.styles)

    def _style(self, props: etree._Element | None, tag: str) -> bool:
        ref = props.find(f"{_W}{tag}") if props is not None else None
        return ref is not None and self.styles.get(ref.get(f"{_W}val", ""), False)

    def paragraph(self, p: etree._Element) -> bool:
        return self.any and self._style(p.find(f"{_W}pPr"), "pStyle")

    def run(self, run: etree._Element, in_hidden_paragraph: bool) -> bool:
        props = run.find(f"{_W}rPr")
        own = _vanish(props)
        if own is not None:
            return own
        return self._style(props, "rStyle") or in_hidden_paragraph


_NOTHING_HIDDEN = _Hidden(None, b"")
# What a raised run may hold that is written raised (see SUPERSCRIPT_DIGITS): only such runs
# are looked at for their properties.
_MARK_DIGITS = re.compile(r"[0-9()]")


def _para_text(p: etree._Element, hidden: _Hidden = _NOTHING_HIDDEN, in_hidden_paragraph: bool | None = None) -> str:
    parts = []
    if hidden.any and in_hidden_paragraph is None:
        in_hidden_paragraph = hidden.paragraph(p)
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if hidden.any:
            run = el.getparent()
            if run is not None and run.tag == f"{_W}r" and hidden.run(run, bool(in_hidden_paragraph)):
                continue
        if el.tag == f"{_W}t":
            text = el.text or ""
            if _MARK_DIGITS.search(text) and _superscript(el.getparent()):
                # A footnote mark (¹, 注¹, ⁽¹⁾), not digits of the figure before it.
                text = text.translate(SUPERSCRIPT_DIGITS)
            parts.append(text)
        elif el.tag == f"{_W}tab":
            parts.append(" ")
    return "".join(parts)


def _boxes(p: etree._Element) -> list[etree._Element]:
    """The text boxes a paragraph anchors, outermost only (a box inside a box is read with
    its own), each once: Word writes a box twice, as the shape (mc:Choice) and as its VML
    fallback (mc:Fallback) for older readers."""
    out = []
    for box in p.iterfind(f".//{_W}txbxContent"):
        outer = True
        for a in box.iterancestors():
            if a is p:
                break
            if a.tag == f"{_W}txbxContent":
                outer = False
                break
            if a.tag == f"{_MC}Fallback":
                alt = a.getparent()
                if alt is not None and any(c.tag == f"{_MC}Choice" and c.find(f".//{_W}txbxContent") is not None
                                           for c in alt):
                    outer = False
                    break
        if outer:
            out.append(box)
    return out


class _Reader:
    def __init__(self, numbering: _Numbering, hidden: _Hidden = _NOTHING_HIDDEN):
        self.numbering = numbering
        self.hidden = hidden
        self.blocks: list[Block] = []
        self.tables = 0
        self.paras = 0
        self.in_box = 0  # inside how many text boxes: their paragraphs take their anchor's number
        # The pictures the document shows, where each stands (block index, relationship id):
        # a table may be pasted as one.
        self.pictures: list[tuple[int, str]] = []

    def body(self, body: etree._Element) -> None:
        for child in body:
            if child.tag == f"{_W}p":
                self.paragraph(child)
            elif child.tag == f"{_W}tbl":
                self.table(child)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.body(content)

    def paragraph(self, p: etree._Element) -> None:
        if not self.in_box:
            self.paras += 1
        # Text boxes anchored in the paragraph come after its own text.
        boxes = _boxes(p)
        hid = self.hidden
        own = "".join(_para_text(r, hid, hid.paragraph(p)) for r in p
                      if r.tag != f"{_W}pPr" and not r.findall(f".//{_W}txbxContent")) if boxes else _para_text(p, hid)
        text = (self.numbering.label(p) + own).strip()
        if text:
            self.blocks.append(Paragraph(text, {"paragraph": self.paras, "textbox": True} if self.in_box
                                         else {"paragraph": self.paras}))
        # (A drawing is written twice, as DrawingML and its VML fallback, naming one part.)
        shown = {b.get(f"{_R}embed") for b in p.iter(_BLIP)} | {v.get(f"{_R}id") for v in p.iter(_VML_IMAGE)}
        self.pictures += [(len(self.blocks), rid) for rid in sorted(r for r in shown if r)]
        # A box holds a body of its own: its tables are tables (a report's table 四 set in
        # a text box), not one paragraph per cell.
        self.in_box += 1
        try:
            for box in boxes:
                self.body(box)
        finally:
            self.in_box -= 1

    def table(self, tbl: etree._Element) -> None:
        self.tables += 1
        t = self.tables
        rows: list[list[tuple[str, dict, int, int]]] = []
        nested: list[etree._Element] = []
        vmerge_origin: dict[int, int] = {}  # grid column → index of the row where its merge starts
        spans: list[list[list]] = []
        for r, tr in enumerate(tbl.findall(f"{_W}tr")):
            row: list[list] = []
            col = 0
            before = tr.find(f"{_W}trPr/{_W}gridBefore")
            if before is not None:
                n = int(before.get(f"{_W}val", "0"))
                row += [["", {}, 1, 1, None] for _ in range(n)]
                col += n
            for c, tc in enumerate(tr.findall(f"{_W}tc")):
                pr = tc.find(f"{_W}tcPr")
                span_el = pr.find(f"{_W}gridSpan") if pr is not None else None
                span = max(1, min(63, int(span_el.get(f"{_W}val", "1")))) if span_el is not None else 1
                vm = pr.find(f"{_W}vMerge") if pr is not None else None
                # Only the tables directly inside this cell: each deeper one is read by its own
                # parent (taking all descendants here read a table nested d deep 2^d times).
                nested += [x for x in tc.iter(f"{_W}tbl") if next(x.iterancestors(f"{_W}tbl")) is tbl]
                text = "".join(_para_text(p, self.hidden) for p in tc.findall(f"{_W}p")).strip()
                src = {"table": t, "row": r + 1, "col": c + 1}
                if vm is not None and vm.get(f"{_W}val", "continue") == "continue" and col in vmerge_origin:
                    origin = spans[vmerge_origin[col]]
                    for cell in origin:
                        if cell is not None and cell[4] == col:
                            cell[2] += 1  # extend the rowspan of the cell where the merge started
                    row.append(None)  # type: ignore[arg-type]
                else:
                    if vm is not None:
                        vmerge_origin[col] = r
                    else:
                        vmerge_origin.pop(col, None)
                    row.append([text, src, 1, span, col])
                col += span
            spans.append(row)
        for row in spans:
            rows.append([(c[0], c[1], c[2], c[3]) for c in row if c is not None])
        self.blocks += table_blocks(expand_grid(rows), {"table": t})
        for inner in nested:
            self.table(inner)


def read_docx(data: bytes, file: str | None = None) -> Document:
    z = check_zip(data)
    names = set(z.namelist())
    if "word/document.xml" not in names:
        raise IngestError("not_docx", "不是有效的 DOCX 文件（缺少正文部分）", "not a DOCX file: no word/document.xml")
    try:
        parser = etree.XMLParser(resolve_entities=False, huge_tree=False, no_network=True)
        document_xml = z.read("word/document.xml")
        root = etree.fromstring(document_xml, parser)
        numbering = _Numbering(z.read("word/numbering.xml") if "word/numbering.xml" in names else None)
        hidden = _Hidden(z.read("word/styles.xml") if "word/styles.xml" in names else None, document_xml)
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile, ValueError) as e:
        raise IngestError("broken_file", "DOCX 文件已损坏，无法读取正文", f"broken DOCX: {e}") from None
    body = root.find(f"{_W}body")
    reader = _Reader(numbering, hidden)
    if body is not None:
        reader.body(body)
    doc = Document(reader.blocks, file=file, kind="docx", meta=_properties(z, names, parser))
    if reader.pictures:
        _read_pictures(doc, reader.pictures, z, names, parser)
    return doc


def _read_pictures(doc: Document, found: list[tuple[int, str]], z: zipfile.ZipFile, names: set[str],
                   parser: etree.XMLParser) -> None:
    """The pictures the document holds, where each stands (read if a table is not found)."""
    import posixpath

    from .pictures import Picture

    targets: dict[str, str] = {}
    if "word/_rels/document.xml.rels" in names:
        try:
            rels = etree.fromstring(z.read("word/_rels/document.xml.rels"), parser)
        except (etree.XMLSyntaxError, ValueError):
            rels = None
        for rel in rels if rels is not None else ():
            if rel.get("TargetMode") != "External" and rel.get("Id") and rel.get("Target"):
                targets[rel.get("Id")] = posixpath.normpath(posixpath.join("word", rel.get("Target")))
    seen: set[str] = set()
    for at, rid in found:
        part = targets.get(rid)
        if part is None or part in seen:
            continue  # linked from outside the file (a document rarely prints a table so), or shown before
        seen.add(part)
        try:
            data = z.read(part) if part in names else None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            data = None
        doc.pictures.append(Picture(at, part, data))


_DC = "{http://purl.org/dc/elements/1.1/}"


def _properties(z: zipfile.ZipFile, names: set[str], parser: etree.XMLParser) -> list[Evidence]:
    """The document's title property (File > Properties), often the report's title."""
    if "docProps/core.xml" not in names:
        return []
    try:
        core = etree.fromstring(z.read("docProps/core.xml"), parser)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, ValueError):
        return []  # properties are a hint; a broken part does not make the report unreadable
    title = core.findtext(f"{_DC}title")
    return [Evidence("title", title.strip(), "docx:properties")] if title and title.strip() else []


def convert_legacy(data: bytes, suffix: str, what: str = "旧版 Word/WPS 文件（.doc/.wps）") -> bytes:
    """DOC/WPS (or RTF, ODT: `what` names it for the user) → DOCX with LibreOffice, when it
    is installed."""
    from ..office import OfficeFailed, OfficeMissing, OfficeTimeout, convert
    from .limits import current as current_limits

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        try:
            # Within the reading's own time limit: the reader killed at it would leave
            # LibreOffice (a process group of its own) running on.
            timeout = min(120.0, 0.9 * current_limits().timeout_s)
            convert([src], "docx", Path(tmp), timeout=timeout)
        except OfficeMissing:
            raise IngestError("needs_libreoffice", f"这是{what}，需要安装 LibreOffice 才能读取",
                              f"{suffix} files need LibreOffice (soffice) to be installed") from None
        except OfficeTimeout:
            raise IngestError("timeout", f"读取超时：LibreOffice 转换该文件超过 {timeout:g} 秒仍未完成，已停止",
                              f"LibreOffice took longer than {timeout:g} s to convert the file; stopped",
                              limit="timeout_s") from None
        except OfficeFailed as e:
            raise IngestError("convert_failed", "LibreOffice 转换该文件失败", f"LibreOffice conversion failed: {e}") from None
        out = Path(tmp) / "input.docx"
        if not out.exists():
            raise IngestError("convert_failed", "LibreOffice 转换该文件失败", "LibreOffice produced no DOCX")
        return out.read_bytes()
