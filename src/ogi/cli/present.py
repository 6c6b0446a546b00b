"""Readable (Chinese) terminal output of reports and findings, for people; machines use
the JSON of cli.md."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..editions import Edition, current_edition
from ..render.text import heading
from ..report import Finding, Report, Value
from ..textnorm import decimal_text

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_STATE_ZH = {"blank": "（空白）", "missing": "（缺失）"}


def _groups(edition: Edition | None) -> list[tuple[str, str]]:
    """(section number, title) in the order findings are listed; metadata first."""
    ed = edition or current_edition()
    tables = {t.section: t.number for t in ed.tables}
    out = [("元数据", "元数据")]
    for s in ed.sections:
        out.append((s.number, heading(s) + (f"（表{tables[s.key]}）" if s.key in tables else "")))
    return out


def show_value(v: Value, unit: str) -> str:
    if v.state in _STATE_ZH:
        return _STATE_ZH[v.state]
    if v.state == "dash":
        return v.raw or "—"
    if unit == "yuan" and v.value is not None:
        return decimal_text(v.value)
    return str(v.value)


def describe(report: Report) -> str:
    ed = report.edition_obj
    edition = f"{ed.document}（{ed.id} 版）" if ed else "未知"
    return (
        f"机关：{report.agency or '（未识别）'}　年度：{report.year or '（未识别）'}　"
        f"成文日期：{report.issued_on.isoformat() if report.issued_on else '（未找到）'}　表格格式：{edition}"
    )


def print_report(console: Console, report: Report, file: str) -> None:
    console.print(f"[bold]{file}[/bold]")
    console.print(describe(report))
    ed = report.edition_obj
    if ed is None:
        return
    for table in ed.tables:
        for block in table.blocks:
            t = Table(title=f"表{table.number} {table.title}" + (f" {block.heading}" if block.heading else ""),
                      show_lines=False, title_justify="left")
            t.add_column("")
            for c in block.columns:
                t.add_column(c.label, justify="center")
            for r in block.rows:
                cells = [report.cells[block.cell_id(r, c)] for c in block.columns]
                t.add_row(r.label, *(show_value(v, c.unit) for v, c in zip(cells, block.columns, strict=True)))
            console.print(t)
    missing = [k for k, v in report.sections.items() if v is None]
    if missing:
        console.print(f"未找到的章节：{', '.join(missing)}")


def _group_of(f: Finding) -> str:
    w = f.where or {}
    return w.get("section") or "元数据"


def print_findings(console: Console, file: str, report: Report | None, findings: list[Finding], edition: Edition | None) -> None:
    head = f"[bold]{file}[/bold]"
    if report is not None:
        head += f"　{describe(report)}"
    console.print(head, soft_wrap=True)
    if not findings:
        console.print("  [green]未发现问题[/green]")
        return
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_ZH}
    console.print("  " + "，".join(f"{SEVERITY_ZH[s]} {n} 项" for s, n in counts.items() if n))
    for number, title in _groups(edition):
        group = [f for f in findings if _group_of(f) == number]
        if not group:
            continue
        console.print(f"  [bold]{title}[/bold]")
        for f in group:
            loc = _source_text(f.source)
            console.print(
                f"    [{SEVERITY_STYLE[f.severity]}]{SEVERITY_ZH[f.severity]}[/] {f.message_zh}"
                + (f"　[dim]（{loc}，{f.rule}）[/dim]" if loc else f"　[dim]（{f.rule}）[/dim]"),
                highlight=False,
                soft_wrap=True,
            )


def _source_text(src: dict | None) -> str:
    if not src:
        return ""
    parts = []
    for key, zh in (("page", "第{}页"), ("picture", "第{}幅图片"), ("table", "表格{}"), ("row", "第{}行"), ("col", "第{}列"),
                    ("line", "第{}行")):
        if key in src and src[key] is not None:
            parts.append(zh.format(src[key]))
    return "".join(parts)


def _change_text(v: object, rate: bool) -> str:
    if v is None or v == 0:
        return ""
    if rate:
        return f"（{float(v) * 100:+.1f}个百分点）"  # type: ignore[arg-type]
    return f"（{v:+}）"


def print_comparison(console: Console, data: dict) -> None:
    """`ogi compare` for people: a table per agency, a row per figure, a column per
    report in year order; the change from the agency's previous report in brackets."""
    from collections import Counter

    from ..corpus.indicators import figure_text, shown

    for agency in data["agencies"]:
        reports = agency["reports"]
        years = Counter(e["year"] for e in reports)
        t = Table(title=agency["agency"], title_justify="left")
        t.add_column("")
        for e in reports:
            head = str(e["year"] or "年度不明")
            if years[e["year"]] > 1:  # the same year twice (a page and its attachment): say which file
                head += f"\n{e['file'].rsplit('/', 1)[-1]}"
                if e.get("duplicate_of"):
                    head += "\n（同年度另一份，未比较）"
            t.add_column(head, justify="right")
        for i in shown():
            rate = i.rate is not None
            t.add_row(i.label, *(figure_text(e["figures"][i.id], rate) + _change_text((e["change"] or {}).get(i.id), rate)
                                 for e in reports))
        t.add_row("错误 / 警告", *(f"{e['errors']} / {e['warnings']}" for e in reports))
        console.print(t)
    if data["agencies"]:
        console.print("[dim]括号内为与该机关上一份报告相比的变化；“—”为报告中缺失或无法计算（如分母为0）。[/dim]")
