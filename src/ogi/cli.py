"""The `ogi` command. Thin: every command calls library functions; none re-implements
a rule. Output for machines is the JSON of docs (cli.md); for people, Chinese."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console

from .checks import check_all
from .ingest.errors import IngestError
from .present import print_findings, print_report
from .render import BINARY
from .render import render as render_report
from .render.totals import fill_totals as fill_totals_of
from .report import Report

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="ogi：政府信息公开工作年度报告的读取、校验与编制。",
    rich_markup_mode=None,
)

FilesArg = Annotated[list[Path], typer.Argument(help="报告文件（文本、Markdown 或 ogi 的 JSON）", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（格式见 docs/cli.md）")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="每读完一个文件输出一行 JSON（JSON Lines，按完成先后）")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, max=64, help="并行读取的进程数（默认：每个处理器核一个）")]
LimitOpt = Annotated[list[str] | None, typer.Option(
    "--limit", help="调整读取限额：名称=数值，可多次（如 --limit pdf_pages=50 --limit timeout_s=60；见 README）",
    show_default=False)]


def _limits(items: list[str] | None) -> Any:
    from .ingest.limits import Limits, parse_assignments

    try:
        return Limits.from_env().with_overrides(parse_assignments(items))
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--limit") from None


class _Interrupted(Exception):
    """Ctrl-C during a batch: what finished is written, then exit 130."""


def _stream(files: list[Path], jobs: int | None, limit: list[str] | None) -> Iterator[Any]:
    """Bounded results as files complete, with a progress bar on a terminal; Ctrl-C stops
    the batch after the results so far (the caller writes them, then _Interrupted is raised)."""
    from .ingest.bounded import read_many

    lim = _limits(limit)
    results = read_many(files, lim, jobs)
    progress = None
    if sys.stderr.isatty() and len(files) > 1:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress = Progress(TextColumn("读取"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        progress.start()
        bar = progress.add_task("", total=len(files))
    try:
        for r in results:
            if progress is not None:
                progress.advance(bar)
            yield r
    except KeyboardInterrupt:
        raise _Interrupted from None
    finally:
        results.close()  # the workers are stopped, whatever ended the loop
        if progress is not None:
            progress.stop()


def _read_all(files: list[Path], jobs: int | None = None, limit: list[str] | None = None,
              on_result: Any = None) -> tuple[list[tuple[str, Report | None, IngestError | None]], bool]:
    """Every file read (bounded), in the order given, and whether Ctrl-C cut the batch short."""
    got: dict[int, tuple[str, Report | None, IngestError | None]] = {}
    interrupted = False
    stream = _stream(files, jobs, limit)
    try:
        for r in stream:
            got[r.index] = (str(files[r.index]), r.report, r.error)
            if on_result is not None:
                on_result(r)
    # Ctrl-C while a result was being written lands here, not in _stream (typer would
    # otherwise turn it into a silent exit 130 without the output of what finished).
    except (_Interrupted, KeyboardInterrupt):
        stream.close()
        interrupted = True
    return [got[i] for i in sorted(got)], interrupted


def _stopped(done: int, total: int) -> None:
    sys.stderr.write(f"已中止：{total} 个文件中已读完 {done} 个，输出只含这些文件。\n")
    raise typer.Exit(130)


def _entry(file: str, report: Report | None, err: IngestError | None) -> dict[str, Any]:
    return {
        "file": file,
        "ok": err is None,
        "error": err.to_json() if err else None,
        "report": report.to_json() if report else None,
    }


def _dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _complain(file: str, err: IngestError) -> None:
    sys.stderr.write(f"{file}：{err.message_zh}\n")


def _jsonl(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@app.command()
def parse(files: FilesArg, as_json: JsonOpt = False, jsonl: JsonlOpt = False, jobs: JobsOpt = None,
          limit: LimitOpt = None) -> None:
    """读取报告，输出其中的元数据、章节和三张统计表。"""
    def stream(r: Any) -> None:
        _jsonl(_entry(str(files[r.index]), r.report, r.error))

    results, interrupted = _read_all(files, jobs, limit, stream if jsonl else None)
    if as_json and not jsonl:
        _dump([_entry(*r) for r in results])
    elif not jsonl:
        console = Console()
        for file, report, err in results:
            if err:
                _complain(file, err)
            else:
                assert report is not None
                _notices(file, report)
                print_report(console, report, file)
    if interrupted:
        _stopped(len(results), len(files))
    raise typer.Exit(2 if any(e for _, _, e in results) else 0)


def _notices(file: str, report: Report) -> None:
    for n in report.notices:
        sys.stderr.write(f"{file}：注意：{n['message_zh']}\n")


@app.command()
def check(files: FilesArg, as_json: JsonOpt = False, jsonl: JsonlOpt = False, jobs: JobsOpt = None,
          limit: LimitOpt = None) -> None:
    """校验报告：算术勾稽、完整性与格式、合理性、元数据；多份报告一起给出时还检查年度衔接。"""
    from .checks import check as check_one

    own: dict[int, int] = {}

    def stream(r: Any) -> None:
        e = _entry(str(files[r.index]), r.report, r.error)
        findings = check_one(r.report) if r.report is not None else []
        own[r.index] = len(findings)
        e["findings"] = [f.to_json() for f in findings]
        _jsonl(e)

    results, interrupted = _read_all(files, jobs, limit, stream if jsonl else None)
    good = [(i, r) for i, (_, r, e) in enumerate(results) if r is not None]
    findings_by_index = dict(zip([i for i, _ in good], check_all([r for _, r in good]), strict=True))
    has_error = False
    entries = []
    console = Console()
    for i, (file, report, err) in enumerate(results):
        findings = findings_by_index.get(i, [])
        has_error |= any(f.severity == "error" for f in findings)
        if jsonl:
            # The lines above carry each file's own findings; those across files (continuity
            # between years) are known only now: one more line for each file they concern.
            if len(findings) > own.get(i, 0):
                _jsonl({"file": file, "continuity": True, "findings": [f.to_json() for f in findings[own.get(i, 0):]]})
        elif as_json:
            e = _entry(file, report, err)
            e["findings"] = [f.to_json() for f in findings]
            entries.append(e)
        elif err:
            _complain(file, err)
        else:
            assert report is not None
            _notices(file, report)
            print_findings(console, file, report, findings, report.edition_obj if report else None)
    if as_json and not jsonl:
        _dump(entries)
    if interrupted:
        _stopped(len(results), len(files))
    if any(e for _, _, e in results):
        raise typer.Exit(2)
    raise typer.Exit(1 if has_error else 0)


def _checked(files: list[Path], jobs: int | None, limit: list[str] | None = None) -> tuple[list, list, bool]:
    results, interrupted = _read_all(files, jobs, limit)
    return results, check_all([r for _, r, _ in results if r is not None]), interrupted


@app.command()
def compare(files: FilesArg, as_json: JsonOpt = False, jobs: JobsOpt = None, limit: LimitOpt = None) -> None:
    """对比多份报告：按机关列出各年度的主要数字（新收申请、公开率、复议诉讼、被纠错率等）及与上一年度相比的变化。"""
    from .corpus.dataset import compare as compare_reports
    from .corpus.dataset import compare_json
    from .present import print_comparison

    results, findings, interrupted = _checked(files, jobs, limit)
    data = compare_reports(results, findings)
    if as_json:
        _dump(compare_json(data))
    else:
        print_comparison(Console(), data)
        for file, _, err in results:
            if err:
                _complain(file, err)
    if interrupted:
        _stopped(len(results), len(files))
    raise typer.Exit(2 if data["unreadable"] else 0)


@app.command()
def dataset(files: FilesArg,
            out: Annotated[Path, typer.Option("--output", "-o", help="输出：.csv、.xlsx、.jsonl 文件，或 .parquet 目录（可续跑）",
                                              show_default=False)],
            jobs: JobsOpt = None, limit: LimitOpt = None) -> None:
    """把多份报告整理为一张数据表：每份报告一行，每个单元格一列，另有元数据、问题数和主要指标；读不出的文件也占一行并写明原因。"""
    from .corpus.dataset import WRITERS, rows

    fmt = out.suffix.lower().lstrip(".")
    if fmt == "parquet":
        _dataset_parquet(files, out, jobs, limit)
        return
    if fmt not in WRITERS:
        sys.stderr.write(f"不支持的输出格式“{out.suffix or '（无扩展名）'}”：请用 .csv、.xlsx、.jsonl 或 .parquet\n")
        raise typer.Exit(2)
    results, findings, interrupted = _checked(files, jobs, limit)
    table = rows(results, findings)
    _write(WRITERS[fmt](table), out, None, fmt)
    if interrupted:
        _stopped(len(results), len(files))
    bad = [r for r in table if not r["ok"]]
    sys.stderr.write(f"共 {len(table)} 个文件，读出 {len(table) - len(bad)} 份报告"
                     + (f"，{len(bad)} 个无法读取（原因见“error”列）" if bad else "") + "\n")
    raise typer.Exit(2 if bad else 0)


def _dataset_parquet(files: list[Path], out: Path, jobs: int | None, limit: list[str] | None) -> None:
    """Streamed: each file is written as it is read; files the dataset holds are skipped."""
    from .corpus.batch import iter_read
    from .corpus.parquet import done_files, write_dataset

    if out.exists() and not out.is_dir():
        sys.stderr.write(f"{out} 已存在且不是目录：Parquet 数据集是一个目录\n")
        raise typer.Exit(2)
    done = done_files(out) if out.is_dir() else set()
    todo = [f for f in files if str(f) not in done]
    try:
        counts = write_dataset(iter_read(todo, jobs, _limits(limit)), out)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"无法写入数据集 {out}：{e}\n")
        raise typer.Exit(2) from None
    sys.stderr.write(f"已写入 {out}：本次 {counts['files']} 个文件，读出 {counts['reports']} 份报告"
                     + (f"，{counts['unreadable']} 个无法读取（见 files 表）" if counts["unreadable"] else "")
                     + (f"；{len(files) - len(todo)} 个文件此前已写入，跳过" if len(files) > len(todo) else "")
                     + f"；跨报告检查发现 {counts['across']} 个问题\n")
    raise typer.Exit(2 if counts["unreadable"] else 0)


@app.command()
def sql(query: Annotated[str, typer.Argument(help="SQL 查询（DuckDB），表：reports、cells、findings、files", show_default=False)],
        data: Annotated[Path, typer.Option("--dataset", "-d", help="ogi dataset 写出的 .parquet 目录", show_default=False)],
        as_json: JsonOpt = False,
        max_rows: Annotated[int, typer.Option("--rows", min=1, help="最多显示的行数")] = 1000) -> None:
    """在 Parquet 数据集上运行 SQL 查询（示例见 docs/dataset.md）。"""
    from .corpus.sql import SqlError, run_query

    try:
        columns, rows_ = run_query(data, query, max_rows)
    except SqlError as e:
        sys.stderr.write(e.message_zh + "\n")
        if as_json:
            _dump({"error": {"code": e.code, "message_zh": e.message_zh, "message_en": e.message_en}})
        raise typer.Exit(2) from None
    if as_json:
        _dump({"columns": columns, "rows": [[_jsonable(v) for v in r] for r in rows_]})
        return
    from .corpus.sql import format_table

    sys.stdout.write(format_table(columns, rows_))


def _jsonable(v: Any) -> Any:
    import decimal

    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


class Format(StrEnum):
    docx = "docx"
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"
    md = "md"
    json = "json"


class EditionId(StrEnum):
    e2019 = "2019"
    e2021 = "2021"


def _write(data: bytes, out: Path | None, default: Path | None, fmt: str) -> None:
    target = out or (default if fmt in BINARY else None)
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        target.write_bytes(data)
    except OSError as e:
        sys.stderr.write(f"无法写入 {target}：{e.strerror}\n")
        raise typer.Exit(2) from None
    sys.stderr.write(f"已写入 {target}（{len(data) / 1024:.0f} KB）\n")


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help="报告：ogi 的 JSON，或 ogi 能读取的任何报告文件", show_default=False)],
    to: Annotated[Format, typer.Option("--to", help="输出格式")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件；文本格式默认输出到标准输出")] = None,
    fill_totals: Annotated[bool, typer.Option("--fill-totals", help="空白的合计单元格按各分项计算填入（并列出填了哪些）")] = False,
) -> None:
    """把报告输出为官方版式的 DOCX、PDF、网页、Excel 填报表，或 Markdown、JSON。"""
    [(name, report, err)], _ = _read_all([file])
    if err:
        _complain(name, err)
        raise typer.Exit(2)
    assert report is not None
    if fill_totals:
        filled = fill_totals_of(report)
        ed = report.edition_obj
        if filled and ed is not None:
            from .checks.places import cell_zh

            sys.stderr.write("已按各分项填入合计：" + "；".join(f"{cell_zh(ed, c)} = {report.cells[c].value}" for c in filled) + "\n")
        else:
            sys.stderr.write("没有需要填入的空白合计。\n")
    try:
        data = render_report(report, to.value)
    except Exception as e:  # a writer's failure is reported, never a traceback
        sys.stderr.write(f"生成 {to.value} 失败：{type(e).__name__}: {e}\n")
        raise typer.Exit(2) from None
    same = file.suffix.lower() == f".{to.value}"
    _write(data, out, file.with_name(f"{file.stem}{'.ogi' if same else ''}.{to.value}"), to.value)


@app.command()
def template(
    edition: Annotated[EditionId, typer.Option("--edition", help="表格格式版本")] = EditionId.e2021,
    agency: Annotated[str, typer.Option("--agency", help="机关名称")] = "",
    year: Annotated[int | None, typer.Option("--year", help="报告年度", min=2008, max=2100)] = None,
    to: Annotated[Format, typer.Option("--to", help="输出格式")] = Format.xlsx,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件")] = None,
) -> None:
    """生成空白的年度报告填报模板（默认 Excel 填报表）。"""
    from .editions import load_edition
    from .report import Report, Value

    ed = load_edition(edition.value)
    if year is not None and not ed.covers(year):
        sys.stderr.write(f"提示：{year} 年度报告适用的不是 {ed.document} 格式。\n")
    report = Report.empty(ed.id, agency=agency or None, year=year)
    report.cells = {cid: Value("blank") for cid in ed.cells}
    data = render_report(report, to.value, template=True)
    default = Path(f"{agency or '年度报告'}{year or ''}模板.{to.value}")
    _write(data, out, default, to.value)


def _date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期应写作 YYYY-MM-DD，而不是 {text!r}") from None


@app.command("deadline")
def deadline_cmd(
    received: Annotated[str, typer.Argument(help="收到申请之日（YYYY-MM-DD）", show_default=False)],
    days: Annotated[int, typer.Option("--days", min=1, max=200, help="期限（工作日）")] = 20,
    pause: Annotated[list[str] | None, typer.Option("--pause", help="暂停计算的起止日期：--pause 起 止（可多次）")] = None,
    extend: Annotated[int, typer.Option("--extend", min=0, max=20, help="延长的工作日数（至多 20）")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """按工作日计算答复期限（次日起算，节假日与调休按国务院办公厅通知）。"""
    from .workdays import deadline

    start = _date_arg(received)
    pauses = []
    for pair in pause or []:
        a, _, b = pair.partition(_PAIR)
        if not b:
            raise typer.BadParameter("--pause 需要起止两个日期：--pause 起 止")
        pa, pb = _date_arg(a), _date_arg(b)
        if pb < pa:
            raise typer.BadParameter(f"暂停的结束日期 {b} 早于开始日期 {a}")
        pauses.append((pa, pb))
    try:
        d = deadline(start, days, pauses, extend)
    except ValueError:
        raise typer.BadParameter(f"无法从 {received} 起计算期限") from None
    if as_json:
        _dump(d.to_json())
    else:
        mark = "（推定）" if d.provisional else ""
        sys.stdout.write(f"截止日：{d.due.isoformat()}{mark}\n{d.explanation_zh}\n（日历版本 {d.calendar_version}）\n")
        if d.provisional:
            years = "、".join(f"{y}年" for y in d.estimated_years)
            sys.stdout.write(f"推定：{years}节假日安排公布后，用 ogi calendar add FILE 添加，截止日即确定。\n")


from .supervision.cli import supervise_app  # noqa: E402 — the commands of their own module

app.add_typer(supervise_app, name="supervise")

from .corpus.commands import collect_cmd, distribute_cmd  # noqa: E402 — the commands of their own module

app.command("collect")(collect_cmd)
app.command("distribute")(distribute_cmd)

calendar_app = typer.Typer(help="工作日历：查看与添加年度节假日安排。", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")


@calendar_app.command("add")
def calendar_add(file: Annotated[Path, typer.Argument(help="一年的节假日安排（与 data/calendar.yaml 同格式）")]) -> None:
    """添加国务院办公厅新公布的一年节假日安排；台账中截止日随之改变的申请记入操作记录。"""
    from .workdays import CalendarFileError, add_year_bytes, parse_year_file

    try:
        raw = file.read_bytes()
        parse_year_file(raw)
    except OSError as e:
        sys.stderr.write(f"无法读取 {file}：{e.strerror or e}\n")
        raise typer.Exit(2) from None
    except CalendarFileError as e:
        sys.stderr.write(f"无法添加：{e.message_zh}\n")
        raise typer.Exit(2) from None
    changed = None
    if _ledger_exists():
        # The ledger's open requests are recounted and each change recorded, as on the web page.
        _django()
        from .web.ledger.services import add_calendar_year

        years, changed = add_calendar_year(raw)
    else:
        years = add_year_bytes(raw)
    sys.stdout.write(f"已添加 {', '.join(map(str, years))} 年的节假日安排。\n")
    if changed is not None:
        sys.stdout.write(f"台账中 {changed} 件办理中申请的截止日随之改变，已记入操作记录。\n")


def _ledger_exists() -> bool:
    import os

    from .paths import data_dir

    return bool(os.environ.get("OGI_DATABASE_URL")) or (data_dir() / "ogi.sqlite3").exists()


@calendar_app.command("show")
def calendar_show() -> None:
    """列出日历包含的年份、依据的通知和版本。"""
    from .workdays import default_calendar

    cal = default_calendar()
    for y, spec in sorted(cal.years.items()):
        sys.stdout.write(f"{y}年　{spec['notice']}　节假日 {len(spec['holidays'])} 个，调休上班日 {len(spec['workdays'])} 天\n")
    sys.stdout.write(f"版本 {cal.version}\n")


def _django() -> None:
    """Django set up and the database migrated — or one line saying why not."""
    try:
        from .web import setup

        setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    except Exception as e:  # an unreachable server, a wrong URL, a read-only data directory …
        reason = " ".join(str(e).split())
        sys.stderr.write(f"无法打开数据库：{type(e).__name__}: {reason}\n")
        raise typer.Exit(2) from None


@app.command()
def demo() -> None:
    """在数据目录中建立演示机关、各角色用户和两个年度的申请台账，并列出登录信息。"""
    _django()
    from django.core.management import call_command

    try:
        call_command("demo", stdout=sys.stdout)
    except Exception as e:  # a database that cannot be reached, a full disk …
        sys.stderr.write(f"无法建立演示数据：{type(e).__name__}: {e}\n")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口", min=1, max=65535)] = 8000,
) -> None:
    """启动台账网页（数据库默认为数据目录中的 SQLite；OGI_DATABASE_URL 可指向 PostgreSQL）。"""
    _django()
    _clear_sessions()
    from waitress import create_server

    from .web.wsgi import application

    try:
        server = create_server(application, host=host, port=port, threads=8, ident="ogi")
    except OSError as e:
        sys.stderr.write(f"无法在 {host}:{port} 上启动：{e.strerror or e}（端口可能已被占用，可用 --port 换一个）\n")
        raise typer.Exit(2) from None
    sys.stdout.write(f"ogi 台账已启动：http://{host}:{port}/ （登录页 /login/，公众提交申请 /public/apply/、"
                     "查询进度 /public/track/，API 文档 /api/docs）按 Ctrl+C 停止\n")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        sys.stdout.write("已停止。\n")


def _clear_sessions() -> int:
    """Expired login sessions deleted: Django keeps them until told to."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    n, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return n


