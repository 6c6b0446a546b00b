"""One set of rules for every write to the ledger — the staff's pages, the public form, the
API, the admin, the ledger import: what a request, an event's inputs, the year's figures,
a register entry and an appeal case may hold. Plain Python: the web layer calls these and
turns `Invalid` into a form error, a 422 or a rejected import row.

The same checks run over what is already stored (`request_problems` …), so a row written
before these rules existed is shown with what is wrong with it instead of breaking a page."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import clock
from ..workflow.requests import BY_EVENT, MAX_EXTENSION, Refused
from .outcomes import applicant_categories, outcomes

# The regulation took effect on 1 May 2008: no request to the ledger is older.
EARLIEST = dt.date(2008, 5, 1)

# Art. 31: the ways a request reaches the agency; each has its own day of receipt.
CHANNELS = {"in_person": "当面提交", "letter": "邮寄（签收）", "ordinary_mail": "平常信函", "fax": "传真",
            "email": "电子邮件", "online": "网上申请"}
# Art. 29(三): how the applicant wants the information.
DELIVERY = {"email": "电子邮件", "post": "邮寄", "collect": "当面领取", "online": "网上获取"}
# Art. 29(一): the applicant's identity document. A resident ID card and a unified social
# credit code carry a check digit, which is verified; the others are taken as written.
ID_TYPES = {"resident_id": "居民身份证", "uscc": "统一社会信用代码", "residence_permit": "港澳台居民居住证",
            "hk_macao_permit": "港澳居民来往内地通行证", "taiwan_permit": "台湾居民来往大陆通行证", "passport": "护照",
            "foreign_permanent": "外国人永久居留身份证", "other": "其他证件"}

LIMITS = {"applicant_name": 100, "applicant_id_no": 40, "applicant_contact": 100, "content": 5000, "note": 2000,
          "party": 100, "withheld": 5000, "reason": 2000}
MAX_PAGES = 1_000_000
FIELD_ZH = {"channel": "提交方式", "submitted_on": "提交日期", "received_on": "收到申请之日", "applicant_category": "申请人类别",
            "applicant_name": "申请人姓名或名称", "applicant_id_type": "证件类型", "applicant_id_no": "证件号码",
            "applicant_contact": "联系方式", "content": "申请公开的政府信息", "delivery": "获取信息的方式", "on": "日期",
            "note": "说明", "correction_due": "补正期限", "party": "征求意见对象", "days": "延长工作日数", "basis": "计收方式",
            "pages": "页数", "outcome": "办理结果", "withheld": "不予公开的部分及理由", "amount": "金额",
            "fee_amount": "收费金额", "reason": "理由", "answered_on": "答复日期", "closed_on": "终止日期",
            "correction_requested_on": "通知补正日期", "corrected_on": "收到补正日期", "fee_notice_on": "收费通知日期",
            "extension_days": "延长工作日数", "state": "状态", "pauses": "暂停计算期间", "issued_on": "制发日期",
            "repealed_on": "废止日期", "filed_on": "立案日期", "decided_on": "审结日期", "result": "结果"}
FIELD_EN = {"channel": "channel", "submitted_on": "submission date", "received_on": "date of receipt",
            "applicant_category": "applicant category", "applicant_name": "applicant name", "applicant_id_type": "ID type",
            "applicant_id_no": "ID number", "applicant_contact": "contact", "content": "content", "delivery": "delivery",
            "on": "date", "note": "note", "correction_due": "correction due date", "party": "consulted party",
            "days": "extension days", "basis": "fee basis", "pages": "pages", "outcome": "outcome",
            "withheld": "withheld parts", "amount": "amount", "reason": "reason"}


@dataclass(frozen=True)
class Problem:
    field: str
    message_zh: str
    message_en: str


class Invalid(Refused):
    """A value no write may store; every problem found, each with its field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(p.message_zh for p in problems), "invalid")
        self.problems = problems
        self.message_en = "; ".join(p.message_en for p in problems)

    @classmethod
    def one(cls, field: str, zh: str, en: str) -> Invalid:
        return cls([Problem(field, zh, en)])


def _p(field: str, zh: str, en: str) -> Problem:
    return Problem(field, zh, en)


