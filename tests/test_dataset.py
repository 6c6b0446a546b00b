"""Many reports as one dataset, and side by side across years and agencies: the figures
come from the cells as printed, one agency's differently written names are one agency,
and unreadable files are kept in the output with their reason."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import openpyxl

from ogi.checks import check_all
from ogi.corpus.batch import read_many
from ogi.corpus.dataset import compare, rows, to_csv, to_xlsx
from ogi.corpus.indicators import figures, indicators
from ogi.editions import all_editions
from ogi.ingest.load import load_report
from ogi.report import Report, Value

from .conftest import CORPUS, SEED_2019, SEED_2020, interruptible
from .test_cli import ogi


def _read(*paths):  # type: ignore[no-untyped-def]
    results = read_many(list(paths), jobs=1)
    return results, check_all([r for _, r, _ in results if r is not None])


def test_indicators_name_cells_of_both_editions():
    ids = {i.id for i in indicators()}
    for ed in all_editions():
        for i in indicators():
            assert all(c in ed.cells for c in i.cells), (ed.id, i.id)
            assert i.rate is None or set(i.rate) <= ids


def test_figures_of_a_seed_as_printed():
    f = figures(load_report(SEED_2019))
    # 开封 2019: 1 carried in, nothing answered, one direct lawsuit with 其他结果, 2 penalty decisions.
    assert (f["received"], f["carried_in"], f["processed"], f["lawsuits"], f["penalty"]) == (0, 1, 0, 1, 2)
    assert f["disclosure_rate"] is None and f["correction_rate"] == 0  # nothing processed; 0 of 1 appeals corrected


def test_rates_and_unknown_figures():
    r = Report.empty("2021", agency="某局", year=2024)
    for cid in r.cells:
        r.cells[cid] = Value("value", 0)
    r.cells["requests.processed_total.total"] = Value("value", 8)
    r.cells["requests.granted.total"] = Value("value", 5)
    r.cells["requests.partial.total"] = Value("dash", None, "—")  # a dash counts as 0, as in the checks
    assert figures(r)["disclosure_rate"] == Decimal("0.6250")
    r.cells["requests.partial.total"] = Value()  # missing: the figure and its rate are unknown
    assert figures(r)["disclosed"] is None and figures(r)["disclosure_rate"] is None


def test_one_agency_two_names_two_years(shared):
    data = compare(*_read(CORPUS / "pdf" / "hongze-gov-2024.pdf", CORPUS / "pdf" / "hongze-gov-2023.pdf",
                          CORPUS / "pdf" / "huaian-gov-2024.pdf"))
    names = [a["agency"] for a in data["agencies"]]
    assert names == ["淮安市人民政府", "淮安市洪泽区人民政府"]  # 洪泽区人民政府 (2023) joined to it
    hongze = data["agencies"][1]["reports"]
    assert [e["year"] for e in hongze] == [2023, 2024] and hongze[0]["change"] is None
    assert hongze[1]["figures"]["received"] == 95 and hongze[1]["change"]["received"] == 95 - 21
    assert hongze[0]["errors"] > 0  # the 2023 table 四 totals


def test_dataset_rows_keep_printed_states_and_unreadable_files(tmp_path):
    junk = tmp_path / "notice.txt"
    junk.write_text("关于举办培训班的通知\n各单位：定于下周举办培训。", encoding="utf-8")
    table = rows(*_read(SEED_2020, SEED_2019, junk))
    lvyuan, kaifeng, bad = table
    assert lvyuan["active.procurement.projects"] == 1 and lvyuan["active.procurement.amount"] == Decimal("21738")
    assert lvyuan["active.penalty.decisions"] == "" and lvyuan["missing_cells"] == 1 and lvyuan["rules"] == "cell.missing"
    assert lvyuan["requests.other.no_correction.total"] == ""  # a 2021 cell: not in a 2019-format report
    assert kaifeng["requests.carried_in.natural"] == 1 and kaifeng["errors"] == 2
    assert bad["ok"] is False and "不是年度报告" in bad["error"] and bad["agency"] == ""
    back = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert back[0]["active.procurement.amount"] == "21738" and back[2]["ok"] == "False"
    # Text a spreadsheet would run as a formula is made inert; figures, negative ones too, stay figures.
    crafted = [{**table[0], "file": "=2+5+cmd|' -C calc'!A0.txt", "agency": "@SUM(1)", "active.normative.change": -3,
                "title": "-1", "active.procurement.amount": Decimal("-1E+3")}]
    row = next(csv.DictReader(io.StringIO(to_csv(crafted).decode("utf-8-sig"))))
    assert row["file"] == "'=2+5+cmd|' -C calc'!A0.txt" and row["agency"] == "'@SUM(1)"
    assert row["active.normative.change"] == "-3" and row["title"] == "-1" and row["active.procurement.amount"] == "-1E+3"
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(table)))
    ws = wb["报告"]
    head = [c.value for c in ws[1]]
    col = head.index("requests.carried_in.natural") + 1
    assert ws.cell(2, col).value == "表三「二、上年结转政府信息公开申请数量」行「自然人」列"
    assert ws.cell(4, col).value == 1 and ws.cell(3, head.index("agency") + 1).value == "绿园区商务局"


def test_cli_compare_and_dataset(tmp_path):
    p = ogi("compare", "--json", SEED_2019, SEED_2020)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert [a["agency"] for a in out["agencies"]] == ["开封市商务局", "绿园区商务局"]
    assert out["agencies"][0]["reports"][0]["figures"]["correction_rate"] == "0.0000"
    assert "appeals_total" not in out["agencies"][0]["reports"][0]["figures"]  # a part of a rate, not shown
    text = ogi("compare", SEED_2019, tmp_path / "missing.docx")
    assert text.returncode == 2 and "本年新收申请" in text.stdout and "missing.docx：" in text.stderr
    assert "Traceback" not in text.stderr
    target = tmp_path / "all.xlsx"
    made = ogi("dataset", SEED_2019, SEED_2020, "-o", target)
    assert made.returncode == 0 and target.exists() and "读出 2 份报告" in made.stderr
    wrong = ogi("dataset", SEED_2019, "-o", tmp_path / "all.doc")
    assert wrong.returncode == 2 and "不支持的输出格式" in wrong.stderr and "Traceback" not in wrong.stderr


def test_cli_dataset_jsonl_streams_a_row_per_file_then_what_is_found_across(shared, tmp_path):
    from .test_parquet import _json_reports, _real_files

    junk = tmp_path / "notice.txt"
    junk.write_text("关于举办培训班的通知\n各单位：定于下周举办培训。", encoding="utf-8")
    files = [*_real_files()[:3], *_json_reports(tmp_path), junk]
    p = ogi("dataset", "--jsonl", "-j", "2", *files)
    assert p.returncode == 2 and "1 个无法读取" in p.stderr, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    rows_ = [x for x in lines if "continuity" not in x]
    across = [x for x in lines if x.get("continuity")]
    assert sorted(r["file"] for r in rows_) == sorted(map(str, files))
    assert lines[-len(across):] == across  # the cross-report lines come last, when everything is read
    # A row and its cross-report line add up to what `ogi check` finds on the same files.
    check = {e["file"]: e["findings"] for e in json.loads(ogi("check", "--json", *files).stdout)}
    for r in rows_:
        extra = [a for a in across if a["file"] == r["file"]]
        if not r["ok"]:
            assert not check[r["file"]] and not extra and "不是年度报告" in r["error"]
            continue
        errors = r["errors"] + sum(a["errors"] for a in extra)
        warnings = r["warnings"] + sum(a["warnings"] for a in extra)
        assert (errors, warnings) == (sum(f["severity"] == "error" for f in check[r["file"]]),
                                      sum(f["severity"] == "warning" for f in check[r["file"]])), r["file"]
        rules = set(filter(None, r["rules"].split(","))) | {x for a in extra for x in a["rules"].split(",")}
        assert rules == {f["rule"] for f in check[r["file"]]}, r["file"]
    assert {x for a in across for x in a["rules"].split(",")} == {"continuity.carried", "similarity.copied"}
    both = ogi("dataset", "--jsonl", "-o", tmp_path / "x.csv", files[0])
    neither = ogi("dataset", files[0])
    assert both.returncode == neither.returncode == 2 and "二者选一" in both.stderr and "Traceback" not in neither.stderr


def test_cli_dataset_jsonl_writes_each_row_before_the_batch_ends(shared, tmp_path):
    import signal
    import subprocess
    import sys

    from .test_hostile import _slow_scan

    scan = _slow_scan(tmp_path)  # OCR: seconds, long after the seed is read
    proc = subprocess.Popen([sys.executable, "-m", "ogi.cli", "dataset", "--jsonl", "-j", "1", SEED_2019, scan],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    first = json.loads(proc.stdout.readline())
    assert first["file"] == str(SEED_2019) and first["ok"] and proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "已中止" in err and "Traceback" not in err
    assert all(json.loads(x) for x in out.splitlines())


def test_file_names_whose_bytes_are_not_utf8_are_kept_readable(tmp_path):
    """A name copied from Chinese Windows (GBK bytes) or with stray bytes: every writer
    wrote nothing at all (UnicodeEncodeError); now each file has its row, the GBK name
    read as Chinese, and a resumed dataset skips both."""
    import os
    import shutil

    folder = tmp_path / "in"
    folder.mkdir()
    gbk = os.fsdecode(os.fsencode(str(folder)) + b"/" + "淮安年报.txt".encode("gbk"))
    stray = os.fsdecode(os.fsencode(str(folder)) + b"/bad\xff\xfe.txt")
    for name in (gbk, stray):
        shutil.copyfile(SEED_2019, name)
    for out in ("x.csv", "x.xlsx", "x.jsonl"):
        p = ogi("dataset", gbk, stray, "-o", str(tmp_path / out))
        assert p.returncode == 0, p.stderr
    listed = [r["file"] for r in csv.DictReader(io.StringIO((tmp_path / "x.csv").read_text(encoding="utf-8-sig")))]
    assert listed == [str(folder / "淮安年报.txt"), str(folder / "bad\ufffd\ufffd.txt")]
    p = ogi("check", "--json", gbk, stray)
    assert p.returncode in (0, 1) and "淮安年报.txt" in p.stdout and json.loads(p.stdout)
    assert ogi("dataset", gbk, stray, "-o", str(tmp_path / "x.parquet")).returncode == 0
    again = ogi("dataset", gbk, stray, "-o", str(tmp_path / "x.parquet"))
    assert again.returncode == 0 and "本次 0 个文件" in again.stderr


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    """A full disk halfway: the file is the old one, and nothing else is left beside it."""
    import errno
    import os

    from ogi.fileio import write_atomically

    target = tmp_path / "报告.docx"
    target.write_bytes(b"old")

    class Full(io.BytesIO):
        def write(self, data):  # type: ignore[no-untyped-def]
            raise OSError(errno.ENOSPC, "No space left on device")

    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: (os.close(fd), Full())[1] if "w" in mode else real(fd, mode))
    try:
        write_atomically(target, b"new" * 1000)
    except OSError as e:
        from ogi.fileio import os_reason

        assert os_reason(e) == "磁盘空间不足"
    else:
        raise AssertionError("the write did not fail")
    monkeypatch.setattr(os, "fdopen", real)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["报告.docx"]
    target.chmod(0o640)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640  # the old file's mode kept
    fresh = tmp_path / "新.docx"
    write_atomically(fresh, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # as a file written in place