@app.command()
def cleanup() -> None:
    """删除已过期的登录会话（ogi serve 启动时也会执行）。"""
    _django()
    sys.stdout.write(f"已删除 {_clear_sessions()} 个过期会话。\n")


def _database() -> tuple[str, str]:
    """("sqlite", path) or ("postgresql", url) of the ledger's database."""
    import os

    url = os.environ.get("OGI_DATABASE_URL")
    if url:
        return "postgresql", url
    from .paths import data_dir

    return "sqlite", str(data_dir() / "ogi.sqlite3")


@app.command()
def backup(file: Annotated[Path, typer.Argument(help="备份文件", show_default=False)]) -> None:
    """备份台账数据库（SQLite：在线备份，服务运行中也一致；PostgreSQL：调用 pg_dump）。"""
    from .web.backup import BackupError, pg_backup, sqlite_backup

    kind, where = _database()
    try:
        if kind == "postgresql":
            pg_backup(where, file)
        else:
            if not Path(where).exists():
                raise BackupError(f"数据目录中还没有台账数据库（{where}）", f"no ledger database at {where}")
            _django()  # the schema is current before it is copied
            sqlite_backup(Path(where), file)
    except BackupError as e:
        sys.stderr.write(e.message_zh + "\n")
        raise typer.Exit(2) from None
    except OSError as e:
        sys.stderr.write(f"无法写入 {file}：{e.strerror or e}\n")
        raise typer.Exit(2) from None
    sys.stdout.write(f"已备份到 {file}（{file.stat().st_size // 1024} KB）。\n")