# --- identity documents ---------------------------------------------------------------------

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# First two digits: the provinces of GB/T 2260, and 81–83 for the residence permits of
# Hong Kong, Macao and Taiwan residents (issued in the same format since 2018).
_PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
              61, 62, 63, 64, 65, 71, 81, 82, 83}


def gb11643_check(first17: str) -> str:
    """The 18th character of a citizen identity number (ISO 7064 MOD 11-2)."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _GB11643_WEIGHTS, strict=True)) % 11]


def gb11643_problem(value: str) -> str | None:
    """Why an 18-character citizen identity number (GB 11643-1999) is not one, or None."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "应为18位，前17位为数字，末位为数字或X"
    if int(value[:2]) not in _PROVINCES:
        return "前两位不是有效的省级行政区划代码"
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "第7至14位不是有效的出生日期"
    if born.year < 1880 or born > clock.today():
        return "第7至14位不是有效的出生日期"
    if value[17] != gb11643_check(value[:17]):
        return "校验位不符（可能有数字录错）"
    return None


_GB32100_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def gb32100_check(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015, MOD 31)."""
    total = sum(_GB32100_CHARS.index(c) * w for c, w in zip(first17, _GB32100_WEIGHTS, strict=True))
    return _GB32100_CHARS[(31 - total % 31) % 31]


def gb32100_problem(value: str) -> str | None:
    """Why an 18-character unified social credit code (GB 32100-2015) is not one, or None."""
    if len(value) != 18 or any(c not in _GB32100_CHARS for c in value):
        return "应为18位数字或大写字母（不含I、O、Z、S、V）"
    if gb32100_check(value[:17]) != value[17]:
        return "校验位不符（可能有字符录错）"
    return None


def guess_id_type(value: str, organisation: bool = False) -> str:
    """The document an 18-character number is, when no type was given: an identity card
    number or a credit code whose check digit holds ("" when it is neither). Some numbers
    pass both checks (121101196001012343): an organisation's is taken for its credit code."""
    if not organisation and re.fullmatch(r"\d{17}[\dXx]", value):
        # A person's number of an identity card's shape is one, mistyped or not: its own
        # fault is said (a 13th month), not that one mistyping in 31 passes a credit code's check.
        return "resident_id"
    tries = [("uscc", gb32100_problem), ("resident_id", gb11643_problem)]
    for kind, problem in tries if organisation else tries[::-1]:
        if problem(value) is None:
            return kind
    return ""


def id_problem(id_type: str, value: str) -> Problem | None:
    if not value:
        return None
    label = ID_TYPES.get(id_type, "证件")
    if id_type in ("resident_id", "residence_permit"):
        why = gb11643_problem(value)
    elif id_type == "uscc":
        why = gb32100_problem(value)
    else:
        why = None if re.fullmatch(r"[0-9A-Za-z()（）\-]{4,40}", value) else "只能包含字母、数字和括号，4至40位"
    if why is None:
        return None
    hint = "；如为其他证件，请选择相应的证件类型" if id_type in ("resident_id", "uscc") else ""
    return _p("applicant_id_no", f"{label}号码“{value[:40]}”有误：{why}{hint}",
              f"{id_type} number is not valid ({'check digit' if '校验' in why else 'format'})")


# --- plain values -----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidirectional overrides and isolates reorder what a reader sees (a name shown reversed in
# a letter); no Chinese text needs them.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Invisible: a field of these alone is an empty field.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")


def plain(raw: str) -> str:
    """Typed text as it may be kept: control characters (NUL among them: PostgreSQL refuses
    it) and direction overrides removed, the ends stripped; invisible characters alone are
    no text."""
    value = _BIDI.sub("", _CONTROL.sub("", raw)).strip()
    return value if _INVISIBLE.sub("", value).strip() else ""


def text(data: Mapping[str, Any], field: str, problems: list[Problem], required: bool = False) -> str:
    raw = data.get(field)
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        problems.append(_p(field, f"“{FIELD_ZH.get(field, field)}”应为文字", f"{FIELD_EN.get(field, field)} must be text"))
        return ""
    value = plain(raw)
    limit = LIMITS.get(field)
    if required and not value:
        problems.append(_p(field, f"请填写“{FIELD_ZH.get(field, field)}”", f"{FIELD_EN.get(field, field)} is required"))
    elif limit and len(value) > limit:
        problems.append(_p(field, f"“{FIELD_ZH.get(field, field)}”不能超过 {limit} 个字（现有 {len(value)} 个）",
                           f"{FIELD_EN.get(field, field)} is longer than {limit} characters ({len(value)})"))
    return value


