"""`ogi render` and `ogi template`: a report, or a blank one, in the official layout
(DOCX, PDF, HTML, an XLSX fill-in workbook) or as Markdown or JSON."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import Format, LimitOpt, complain, read_all, write

app = typer.Typer(rich_markup_mode=None)  # plain help, as the top level


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help="报告：ogi 的 JSON，或 ogi 能读取的任何报告文件", show_default=False)],
    to: Annotated[Format, typer.Option("--to", help="输出格式")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件；文本格式默认输出到标准输出")] = None,
    fill_totals: Annotated[bool, typer.Option("--fill-totals", help="空白的合计单元格按各分项计算填入（并列出填了哪些）")] = False,
    limit: LimitOpt = None,
) -> None:
    """把报告输出为官方版式的 DOCX、PDF、网页、Excel 填报表，或 Markdown、JSON。"""
    from ..render import render as render_report

    results, interrupted = read_all([file], limit=limit)
    if interrupted or not results:
        sys.stderr.write("已中止，未写入任何文件。\n")
        raise typer.Exit(130)
    [(name, report, err)] = results
    if err:
        complain(name, err)
        raise typer.Exit(2)
    assert report is not None
    if fill_totals:
        from ..render.totals import fill_totals as fill_totals_of

        filled = fill_totals_of(report)
        ed = report.edition_obj
        if filled and ed is not None:
            sys.stderr.write("已按各分项填入合计：" + "；".join(f"{ed.cell_zh(c)} = {report.cells[c].value}" for c in filled) + "\n")
        else:
            sys.stderr.write("没有需要填入的空白合计。\n")
    try:
        data = render_report(report, to.value)
    except Exception as e:  # a writer's failure is reported, never a traceback
        sys.stderr.write(f"生成 {to.value} 失败：{type(e).__name__}: {e}\n")
        raise typer.Exit(2) from None
    same = file.suffix.lower() == f".{to.value}"
    write(data, out, file.with_name(f"{file.stem}{'.ogi' if same else ''}.{to.value}"), to.value)


@app.command()
def template(
    edition: Annotated[str | None, typer.Option("--edition", help="表格格式版本，如 2019、2021（默认：现行格式）",
                                                show_default=False)] = None,
    agency: Annotated[str, typer.Option("--agency", help="机关名称")] = "",
    year: Annotated[int | None, typer.Option("--year", help="报告年度", min=2008, max=2100)] = None,
    to: Annotated[Format, typer.Option("--to", help="输出格式")] = Format.xlsx,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件")] = None,
) -> None:
    """生成空白的年度报告填报模板（默认 Excel 填报表）。"""
    from ..editions import current_edition, edition_ids, load_edition
    from ..render import render as render_report
    from ..report import Report, Value

    if edition is not None and edition not in edition_ids():
        sys.stderr.write(f"没有格式“{edition}”（可选：{'、'.join(edition_ids())}）\n")
        raise typer.Exit(2)
    ed = load_edition(edition) if edition else current_edition()
    if year is not None and not ed.covers(year):
        sys.stderr.write(f"提示：{year} 年度报告适用的不是 {ed.document} 格式。\n")
    report = Report.empty(ed.id, agency=agency or None, year=year)
    report.cells = {cid: Value("blank") for cid in ed.cells}
    data = render_report(report, to.value, template=True)
    # A file in the current folder, whatever the name holds (/, .., a name too long for a file).
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", agency).strip(" ._")[:60] or "年度报告"
    default = Path(f"{stem}{year or ''}模板.{to.value}")
    write(data, out, default, to.value)
