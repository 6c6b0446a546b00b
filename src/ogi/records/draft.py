"""Text drafted from the compiled figures, so that text and tables agree by construction:
the 总体情况 paragraph on the year's requests, documents and appeals, and section 六's
sentence on 信息处理费."""

from __future__ import annotations

import re
from decimal import Decimal

from ..report import Report
from ..textnorm import decimal_text


def _n(report: Report, cid: str | None) -> int:
    v = report.number(cid) if cid else None
    return int(v or 0)


def _sum(report: Report, cells: list[str] | None) -> int:
    return sum(_n(report, c) for c in cells or ())


# The overview's figure phrases: (the words before the number, the figure). The same
# words open each figure in the drafted text, which is how a redraft finds them again.
def overview_figures(report: Report) -> list[tuple[str, int]]:
    ed = report.edition_obj
    if ed is None:
        return []
    roles = ed.roles
    out = [("全年共收到政府信息公开申请", _n(report, roles["received"])), ("上年结转政府信息公开申请", _n(report, roles["carried_in"])),
           ("本年度办结", _n(report, roles["processed"])), ("结转下年度继续办理", _n(report, roles["carried_out"]))]
    if roles.get("normative_in_force"):
        out.append(("现行有效行政规范性文件", _n(report, roles["normative_in_force"])))
    out += [("被申请行政复议", _sum(report, roles.get("review_cases"))),
            ("被提起行政诉讼", _sum(report, roles.get("litigation_cases")))]
    return out


def draft_overview(report: Report) -> str:
    fig = dict(overview_figures(report))
    if not fig:
        return ""
    parts = [f"{report.year}年，{report.agency or '本机关'}认真贯彻落实《中华人民共和国政府信息公开条例》，"
             f"全年共收到政府信息公开申请{fig['全年共收到政府信息公开申请']}件，上年结转政府信息公开申请{fig['上年结转政府信息公开申请']}件，"
             f"本年度办结{fig['本年度办结']}件，结转下年度继续办理{fig['结转下年度继续办理']}件。"]
    if "现行有效行政规范性文件" in fig:
        parts.append(f"截至{report.year}年底，现行有效行政规范性文件{fig['现行有效行政规范性文件']}件。")
    parts.append(f"因政府信息公开工作被申请行政复议{fig['被申请行政复议']}件，被提起行政诉讼{fig['被提起行政诉讼']}件。")
    return "".join(parts)


def redraft_overview(text: str, report: Report) -> tuple[str, list[str]]:
    """The office's 总体情况 text with its figures brought up to date: each drafted figure
    phrase gets the current number, every other word is kept. When the text holds none of
    them, the drafted figures sentence is put first. Returns (text, changes in Chinese)."""
    changes: list[str] = []
    found = False
    for words, value in overview_figures(report):
        pattern = re.compile(re.escape(words) + r"(\d+)件")

        def repl(m: re.Match[str], words: str = words, value: int = value) -> str:
            if int(m.group(1)) != value:
                changes.append(f"{words}：{m.group(1)} → {value}")
            return f"{words}{value}件"

        text, n = pattern.subn(repl, text)
        found = found or n > 0
    if not found:
        drafted = draft_overview(report)
        changes.append("补入按当前数据起草的总计段落")
        text = drafted + ("\n" + text if text.strip() else "")
    return text, changes


def fee_sentence(year: int, total_yuan: Decimal | int, count: int) -> str:
    if not total_yuan:
        return f"{year}年度，本机关未收取政府信息公开信息处理费。"
    return f"{year}年度，本机关依照《政府信息公开信息处理费管理办法》收取信息处理费{count}笔，共计{decimal_text(total_yuan)}元。"
