"""Importing an agency's existing ledger (XLSX or CSV): read the table, map its columns
to the ledger's fields (guessed from the headers, confirmed by the user), and run every
row through the same registration service and workflow as a request typed in by hand —
inside one transaction that is rolled back for the preview, or when any row is rejected.
Each imported row keeps a fingerprint of its content: importing the same file again adds
nothing."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from ogi.ingest.docx import check_zip
from ogi.ingest.errors import IngestError
from ogi.records import validate
from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes, printed_outcomes
from ogi.web import clock
from ogi.web.accounts import access
from ogi.workflow.requests import Context, Refused, fire

from .models import CHANNELS, Event, Request

MAX_BYTES = 10 * 2**20
MAX_ROWS = 20_000
# A ledger has a dozen columns: a stray cell far to the right (XFD1) made every row 16 384
# cells wide in memory. Only the first columns are read.
MAX_COLUMNS = 200

# The ledger's fields an import fills, with the header words that name them in the
# ledgers offices keep (first: the name in the import template).
FIELDS: dict[str, tuple[str, ...]] = {
    "tracking_no": ("原登记编号", "编号", "登记号", "序号"),
    "channel": ("提交方式", "申请方式", "渠道"),
    "submitted_on": ("提交日期", "申请日期"),
    "received_on": ("收到申请之日", "收到日期", "受理日期", "收件日期"),
    "applicant_category": ("申请人类别", "申请人类型", "类别"),
    "applicant_name": ("申请人姓名/名称", "申请人", "姓名", "名称"),
    "applicant_id_no": ("证件号码", "身份证号", "统一社会信用代码"),
    "applicant_contact": ("联系方式", "联系电话", "电话", "地址"),
    "content": ("申请公开的政府信息", "申请内容", "申请事项", "内容"),
    "outcome": ("办理结果", "答复结果", "处理结果"),
    "answered_on": ("答复日期", "办结日期"),
}
REQUIRED = ("received_on", "applicant_category", "applicant_name", "content")
LABELS = {k: v[0] for k, v in FIELDS.items()}


def _norm(text: str) -> str:
    return re.sub(r"[\s　（）()·、/—\-：:]", "", text or "")


# Text labels accepted for coded fields: the ledger's own labels and their short forms
# (予以公开; 不予公开-属于国家秘密 or just 属于国家秘密).
def _outcome_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, printed in printed_outcomes().items():
        out[_norm(printed)] = code  # as a ledger exported before printed it
    for code, label in outcomes().items():
        out[_norm(label)] = code
        m = re.match(r"（[一二三四五六]）([^0-9（]+)(?:（[^）]*）)?(?:\d\.(.*))?$", label)
        if m is None:
            continue
        head, sub = m.group(1), m.group(2)
        if sub:
            out[_norm(head + sub)] = code
            out.setdefault(_norm(sub), code)
        else:
            out[_norm(head)] = code
    return out


def _category_labels() -> dict[str, str]:
    out = {}
    for code, label in APPLICANT_CATEGORIES.items():
        out[_norm(label)] = code
        out[_norm(label.split("·")[-1])] = code
    out[_norm("公民")] = out[_norm("个人")] = "natural"
    out[_norm("企业")] = "commercial"
    return out


def _channel_labels() -> dict[str, str]:
    out = {_norm(label): code for code, label in CHANNELS}
    out |= {_norm("当面"): "in_person", _norm("现场"): "in_person", _norm("邮寄"): "letter", _norm("信函"): "ordinary_mail",
            _norm("网上"): "online", _norm("网络"): "online", _norm("在线"): "online", _norm("邮件"): "email"}
    return out


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # cells as text, dates as YYYY-MM-DD


@dataclass
class RowResult:
    line: int  # the row number in the file (header is 1)
    values: dict[str, str]
    status: str  # new | duplicate | rejected
    reason: str = ""
    tracking_no: str = ""


@dataclass
class Outcome:
    rows: list[RowResult] = field(default_factory=list)
    committed: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "rejected"]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _trimmed(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row.pop()
    return row


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet of an XLSX, or a CSV (UTF-8, UTF-16/32 or GB18030; commas, or tabs as
    Excel's "Unicode 文本" writes), as text cells."""
    if len(data) > MAX_BYTES:
        raise Refused(f"文件超过 {MAX_BYTES // 2**20} MB，请分批导入", "too_large")
    from ogi.ingest.load import container_zh

    given = container_zh(data)
    if given not in (None, "Excel 工作簿"):
        # (A PDF was answered 无法识别文件编码: the CSV reader's failure, not what was wrong.)
        raise Refused(f"只能导入 .xlsx 或 .csv 文件，而上传的是{given}", "bad_file")
    if data[:2] == b"PK":
        try:
            check_zip(data)
        except IngestError as e:
            raise Refused(e.message_zh, "bad_file") from None
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged workbook
            raise Refused("无法读取该 Excel 文件，请另存为 .xlsx 后重试", "bad_file") from None
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append(_trimmed([_cell(v) for v in row]))
            if len(rows) > MAX_ROWS + 1:
                raise Refused(f"一次最多导入 {MAX_ROWS} 行，请分批导入", "too_large")
        wb.close()
    else:
        from ogi.ingest.load import decode_text

        # The reports' decoder: UTF-8, UTF-16/32 (Excel's "Unicode 文本" is UTF-16 with tabs), GB18030.
        try:
            text = decode_text(data)
        except IngestError:
            raise Refused("无法识别文件编码，请保存为 UTF-8 编码的 CSV 或 .xlsx", "bad_file") from None
        if "\x00" in text:
            raise Refused("文件中含有空字符（\\0），不是文本格式的 CSV：请在 Excel 中另存为 .xlsx 或“CSV UTF-8”后重试", "bad_file")
        head = text.split("\n", 1)[0]
        delimiter = "\t" if head.count("\t") > head.count(",") else ","
        rows = []
        try:
            # newline="": line ends inside quoted cells are the cells', and Excel for Mac's CR-only lines read.
            for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                rows.append(_trimmed([c.strip() for c in r[:MAX_COLUMNS]]))
                if len(rows) > MAX_ROWS + 1:
                    raise Refused(f"一次最多导入 {MAX_ROWS} 行，请分批导入", "too_large")
        except csv.Error as e:
            why = (f"一个单元格过长（超过 {csv.field_size_limit()} 个字），多半是某处的引号没有成对" if "field larger" in str(e)
                   else "格式有误，请在 Excel 中另存为 .xlsx 或“CSV UTF-8”后重试")
            raise Refused(f"CSV 第 {len(rows) + 1} 行无法读取：{why}", "bad_file") from None
    rows = [r for r in rows if any(c for c in r)]
    if len(rows) < 2:
        raise Refused("文件中没有数据行（第一行应为表头）", "empty")
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Table(headers=rows[0], rows=rows[1:])


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """field → column index, from the header words; None where no header matches."""
    mapping: dict[str, int | None] = {}
    used: set[int] = set()
    normed = [_norm(h) for h in headers]
    for fld, words in FIELDS.items():
        mapping[fld] = None
        for w in words:  # exact header first, then a header containing the word
            hit = next((i for i, h in enumerate(normed) if i not in used and h == _norm(w)), None)
            if hit is None:
                hit = next((i for i, h in enumerate(normed) if i not in used and h and _norm(w) in h), None)
            if hit is not None:
                mapping[fld] = hit
                used.add(hit)
                break
    return mapping