def as_date(value: Any) -> dt.date | None:
    """A date from a date or an ISO string; None when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) <= 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def date(data: Mapping[str, Any], field: str, problems: list[Problem], today: dt.date,
         required: bool = True) -> dt.date | None:
    raw = data.get(field)
    zh, en = FIELD_ZH.get(field, field), FIELD_EN.get(field, field)
    if raw in (None, ""):
        if required:
            problems.append(_p(field, f"请填写“{zh}”", f"{en} is required"))
        return None
    d = as_date(raw)
    if d is None:
        problems.append(_p(field, f"“{zh}”应为日期（如 {today.isoformat()}）", f"{en} must be a date (YYYY-MM-DD)"))
        return None
    if d > today:
        problems.append(_p(field, f"“{zh}”{d.isoformat()} 晚于今天（{today.isoformat()}），不能填写将来的日期",
                           f"{en} {d.isoformat()} is in the future"))
    elif d < EARLIEST:
        problems.append(_p(field, f"“{zh}”{d.isoformat()} 早于《政府信息公开条例》施行之日（2008年5月1日）",
                           f"{en} {d.isoformat()} is before 2008-05-01"))
    return d


def whole(data: Mapping[str, Any], field: str, problems: list[Problem], low: int, high: int,
          required: bool = True) -> int | None:
    raw = data.get(field)
    zh, en = FIELD_ZH.get(field, field), FIELD_EN.get(field, field)
    if raw in (None, ""):
        if required:
            problems.append(_p(field, f"请填写“{zh}”", f"{en} is required"))
        return None
    value: int | None = None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and re.fullmatch(r"\s*\d{1,12}\s*", raw):
        value = int(raw)
    if value is None or not low <= value <= high:
        problems.append(_p(field, f"“{zh}”应为 {low} 至 {high} 的整数", f"{en} must be a whole number from {low} to {high}"))
        return None
    return value


def choice(data: Mapping[str, Any], field: str, options: Mapping[str, str], problems: list[Problem],
           required: bool = True) -> str:
    raw = data.get(field)
    zh, en = FIELD_ZH.get(field, field), FIELD_EN.get(field, field)
    if raw in (None, ""):
        if required:
            problems.append(_p(field, f"请选择“{zh}”", f"{en} is required"))
        return ""
    if isinstance(raw, str) and raw not in options:
        # The Chinese message lists the labels, so a label is taken for its code.
        raw = next((code for code, label in options.items() if label == raw.strip()), raw)
    if not isinstance(raw, str) or raw not in options:
        shown = str(raw)[:20]
        problems.append(_p(field, f"“{zh}”不能为“{shown}”（可选：{'、'.join(options.values())}）",
                           f"{en} {shown!r} is not one of: {', '.join(options)}"))
        return ""
    return raw


def money(value: Any) -> Decimal | None:
    """A non-negative amount of yuan with at most two decimals and twelve whole digits."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value).strip())
        if not d.is_finite() or d < 0 or d >= Decimal(10) ** 12 or d != d.quantize(Decimal("0.01")):
            return None
    except (InvalidOperation, ValueError):
        return None
    return d


# --- a request --------------------------------------------------------------------------------

REQUEST_FIELDS = ("channel", "submitted_on", "received_on", "applicant_category", "applicant_name", "applicant_id_type",
                  "applicant_id_no", "applicant_contact", "content", "delivery")


_PERSONAL_IDS = {"resident_id", "residence_permit", "hk_macao_permit", "taiwan_permit", "passport", "foreign_permanent"}


def _category_problem(category: str, id_type: str, public: bool) -> Problem | None:
    """A document that does not fit the applicant: a person has no credit code; an
    organisation applying online gives its credit code (a letter registered by staff may
    carry only its contact's identity card, and is taken as it came)."""
    if category == "natural" and id_type == "uscc":
        return _p("applicant_id_no", "自然人的证件应为居民身份证等个人证件，所填号码是统一社会信用代码；"
                  "如以单位名义申请，请将申请人类别选为“法人或其他组织”",
                  "a natural person's document cannot be a unified social credit code")
    if public and category != "natural" and id_type in _PERSONAL_IDS:
        return _p("applicant_id_no", f"以法人或其他组织名义申请的，请填写单位的统一社会信用代码，而不是{ID_TYPES[id_type]}号码；"
                  "如以个人名义申请，请将申请人类别选为“自然人”",
                  "an organisation applying gives its unified social credit code, not a personal document")
    return None


