"""The identities printed in the tables (from the edition file) and the type of every
figure. When one wrong cell explains several failed identities, that cell is named."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..editions import Edition, IdentityInstance
from ..ingest.limits import current as current_limits
from ..report import Finding, Number, Report
from ..textnorm import too_long
from .places import source_of
from .registry import finding, rule


@dataclass(frozen=True)
class Outcome:
    identity: IdentityInstance
    left: Number
    right: Number

    @property
    def ok(self) -> bool:
        return self.left == self.right

    @property
    def cells(self) -> tuple[str, ...]:
        return self.identity.left + self.identity.right


def evaluate(report: Report) -> list[Outcome]:
    """Every identity of the report's edition whose cells can all be read."""
    ed = report.edition_obj
    if ed is None:
        return []
    number = {cid: v.number for cid, v in report.cells.items()}
    groups = _aggregate_groups(report)
    out = []
    for ident in ed.identities:
        left = _side_numbers(ident.left, number, groups)
        right = _side_numbers(ident.right, number, groups)
        if left is None or right is None:
            continue  # a missing cell is reported by cell.missing; no guess here
        out.append(Outcome(ident, sum(left), sum(right)))
    return out


def _aggregate_groups(report: Report) -> list[tuple[frozenset[str], Number]]:
    """Sub-row cells printed together as one heading row: (their ids, the printed sum)."""
    out = []
    for agg in report.aggregates:
        rows, cols, values = agg.get("rows"), agg.get("columns"), agg.get("values")
        if not rows or not cols or not values:
            continue
        for col, v in zip(cols, values, strict=False):
            if v is None:
                continue
            cells = frozenset(f"{agg['table']}.{r}.{col}" for r in rows)
            if all(report.cells.get(c) is not None and report.cells[c].state == "missing" for c in cells):
                n = Decimal(v)
                out.append((cells, int(n) if n == n.to_integral_value() else n))
    return out


def _side_numbers(cells: tuple[str, ...], number: dict[str, Number | None],
                  groups: list[tuple[frozenset[str], Number]]) -> list[Number] | None:
    """The figures of one side of an identity; a group of sub-rows printed as one row
    counts with its printed sum when the side holds the whole group."""
    out: list[Number] = []
    used: set[str] = set()
    if groups:
        present = set(cells)
        for group, value in groups:
            if group <= present:
                out.append(value)
                used |= group
    for c in cells:
        if c in used:
            continue
        n = number.get(c)
        if n is None:
            return None
        out.append(n)
    return out


def implied_value(report: Report, outcome: Outcome, cell_id: str) -> Number:
    """The value `cell_id` would need for this identity to hold."""
    diff = outcome.left - outcome.right
    current = report.number(cell_id) or 0
    return current - diff if cell_id in outcome.identity.left else current + diff


def culprits(report: Report, outcomes: list[Outcome]) -> dict[int, tuple[str, Number]]:
    """For failed identities explained by one cell: index of outcome → (cell, value it
    should hold). A cell explains a set of failures when every identity it stands in
    fails, all of them imply the same value for it, there are at least two, and no
    other cell explains the same failures."""
    failed = {i for i, o in enumerate(outcomes) if not o.ok}
    if not failed:
        return {}
    # Only a cell of a failed identity can explain anything (every identity it stands in must fail).
    suspects = {c for i in failed for c in outcomes[i].cells}
    by_cell: dict[str, list[int]] = {}
    for i, o in enumerate(outcomes):
        for c in o.cells:
            if c in suspects:
                by_cell.setdefault(c, []).append(i)
    candidates: list[tuple[str, frozenset[int], Number]] = []
    for c, idxs in by_cell.items():
        if len(idxs) < 2 or not all(i in failed for i in idxs):
            continue
        values = {implied_value(report, outcomes[i], c) for i in idxs}
        if len(values) != 1:
            continue
        value = values.pop()
        if value < 0:
            continue
        candidates.append((c, frozenset(idxs), value))
    out: dict[int, tuple[str, Number]] = {}
    sets: dict[frozenset[int], list[tuple[str, Number]]] = {}
    for c, idxs, value in candidates:
        sets.setdefault(idxs, []).append((c, value))
    # Larger explanations first; a set explained by two cells equally names neither.
    for idxs, cells in sorted(sets.items(), key=lambda kv: -len(kv[0])):
        if len(cells) != 1 or any(i in out for i in idxs):
            continue
        for i in idxs:
            out[i] = cells[0]
    return out


def _fmt(n: Number) -> str:
    return str(n) if not isinstance(n, Decimal) else format(n, "f")