def _date(text: str) -> dt.date:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?", t)
    if not m:
        raise ValueError(t)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _fingerprint(values: dict[str, str]) -> str:
    key = "\x1f".join(_norm(values.get(k, "")) for k in FIELDS)
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class _Rollback(Exception):
    pass


def run(user, table: Table, mapping: dict[str, int | None], commit: bool) -> Outcome:  # type: ignore[no-untyped-def]
    """Validate (and, when `commit` and every row passes, import) the rows."""

    s = access.staff_of(user)
    if s is None or s.role == "supervisor":
        raise Refused("只有机关工作人员可以导入台账", "forbidden")
    missing = [LABELS[f] for f in REQUIRED if mapping.get(f) is None]
    if missing:
        raise Refused("请为以下字段选择对应的列：" + "、".join(missing), "mapping")
    outs, cats, chans = _outcome_labels(), _category_labels(), _channel_labels()
    result = Outcome()
    existing = set(Request.objects.filter(agency=s.agency).exclude(import_key="").values_list("import_key", flat=True))
    seen: set[str] = set()
    try:
        with transaction.atomic():
            for i, row in enumerate(table.rows, start=2):
                values = {f: (row[c] if c is not None and c < len(row) else "") for f, c in mapping.items()}
                res = RowResult(line=i, values=values, status="new")
                result.rows.append(res)
                key = _fingerprint(values)
                if key in existing:
                    res.status, res.reason = "duplicate", "已导入过，跳过"
                    continue
                if key in seen:
                    res.status, res.reason = "duplicate", "与本文件中前面的一行相同，跳过"
                    continue
                seen.add(key)
                try:
                    with transaction.atomic():
                        res.tracking_no = _one(user, s, values, key, outs, cats, chans)
                except Refused as e:
                    res.status, res.reason = "rejected", e.message_zh
            if not commit or result.rejected:
                raise _Rollback
            result.committed = True
    except _Rollback:
        pass
    return result


