"""`ogi supervise`: a supervising office's commands over a folder or ZIP of reports and
its tree of agencies. Stateless — every call reads the files again — so the same call
gives the same answer; the web app keeps the state (assignments, history, rectification)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import clock
from ..fileio import os_reason, read_input, write_atomically
from ..workspace import count_by_severity
from .common import JsonOpt, dump

if TYPE_CHECKING:
    from ..ingest.errors import IngestError
    from ..supervision.collect import Collection
    from ..supervision.rubric import Rubric

app = typer.Typer(rich_markup_mode=None)  # plain help, as the top level
supervise_app = typer.Typer(help="监督机关：汇集辖区各机关的年度报告，匹配机关、核对发布时限、评分排名并生成通报。",
                            no_args_is_help=True)

SourcesArg = Annotated[list[Path], typer.Argument(help="报告文件、文件夹或 ZIP 压缩包", show_default=False)]
TreeOpt = Annotated[Path, typer.Option("--tree", "-t", help="机关名录（XLSX 或 CSV：机关名称、上级机关、类别、层级、其他名称）",
                                       show_default=False)]
YearOpt = Annotated[int | None, typer.Option("--year", "-y", min=2008, max=2100, help="报告年度（默认：导入报告中最新的年度）")]
RubricOpt = Annotated[Path | None, typer.Option("--rubric", help="评分细则 YAML（默认：内置细则，见 supervision/rubric.yaml）")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, max=64, help="并行读取的进程数")]


def _collect(sources: list[Path], tree: Path, jobs: int | None) -> Collection:
    from ..supervision.collect import collect
    from ..supervision.tree import TreeError, load_region

    try:
        region, problems = load_region(tree)
    except TreeError as e:
        sys.stderr.write(f"{tree}：{e.message_zh}\n")
        raise typer.Exit(2) from None
    for p in problems:
        sys.stderr.write(f"{tree}：{p}\n")
    if not len(region):
        sys.stderr.write(f"{tree}：名录中没有可用的机关\n")
        raise typer.Exit(2)
    missing = [s for s in sources if not s.exists()]
    if missing:
        sys.stderr.write("".join(f"{s}：文件或文件夹不存在\n" for s in missing))
        raise typer.Exit(2)
    c = collect(region, sources, jobs)
    c.today = clock.today()
    return c


def _year(c: Collection, year: int | None) -> int:
    if year is not None:
        return year
    years = c.years()
    if not years:
        sys.stderr.write("没有匹配到任何机关的报告，无法确定年度；请用 --year 指定\n")
        raise typer.Exit(2)
    return years[-1]


def _rubric(path: Path | None) -> Rubric:
    from ..supervision.rubric import RubricError, default_rubric, parse_rubric

    if path is None:
        return default_rubric()
    try:
        return parse_rubric(read_input(path, 1024**2))  # (a rubric is a page of YAML)
    except OSError as e:
        sys.stderr.write(f"{path}：无法读取：{os_reason(e)}\n")
    except RubricError as e:
        sys.stderr.write(f"{path}：{e.message_zh}\n")
    raise typer.Exit(2)


def _error(e: IngestError) -> dict[str, str]:
    return {"code": e.code, "message_zh": e.message_zh, "message_en": e.message_en}


def _exit(c: Collection) -> None:
    """Exit 2 when a file could not be read, each named on stderr with its reason (the status
    alone said that something failed, not what)."""
    for f, e in c.unreadable:
        sys.stderr.write(f"{f}：{e.message_zh}\n")
    raise typer.Exit(2 if c.unreadable else 0)


def _unreadable(c: Collection) -> list[dict[str, Any]]:
    return [{"file": f, "error": _error(e)} for f, e in c.unreadable]


@supervise_app.command("import")
def import_cmd(sources: SourcesArg, tree: TreeOpt, as_json: JsonOpt = False, jobs: JobsOpt = None) -> None:
    """读取文件夹或 ZIP 中的每一份报告，按名称和其他名称匹配到名录中的机关；不能确定的列入待指定队列，绝不猜测。"""
    c = _collect(sources, tree, jobs)
    if as_json:
        dump({
            "assigned": [{"file": x.file, "agency": x.agency, "printed": x.printed, "year": x.year, "how": x.match.how,
                          "errors": count_by_severity(x.findings)["error"],
                          "warnings": count_by_severity(x.findings)["warning"]}
                         for x in sorted(c.current.values(), key=lambda x: (x.agency or "", x.year or 0))],
            "replaced": [{"file": x.file, "agency": x.agency, "year": x.year} for x in c.history],
            "queue": [{"file": x.file, "printed": x.printed, "year": x.year, "status": x.match.status,
                       "candidates": x.match.candidates, "message_zh": x.match.message_zh, "message_en": x.match.message_en}
                      for x in c.queue],
            "unreadable": _unreadable(c),
        })
        _exit(c)
    out = [f"已匹配 {len(c.current)} 份报告，待人工指定 {len(c.queue)} 份，无法读取 {len(c.unreadable)} 个文件"
           + (f"，被新版本替换 {len(c.history)} 份" if c.history else "")]
    for x in sorted(c.current.values(), key=lambda x: (x.agency or "", x.year or 0)):
        errors = count_by_severity(x.findings)["error"]
        out.append(f"  {x.agency}　{x.year}年度　{x.file}" + (f"（印作“{x.printed}”）" if x.printed != x.agency else "")
                   + (f"　错误 {errors} 处" if errors else ""))
    if c.queue:
        out.append("待人工指定：")
        out += [f"  {x.file}：{x.match.message_zh}" for x in c.queue]
    sys.stdout.write("\n".join(out) + "\n")
    _exit(c)


@supervise_app.command("timeliness")
def timeliness_cmd(sources: SourcesArg, tree: TreeOpt, year: YearOpt = None, as_json: JsonOpt = False,
                   jobs: JobsOpt = None) -> None:
    """每个机关该年度报告的发布情况：按时发布、逾期 N 天或未发布（截止日期按机关类别和层级确定）。"""
    c = _collect(sources, tree, jobs)
    y = _year(c, year)
    rows = c.timeliness(y)
    if as_json:
        dump({"year": y, "agencies": [t.to_json() for t in rows], "unreadable": _unreadable(c)})
        _exit(c)
    out = [f"{y}年度报告发布情况（{len(rows)} 个机关）"]
    for t in rows:
        a = c.region[t.agency]
        out.append(f"  {t.agency}（{a.level_zh}{a.kind_zh}）　截止 {t.deadline.isoformat()}　"
                   + (f"发布 {t.published_on.isoformat()}　" if t.published_on else "") + t.status_zh
                   + (f"（{t.reason_zh}）" if t.reason_zh else ""))
    sys.stdout.write("\n".join(out) + "\n")
    _exit(c)


@supervise_app.command("score")
def score_cmd(sources: SourcesArg, tree: TreeOpt, year: YearOpt = None, rubric: RubricOpt = None, as_json: JsonOpt = False,
              jobs: JobsOpt = None) -> None:
    """按评分细则为每个机关的年度报告评分，逐项列出扣分及依据。"""
    r = _rubric(rubric)
    c = _collect(sources, tree, jobs)
    y = _year(c, year)
    scores = c.scores(y, r)
    if as_json:
        dump({"year": y, "rubric": r.name, "scores": [s.to_json() for s in scores], "unreadable": _unreadable(c)})
        _exit(c)
    out = [f"{y}年度评分（{r.name}，满分 {r.full_marks}）"]
    for s in scores:
        out.append(f"  {s.agency}　{s.total} 分")
        out += [f"    {d.text_zh}" for d in s.deductions]
    sys.stdout.write("\n".join(out) + "\n")
    _exit(c)


@supervise_app.command("rank")
def rank_cmd(sources: SourcesArg, tree: TreeOpt, year: YearOpt = None, rubric: RubricOpt = None, as_json: JsonOpt = False,
             notice: Annotated[Path | None, typer.Option("--notice", help="另写出通报：.docx（正式版式）或 .xlsx",
                                                         show_default=False)] = None,
             office: Annotated[str, typer.Option("--office", help="通报的发文机关")] = "政务公开办公室",
             due: Annotated[str | None, typer.Option("--due", help="通报中的整改期限（YYYY-MM-DD）", show_default=False)] = None,
             jobs: JobsOpt = None) -> None:
    """按层级和类别分组排名（同分同名次），可生成通报（DOCX/XLSX）。"""
    if notice is not None and notice.suffix.lower() not in (".docx", ".xlsx"):
        sys.stderr.write(f"通报只能写为 .docx 或 .xlsx，而不是“{notice.suffix or '（无扩展名）'}”\n")
        raise typer.Exit(2)
    try:
        due_on = dt.date.fromisoformat(due) if due else None
    except ValueError:
        sys.stderr.write(f"整改期限“{due}”不是 YYYY-MM-DD 格式的日期\n")
        raise typer.Exit(2) from None
    r = _rubric(rubric)
    c = _collect(sources, tree, jobs)
    y = _year(c, year)
    from ..supervision.ranking import issuer_in, rank

    groups = rank(c.region, c.scores(y, r), issuer=issuer_in(c.region, office))
    if notice is not None:
        from ..supervision.notice import Notice, render_notice_docx, render_notice_xlsx

        n = Notice(office, y, c.region, c.timeliness(y), groups, clock.today(), due_on, r.name)
        data = render_notice_docx(n) if notice.suffix.lower() == ".docx" else render_notice_xlsx(n)
        try:
            write_atomically(notice, data)
        except OSError as e:
            sys.stderr.write(f"无法写入 {notice}：{os_reason(e)}\n")
            raise typer.Exit(2) from None
        sys.stderr.write(f"已写入 {notice}（{len(data) / 1024:.0f} KB）\n")
    if as_json:
        dump({"year": y, "rubric": r.name, "groups": [
            {"level": g.level, "kind": g.kind, "title_zh": g.title_zh,
             "ranked": [{"rank": x.rank, "of": x.of, **x.score.to_json()} for x in g.ranked]} for g in groups],
            "unreadable": _unreadable(c)})
        _exit(c)
    out = [f"{y}年度排名（{r.name}）"]
    for g in groups:
        out.append(g.title_zh + "：")
        out += [f"  {x.rank_zh:>3}　{x.score.agency}　{x.total_zh}{'' if x.score.pending else ' 分'}" for x in g.ranked]
    sys.stdout.write("\n".join(out) + "\n")
    _exit(c)


app.add_typer(supervise_app, name="supervise")
