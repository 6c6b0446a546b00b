"""Agency, year, dates of issue and publication and kind of agency, read from a
document's title, signature and body and from what its container says (a page's title,
meta tags and label/value lines, a file's properties). Each is recorded with the source
that won, in `Metadata.provenance`."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..textnorm import DATE_RE, is_date_line, nfkc, parse_date, squash
from ..yamlfile import load_packaged
from .document import Evidence


@cache
def forms() -> dict[str, Any]:
    """The organisation forms and page labels of data/agencies.yaml."""
    return load_packaged("ogi", "data/agencies.yaml")


def _alternation(words: list[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


_ORG_SUFFIX = _alternation(forms()["suffixes"])
_NAME = r"[\u4e00-\u9fff（）()、]"
_TITLE = re.compile(r"^(?P<a>.*?)(?P<y>(?:19|20)\d\d)年度?(?P<b>.*?)政府信息公开(?:工作)?(?:年度|年)?报告")
_TITLE_NO_YEAR = re.compile(r"^(?P<a>.+?)政府信息公开(?:工作)?(?:年度|年)?报告")
_BODY_AGENCY = re.compile(
    rf"^(?P<a>{_NAME}{{2,30}}?{_ORG_SUFFIX})"
    r"(?:根据|依据|按照|严格|认真|坚持|高度|围绕|全面|深入|始终|紧紧|聚焦|立足|进一步|今年|本年)"
)
_REPORT_OF = re.compile(rf"现将(?P<a>{_NAME}{{2,30}}?{_ORG_SUFFIX})(?:(?:19|20)\d\d年度?)?政府信息公开")
_SIGNATURE = re.compile(rf"^(?P<a>{_NAME}{{2,30}}{_ORG_SUFFIX})$")
_PERIOD = re.compile(r"统计(?:期限|周期|时间|区间|期间|范围)?[^。]{0,24}?((?:19|20)\d\d)年1月1日")
_YEAR = re.compile(r"((?:19|20)\d\d)年")
_JUNK_PREFIX = re.compile(r"^(?:关于|正文|附件\d*|(?:标题|名称|题目)[:：])")
_PROVINCES = ("北京市", "天津市", "上海市", "重庆市")
# How much each kind of evidence counts when sources name different agencies: the
# document's own title and signature most, what the page says about it next.
_WEIGHT = {"title": 3, "signature": 3, "page_title": 2, "fields": 2, "body": 1}


@dataclass
class Metadata:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    issued_on: dt.date | None = None
    published_on: dt.date | None = None
    kind: str | None = None
    level: str | None = None
    year_evidence: dict[str, int] = field(default_factory=dict)
    # Which source each of agency, year, issued_on, published_on was taken from.
    provenance: dict[str, str] = field(default_factory=dict)
    # Indices (into the paragraph list) of the signature lines, which belong to no section.
    signature: set[int] = field(default_factory=set)


def _field_keys() -> dict[str, str]:
    return {label: key for key, labels in forms()["fields"].items() for label in labels}


def key_values(rows: list[list[str]]) -> list[Evidence]:
    """Metadata set out as label/value cells (a page's 发布机构 | … table, a workbook's cover)."""
    keys = _field_keys()
    out: list[Evidence] = []
    for row in rows:
        cells = [squash(nfkc(c)).rstrip(":") for c in row if c.strip()]
        for i in range(len(cells) - 1):
            key = keys.get(cells[i])
            if key is not None and cells[i + 1] not in keys:
                out.append(Evidence(key, cells[i + 1], f"fields:{cells[i]}"))
    return out


@cache
def _field_line() -> re.Pattern[str]:
    return re.compile(rf"(?P<k>{_alternation(list(_field_keys()))})\s*[:：]\s*")


def field_lines(texts: list[str]) -> list[Evidence]:
    """The label/value lines a page prints above the article (发布机构：… 发布日期：… 来源：…),
    several on one line or one per line; read up to the first section heading."""
    keys = _field_keys()
    out: list[Evidence] = []
    for t in texts:
        if t.startswith(("一、", "一．", "一.")):
            break
        if len(t) > 160:
            continue
        matches = list(_field_line().finditer(t))
        # A label must open the line or follow a space or another value: 统计时间：… is not 时间：….
        matches = [m for m in matches if m.start() == 0 or t[m.start() - 1] in " \u3000|｜/，,;；"]
        for k, m in enumerate(matches):
            value = t[m.end(): matches[k + 1].start() if k + 1 < len(matches) else len(t)].strip(" \u3000|｜/，,;；")
            key = keys[m.group("k")]
            if key in ("agency", "title"):
                value = value.split()[0] if value.split() else ""  # what follows a space is the next field
            if value:
                out.append(Evidence(key, value, f"fields:{m.group('k')}"))
    return out


def _agency_value(value: str) -> str | None:
    """A publisher named by a page field or meta tag, when it is an agency's name (not a
    URL, 本网 or a person)."""
    t = squash(nfkc(value))
    return t if re.fullmatch(rf"{_NAME}{{2,40}}", t) and _SIGNATURE.match(t) else None


def read_metadata(paragraphs: list[str], evidence: list[Evidence] | None = None,
                  headings: frozenset[int] = frozenset(), links: frozenset[int] = frozenset()) -> Metadata:
    """Everything about the report that is not a section or a table. `evidence` is what
    the container says (meta tags, label/value cells, document properties); `headings` and
    `links` the paragraphs (by index) that are a heading (<h1>, # …) or only a link's text."""
    md = Metadata()
    texts = [squash(nfkc(p)) for p in paragraphs]
    # Spaces separate the fields of one line (发布日期：… 来源：…), so they are kept here.
    evidence = [*(evidence or []), *field_lines([nfkc(p).strip() for p in paragraphs])]
    agencies: list[tuple[str, str]] = []  # (source, name) in order of precedence
    nav = _navigation(texts, headings, links, evidence)
    title_texts = [("" if i in nav else t) for i, t in enumerate(texts)]
    title_idx = _find_title(title_texts)
    if title_idx is not None:
        start, end = title_idx
        md.title = "".join(title_texts[start:end])
        agency, year = _agency_year_from_title(md.title)
        if agency:
            agencies.append(("title", agency))
        if year:
            md.year_evidence["title"] = year
    sig_agency, md.issued_on, md.signature = _signature(texts)
    if sig_agency:
        agencies.append(("signature", sig_agency))
    if md.issued_on is not None:
        md.provenance["issued_on"] = "signature"
    for ev in evidence:
        if ev.key == "title":
            agency, year = _agency_year_from_title(_title_part(ev.value))
            if agency:
                agencies.append((ev.source, agency))
            if year and "page" not in md.year_evidence:
                md.year_evidence["page"] = year
            if md.title is None and year and agency:
                md.title = _title_part(ev.value)
        elif ev.key == "agency" and (name := _agency_value(ev.value)):
            agencies.append((ev.source, name))
        elif ev.key in ("issued", "published"):
            attr = "issued_on" if ev.key == "issued" else "published_on"
            date = parse_date(nfkc(ev.value))
            if date is not None and getattr(md, attr) is None:
                setattr(md, attr, date)
                md.provenance[attr] = ev.source
    body_agency = _agency_from_body(texts)
    if body_agency:
        agencies.append(("body", body_agency))
    if agencies:
        md.agency, md.provenance["agency"] = _weigh(agencies)
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
    for k in ("title", "page", "period", "body"):
        if k in md.year_evidence:
            md.year = md.year_evidence[k]
            md.provenance["year"] = k
            break
    md.kind, md.level = agency_kind(md.agency)
    return md


def _titled(text: str) -> bool:
    """A line that could be a report's title (it ends naming the report)."""
    if "政府信息公开" not in text:
        return False  # (_TITLE_END cannot match: most lines of a page are asked)
    part = _after_chrome(text)
    return len(text) <= 100 and not _PROSE.search(part) and bool(_TITLE_END.search(part))


def _navigation(texts: list[str], headings: frozenset[int], links: frozenset[int], evidence: list[Evidence]) -> set[int]:
    """Lines naming a report that are the site's navigation, not this report's title: lines
    before a heading that names the report (links to other years, a sidebar, above the
    article's <h1> or a Markdown # title), and links beside another line that could be the
    title, or two or more of them (a list of reports). Only when what is left agrees with the
    year of the page's <title> (else of the text): where the evidence disagrees nothing is
    taken out, and the title is found as before."""
    titled = [i for i, t in enumerate(texts) if _titled(t)]
    nav: set[int] = set()
    first_heading = next((i for i in titled if i in headings), None)
    if first_heading is not None:
        nav |= {i for i in titled if i < first_heading and i not in headings}
    linked = {i for i in titled if i in links and i not in headings}
    if len(linked) >= 2 or any(i not in linked and i not in nav for i in titled):
        nav |= linked
    if not nav:
        return nav
    page_year = next((y for ev in evidence if ev.key == "title" for y in [_agency_year_from_title(_title_part(ev.value))[1]] if y),
                     None)
    if page_year is None:
        counts = Counter(int(y) for y in _YEAR.findall("\n".join(texts)))
        page_year = counts.most_common(1)[0][0] if counts else None
    kept = next((i for i in titled if i not in nav), None)
    if kept is None:
        return set()  # (the report's own title may be a link too: never every title taken out)
    kept_year = _agency_year_from_title(texts[kept])[1]
    if page_year is None or (kept_year is not None and kept_year != page_year):
        return set()
    return nav


def _kind_of(source: str) -> str:
    if source in _WEIGHT:
        return source
    return "fields" if source.startswith(("fields:", "meta:ContentSource", "meta:source")) else "page_title"


def _weigh(agencies: list[tuple[str, str]]) -> tuple[str, str]:
    """(name, source): the agency most of the evidence names (sources weighted, one agency
    written several ways counted once); its name as the most trusted source writes it."""
    groups: list[list[tuple[str, str]]] = []
    for source, name in agencies:
        group = next((g for g in groups if any(same_agency(name, n) for _, n in g)), None)
        if group is None:
            groups.append([(source, name)])
        else:
            group.append((source, name))
    best = max(groups, key=lambda g: sum(_WEIGHT[_kind_of(s)] for s in {s for s, _ in g}))
    source, name = best[0]
    return name, source


# A page's <title> adds the site after a separator: "…年度报告_某某区人民政府门户网站".
_SITE_SEPARATOR = re.compile(r"\s*(?:[_|｜]|-{1,2}|—{1,2}|－)\s*")


def _title_part(text: str) -> str:
    t = squash(nfkc(text))
    parts = [p for p in _SITE_SEPARATOR.split(t) if p]
    return next((p for p in parts if "政府信息公开" in p and "报告" in p), parts[0] if parts else t)


_BREADCRUMB = re.compile(r"[>＞»›]|当前位置|您的位置")
# Sentence punctuation: a wrapped body line may end like a title, a title has none.
_PROSE = re.compile(r"[《》，。；：、,;]")
# A title ends by naming the report; body sentences mention it in passing.
_TITLE_END = re.compile(r"政府信息公开(?:工作)?(?:年度|年)?(?:报告|年报)[)）]?(?:[-—_|].{0,20})?$")


def _find_title(texts: list[str]) -> tuple[int, int] | None:
    """The title: a line that ends naming the report (with the agency on the line above
    when the title wraps before the year), else two or three lines that end so together;
    among the first lines, or further down (after a web page's site navigation) a line
    of the form <agency><year>年(度)政府信息公开工作年度报告. Breadcrumbs are not titles."""
    found = _head_title(texts)
    if found is not None and any(_agency_year_from_title("".join(texts[found[0]:found[1]]))):
        return found
    # A bare 政府信息公开年报 among the first lines is more often a menu item than the title.
    for i, t in enumerate(texts):
        if len(t) > 100 or "政府信息公开" not in t or _LINK.match(t):
            continue
        part = _after_chrome(t)
        if not _PROSE.search(part) and _TITLE_END.search(part) and all(_agency_year_from_title(part)):
            return i, i + 1
    return found


def _head_title(texts: list[str]) -> tuple[int, int] | None:
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


# Links to other reports around the article (上一篇：…2022年…报告) name other years.
_LINK = re.compile(r"^(?:上一篇|下一篇|上一条|下一条|相关|推荐|热点|链接)")
_CHROME = re.compile(r".*(?:[>＞»›]|当前位置[:：]?|您的位置[:：]?|所在位置[:：]?)")


def _after_chrome(text: str) -> str:
    """A line without the breadcrumbs or site navigation before the title on it."""
    if not any(c in text for c in ">＞»›") and "位置" not in text:
        return text.strip()  # (the pattern's leading .* costs the square of the line's length when nothing matches)
    return _CHROME.sub("", text).strip()


def _agency_year_from_title(title: str) -> tuple[str | None, int | None]:
    t = _after_chrome(title.lstrip("#"))
    m = _TITLE.search(t)
    if m:
        cand = m.group("a") or m.group("b")
        return _clean_agency(cand), int(m.group("y"))
    m = _TITLE_NO_YEAR.search(t)
    if m:
        return _clean_agency(m.group("a")), None
    return None, None


def _unbracket(t: str) -> str:
    """Without brackets that open or close nothing (left from what was cut off beside the
    name) or that enclose the whole name, but with a remark the name closes on whole
    (某某市商务局（本级）). (A loop: a name inside thousands of brackets went too deep.)"""
    while True:
        stack: list[int] = []
        unmatched: set[int] = set()
        match: dict[int, int] = {}
        for i, c in enumerate(t):
            if c in "（(":
                stack.append(i)
            elif c in "）)":
                if stack:
                    match[stack.pop()] = i
                else:
                    unmatched.add(i)
        unmatched.update(stack)
        if unmatched:
            t = "".join(c for i, c in enumerate(t) if i not in unmatched)
        elif t and match.get(0) == len(t) - 1:
            t = t[1:-1]
        else:
            return t


def _clean_agency(text: str | None) -> str | None:
    if not text:
        return None
    t, before = _JUNK_PREFIX.sub("", _after_chrome(text)), None
    while t != before:  # quotes inside brackets, brackets inside quotes
        before, t = t, _unbracket(t.strip("《》“”\"' "))
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
    # Crawler text run into one paragraph ends "…某某局2024年1月20日": the date after a name.
    m = DATE_RE.search(texts[-1][-16:]) if n else None
    if m and texts[-1].endswith(m.group()):
        before = texts[-1][: -len(m.group())]
        if re.search(rf"{_NAME}{{2,30}}{_ORG_SUFFIX}$", before[-40:]):
            return None, parse_date(m.group()), set()
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


# A remark closing the name (（本级）, （盖章）): not a bracket inside it, which may tell two
# agencies apart (中国（上海）自由贸易试验区 / 中国（江苏）自由贸易试验区).
_REMARK = re.compile(r"\([^()]*\)$")


def agency_key(name: str) -> str:
    """An agency's name as compared: NFKC, no spaces, and without the governing body's
    name after a place or zone (苏州工业园区党工委管委会 → 苏州工业园区, 洪泽区人民政府 → 洪泽区),
    nor a bracketed remark (某某市商务局（本级）, …（盖章） → 某某市商务局: the agency's own level)."""
    t = _REMARK.sub("", squash(nfkc(name))) or squash(nfkc(name))
    places = tuple(forms()["places"])
    for body in sorted(forms()["governing_bodies"], key=len, reverse=True):
        if t.endswith(body) and len(t) > len(body) + 1 and t[: -len(body)].endswith(places):
            return t[: -len(body)]
    return t


def same_agency(a: str | None, b: str | None) -> bool:
    """Whether two names denote one agency. The rule: their keys (`agency_key`) are equal,
    or one key is the other with the enclosing place written before it (淮安市洪泽区人民政府
    / 洪泽区人民政府) — where the shorter name is itself a place or zone, or has at least
    five characters (开封市商务局 is not every 商务局). Continuity, compare and dataset all
    decide with this function."""
    if not a or not b:
        return False
    x, y = agency_key(a), agency_key(b)
    if x == y:
        return True
    (short, short_name), (long, _) = sorted(((x, a), (y, b)), key=lambda p: len(p[0]))
    places = tuple(forms()["places"])
    if not (long.endswith(short) and long[: -len(short)].endswith(places)):
        return False
    return len(squash(nfkc(short_name))) >= 5 or (len(short) >= 3 and short.endswith(places))