def _one(user, s, v: dict[str, str], key: str, outs, cats, chans) -> str:  # type: ignore[no-untyped-def]
    from . import services

    # Every problem of the row at once: a clerk fixing a file should not upload it once per mistake.
    problems = [f"缺少“{LABELS[f]}”" for f in REQUIRED if not v.get(f)]
    dates: dict[str, dt.date | None] = {}
    for f in ("received_on", "submitted_on", "answered_on"):
        dates[f] = None
        if v.get(f):
            try:
                dates[f] = _date(v[f])
            except ValueError:
                problems.append(f"“{LABELS[f]}”“{v[f][:20]}”不是日期（应为 2026-03-02 或 2026年3月2日）")
    category = cats.get(_norm(v.get("applicant_category", "")))
    if v.get("applicant_category") and category is None:
        problems.append(f"申请人类别“{v['applicant_category'][:20]}”无法识别（应为：{'、'.join(APPLICANT_CATEGORIES.values())}）")
    channel = chans.get(_norm(v.get("channel", ""))) if v.get("channel") else "in_person"
    if channel is None:
        problems.append(f"提交方式“{v['channel'][:20]}”无法识别（应为：{'、'.join(label for _, label in CHANNELS)}）")
    outcome = None
    if v.get("outcome"):
        outcome = outs.get(_norm(v["outcome"]))
        if outcome is None:
            problems.append(f"办理结果“{v['outcome'][:20]}”无法识别（应为表三所列结果，如 予以公开、部分公开）")
        elif not v.get("answered_on"):
            problems.append("有办理结果但没有答复日期")
    elif v.get("answered_on"):
        problems.append("有答复日期但没有办理结果")
    for f, n in (("applicant_name", 100), ("applicant_id_no", 40), ("applicant_contact", 100)):
        if len(v.get(f, "")) > n:
            problems.append(f"“{LABELS[f]}”超过 {n} 个字符")
    if problems:
        raise Refused("；".join(problems))
    received = dates["received_on"]
    assert received is not None
    data = {"channel": channel, "submitted_on": dates["submitted_on"] or received, "received_on": received,
            "applicant_category": category, "applicant_name": v["applicant_name"], "applicant_id_no": v.get("applicant_id_no", ""),
            "applicant_contact": v.get("applicant_contact", ""), "content": v["content"]}
    r = services.register(user, data, staff=s, imported=True)  # (taken with the dates the ledger kept)
    r.import_key = key
    changes: dict[str, Any] = {}
    closed: tuple[str, ...] = ()
    if outcome is not None:
        # The state follows from the dates: answered on the answer date, by the workflow's own rules.
        event = {"other.no_correction": None, "other.unpaid_fee": None}.get(outcome, "answer")
        if event is None:
            _answer_date("withdraw", dates["answered_on"], {}, received)  # the date's rules
            r.outcome, r.closed_on, r.state = outcome, dates["answered_on"], "closed"
            changes = {"state": ["registered", "closed"], "outcome": [None, outcome]}
            closed = ("closed_on",)
        else:
            # The same rules as an answer given in the ledger: not in the future, not before receipt.
            on, inputs = _answer_date("answer", dates["answered_on"], {"outcome": outcome}, received)
            changes = fire(r, "answer", Context(on=on, role="reviewer", inputs=inputs))
    r.save(update_fields=["import_key", *changes, *closed])
    note = f"由原台账导入（原编号 {v['tracking_no']}）" if v.get("tracking_no") else "由原台账导入"
    Event.objects.create(request=r, agency=r.agency, actor=user, on=dates["answered_on"] or received, event="import",
                         label="导入原台账", changes={k: list(x) for k, x in changes.items()}, note=note)
    return r.tracking_no


def _answer_date(event: str, on: dt.date | None, inputs: dict[str, Any], received: dt.date) -> tuple[dt.date, dict[str, Any]]:
    # The event's own checks speak of "日期": in a file, say which column.
    try:
        return validate.clean_event(event, on, inputs, received, clock.today())
    except validate.Invalid as e:
        raise Refused(f"“{LABELS['answered_on']}”：{e.message_zh}") from None


def template_xlsx() -> bytes:
    """The import template: the headers, one example row, and the accepted values."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("申请台账")
    head = wb.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1})
    example = {"tracking_no": "2025-001", "channel": "网上申请", "submitted_on": "2025-03-03", "received_on": "2025-03-03",
               "applicant_category": "自然人", "applicant_name": "张三", "applicant_id_no": "", "applicant_contact": "13800000000",
               "content": "某路段改造工程的招标文件", "outcome": "予以公开", "answered_on": "2025-03-20"}
    for c, f in enumerate(FIELDS):
        ws.set_column(c, c, 16 if f != "content" else 36)
        ws.write_string(0, c, LABELS[f] + ("（必填）" if f in REQUIRED else ""), head)
        ws.write_string(1, c, example[f])
    ref = wb.add_worksheet("可填写的值")
    ref.write_row(0, 0, ["提交方式", "申请人类别", "办理结果"], head)
    columns = [[label for _, label in CHANNELS], list(APPLICANT_CATEGORIES.values()), list(outcomes().values())]
    for c, col in enumerate(columns):
        ref.set_column(c, c, 40)
        for r, value in enumerate(col, start=1):
            ref.write_string(r, c, value)
    wb.close()
    return buf.getvalue()


def already_imported(agency_id: int) -> int:
    return Request.objects.filter(Q(agency_id=agency_id) & ~Q(import_key="")).count()
