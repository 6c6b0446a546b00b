"""Importing an existing ledger: columns mapped from the headers, every row checked by
the registration service and the workflow, each rejected row with its reason, nothing
imported while any row is wrong, and the same file twice imports nothing twice."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from ogi.web.ledger import ledger_import as imp
from ogi.web.ledger.models import Event, Request
from ogi.workflow.requests import Refused

from .test_ledger import login

HEADERS = ["序号", "申请方式", "收到日期", "申请人类型", "申请人", "联系电话", "申请内容", "答复结果", "答复日期"]


def ledger_rows(n: int, bad: dict[int, dict[str, str]] | None = None) -> list[list[str]]:
    rows = []
    for i in range(n):
        received = dt.date(2026, 1, 5) + dt.timedelta(days=i % 50)
        answered = i % 3 != 0
        row = {"序号": f"2026-{i + 1:03d}", "申请方式": ["网上申请", "当面提交", "邮寄"][i % 3], "收到日期": received.isoformat(),
               "申请人类型": ["自然人", "商业企业", "法律服务机构"][i % 3], "申请人": f"申请人{i}",
               "联系电话": f"1380000{i:04d}", "申请内容": f"第{i}号地块的征收补偿方案",
               "答复结果": ["予以公开", "部分公开", "本机关不掌握相关政府信息"][i % 3] if answered else "",
               "答复日期": (received + dt.timedelta(days=14)).strftime("%Y年%m月%d日") if answered else ""}
        row.update((bad or {}).get(i, {}))
        rows.append([row[h] for h in HEADERS])
    return rows


def as_xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def as_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    return buf.getvalue().encode("gb18030")


BAD = {3: {"收到日期": "2026-02-30"}, 10: {"申请人类型": "外星人"}, 20: {"答复结果": "予以公开", "答复日期": "2025-12-01"}}


def test_headers_are_mapped_and_labels_read():
    table = imp.read_table(as_csv(ledger_rows(3)), "台账.csv")
    m = imp.guess_mapping(table.headers)
    assert {k: HEADERS[v] if v is not None else None for k, v in m.items()} == {
        "tracking_no": "序号", "channel": "申请方式", "submitted_on": None, "received_on": "收到日期",
        "applicant_category": "申请人类型", "applicant_name": "申请人", "applicant_id_no": None,
        "applicant_contact": "联系电话", "content": "申请内容", "outcome": "答复结果", "answered_on": "答复日期"}


def test_bad_rows_are_each_reported_and_nothing_is_imported(world):
    table = imp.read_table(as_xlsx(ledger_rows(30, BAD)), "台账.xlsx")
    result = imp.run(world["a_clerk"], table, imp.guess_mapping(table.headers), commit=True)
    assert not result.committed and Request.objects.count() == 0 and Event.objects.count() == 0
    reasons = {r.line: r.reason for r in result.rejected}
    assert set(reasons) == {5, 12, 22}
    assert "不是日期" in reasons[5] and "申请人类别“外星人”无法识别" in reasons[12] and "早于收到申请之日" in reasons[22]
    assert reasons[22].startswith("“答复日期”")  # which column, not just "日期"


def test_every_problem_of_a_row_is_told_at_once(world):
    bad = {0: {"收到日期": "去年三月", "申请人类型": "外星人", "申请方式": "信鸽", "答复结果": "随便", "答复日期": "2025-13-01"}}
    table = imp.read_table(as_csv(ledger_rows(2, bad)), "台账.csv")
    [row] = imp.run(world["a_clerk"], table, imp.guess_mapping(table.headers), commit=False).rejected
    for part in ("“收到申请之日”“去年三月”不是日期", "“答复日期”“2025-13-01”不是日期", "申请人类别“外星人”无法识别",
                 "提交方式“信鸽”无法识别", "办理结果“随便”无法识别"):
        assert part in row.reason


def test_good_file_imports_with_states_from_the_dates_then_nothing_twice(world):
    data = as_xlsx(ledger_rows(30))
    table = imp.read_table(data, "台账.xlsx")
    mapping = imp.guess_mapping(table.headers)
    preview = imp.run(world["a_clerk"], table, mapping, commit=False)
    assert preview.count("new") == 30 and not preview.committed and Request.objects.count() == 0
    done = imp.run(world["a_clerk"], table, mapping, commit=True)
    assert done.committed and Request.objects.filter(agency=world["a"]).count() == 30
    states = dict(Request.objects.values_list("applicant_name", "state"))
    assert states["申请人0"] == "registered" and states["申请人1"] == "answered"
    r1 = Request.objects.get(applicant_name="申请人1")
    assert (r1.outcome, r1.answered_on, r1.channel, r1.applicant_category) == ("partial", dt.date(2026, 1, 20), "in_person",
                                                                              "commercial")
    assert Request.objects.get(applicant_name="申请人2").outcome == "unavailable.not_held"
    assert "原编号 2026-002" in r1.events.get(event="import").note
    again = imp.run(world["a_clerk"], imp.read_table(as_csv(ledger_rows(30)), "台账.csv"), mapping, commit=True)
    assert again.count("new") == 0 and again.count("duplicate") == 30 and Request.objects.count() == 30


def test_refusals_for_files_and_users(world):
    with pytest.raises(Refused, match="没有数据行"):
        imp.read_table("序号,申请人\n".encode(), "x.csv")
    with pytest.raises(Refused, match="损坏"):
        imp.read_table(b"PK\x03\x04broken", "x.xlsx")
    # What was given is named (a PDF was answered 无法识别文件编码，请保存为 UTF-8 编码的 CSV).
    for data, given in ((b"%PDF-1.7\n" + bytes(range(256)) * 40, "PDF 文件"), (b"MZ\x90\x00" + bytes(5000), "可执行程序"),
                        (b"\x89PNG\r\n\x1a\n" + bytes(100), "图片")):
        with pytest.raises(Refused, match=f"只能导入 .xlsx 或 .csv 文件，而上传的是{given}"):
            imp.read_table(data, "x.csv")
    table = imp.read_table(as_csv(ledger_rows(2)), "x.csv")
    with pytest.raises(Refused, match="收到申请之日"):
        imp.run(world["a_clerk"], table, {**imp.guess_mapping(table.headers), "received_on": None}, commit=False)
    with pytest.raises(Refused, match="机关工作人员"):
        imp.run(world["supervisor"], table, imp.guess_mapping(table.headers), commit=False)


def test_import_pages_template_preview_and_commit(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    c = login(world["a_clerk"])
    tpl = c.get("/import/template.xlsx")
    ws = load_workbook(io.BytesIO(tpl.content)).worksheets
    assert ws[0]["D1"].value == "收到申请之日（必填）" and "（一）予以公开" in [r[2] for r in ws[1].values]
    # The template itself, filled in, imports.
    t = imp.read_table(tpl.content, "模板.xlsx")
    assert imp.run(world["a_clerk"], t, imp.guess_mapping(t.headers), commit=False).count("new") == 1
    resp = c.post("/import/", {"file": io.BytesIO(as_xlsx(ledger_rows(12, {4: {"申请人类型": "外星人"}})))}, follow=True)
    assert "各列对应的字段" in resp.content.decode()
    page = c.post("/import/map/", {"action": "preview", **_cols(HEADERS)}).content.decode()
    assert "有问题 <strong class=\"rejected\">1</strong> 行" in page and "无法识别" in page and 'id="commit"' not in page
    assert c.post("/import/map/", {"action": "commit", **_cols(HEADERS)}).status_code == 200
    assert Request.objects.count() == 0
    f = io.BytesIO(as_xlsx(ledger_rows(12)))
    f.name = "台账.xlsx"
    c.post("/import/", {"file": f})
    resp = c.post("/import/map/", {"action": "commit", **_cols(HEADERS)}, follow=True)
    assert "已导入 12 件" in resp.content.decode() and Request.objects.count() == 12
    assert login(world["supervisor"]).get("/import/").status_code == 403


def _cols(headers: list[str]) -> dict[str, str]:
    m = imp.guess_mapping(headers)
    return {f"col_{k}": "" if v is None else str(v) for k, v in m.items()}


def test_excels_unicode_text_is_read_as_the_csv():
    """Excel's "Unicode 文本" export: UTF-16 with its BOM, cells separated by tabs."""
    rows = ledger_rows(4)
    text = "\r\n".join("\t".join(r) for r in [HEADERS, *rows]) + "\r\n"
    utf16 = imp.read_table(b"\xff\xfe" + text.encode("utf-16-le"), "台账.txt")
    plain = imp.read_table(as_csv(rows), "台账.csv")
    assert (utf16.headers, utf16.rows) == (plain.headers, plain.rows) == (HEADERS, rows)


