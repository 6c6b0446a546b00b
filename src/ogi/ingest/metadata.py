"""Agency, year, date of issue and kind of agency, read from a document's title,
signature and body."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from ..textnorm import DATE_RE, is_date_line, nfkc, parse_date, squash

_ORG_SUFFIX = (
    r"(?:人民政府办公厅|人民政府办公室|人民政府|委员会|办公厅|办公室|街道办事处|管理委员会"
    r"|局|委|厅|署|中心|院|办|所|会|处|站|队|政府)"
)
_TITLE = re.compile(r"^(?P<a>.*?)(?P<y>(?:19|20)\d\d)年度?(?P<b>.*?)政府信息公开(?:工作)?(?:年度|年)?报告")
_TITLE_NO_YEAR = re.compile(r"^(?P<a>.+?)政府信息公开(?:工作)?(?:年度|年)?报告")
_BODY_AGENCY = re.compile(
    rf"^(?P<a>[\u4e00-\u9fff（）()]{{2,30}}?{_ORG_SUFFIX})"
    r"(?:根据|依据|按照|严格|认真|坚持|高度|围绕|全面|深入|始终|紧紧|聚焦|立足|进一步|今年|本年)"
)
_REPORT_OF = re.compile(rf"现将(?P<a>[\u4e00-\u9fff（）()]{{2,30}}?{_ORG_SUFFIX})(?:(?:19|20)\d\d年度?)?政府信息公开")
_SIGNATURE = re.compile(rf"^(?P<a>[\u4e00-\u9fff（）()]{{2,30}}{_ORG_SUFFIX})$")
_PERIOD = re.compile(r"统计(?:期限|周期|时间|区间|期间|范围)?[^。]{0,24}?((?:19|20)\d\d)年1月1日")
_YEAR = re.compile(r"((?:19|20)\d\d)年")
_JUNK_PREFIX = re.compile(r"^(?:关于|正文|附件\d*|(?:标题|名称|题目)[:：])")
_PROVINCES = ("北京市", "天津市", "上海市", "重庆市")


@dataclass
class Metadata:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    issued_on: dt.date | None = None
    kind: str | None = None
    level: str | None = None
    year_evidence: dict[str, int] = field(default_factory=dict)
    # Indices (into the paragraph list) of the signature lines, which belong to no section.
    signature: set[int] = field(default_factory=set)


_KEYS = {
    "agency": ("发布机关", "发布机构", "发文机关", "发布单位"),
    "date": ("成文日期", "印发日期", "发布日期"),
}


def key_values(rows: list[list[str]]) -> dict[str, str]:
    """Metadata set out as label/value cells (a page's 发布机构 | … table, a workbook's cover)."""
    out: dict[str, str] = {}
    for row in rows:
        cells = [squash(nfkc(c)).rstrip(":") for c in row if c.strip()]
        for i in range(len(cells) - 1):
            for key, names in _KEYS.items():
                if cells[i] in names and key not in out:
                    out[key] = cells[i + 1]
    return out


def read_metadata(paragraphs: list[str], fields: dict[str, str] | None = None) -> Metadata:
    """Everything about the report that is not a section or a table; `fields` are
    label/value pairs found in tables, used where the text says nothing."""
    fields = fields or {}
    md = Metadata()
    texts = [squash(nfkc(p)) for p in paragraphs]
    title_idx = _find_title(texts)
    if title_idx is not None:
        start, end = title_idx
        md.title = "".join(texts[start:end])
        agency, year = _agency_year_from_title(md.title)
        md.agency = agency
        if year:
            md.year_evidence["title"] = year
    sig_agency, md.issued_on, md.signature = _signature(texts)
    if md.agency is None:
        md.agency = sig_agency
    if md.agency is None and fields.get("agency") and _SIGNATURE.match(fields["agency"]):
        md.agency = fields["agency"]
    if md.agency is None:
        md.agency = _agency_from_body(texts)
    if md.issued_on is None and fields.get("date"):
        md.issued_on = parse_date(fields["date"])
    body = "\n".join(t for i, t in enumerate(texts) if i not in md.signature)
    m = _PERIOD.search(body)
    if m:
        md.year_evidence["period"] = int(m.group(1))
    issued_year = md.issued_on.year if md.issued_on else None
    counts = Counter(int(y) for y in _YEAR.findall(body))
    if counts:
        # The most frequent year in the text is the report year, except that the issue
        # date's year is the year after and should not win a tie.
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0] != issued_year, -kv[0]), reverse=True)
        md.year_evidence["body"] = ranked[0][0]
    for k in ("title", "period", "body"):
        if k in md.year_evidence:
            md.year = md.year_evidence[k]
            break
    md.kind, md.level = agency_kind(md.agency)
    return md


_BREADCRUMB = re.compile(r"[>＞»›]|当前位置|您的位置")
# Sentence punctuation: a wrapped body line may end like a title, a title has none.
_PROSE = re.compile(r"[《》，。；：、,;]")
# A title ends by naming the report; body sentences mention it in passing.
_TITLE_END = re.compile(r"政府信息公开(?:工作)?(?:年度|年)?(?:报告|年报)[)）]?(?:[-—_|].{0,20})?$")


def _find_title(texts: list[str]) -> tuple[int, int] | None:
    """The title: a line that ends naming the report (with the agency on the line above
    when the title wraps before the year), else two or three lines that end so together.
    Breadcrumbs of web pages are not titles."""
    head = [(i, t) for i, t in enumerate(texts[:15])
            if not _BREADCRUMB.search(t) and not _JUNK_PREFIX.fullmatch(t) and not _PROSE.search(_JUNK_PREFIX.sub("", t))]
    for k, (i, t) in enumerate(head):
        if len(t) <= 70 and _TITLE_END.search(t):
            agency, _ = _agency_year_from_title(t)
            if agency is None and k > 0 and head[k - 1][0] == i - 1 and _SIGNATURE.match(head[k - 1][1]):
                return i - 1, i + 1
            return i, i + 1
    for k, (i, _) in enumerate(head):
        for j in range(k + 2, min(k + 4, len(head) + 1)):
            idx = [x for x, _ in head[k:j]]
            if idx != list(range(i, i + len(idx))):
                break
            joined = "".join(texts[x] for x in idx)
            if len(joined) > 70:
                break
            if _TITLE_END.search(joined):
                return i, idx[-1] + 1
    return None


def _agency_year_from_title(title: str) -> tuple[str | None, int | None]:
    t = title.lstrip("#")
    m = _TITLE.search(t)
    if m:
        cand = m.group("a") or m.group("b")
        return _clean_agency(cand), int(m.group("y"))
    m = _TITLE_NO_YEAR.search(t)
    if m:
        return _clean_agency(m.group("a")), None
    return None, None


def _clean_agency(text: str | None) -> str | None:
    if not text:
        return None
    t = _JUNK_PREFIX.sub("", text).strip("（）()《》“”\"' ")
    t = re.sub(r"(?:19|20)\d\d年度?$", "", t)
    return t if 2 <= len(t) <= 40 else None


def _signature(texts: list[str]) -> tuple[str | None, dt.date | None, set[int]]:
    """The agency and date that close (or, in some reports, open) the report."""
    n = len(texts)
    for i in range(n - 1, max(-1, n - 9), -1):
        t = texts[i]
        if is_date_line(t):
            lines = {i}
            agency = None
            if i > 0 and _SIGNATURE.match(texts[i - 1]):
                agency = texts[i - 1]
                lines.add(i - 1)
            return agency, parse_date(t), lines
        m = DATE_RE.search(t)
        if m and m.end() == len(t) and _SIGNATURE.match(t[: m.start()]):
            return t[: m.start()], parse_date(t), {i}
    if n > 1 and _SIGNATURE.match(texts[-1]) and len(texts[-1]) <= 30:
        return texts[-1], None, {n - 1}  # signed without a date
    for i in range(min(n, 8)):
        if is_date_line(texts[i]):
            agency = texts[i - 1] if i > 0 and _SIGNATURE.match(texts[i - 1]) else None
            return agency, parse_date(texts[i]), set()
    return None, None, set()


def _agency_from_body(texts: list[str]) -> str | None:
    for t in texts[:15]:
        m = _BODY_AGENCY.match(t) or _REPORT_OF.search(t)
        if m:
            return _clean_agency(m.group("a"))
    return None


def agency_kind(agency: str | None) -> tuple[str | None, str | None]:
    """(department | government, level) from an agency's name. Governments' reports have
    later deadlines by level (rules.md, metadata.date)."""
    if not agency:
        return None, None
    a = agency
    if not a.endswith("人民政府"):
        return "department", None
    place = a[: -len("人民政府")]
    if place in _PROVINCES or place.endswith(("省", "自治区")):
        return "government", "province"
    if place.endswith(("乡", "镇", "街道")):
        return "government", "township"
    if place.endswith(("县", "区", "旗")):
        return "government", "county"
    if place.endswith(("市", "州", "盟")):
        return "government", "city"
    return "government", None