@app.command()
def restore(file: Annotated[Path, typer.Argument(help="ogi backup 生成的备份文件", show_default=False)]) -> None:
    """用备份恢复台账数据库（先停止 ogi serve）；现有数据库以带时间的文件名另存。"""
    from .web.backup import PG_RESTORE_ZH, BackupError, sqlite_restore

    kind, where = _database()
    if kind == "postgresql":
        sys.stderr.write(PG_RESTORE_ZH + "\n")
        raise typer.Exit(2)
    from .web import setup

    setup()
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    connections.close_all()
    try:
        done = sqlite_restore(file, Path(where), known)
    except BackupError as e:
        sys.stderr.write(e.message_zh + "\n")
        raise typer.Exit(2) from None
    except OSError as e:
        sys.stderr.write(f"无法恢复：{e.strerror or e}\n")
        raise typer.Exit(2) from None
    _django()  # an older backup is brought up to this version's schema
    if done.aside:
        sys.stdout.write(f"原数据库已另存为 {done.aside}\n")
    sys.stdout.write(f"已从 {file} 恢复台账数据库。\n")


@app.command()
def token(username: Annotated[str, typer.Argument(help="用户名")], name: Annotated[str, typer.Option("--name")] = "api") -> None:
    """为用户签发 API 令牌（只显示一次）。"""
    _django()
    from django.contrib.auth import get_user_model

    from .web.accounts.models import ApiToken

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        sys.stderr.write(f"没有用户 {username}\n")
        raise typer.Exit(2)
    sys.stdout.write(ApiToken.issue(user, name) + "\n")