def clean_request(data: Mapping[str, Any], today: dt.date, public: bool = False,
                  handed_in_rule: bool = False) -> dict[str, Any]:
    """The fields of a new request, checked and normalised; raises Invalid with every problem."""
    problems: list[Problem] = []
    unknown = sorted(set(data) - set(REQUEST_FIELDS))
    if unknown:
        problems.append(_p(unknown[0], f"不支持的字段：{'、'.join(u[:30] for u in unknown[:5])}",
                           f"unknown field(s): {', '.join(u[:30] for u in unknown[:5])}"))
    out: dict[str, Any] = {}
    out["channel"] = choice(data, "channel", CHANNELS, problems)
    out["applicant_category"] = choice(data, "applicant_category", applicant_categories(), problems)
    out["delivery"] = choice(data, "delivery", DELIVERY, problems, required=public)
    out["submitted_on"] = date(data, "submitted_on", problems, today)
    # Art. 31(1): handed in, it is received the day it is handed in (left blank, that day).
    # (Applied where a request is registered now; a ledger imported, or a request stored before,
    # is taken with the dates it has.)
    in_person = handed_in_rule and out["channel"] == "in_person"
    out["received_on"] = date(data, "received_on", problems, today, required=not in_person) or (
        out["submitted_on"] if in_person else None)
    if out["submitted_on"] and out["received_on"] and out["received_on"] < out["submitted_on"]:
        problems.append(_p("received_on", "收到申请之日不能早于提交日期", "date of receipt is before the submission date"))
    elif in_person and out["submitted_on"] and out["received_on"] and out["received_on"] != out["submitted_on"]:
        problems.append(_p("received_on", f"当面提交的，以提交之日为收到申请之日（条例第三十一条第一项）：“收到申请之日”应为 "
                           f"{out['submitted_on'].isoformat()}", "handed in: received the day it was submitted"))
    out["applicant_name"] = text(data, "applicant_name", problems, required=True)
    out["content"] = text(data, "content", problems, required=True)
    if public and out["content"] and len(out["content"]) < 4:
        problems.append(_p("content", "请具体描述所申请的政府信息（名称、文号或其他特征）", "describe the information asked for"))
    out["applicant_contact"] = text(data, "applicant_contact", problems, required=public)
    # (Full-width digits, as a Chinese input method types them, are the same number.)
    id_no = unicodedata.normalize("NFKC", text(data, "applicant_id_no", problems, required=public)).upper().replace(" ", "")
    id_type = choice(data, "applicant_id_type", ID_TYPES, problems, required=False)
    if id_no and not id_type and not any(x.field == "applicant_id_no" for x in problems):
        id_type = guess_id_type(id_no, organisation=out["applicant_category"] not in (None, "", "natural"))
        resident = re.fullmatch(r"\d{17}[\dX]", id_no) and gb11643_problem(id_no)
        if not id_type and resident:
            # Shaped as an identity card number: say what is wrong with it, not only that it fails.
            problems.append(_p("applicant_id_no", f"证件号码“{id_no}”不是有效的居民身份证号码：{resident}；如为其他证件，请选择证件类型",
                               f"the ID number is not a valid resident ID number ({id_no[6:14]}…); "
                               "give applicant_id_type for another document"))
        elif not id_type:
            problems.append(_p("applicant_id_no", f"证件号码“{id_no[:40]}”既不是有效的居民身份证号码，也不是有效的统一社会信用代码"
                               "（位数或校验位不符）；如为其他证件，请选择证件类型",
                               "the ID number is neither a valid resident ID number nor a unified social credit code; "
                               "give applicant_id_type for another document"))
    p = id_problem(id_type, id_no) if id_no and id_type and not any(x.field == "applicant_id_no" for x in problems) else None
    if p:
        problems.append(p)
    elif id_no and id_type and out["applicant_category"]:
        p = _category_problem(out["applicant_category"], id_type, public)
        if p:
            problems.append(p)
    out["applicant_id_no"], out["applicant_id_type"] = id_no, (id_type if id_no else "")
    if problems:
        raise Invalid(problems)
    return out


