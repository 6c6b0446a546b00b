"""The ledger's commands: working-day deadlines and the calendar, the web application
(demo data, serve, sessions, backup and restore, tokens, staff accounts, reminders) and
the year's report compiled from the ledger."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..fileio import os_reason, read_input
from . import PAIR, steady_collector
from .common import Format, JsonOpt, dump, write

app = typer.Typer(rich_markup_mode=None)  # plain help, as the top level


def _date_arg(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期应写作 YYYY-MM-DD，而不是 {text!r}") from None
    from ..records.validate import EARLIEST

    if day < EARLIEST:  # the same bound as a request's dates in the ledger
        raise typer.BadParameter(f"日期 {text} 早于《政府信息公开条例》施行之日（2008年5月1日）")
    if day.year > 2100:  # (deadlines count on past 9999-12-31 otherwise)
        raise typer.BadParameter(f"日期应在 2100 年以前，而不是 {text}")
    return day


@app.command("deadline")
def deadline_cmd(
    received: Annotated[str, typer.Argument(help="收到申请之日（YYYY-MM-DD）", show_default=False)],
    days: Annotated[int, typer.Option("--days", min=1, max=200, help="期限（工作日）")] = 20,
    pause: Annotated[list[str] | None, typer.Option("--pause", help="暂停计算的起止日期：--pause 起 止（可多次）")] = None,
    extend: Annotated[int, typer.Option("--extend", min=0, max=20, help="延长的工作日数（至多 20）")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """按工作日计算答复期限（次日起算，节假日与调休按国务院办公厅通知）。"""
    from ..workdays import deadline

    start = _date_arg(received)
    pauses = []
    for pair in pause or []:
        a, _, b = pair.partition(PAIR)
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
        dump(d.to_json())
    else:
        mark = "（推定）" if d.provisional else ""
        sys.stdout.write(f"截止日：{d.due.isoformat()}{mark}\n{d.explanation_zh}\n（日历版本 {d.calendar_version}）\n")
        if d.provisional:
            years = "、".join(f"{y}年" for y in d.estimated_years)
            sys.stdout.write(f"推定：{years}节假日安排公布后，用 ogi calendar add FILE 添加，截止日即确定。\n")


calendar_app = typer.Typer(help="工作日历：查看与添加年度节假日安排。", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")


@calendar_app.command("add")
def calendar_add(file: Annotated[Path, typer.Argument(help="一年的节假日安排（与 data/calendar.yaml 同格式）")]) -> None:
    """添加国务院办公厅新公布的一年节假日安排；台账中截止日随之改变的申请记入操作记录。"""
    from ..workdays import MAX_CALENDAR_FILE, CalendarFileError, add_year_bytes, parse_year_file

    try:
        raw = read_input(file, MAX_CALENDAR_FILE)
        parse_year_file(raw)
    except OSError as e:
        sys.stderr.write(f"无法读取 {file}：{os_reason(e)}\n")
        raise typer.Exit(2) from None
    except CalendarFileError as e:
        sys.stderr.write(f"无法添加：{e.message_zh}\n")
        raise typer.Exit(2) from None
    moved = confirmed = None
    if _ledger_exists():
        # The ledger's open requests are recounted and each change recorded, as on the web page.
        _django()
        from ..web.ledger.services import add_calendar_year

        try:
            years, moved, confirmed = add_calendar_year(raw)
        except CalendarFileError as e:
            sys.stderr.write(f"无法添加：{e.message_zh}\n")
            raise typer.Exit(2) from None
    else:
        years = add_year_bytes(raw)
    sys.stdout.write(f"已添加 {', '.join(map(str, years))} 年的节假日安排。\n")
    if moved is not None and confirmed is not None:
        from ..web.ledger.services import calendar_effect_zh

        sys.stdout.write(f"台账中{calendar_effect_zh(moved, confirmed)}。\n")


def _ledger_exists() -> bool:
    import os

    from ..paths import data_dir

    return bool(os.environ.get("OGI_DATABASE_URL")) or (data_dir() / "ogi.sqlite3").exists()


@calendar_app.command("show")
def calendar_show() -> None:
    """列出日历包含的年份、依据的通知和版本。"""
    from ..workdays import default_calendar

    cal = default_calendar()
    for y, spec in sorted(cal.years.items()):
        sys.stdout.write(f"{y}年　{spec['notice']}　节假日 {len(spec['holidays'])} 个，调休上班日 {len(spec['workdays'])} 天\n")
    sys.stdout.write(f"版本 {cal.version}\n")


def _django() -> None:
    """Django set up and the database migrated — or one line saying why not."""
    try:
        from ..web import setup

        setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    except Exception as e:  # an unreachable server, a wrong URL, a read-only data directory …
        reason = " ".join(str(e).split())
        from django.core.exceptions import ImproperlyConfigured

        if isinstance(e, ImproperlyConfigured):  # a setting the environment gave wrong: said as it is
            sys.stderr.write(f"设置有误：{reason}\n")
        else:
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

    from ..web.wsgi import application

    try:
        server = create_server(application, host=host, port=port, threads=8, ident="ogi")
    except OSError as e:
        sys.stderr.write(f"无法在 {host}:{port} 上启动：{os_reason(e)}（端口可能已被占用，可用 --port 换一个）\n")
        raise typer.Exit(2) from None
    sys.stdout.write(f"ogi 台账已启动：http://{host}:{port}/ （登录页 /login/，公众提交申请 /public/apply/、"
                     "查询进度 /public/track/，API 文档 /api/docs）按 Ctrl+C 停止\n")
    sys.stdout.flush()
    steady_collector()
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
    from ..paths import data_dir

    return "sqlite", str(data_dir() / "ogi.sqlite3")


@app.command()
def backup(file: Annotated[Path, typer.Argument(help="备份文件", show_default=False)]) -> None:
    """备份台账数据库（SQLite：在线备份，服务运行中也一致；PostgreSQL：调用 pg_dump）。"""
    from ..web.backup import BackupError, pg_backup, sqlite_backup

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
        sys.stderr.write(f"无法写入 {file}：{os_reason(e)}\n")
        raise typer.Exit(2) from None
    sys.stdout.write(f"已备份到 {file}（{file.stat().st_size // 1024} KB）。\n")


@app.command()
def restore(file: Annotated[Path, typer.Argument(help="ogi backup 生成的备份文件", show_default=False)]) -> None:
    """用备份恢复台账数据库（先停止 ogi serve）；现有数据库以带时间的文件名另存。"""
    from ..web.backup import PG_RESTORE_ZH, BackupError, sqlite_restore

    kind, where = _database()
    if kind == "postgresql":
        sys.stderr.write(PG_RESTORE_ZH + "\n")
        raise typer.Exit(2)
    from ..web import setup

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
        sys.stderr.write(f"无法恢复：{os_reason(e)}\n")
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

    from ..web.accounts.models import ApiToken

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        sys.stderr.write(f"没有用户 {username}\n")
        raise typer.Exit(2)
    if not user.is_active:  # the API refuses a stopped account's token: none is issued
        sys.stderr.write(f"用户 {username} 已停用，未签发令牌（机关管理员可在网页“工作人员”中重新启用）\n")
        raise typer.Exit(2)
    sys.stdout.write(ApiToken.issue(user, name) + "\n")


user_app = typer.Typer(help="工作人员账号（运维人员使用；机关管理员也可在网页“工作人员”中管理本机关人员）。", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _accounts(action):  # type: ignore[no-untyped-def]
    """Run an accounts action; a refusal is one Chinese line and exit 2."""
    _django()
    from ..workflow import Refused

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
        from ..web.accounts import users as accounts

        staff, password = accounts.add(username, accounts.find_agency(agency), role, email=email, full_name=name)
        sys.stdout.write(f"已添加 {username}（{staff.agency.name}·{staff.get_role_display()}），临时密码：{password}\n")

    _accounts(go)


@user_app.command("disable")
def user_disable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用账号（保留其操作记录）。"""

    def go() -> None:
        from ..web.accounts import users as accounts

        accounts.set_active(accounts.get_staff(username), False)
        sys.stdout.write(f"已停用 {username}\n")

    _accounts(go)