user_app = typer.Typer(help="工作人员账号（运维人员使用；机关管理员也可在网页“工作人员”中管理本机关人员）。", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _accounts(action):  # type: ignore[no-untyped-def]
    """Run an accounts action; a refusal is one Chinese line and exit 2."""
    _django()
    from .workflow import Refused

    try:
        return action()
    except Refused as e:
        sys.stderr.write(e.message_zh + "\n")
        raise typer.Exit(2) from None


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="用户名")],
    agency: Annotated[str, typer.Option("--agency", help="机关名称或编号")],
    role: Annotated[str, typer.Option("--role", help="clerk 经办人 | reviewer 审核人 | admin 机关管理员 | supervisor 监督")] = "clerk",
    email: Annotated[str, typer.Option("--email", help="电子邮箱（接收待办提醒）")] = "",
    name: Annotated[str, typer.Option("--name", help="姓名")] = "",
) -> None:
    """添加工作人员；显示一次临时密码，首次登录时须修改。"""

    def go() -> None:
        from .web.accounts import users as accounts

        staff, password = accounts.add(username, accounts.find_agency(agency), role, email=email, full_name=name)
        sys.stdout.write(f"已添加 {username}（{staff.agency.name}·{staff.get_role_display()}），临时密码：{password}\n")

    _accounts(go)