def request_problems(r: Any, today: dt.date) -> list[Problem]:
    """What is wrong with a stored request (written before these rules, or by hand into the
    database): shown on its row, and its cells left out of the year's report."""
    problems: list[Problem] = []
    data = {f: getattr(r, f, None) for f in REQUEST_FIELDS}
    try:
        clean_request({k: v for k, v in data.items() if v is not None}, today=today)
    except Invalid as e:
        problems += [p for p in e.problems if p.field != "delivery"]
    if r.outcome is not None and r.outcome not in outcomes():
        problems.append(_p("outcome", f"办理结果“{str(r.outcome)[:20]}”不是表三所列的结果", f"unknown outcome {r.outcome!r}"))
    for f in ("answered_on", "closed_on"):
        d = getattr(r, f, None)
        if d is not None and isinstance(r.received_on, dt.date) and d < r.received_on:
            problems.append(_p(f, f"“{FIELD_ZH[f]}”早于收到申请之日", f"{f} is before the date of receipt"))
        if d is not None and d > today:
            problems.append(_p(f, f"“{FIELD_ZH[f]}”{d.isoformat()} 晚于今天", f"{f} is in the future"))
    if r.state in ("answered", "closed", "archived") and not r.outcome:
        problems.append(_p("outcome", "已办结但没有办理结果", "done without an outcome"))
    if not isinstance(getattr(r, "pauses", []), list) or any(
            not isinstance(p, dict) or as_date(p.get("start")) is None for p in r.pauses):
        problems.append(_p("pauses", "暂停计算期间的记录格式有误", "pauses are malformed"))
    if not 0 <= int(getattr(r, "extension_days", 0) or 0) <= MAX_EXTENSION:
        problems.append(_p("extension_days", f"延长工作日数超过{MAX_EXTENSION}个", "extension beyond the limit"))
    amount = getattr(r, "fee_amount", None)
    if amount is not None and money(amount) is None:
        problems.append(_p("fee_amount", "收费金额超出范围或格式有误", "fee amount out of range"))
    return problems


def problems_zh(problems: Iterable[Problem]) -> str:
    return "；".join(p.message_zh for p in problems)


# --- an event's inputs ------------------------------------------------------------------------

# What each input of a workflow event is; events take only the inputs their transition names.
def clean_event(event: str, on: Any, inputs: Mapping[str, Any], received_on: dt.date, today: dt.date,
                fee_amount: Decimal | None = None, after: tuple[dt.date, str] | None = None) -> tuple[dt.date, dict[str, Any]]:
    """The date and inputs of a workflow event, checked; raises Invalid. `after` is the
    date and name of the request's last event: a step is not dated before the one it follows."""
    t = BY_EVENT.get(event)
    if t is None:
        raise Refused("没有这个操作", "unknown_event")
    problems: list[Problem] = []
    if not isinstance(inputs, Mapping):
        raise Invalid.one("inputs", "操作参数格式有误", "inputs must be an object")
    unknown = sorted(set(inputs) - set(t.inputs))
    if unknown:
        problems.append(_p(unknown[0], f"“{t.label}”不接受以下输入项：{'、'.join(str(u)[:30] for u in unknown[:5])}"
                        + ("（收费金额按收费标准计算，不能直接填写；减免请用“减免信息处理费”）" if "amount" in unknown else ""),
                           f"{event} does not take: {', '.join(str(u)[:30] for u in unknown[:5])}"))
    day = date({"on": on}, "on", problems, today) if on not in (None, "") else today
    if day and isinstance(received_on, dt.date) and day < received_on:
        problems.append(_p("on", f"日期 {day.isoformat()} 早于收到申请之日（{received_on.isoformat()}）",
                           "the date is before the date of receipt"))
    elif day and after is not None and day < after[0]:
        problems.append(_p("on", f"日期 {day.isoformat()} 早于本申请上一项操作“{after[1]}”的日期（{after[0].isoformat()}）",
                           "the date is before the request's last event"))
    out: dict[str, Any] = {}
    for name in t.inputs:
        if name in ("note", "withheld", "reason"):
            out[name] = text(inputs, name, problems, required=name == "reason")
        elif name == "party":
            out[name] = text(inputs, name, problems, required=True)
        elif name == "days":
            out[name] = whole(inputs, name, problems, 1, MAX_EXTENSION)
        elif name == "outcome":
            out[name] = choice(inputs, name, outcomes(), problems)
        elif name == "basis":
            out[name] = choice(inputs, name, {"per_request": "按件计收", "per_page": "按量计收"}, problems)
        elif name == "pages":
            out[name] = whole(inputs, name, problems, 0, MAX_PAGES, required=inputs.get("basis") == "per_page")
        elif name == "correction_due":
            raw = inputs.get(name)
            if raw in (None, ""):
                out[name] = None
            else:
                due = as_date(raw)
                if due is None:
                    problems.append(_p(name, "“补正期限”应为日期", "correction due date must be a date (YYYY-MM-DD)"))
                elif day and due <= day:
                    problems.append(_p(name, f"补正期限（{due.isoformat()}）应晚于通知补正之日（{day.isoformat()}）",
                                       "the correction due date must be after the notice"))
                elif day and due > day + dt.timedelta(days=366):
                    problems.append(_p(name, "补正期限不应超过一年", "the correction due date is more than a year away"))
                out[name] = due
        elif name == "amount":
            amount = money(inputs.get(name))
            if amount is None:
                problems.append(_p(name, "金额应为不小于0的数，最多两位小数", "amount must be a non-negative number, 2 decimals"))
            elif fee_amount is not None and amount >= fee_amount:
                problems.append(_p(name, f"减免后的金额应低于原收费金额（{fee_amount} 元）",
                                   f"the reduced amount must be below the notified fee ({fee_amount})"))
            out[name] = amount
    if problems:
        raise Invalid(problems)
    assert day is not None
    return day, out