@user_app.command("list")
def user_list(agency: Annotated[str, typer.Option("--agency", help="只列出该机关（名称或编号）")] = "") -> None:
    """列出工作人员：用户名、机关、角色、状态。"""

    def go() -> None:
        from ..web.accounts import users as accounts
        from ..web.accounts.models import Staff

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
        from ..web.ledger import reminders

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
        sys.stderr.write(f"无法发送提醒邮件：{os_reason(e)}\n")
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
    from .. import clock

    if year > clock.today().year:
        sys.stderr.write(f"{year} 年度尚未开始，无法编制报告\n")
        raise typer.Exit(2)
    if year == clock.today().year:
        sys.stderr.write(f"注意：{year}年尚未结束，报告只含截至今日的记录；{year}年度报告应在{year + 1}年1月1日以后编制、审核和发布\n")
    _django()
    from ..render import render as render_report
    from ..web.accounts.models import Agency
    from ..web.reporting.services import workspace

    agencies = list(Agency.objects.filter(name=agency) if agency else Agency.objects.exclude(children__isnull=False))
    if agency and not agencies:
        sys.stderr.write(f"没有机关“{agency}”\n")
        raise typer.Exit(2)
    if not agencies:
        sys.stderr.write("台账中还没有任何机关：先用 ogi demo 建立演示台账，或由系统运维人员在管理后台（/admin/）添加机关\n")
        if as_json:
            dump([])
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
        write(render_report(ws.report, to.value), out, Path(f"{a.name}{year}年政府信息公开工作年度报告.{to.value}"), to.value)
        return
    has_error = any(f.severity == "error" for _, ws in results for f in ws.findings)
    if as_json:
        dump([{"file": None, "ok": True, "error": None, "report": ws.report.to_json(),
                "findings": [f.to_json() for f in ws.findings]} for _, ws in results])
    else:
        from rich.console import Console

        from .present import print_findings

        console = Console()
        for a, ws in results:
            print_findings(console, f"{a.name} {year}年度（由台账编制）", ws.report, ws.findings, ws.report.edition_obj)
    raise typer.Exit(1 if has_error else 0)