@user_app.command("disable")
def user_disable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用账号（保留其操作记录）。"""

    def go() -> None:
        from .web.accounts import users as accounts

        accounts.set_active(accounts.get_staff(username), False)
        sys.stdout.write(f"已停用 {username}\n")

    _accounts(go)


@user_app.command("list")
def user_list(agency: Annotated[str, typer.Option("--agency", help="只列出该机关（名称或编号）")] = "") -> None:
    """列出工作人员：用户名、机关、角色、状态。"""

    def go() -> None:
        from .web.accounts import users as accounts
        from .web.accounts.models import Staff

        rows = Staff.objects.select_related("user", "agency").order_by("agency__name", "user__username")
        if agency:
            rows = rows.filter(agency=accounts.find_agency(agency))
        for s in rows:
            state = "在用" if s.user.is_active else "已停用"
            extra = "（待修改密码）" if s.must_change_password else ""
            sys.stdout.write(f"{s.user.username}\t{s.agency.name}\t{s.get_role_display()}\t{state}{extra}\t{s.user.email or '—'}\n")

    _accounts(go)


@app.command()
def remind(
    on: Annotated[str, typer.Option("--date", help="按哪一天计算（YYYY-MM-DD，默认今天）")] = "",
    base_url: Annotated[str, typer.Option("--base-url", help="邮件中链接的网址前缀，如 https://ogi.example.gov.cn")] = "",
) -> None:
    """每日待办提醒（供 cron 调用）：5个工作日内到期和已逾期的申请、待审核事项，按用户发送邮件（设置 OGI_SMTP_HOST 时）。"""
    day = _date_arg(on) if on else None

    def go() -> None:
        from .web.ledger import reminders

        counts = reminders.send_all(day, base_url.rstrip("/"))
        line = f"用户 {counts['users']} 名，有待办 {counts['with_items']} 名"
        if reminders.email_configured():
            line += f"，已发送提醒邮件 {counts['sent']} 封"
        else:
            line += "；未配置邮件服务器（OGI_SMTP_HOST），提醒只在网页“待办”中显示"
        if counts["no_email"]:
            line += f"；{counts['no_email']} 名有待办的用户未登记电子邮箱"
        sys.stdout.write(line + "\n")

    try:
        _accounts(go)
    except OSError as e:  # the SMTP server refused or could not be reached
        sys.stderr.write(f"无法发送提醒邮件：{e}\n")
        raise typer.Exit(2) from None


report_app = typer.Typer(help="由台账编制年度报告。", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("compile")
def report_compile(
    year: Annotated[int, typer.Option("--year", help="报告年度", min=2019, max=2100)],
    agency: Annotated[str | None, typer.Option("--agency", help="机关名称（默认全部机关）")] = None,
    as_json: JsonOpt = False,
    to: Annotated[Format | None, typer.Option("--to", help="输出格式（单个机关时）")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件")] = None,
) -> None:
    """按台账记录编制某年度的报告：表三按申请的收到与办结日期计数，表二按文件登记，表四按案件。"""
    if year > dt.date.today().year:
        sys.stderr.write(f"{year} 年度尚未开始，无法编制报告\n")
        raise typer.Exit(2)
    _django()
    from .web.accounts.models import Agency
    from .web.reporting.services import workspace

    agencies = list(Agency.objects.filter(name=agency) if agency else Agency.objects.exclude(children__isnull=False))
    if agency and not agencies:
        sys.stderr.write(f"没有机关“{agency}”\n")
        raise typer.Exit(2)
    results = []
    for a in agencies:
        ws = workspace(a, year)
        results.append((a, ws))
    if to is not None:
        if len(results) != 1:
            sys.stderr.write("输出文件时请用 --agency 指定一个机关\n")
            raise typer.Exit(2)
        a, ws = results[0]
        _write(render_report(ws.report, to.value), out, Path(f"{a.name}{year}年政府信息公开工作年度报告.{to.value}"), to.value)
        return
    has_error = any(f.severity == "error" for _, ws in results for f in ws.findings)
    if as_json:
        _dump([{"file": None, "ok": True, "error": None, "report": ws.report.to_json(),
                "findings": [f.to_json() for f in ws.findings]} for _, ws in results])
    else:
        console = Console()
        for a, ws in results:
            print_findings(console, f"{a.name} {year}年度（由台账编制）", ws.report, ws.findings, ws.report.edition_obj)
    raise typer.Exit(1 if has_error else 0)


_USAGE_ZH = [
    (re.compile(r"^Missing argument '(.+)'\.?$"), "缺少参数 {0}"),
    (re.compile(r"^Missing option '(.+)'\.?$"), "缺少选项 {0}"),
    (re.compile(r"^No such option: (\S+)"), "没有选项 {0}"),
    (re.compile(r"^No such command '(.+)'\.?$"), "没有命令 {0}"),
    (re.compile(r"^Invalid value for (.+?): (.+)$"), "{0} 的值无效（{1}）"),
    (re.compile(r"^Invalid value: (.+)$"), "{0}"),
    (re.compile(r"^Option '(.+)' requires (\d+) arguments?\.?$"), "选项 {0} 需要 {1} 个参数"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), "多余的参数：{0}"),
]


def usage_zh(message: str) -> str:
    """click's usage messages in Chinese, keeping the technical part as it is."""
    for pattern, zh in _USAGE_ZH:
        m = pattern.match(message.strip())
        if m:
            return zh.format(*m.groups())
    return message.strip().rstrip(".")


_PAIR = "\x1f"  # joins the two values of an option that takes a pair (--pause FROM TO)


def _pair_options(argv: list[str], names: tuple[str, ...] = ("--pause",)) -> list[str]:
    """click options take one value each here: fold `--pause A B` into one argument."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in names and i + 2 < len(argv) and not argv[i + 2].startswith("-"):
            out += [argv[i], _PAIR.join(argv[i + 1: i + 3])]
            i += 3
            continue
        out.append(argv[i])
        i += 1
    return out


def main() -> None:
    """Console entry point: usage errors as one Chinese line, never a traceback."""
    try:
        code = app(args=_pair_options(sys.argv[1:]), standalone_mode=False)
    except click.exceptions.UsageError as e:
        sys.stderr.write(f"用法错误：{usage_zh(e.format_message())}。运行 ogi --help 查看用法。\n")
        sys.exit(2)
    except click.exceptions.Abort:
        sys.stderr.write("已中止。\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # the last guard: a bug is reported in one line, never as a traceback
        sys.stderr.write(f"内部错误：{type(e).__name__}: {e}\n")
        sys.exit(2)
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
