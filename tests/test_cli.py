"""The `ogi` command as a user and as another program run it: exit statuses, JSON
shapes of cli.md, and bad input answered in one Chinese line."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import SEED_2019, SEED_2020


def ogi(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogi.cli", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_check_seeds_json():
    p = ogi("check", "--json", SEED_2019, SEED_2020)
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout)
    assert [o["file"] for o in out] == [str(SEED_2019), str(SEED_2020)]
    assert all(o["ok"] and o["error"] is None for o in out)
    f = out[0]["findings"][0]
    assert set(f) >= {"rule", "severity", "cells", "culprit", "found", "expected", "message_zh", "message_en", "source"}
    assert {x["rule"] for x in out[1]["findings"]} == {"cell.missing"}
    assert "Traceback" not in p.stderr


def test_check_exit_zero_without_errors(tmp_path):
    # Fix the seed's lost cell: no error left, only what is not an error.
    text = SEED_2020.read_text(encoding="utf-8").replace("\t0\n\t0\n \t行政强制", "\t0\n\t0\n\t0\n\n\t行政强制")
    f = tmp_path / "fixed.txt"
    f.write_text(text, encoding="utf-8")
    p = ogi("check", f)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "未发现问题" in p.stdout


def test_parse_json_shape():
    p = ogi("parse", "--json", SEED_2020)
    assert p.returncode == 0
    [o] = json.loads(p.stdout)
    assert o["report"]["agency"] == "绿园区商务局"
    assert o["report"]["cells"]["requests.carried_in.natural"] == {"value": 0, "state": "value", "raw": "0", "source": {"line": 112}}


def test_readable_output_is_chinese():
    p = ogi("check", SEED_2019)
    assert "勾稽" not in p.stderr
    assert "错误" in p.stdout and "警告" in p.stdout and "开封市商务局" in p.stdout
    p = ogi("parse", SEED_2019)
    assert "表三" in p.stdout and "自然人" in p.stdout


def test_json_report_file_is_accepted(tmp_path):
    p = ogi("parse", "--json", SEED_2019)
    f = tmp_path / "r.json"
    f.write_text(p.stdout, encoding="utf-8")
    again = ogi("check", "--json", f)
    direct = ogi("check", "--json", SEED_2019)
    assert json.loads(again.stdout)[0]["findings"] == json.loads(direct.stdout)[0]["findings"]


def test_gbk_input_reads_like_utf8(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes(SEED_2020.read_text(encoding="utf-8").encode("gb18030"))
    p = ogi("parse", "--json", f)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)[0]["report"]["agency"] == "绿园区商务局"


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {}
    files["empty"] = tmp / "empty.txt"
    files["empty"].write_bytes(b"")
    files["binary"] = tmp / "noise.txt"
    files["binary"].write_bytes(bytes(range(256)) * 40)
    files["pdf"] = tmp / "report.txt"  # named .txt, but a PDF: chosen by content
    files["pdf"].write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    files["zip"] = tmp / "bomb.docx"
    with zipfile.ZipFile(files["zip"], "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * 5_000_000)
    files["notice"] = tmp / "notice.txt"
    files["notice"].write_text("关于召开会议的通知\n请各单位于下周一参加会议。\n", encoding="utf-8")
    files["json"] = tmp / "broken.json"
    files["json"].write_text("{not json", encoding="utf-8")
    files["missing"] = tmp / "does-not-exist.txt"
    files["dir"] = tmp
    return files


def test_bad_inputs_each_get_one_chinese_line_and_the_rest_is_processed(tmp_path):
    bad = _bad_files(tmp_path)
    p = ogi("check", *bad.values(), SEED_2020)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert len(lines) == len(bad)
    for line in lines:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in line), line
    assert "绿园区商务局" in p.stdout  # the good file was still checked


def test_bad_inputs_in_json_stay_valid_json(tmp_path):
    bad = _bad_files(tmp_path)
    p = ogi("parse", "--json", *bad.values(), SEED_2020)
    assert p.returncode == 2
    out = json.loads(p.stdout)
    codes = {Path(o["file"]).name: o["error"]["code"] for o in out if not o["ok"]}
    assert codes == {
        "empty.txt": "empty", "noise.txt": "binary", "report.txt": "broken_pdf",
        "bomb.docx": "zip_bomb", "notice.txt": "not_a_report", "broken.json": "bad_json",
        "does-not-exist.txt": "not_found", tmp_path.name: "is_directory",
    }
    for o in out:
        if not o["ok"]:
            assert o["report"] is None and o["error"]["message_zh"] and o["error"]["message_en"]
    assert out[-1]["ok"]


def test_huge_file_is_refused_before_reading(tmp_path):
    f = tmp_path / "huge.txt"
    with f.open("wb") as fh:
        fh.truncate(3 * 1024 * 1024)
    p = ogi("check", "--json", f, env={"OGI_MAX_BYTES": str(1024 * 1024)})
    assert p.returncode == 2
    err = json.loads(p.stdout)[0]["error"]
    assert err["code"] == "too_large" and err["limit"] == "file_bytes" and "file_bytes" not in err["message_zh"]
    # The readable line tells how to raise the limit; the Chinese message alone (shown on web pages too) does not.
    p = ogi("check", f, env={"OGI_MAX_BYTES": str(1024 * 1024)})
    assert p.returncode == 2 and "--limit file_bytes=" in p.stderr


@pytest.mark.parametrize(("args", "needle"), [
    ((), "用法"),
    (("check",), "缺少参数"),
    (("check", "--bogus", "x"), "没有选项"),
    (("frobnicate",), "没有命令"),
])
def test_usage_errors(args, needle):
    p = ogi(*args)
    assert p.returncode == 2 or (not args and p.returncode in (0, 2))
    assert needle in (p.stderr + p.stdout)
    assert "Traceback" not in p.stderr


def test_bad_documents_of_every_kind(shared, tmp_path):
    from pypdf import PdfReader, PdfWriter

    from .conftest import CORPUS

    pdf = (CORPUS / "pdf/hongze-gov-2024.pdf").read_bytes()
    files = {}
    files["truncated.pdf"] = pdf[: len(pdf) // 3]
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    w.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    w.write(buf)
    files["encrypted.pdf"] = buf.getvalue()
    notice = "<html><head><meta charset='gbk'></head><body><p>关于做好春节假期安全工作的通知</p></body></html>"
    files["no-tables.html"] = notice.encode("gbk")
    files["legacy.doc"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048
    files["zero.pdf"] = b""
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # 200 MB, sparse
    names = [*files, "huge.txt"]
    p = ogi("check", "--json", *(tmp_path / n for n in names), CORPUS / "pdf/hongze-gov-2024.pdf")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    out = json.loads(p.stdout)
    codes = {Path(o["file"]).name: o["error"]["code"] for o in out if not o["ok"]}
    expected_doc = "needs_libreoffice" if not shutil.which("soffice") and not shutil.which("libreoffice") else "convert_failed"
    assert codes == {"truncated.pdf": "broken_pdf", "encrypted.pdf": "encrypted", "no-tables.html": "not_a_report",
                     "legacy.doc": expected_doc, "zero.pdf": "empty", "huge.txt": "too_large"}
    assert out[-1]["ok"] and out[-1]["report"]["agency"] == "淮安市洪泽区人民政府"


def test_parallel_reading_gives_the_same_answers(shared, tmp_path):
    from .conftest import CORPUS

    files = [SEED_2019, SEED_2020, CORPUS / "html/shuyang-fgj-2023.html", CORPUS / "pdf/hongze-gov-2024.pdf", tmp_path / "missing.txt"]
    serial = json.loads(ogi("check", "--json", "-j", "1", *files).stdout)
    parallel = json.loads(ogi("check", "--json", "-j", "2", *files).stdout)
    assert parallel == serial
    assert [o["ok"] for o in parallel] == [True, True, True, True, False]


def test_demo_then_serve(tmp_path):
    import socket
    import time
    import urllib.request

    env = {"OGI_DATA_DIR": str(tmp_path / "data")}
    p = ogi("demo", env=env)
    assert p.returncode == 0, p.stderr
    assert "swj-jingban" in p.stdout and "ogi-demo-2026" in p.stdout and "某某市商务局" in p.stdout
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "ogi.cli", "serve", "--port", str(port)],
                              env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("ogi serve did not answer")
        assert "登录" in page
        busy = ogi("serve", "--port", str(port), env=env)
        assert busy.returncode == 2 and "端口" in busy.stderr and "Traceback" not in busy.stderr
    finally:
        server.terminate()
        server.wait(10)


def test_user_commands_and_remind_without_smtp(tmp_path):
    env = {"OGI_DATA_DIR": str(tmp_path / "data"), "OGI_SMTP_HOST": ""}
    p = ogi("user", "add", "zhang", "--agency", "某局", env=env)
    assert p.returncode == 2 and "没有机关" in p.stderr and "Traceback" not in p.stderr
    script = ("from ogi.web import setup; setup(); from ogi.web.ledger.models import Agency; "
              "Agency.objects.create(name='某局', code='MJ')")
    subprocess.run([sys.executable, "-c", script], env={**os.environ, **env}, check=True)
    p = ogi("user", "add", "zhang", "--agency", "MJ", "--role", "reviewer", "--email", "z@example.gov.cn", env=env)
    assert p.returncode == 0, p.stderr
    assert "已添加 zhang（某局·审核人），临时密码：" in p.stdout
    assert ogi("user", "add", "zhang", "--agency", "MJ", env=env).returncode == 2
    assert ogi("user", "disable", "zhang", env=env).returncode == 0
    listed = ogi("user", "list", env=env).stdout
    assert listed.startswith("zhang\t某局\t审核人\t已停用（待修改密码）\tz@example.gov.cn")
    p = ogi("remind", "--date", "2026-03-20", env=env)
    assert p.returncode == 0 and "未配置邮件服务器" in p.stdout
    # The year under way compiles (figures so far) with a warning; the next one is refused. The
    # year is China's, whatever zone the machine is in (UTC is eight hours behind on 1 January).
    from ogi import clock

    year = clock.today().year
    p = ogi("report", "compile", "--year", year, "--agency", "某局", env={**env, "TZ": "UTC"})
    assert p.returncode in (0, 1) and f"注意：{year}年尚未结束" in p.stderr, p.stderr
    p = ogi("report", "compile", "--year", year + 1, env=env)
    assert p.returncode == 2 and f"{year + 1} 年度尚未开始" in p.stderr


def test_a_command_collects_rarely_and_the_server_at_the_default_pace(tmp_path):
    """A command's start (mostly imports) is spared the collector's passes; `ogi serve`,
    which runs for days, goes back to the interpreter's pace before it serves."""
    script = (
        "import gc, sys, waitress\n"
        "default = gc.get_threshold()\n"
        "import ogi.cli as cli\n"
        "print(gc.get_threshold()[0] > default[0])\n"
        "class Server:\n"
        "    def run(self): print(gc.get_threshold() == default)\n"
        "waitress.create_server = lambda *a, **k: Server()\n"
        "sys.argv = ['ogi', 'serve', '--port', '8765']\n"
        "cli.main()\n")
    r = subprocess.run([sys.executable, "-c", script], env={**os.environ, "OGI_DATA_DIR": str(tmp_path / "data")},
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.split()[:1] == ["True"] and r.stdout.split()[-1] == "True", (r.stdout, r.stderr)


def test_a_pipe_or_a_device_given_as_an_input_is_refused_at_once(tmp_path):
    """Reading a FIFO blocks for ever, /dev/zero never ends (2–3 GB in seconds): each input
    is refused before it is read, with the reason."""
    fifo = tmp_path / "输入"
    os.mkfifo(fifo)
    env = {"OGI_DATA_DIR": str(tmp_path / "data")}
    tree = tmp_path / "tree.csv"
    tree.write_text("机关名称,上级机关,类别,层级\n某市人民政府,,人民政府,市级\n", encoding="utf-8")
    for args in (["calendar", "add", fifo], ["calendar", "add", "/dev/zero"], ["check", fifo],
                 ["supervise", "import", fifo, "--tree", tree], ["supervise", "import", SEED_2019, "--tree", "/dev/zero"],
                 ["collect", fifo, "-o", tmp_path / "c"]):
        p = ogi(*args, env=env)
        assert p.returncode == 2 and "不是普通文件" in p.stderr and "Traceback" not in p.stderr, (args, p.stderr)


def test_usage_errors_are_said_in_chinese():
    """click's words for a value out of range, not among the choices, not a number, and
    a missing option: in Chinese, option names without stray quotes."""
    for args, said in [(["dataset", "x", "-j", "0"], "--jobs / -j 的值无效（0 不在 1 至 64 之间）"),
                       (["render", "x.pdf", "--to", "docx2"], "“docx2”不是可选的值之一：docx、html、pdf"),
                       (["deadline", "2026-01-01", "--days", "abc"], "“abc”不是整数"),
                       (["sql", "SELECT 1"], "缺少选项 --dataset / -d")]:
        p = ogi(*args)
        assert p.returncode == 2 and said in p.stderr and " is not " not in p.stderr, (args, p.stderr)


def test_a_usage_error_points_to_the_help_of_the_command_at_fault():
    assert "运行 ogi backup --help 查看用法" in ogi("backup", "-o", "x").stderr
    assert "运行 ogi report compile --help 查看用法" in ogi("report", "compile", "--bogus").stderr
    assert "运行 ogi --help 查看用法" in ogi("nosuch").stderr
