"""Backup and restore of the ledger's database.

SQLite: SQLite's online backup API, which copies a consistent snapshot while the server keeps
writing (WAL mode: readers and the one writer do not block each other). The backup is one
self-contained file, checked with `PRAGMA integrity_check` before it is kept. A restore refuses a
file that is not an ogi database, is damaged, or carries migrations this version of ogi does not
know (it comes from a newer ogi); it keeps the current database aside under a timestamped name.

PostgreSQL: `pg_dump` (custom format) makes the backup; a restore is `pg_restore` into the
database, as the README describes, so that the administrator chooses how to keep the old one."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse


class BackupError(Exception):
    """A backup or restore that cannot be done; the reason in Chinese and English."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.message_zh, self.message_en = message_zh, message_en


def sqlite_backup(src: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite database, written to `dest` only once it is checked."""
    dest = dest.resolve()
    if dest == src.resolve():
        raise BackupError("备份文件不能是数据库本身", "the backup file cannot be the database itself")
    if dest.exists() and not dest.is_file():
        # (A device or a pipe would be replaced by a regular file: /dev/full was.)
        raise BackupError(f"{dest} 不是普通文件，请换一个备份文件名", f"{dest} is not a regular file")
    if not dest.parent.is_dir():
        raise BackupError(f"备份文件所在的目录不存在：{dest.parent}", f"no such directory: {dest.parent}")
    part = dest.with_name(dest.name + ".part")
    part.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(src, timeout=30)) as s, closing(sqlite3.connect(part)) as d:
            # pages=-1: the whole database in one step, so the copy is one snapshot even while
            # another process commits.
            s.backup(d, pages=-1)
            # One file, no -wal beside it, whatever mode the source was in.
            d.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(d, part)
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        raise BackupError(f"{path.name} 已损坏（完整性检查未通过）", f"{path.name} fails PRAGMA integrity_check: {rows[:3]}")


@dataclass
class Restored:
    aside: Path | None  # where the database in use before the restore was kept
    migrations: int  # applied migrations the backup holds


def sqlite_restore(backup: Path, current: Path, known: set[tuple[str, str]]) -> Restored:
    """Put a backup in place of the current database. `known` are the migrations this code has
    (app, name); a backup that has applied any other is from a newer ogi and is refused."""
    if not backup.is_file():
        if backup.is_dir():
            raise BackupError(f"{backup} 是目录，不是备份文件", f"{backup} is a directory")
        raise BackupError(f"找不到备份文件 {backup}", f"no backup file {backup}")
    try:
        with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as b:
            _check_integrity(b, backup)
            try:
                applied = {(a, n) for a, n in b.execute("SELECT app, name FROM django_migrations")}
            except sqlite3.DatabaseError:
                raise BackupError(f"{backup.name} 不是 ogi 台账的备份", f"{backup.name} is not an ogi ledger backup") from None
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{backup.name} 不是 SQLite 数据库", f"{backup.name} is not an SQLite database: {e}") from None
    newer = sorted(applied - known)
    if newer:
        names = "、".join(f"{a}.{n}" for a, n in newer[:5])
        raise BackupError(f"该备份来自较新版本的 ogi（含本版本没有的数据库迁移：{names}），请先升级 ogi 再恢复",
                          f"the backup has migrations this version does not know: {names}")
    aside = None
    if current.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = current.with_name(f"{current.stem}.before-restore-{stamp}{current.suffix}")
        sqlite_backup(current, aside)
    with closing(sqlite3.connect(backup, timeout=30)) as b, closing(sqlite3.connect(current, timeout=30)) as c:
        b.backup(c, pages=-1)
        c.execute("PRAGMA journal_mode=WAL")
        _check_integrity(c, current)
    return Restored(aside, len(applied))


def pg_backup(url: str, dest: Path) -> None:
    """`pg_dump --format=custom` of the database OGI_DATABASE_URL names."""
    exe = shutil.which("pg_dump")
    if exe is None:
        raise BackupError("PostgreSQL 数据库用 pg_dump 备份，但本机没有 pg_dump（Debian：apt-get install postgresql-client）。"
                          f"也可在数据库服务器上执行：pg_dump --format=custom --file {dest} 数据库名",
                          "pg_dump not found: install postgresql-client, or run pg_dump on the database server")
    u = urlparse(url)
    env = {**os.environ, "PGHOST": u.hostname or "", "PGPORT": str(u.port or ""), "PGUSER": unquote(u.username or ""),
           "PGPASSWORD": unquote(u.password or ""), "PGDATABASE": (u.path or "/").lstrip("/") or "ogi"}
    part = dest.with_name(dest.name + ".part")
    p = subprocess.run([exe, "--format=custom", "--no-owner", "--file", str(part)], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        part.unlink(missing_ok=True)
        reason = " ".join(p.stderr.split())[:300]
        raise BackupError(f"pg_dump 未能完成备份：{reason}", f"pg_dump failed: {reason}")
    os.replace(part, dest)


PG_RESTORE_ZH = ("PostgreSQL 数据库的恢复请由数据库管理员执行（先停止 ogi serve）：\n"
                 "  1. 保留现有数据库：ALTER DATABASE ogi RENAME TO ogi_before_restore_日期;\n"
                 "  2. 建立空库：createdb -O ogi ogi\n"
                 "  3. 恢复：pg_restore --no-owner --dbname=ogi 备份文件\n"
                 "  4. 启动 ogi serve（较旧的备份会在启动时迁移到当前版本）")