# --- the year's figures, the register, the cases ----------------------------------------------

MAX_COUNT = 10**15 - 1  # 15 digits: the reader's limit for a printed figure as well


def clean_figure(value: Any, unit: str) -> int | Decimal | None:
    """A figure of table 二 as typed or stored: a whole number ≥ 0, or yuan for money; None
    when it is not one."""
    if unit == "yuan":
        return money(value)
    low = -MAX_COUNT if unit == "signed_count" else 0  # 2019's 本年增/减 may fall
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if low <= value <= MAX_COUNT else None
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,15}", value.strip()):
        n = int(value.strip())
        return n if low <= n else None
    return None


def figure_problems(values: Mapping[str, Any], cells: Mapping[str, tuple[str, str]]) -> list[Problem]:
    """The year's figures ({"licensing.decisions": 12}) against the cells they may fill:
    key → (Chinese name, unit)."""
    if not isinstance(values, Mapping):
        return [_p("values", "年度数据格式有误", "figures must be an object")]
    problems = []
    for key, value in values.items():
        if key not in cells:
            problems.append(_p(str(key), f"“{str(key)[:40]}”不是表二的年度数据项", f"{str(key)[:40]!r} is not a figure of table 2"))
            continue
        name, unit = cells[key]
        if clean_figure(value, unit) is None:
            shown = str(value)[:20]
            want = {"yuan": "不小于0的金额（元，最多两位小数）", "signed_count": "整数（减少时为负数）"}.get(unit, "不小于0的整数")
            problems.append(_p(key, f"{name}：“{shown}”应为{want}", f"{key}: {shown!r} is not a valid {unit}"))
    return problems


def document_problems(issued_on: Any, repealed_on: Any, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    issued = date({"issued_on": issued_on}, "issued_on", problems, today)
    repealed = date({"repealed_on": repealed_on}, "repealed_on", problems, today, required=False)
    if issued and repealed and repealed < issued:
        problems.append(_p("repealed_on", "废止日期早于制发日期", "repealed before it was issued"))
    return problems


def case_problems(filed_on: Any, result: Any, decided_on: Any, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    filed = date({"filed_on": filed_on}, "filed_on", problems, today)
    decided = date({"decided_on": decided_on}, "decided_on", problems, today, required=False)
    if filed and decided and decided < filed:
        problems.append(_p("decided_on", "审结日期早于立案日期", "decided before it was filed"))
    if bool(result) != bool(decided_on):
        problems.append(_p("result", "已审结的案件须同时填写结果和审结日期；尚未审结的两项都不填",
                           "a decided case has both a result and a decision date"))
    return problems
