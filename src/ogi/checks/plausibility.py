"""Plausibility: figures that are possible but very likely wrong, and text that
disagrees with the tables."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..report import Finding, Report
from ..textnorm import nfkc, squash
from .places import source_of
from .registry import finding, rule

# 其他处理 at or above this share of all outcomes (with at least OTHER_MIN_TOTAL outcomes)
# is worth a supervisor's look; the formats single this row out for scrutiny.
OTHER_HIGH_SHARE = 0.3
OTHER_MIN_TOTAL = 10
# 总计 "much longer" than the guidance: this many times the guided length.
OVERVIEW_FACTOR = 2
_FEE_WORDS = ("信息处理费", "处理费", "收费", "费用", "缴费")


@rule("active.published_le_total", "warning", "本年新公开数量不应大于对外公开总数量")
def check_published_le_total(report: Report) -> Iterator[Finding]:
    yield from _inequalities(report, "active.published_le_total")


@rule("active.items_change", "warning", "上一年项目数量加本年增/减不应为负")
def check_items_change(report: Report) -> Iterator[Finding]:
    yield from _inequalities(report, "active.items_change")


def _inequalities(report: Report, rule_id: str) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    for q in ed.inequalities:
        if q.rule != rule_id:
            continue
        cells = list(q.left + q.right)
        nums = [report.number(c) for c in cells]
        if any(n is None for n in nums):
            continue
        k = len(q.left)
        left, right = sum(nums[:k]), sum(nums[k:])  # type: ignore[arg-type]
        if left <= right:
            continue
        anchor = cells[0]
        row = ed.place(anchor)["row"]
        lhs = "+".join(ed.place(c)["column"] for c in q.left)
        rhs = "+".join(ed.place(c)["column"] for c in q.right)
        number = ed.place(anchor)["section"]
        if k:
            zh = f"表{number}「{row}」：{lhs}（{left}）大于{rhs}（{right}）"
        else:
            zh = f"表{number}「{row}」：{rhs}为 {right}，不应为负"
        yield finding(rule_id, zh, f"{q.table}.{q.key}: {' + '.join(q.left) or '0'} = {left} > {' + '.join(q.right)} = {right}",
                      cells=cells, found=left, expected=right, source=source_of(report, cells), where=ed.place(anchor))


@rule("requests.other_high", "info", "其他处理占比较高")
def check_other_high(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    other_cells = ed.role("other_outcomes") or []
    total_cell = ed.role("processed")
    total = report.number(total_cell) if total_cell else None
    others = [report.number(c) for c in other_cells]
    if total is None or total < OTHER_MIN_TOTAL or any(o is None for o in others):
        return
    other = sum(others)  # type: ignore[arg-type]
    share = other / total
    if share >= OTHER_HIGH_SHARE:
        yield finding("requests.other_high",
                      f"“其他处理”共 {other} 件，占全部办理结果 {total} 件的 {share:.0%}，请核实分类是否恰当",
                      f"'other' outcomes are {other} of {total} ({share:.0%})",
                      cells=[*other_cells, total_cell], found=other, expected=total,
                      source=source_of(report, other_cells), where=ed.place(other_cells[0]))


# (role of the table cell, pattern whose group 1 is the figure stated in the text)
_STATEMENTS = [
    # Only totals for the whole year ("全年共收到…"): a sentence about part of the work
    # ("区政府办代表区政府受理…") is not the table's figure.
    ("received", re.compile(r"(?:全年|本年度?|年内|共计|共|累计|总共)(?:共|累计)?(?:新收|收到|受理)(?:各类)?(?:政府信息公开|信息公开)?"
                            r"申请(?:共计|共|总计|合计)?(\d+)件")),
    # "本年度办结 N 件": the year's results, the count ogi's own draft of 总体情况 states.
    ("processed", re.compile(r"(?:全年|本年度?|年内)(?:共|累计)?(?:办结|办理完毕)(?:各类)?(?:政府信息公开)?(?:申请)?"
                             r"(?:共计|共|总计|合计)?(\d+)件")),
    ("carried_in", re.compile(r"上年结转(?:的)?(?:政府信息公开)?申请(?:共)?(\d+)件")),
    ("carried_out", re.compile(r"结转(?:至)?下一?年度?(?:继续)?(?:办理)?(?:的)?(?:政府信息公开)?(?:申请)?(?:共)?(\d+)件")),
    ("normative_in_force", re.compile(r"现行有效(?:的)?(?:行政)?规范性文件(?:共计|共)?(\d+)件")),
]


def _as_written(original: str, start: int, end: int) -> str:
    """The text between two places of its normalised form (NFKC, whitespace removed), as the
    agency wrote it: a quote keeps its full-width punctuation. Built only for a finding."""
    at: list[int] = []
    for i, ch in enumerate(original):
        at += [i] * len(squash(nfkc(ch)))
    if not at or start >= len(at):
        return squash(nfkc(original))[start:end]
    return original[at[start]: at[min(end, len(at)) - 1] + 1]


@rule("narrative.numbers", "warning", "正文数字与表格不一致")
def check_narrative(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    original = "\n".join(t for t in report.sections.values() if t)
    text = squash(nfkc(original))
    for role, pattern in _STATEMENTS:
        cell = ed.role(role)
        if not cell:
            continue
        table = report.number(cell)
        if table is None:
            continue
        accepted = {table}
        if role == "received":
            # "受理 N 件" often counts this year's and last year's requests together.
            carried = report.number(ed.role("carried_in"))
            if carried is not None:
                accepted.add(table + carried)
        for m in pattern.finditer(text):
            stated = int(m.group(1))
            if stated not in accepted:
                quote = _as_written(original, max(0, m.start() - 8), m.end())
                yield finding("narrative.numbers",
                              f"正文称“…{quote}”，但{ed.cell_zh(cell)}为 {table}",
                              f"the text states {stated} ('{quote}') but {cell} is {table}",
                              cells=[cell], found=stated, expected=table, where=ed.place(cell),
                              source=report.cells[cell].source)
                break


@rule("overview.length", "info", "总体情况篇幅过长")
def check_overview_length(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    guide = ed.overview_length_guidance if ed else None
    text = report.sections.get("overview")
    if ed is None or not guide or not text:
        return
    n = len(squash(text))
    if n > OVERVIEW_FACTOR * guide:
        sec = ed.section("overview")
        yield finding("overview.length", f"“{sec.title}”约 {n} 字，远超格式要求的 {guide} 字左右",
                      f"the overview has about {n} characters; the format asks for about {guide}",
                      found=n, expected=guide, where={"section": sec.number})


@rule("section6.fees", "info", "第六部分未说明信息处理费收取情况")
def check_fees(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    key = ed.role("fee_statement") if ed else None
    text = report.sections.get(key) if key else None
    if ed is None or key is None or text is None:
        return
    if not any(w in text for w in _FEE_WORDS):
        sec = ed.section(key)
        yield finding("section6.fees", f"第{sec.number}部分“{sec.title}”未说明是否收取信息处理费",
                      f"section {ed.sections.index(sec) + 1} does not say whether information processing fees were charged",
                      where={"section": sec.number})