def _side(ed: Edition, ident: IdentityInstance, cells: tuple[str, ...]) -> str:
    part = "row" if ident.each == "column" else "column"
    return "加".join(f"「{ed.place(c)[part]}」" for c in cells)


def _describe(ed: Edition, o: Outcome) -> tuple[str, str]:
    ident = o.identity
    anchor = ident.total or ident.left[0]
    w = ed.place(anchor)
    if ident.each == "column":
        place_zh = f"表{w['section']}「{w['column']}」列"
        place_en = f"table {w['section']}, column {ident.key}"
    else:
        place_zh = f"表{w['section']}「{w['row']}」行"
        place_en = f"table {w['section']}, row {ident.key}"
    if ident.total is None:
        return (
            f"{place_zh}：{_side(ed, ident, ident.left)}之和（{_fmt(o.left)}）"
            f"不等于{_side(ed, ident, ident.right)}之和（{_fmt(o.right)}）",
            f"{place_en}: {' + '.join(ident.left)} = {_fmt(o.left)} but {' + '.join(ident.right)} = {_fmt(o.right)}",
        )
    label = w["row"] if ident.each == "column" else w["column"]
    return (
        f"{place_zh}：「{label}」为 {_fmt(o.left)}，但各分项之和为 {_fmt(o.right)}",
        f"{place_en}: total {_fmt(o.left)} but the parts add up to {_fmt(o.right)}",
    )


def check_identities(report: Report) -> Iterator[Finding]:
    """Findings of every identity rule (requests.balance, requests.processed_total,
    requests.row_total, appeals.total): evaluated together, since a culprit is found
    across them."""
    ed = report.edition_obj
    if ed is None:
        return
    outcomes = evaluate(report)
    blamed = culprits(report, outcomes)
    for i, o in enumerate(outcomes):
        if o.ok:
            continue
        rule_id = o.identity.rule
        zh, en = _describe(ed, o)
        cells = list(o.cells)
        if i in blamed:
            cell, value = blamed[i]
            found = report.number(cell)
            zh += f"。最可能出错的是{ed.cell_zh(cell)}：印为 {_fmt(found or 0)}，按其他数据应为 {_fmt(value)}"
            en += f". Most likely wrong: {cell} (printed {_fmt(found or 0)}, should be {_fmt(value)})"
            yield finding(rule_id, zh, en, cells=cells, culprit=cell, found=found, expected=value,
                          source=source_of(report, [cell]), where=ed.place(cell))
        else:
            anchor = o.identity.total or cells[0]
            yield finding(rule_id, zh, en, cells=cells, found=o.left, expected=o.right,
                          source=source_of(report, [anchor, *cells]), where=ed.place(anchor))


for _rule_id, _title in [
    ("requests.balance", "勾稽关系：第一项加第二项之和等于第三项加第四项之和"),
    ("requests.processed_total", "办理结果总计等于各项办理结果之和"),
    ("requests.row_total", "总计列等于各类申请人之和"),
    ("appeals.total", "行政复议、行政诉讼总计等于各项结果之和"),
]:
    rule(_rule_id, "error", _title)(check_identities)


@rule("value.type", "error", "数量为非负整数，金额为非负数")
def check_value_type(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    for cid, cdef in ed.cells.items():
        v = report.cells.get(cid)
        if v is not None and v.state == "missing" and (digits := too_long(v.raw)):
            # Not read as a number at all (no arithmetic on 10^30), but it is a figure of the wrong kind.
            shown = v.raw if len(v.raw or "") <= 20 else f"{(v.raw or '')[:12]}…"
            yield finding("value.type", f"{ed.cell_zh(cid)}印为「{shown}」：数字位数过多（{digits} 位，上限 "
                          f"{current_limits().number_digits} 位），不是可信的数量或金额",
                          f"{cid} reads a number of {digits} digits (limit {current_limits().number_digits})",
                          cells=[cid], culprit=cid, found=shown, source=v.source, where=ed.place(cid))
            continue
        if v is None or v.state != "value" or v.value is None:
            continue
        n = v.value
        problem_zh = problem_en = None
        if cdef.unit == "yuan":
            if n < 0:
                problem_zh, problem_en = "金额不能为负数", "an amount cannot be negative"
        else:
            if isinstance(n, Decimal) and n != n.to_integral_value():
                problem_zh, problem_en = "数量应为整数", "a count must be a whole number"
            elif cdef.unit == "count" and n < 0:
                problem_zh, problem_en = "数量不能为负数", "a count cannot be negative"
        if problem_zh:
            yield finding("value.type", f"{ed.cell_zh(cid)}印为「{v.raw}」：{problem_zh}",
                          f"{cid} reads '{v.raw}': {problem_en}", cells=[cid], culprit=cid, found=n,
                          source=v.source, where=ed.place(cid))
