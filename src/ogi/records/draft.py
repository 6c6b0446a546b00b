"""Text drafted from the compiled figures, so that text and tables agree by construction:
the 总体情况 paragraph on the year's requests, documents and appeals, and section 六's
sentence on 信息处理费."""

from __future__ import annotations

from decimal import Decimal

from ..report import Report
from ..textnorm import decimal_text


def _n(report: Report, cid: str | None) -> int:
    v = report.number(cid) if cid else None
    return int(v or 0)


def draft_overview(report: Report) -> str:
    ed = report.edition_obj
    if ed is None:
        return ""
    roles = ed.roles
    received, carried_in, carried_out = _n(report, roles["received"]), _n(report, roles["carried_in"]), _n(report, roles["carried_out"])
    processed = _n(report, roles["processed"])
    parts = [f"{report.year}年，{report.agency or '本机关'}认真贯彻落实《中华人民共和国政府信息公开条例》，"
             f"全年共收到政府信息公开申请{received}件，上年结转政府信息公开申请{carried_in}件，"
             f"本年度办结{processed}件，结转下年度继续办理{carried_out}件。"]
    in_force = roles.get("normative_in_force")
    if in_force:
        parts.append(f"截至{report.year}年底，现行有效行政规范性文件{_n(report, in_force)}件。")
    review = _n(report, "appeals.review.total")
    litigation = _n(report, "appeals.litigation_direct.total") + _n(report, "appeals.litigation_after_review.total")
    parts.append(f"因政府信息公开工作被申请行政复议{review}件，被提起行政诉讼{litigation}件。")
    return "".join(parts)


def fee_sentence(year: int, total_yuan: Decimal | int, count: int) -> str:
    if not total_yuan:
        return f"{year}年度，本机关未收取政府信息公开信息处理费。"
    return f"{year}年度，本机关依照《政府信息公开信息处理费管理办法》收取信息处理费{count}笔，共计{decimal_text(total_yuan)}元。"
