"""Rules of a report compiled in the workspace (rules.md, "The workspace"): the cells
changed by hand, the records that changed after submission, and the stored records the
compilation could not count. They take the `ogi.workspace.YearReport`, not a Report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..report import Finding
from .registry import finding, rule

if TYPE_CHECKING:
    from ..workspace import YearReport


def _name(ws: YearReport, cid: str) -> str:
    ed = ws.compiled.report.edition_obj
    try:
        return ed.cell_zh(cid) if ed else cid
    except KeyError:
        return cid


@rule("cell.override", "info", "人工修改的单元格", scope="workspace")
def overridden(ws: YearReport) -> Iterator[Finding]:
    for cid, o in ws.overrides.items():
        if cid not in ws.compiled.report.cells:
            continue
        computed = ws.compiled.report.cells[cid].value
        yield finding("cell.override",
                      f"{_name(ws, cid)}由 {o.by} 人工修改为 {o.value}（按台账统计为 {computed}），理由：{o.reason}",
                      f"{cid} overridden to {o.value} by {o.by} (records give {computed}): {o.reason}",
                      cells=[cid], culprit=cid, found=o.value, expected=computed)


@rule("report.stale", "warning", "提交后台账有变化", scope="workspace")
def stale(ws: YearReport) -> Iterator[Finding]:
    """The report keeps what was submitted (and approved, and published); the officer
    decides whether to send it back to take the change in."""
    if ws.frozen is None:
        return
    live = ws.live_report
    for cid, v in ws.frozen.cells.items():
        now = live.cells.get(cid)
        if now is not None and now.value != v.value:
            yield finding("report.stale",
                          f"提交审核后台账有变化：{_name(ws, cid)}报告中为 {v.value}，按台账现为 {now.value}；如需更正，请退回修改",
                          f"{cid}: the report says {v.value}, the records now give {now.value} (changed after submission)",
                          cells=[cid], culprit=cid, found=v.value, expected=now.value)


@rule("records.invalid", "error", "台账中无法统计的记录", scope="workspace")
def unusable(ws: YearReport) -> Iterator[Finding]:
    """Stored records the report cannot count (written before the ledger checked every
    input, or edited in the database): left out, named, and the report held back until
    they are corrected."""
    bad = ws.unusable
    if not bad:
        return
    listed = "；".join(f"{u.key}（{u.reason_zh}）" for u in bad[:10]) + (f" 等 {len(bad)} 条" if len(bad) > 10 else "")
    yield finding("records.invalid",
                  f"台账中有 {len(bad)} 条记录无法统计，未计入报告：{listed}。请更正后再提交审核（申请记录由系统管理员在管理后台更正）",
                  f"{len(bad)} stored record(s) cannot be counted and were left out: "
                  + "; ".join(u.key for u in bad[:10]), found=len(bad))
