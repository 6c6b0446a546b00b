"""Data safety: the ledger's SQLite database in WAL mode, `ogi backup` while another process
writes, `ogi restore` (refusing a newer schema, keeping the current database aside), and the
clean-up of expired sessions."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing

import pytest

from ogi.web.backup import BackupError, sqlite_backup, sqlite_restore

# Writes rows one transaction at a time and prints each id once its commit has returned:
# a printed id is an acknowledged write.
WRITER = textwrap.dedent("""
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
    db.execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, payload TEXT)")
    for i in range(1, 100000):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO probe (id, payload) VALUES (?, ?)", (i, "x" * 2000))
        db.execute("COMMIT")
        print(i, flush=True)
""")


def ogi(data_dir, *args):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k != "OGI_DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "ogi.cli", *args], capture_output=True, text=True, timeout=300,
                          env={**env, "OGI_DATA_DIR": str(data_dir)})


def query(path, sql):  # type: ignore[no-untyped-def]
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("migrated")
    p = ogi(data, "cleanup")  # creates and migrates the database
    assert p.returncode == 0, p.stderr
    return data / "ogi.sqlite3"


@pytest.fixture
def ledger(tmp_path, migrated):  # type: ignore[no-untyped-def]
    """A data directory holding a migrated ledger database of its own."""
    data = tmp_path / "data"
    data.mkdir()
    sqlite_backup(migrated, data / "ogi.sqlite3")
    with closing(sqlite3.connect(data / "ogi.sqlite3")) as db:
        db.execute("PRAGMA journal_mode=WAL")
    return data


def test_backup_during_writes_restores_every_acknowledged_write(ledger, migrated, tmp_path):
    db = ledger / "ogi.sqlite3"
    assert query(db, "PRAGMA journal_mode") == [("wal",)]
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        acknowledged = [int(writer.stdout.readline()) for _ in range(200)]
        backup = tmp_path / "ledger.backup"
        p = ogi(ledger, "backup", str(backup))
        assert p.returncode == 0, p.stderr
        after = [int(writer.stdout.readline()) for _ in range(50)]
        assert writer.poll() is None and after[-1] > acknowledged[-1]  # the writer was never stopped
    finally:
        writer.kill()
        writer.wait()
    assert query(backup, "PRAGMA integrity_check") == [("ok",)]
    assert not (tmp_path / "ledger.backup-wal").exists()  # one self-contained file

    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(migrated, other / "ogi.sqlite3")
    p = ogi(other, "restore", str(backup))
    assert p.returncode == 0, p.stderr
    restored = other / "ogi.sqlite3"
    assert query(restored, "PRAGMA integrity_check") == [("ok",)]
    ids = {i for (i,) in query(restored, "SELECT id FROM probe")}
    assert set(acknowledged) <= ids
    assert query(restored, "PRAGMA journal_mode") == [("wal",)]
    aside = list(other.glob("ogi.before-restore-*.sqlite3"))
    assert len(aside) == 1 and str(aside[0]) in p.stdout
    assert query(aside[0], "SELECT count(*) FROM sqlite_master WHERE name = 'probe'") == [(0,)]  # the database as it was


def test_restore_refuses_a_backup_from_a_newer_version(ledger, tmp_path):
    backup = tmp_path / "newer.backup"
    sqlite_backup(ledger / "ogi.sqlite3", backup)
    with closing(sqlite3.connect(backup)) as db:
        db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('ledger', '9999_from_the_future', '2030-01-01')")
        db.commit()
    before = query(ledger / "ogi.sqlite3", "SELECT count(*) FROM django_migrations")
    p = ogi(ledger, "restore", str(backup))
    assert p.returncode == 2 and "较新版本" in p.stderr and "9999_from_the_future" in p.stderr and "Traceback" not in p.stderr
    assert query(ledger / "ogi.sqlite3", "SELECT count(*) FROM django_migrations") == before
    assert not list(ledger.glob("*.before-restore-*"))
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="SQLite") as e:
        sqlite_restore(junk, ledger / "ogi.sqlite3", set())
    assert "SQLite" in e.value.message_zh


def test_expired_sessions_are_cleaned(ledger):
    db = ledger / "ogi.sqlite3"
    with closing(sqlite3.connect(db)) as c:
        c.execute("INSERT INTO django_session VALUES ('old', 'x', '2020-01-01 00:00:00')")
        c.execute("INSERT INTO django_session VALUES ('live', 'x', '2999-01-01 00:00:00')")
        c.commit()
    p = ogi(ledger, "cleanup")
    assert p.returncode == 0 and "已删除 1 个过期会话" in p.stdout
    assert query(db, "SELECT session_key FROM django_session") == [("live",)]