def test_a_stray_cell_far_to_the_right_or_a_runaway_cell_is_bounded():
    """A careless ledger: one cell at XFD1 (column 16 384) made every row that wide in memory
    (1.4 GB for 5 000 rows); a CSV with a cell past the csv module's limit (an unclosed quote)
    answered 500; a NUL was called 'not a CSV'."""
    import tracemalloc

    rows = ledger_rows(3000)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    ws["XFD1"] = "备注"
    buf = io.BytesIO()
    wb.save(buf)
    tracemalloc.start()
    table = imp.read_table(buf.getvalue(), "x.xlsx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert table.headers == HEADERS and len(table.rows) == 3000 and all(len(r) == len(HEADERS) for r in table.rows)
    assert peak < 200 * 2**20, peak
    wide = (",".join(HEADERS) + "," * 1_000_000 + "\n").encode() + as_csv(ledger_rows(50)).split(b"\n", 1)[1]
    table = imp.read_table(wide, "x.csv")
    assert len(table.headers) == len(HEADERS) and len(table.rows) == 50
    with pytest.raises(Refused, match="第 3 行无法读取：一个单元格过长"):
        imp.read_table(as_csv(ledger_rows(1)) + b'2026-009,\xcd\xf8\xc9\xcf,"' + b"x" * 200_000 + b"\n", "x.csv")
    # Excel for Mac's "CSV (Macintosh)": lines end in CR alone.
    mac = imp.read_table(as_csv(ledger_rows(5)).replace(b"\r\n", b"\r"), "x.csv")
    assert mac.headers == HEADERS and len(mac.rows) == 5
    with pytest.raises(Refused, match="含有空字符"):
        imp.read_table(as_csv(ledger_rows(2)).replace(b"2026-001", b"2026\x00001"), "x.csv")
