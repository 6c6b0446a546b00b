"""Every notice an OGI office sends — 受理回执, 补正告知书, 延期答复告知书, 收费通知书, 征求意见函
and the 答复书 for each outcome of table 三 — composed from template data (letters.yaml,
with the agency's own wording laid over it) and written as DOCX in the official style, or
PDF through LibreOffice.

A letter is refused rather than sent with a gap: every field its template names must have
a value, a partly disclosed request must say what is withheld and why, and the result is
checked for the artefacts of careless assembly (a brace left over, doubled punctuation)."""

from __future__ import annotations

import copy
import datetime as dt
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from ..render.text import date_zh
from ..textnorm import decimal_text
from ..yamlfile import load as load_yaml

# What a user may name in a template, with its Chinese name for messages. The same names
# for every letter; which of them a letter needs is read from its own template.
FIELDS = {
    "agency": "机关名称", "applicant": "申请人", "tracking_no": "申请编号", "received_on": "收到申请之日",
    "content": "申请内容", "channel": "提交方式",
    "submitted_how": "提交申请的方式（如“当面提交”“通过电子邮件提交”）", "receipt_rule": "收到申请之日的认定", "due": "答复期限",
    "query_code": "查询码", "items": "需要补正的事项", "correction_due": "补正期限", "reason": "延期理由",
    "days": "延长的工作日数", "basis": "计费方式", "amount": "收费金额", "party": "第三方名称",
    "decision": "答复意见", "withheld_list": "不予公开的部分及理由", "remedy": "救济途径", "regulation": "条例名称",
    "ground": "不予公开的理由", "quote": "法律条文", "correction_requested_on": "通知补正日期",
    "fee_notice_on": "收费通知日期", "due_estimated": "答复期限系推定", "correction_due_estimated": "补正期限系推定",
}
# A date a letter states that was counted over a year whose holidays are not yet published
# (its flag → the letter that first says so in the defaults): the letter says it is an estimate.
_ESTIMATES = {"due_estimated": "receipt", "correction_due_estimated": "correction"}
KINDS = ("receipt", "correction", "extension", "fee", "consultation", "reply")


class LetterError(ValueError):
    """A letter that cannot be issued as asked; the reason in Chinese and English."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_zh)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


@dataclass(frozen=True)
class Letter:
    kind: str
    label: str  # 补正告知书 …
    title: str
    number: str  # 文号
    to: str
    paragraphs: tuple[str, ...]
    agency: str
    issued_on: dt.date

    @property
    def text(self) -> str:
        return "\n".join([self.title, self.number, self.to, *self.paragraphs, self.agency, date_zh(self.issued_on)])


@cache
def _defaults() -> dict[str, Any]:
    return load_yaml(resources.files("ogi.records").joinpath("letters.yaml").read_text(encoding="utf-8"))


def templates(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The templates in force: the defaults with an agency's own entries laid over them
    (one level deep: a letter, a decision or a ground is replaced as a whole or by key).
    Read-only: without overrides this is the shared, cached default."""
    if not overrides:
        return _defaults()
    out = copy.deepcopy(_defaults())
    for key, value in (overrides or {}).items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            for k, v in value.items():
                if isinstance(v, Mapping) and isinstance(out[key].get(k), dict):
                    out[key][k] = {**out[key][k], **v}
                else:
                    out[key][k] = v
        else:
            out[key] = value
    return out


def _names(text: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(text) if f]


def check_templates(overrides: Mapping[str, Any]) -> list[str]:
    """What is wrong with an agency's edited templates (Chinese, one line each); [] when
    they can be used. Checked when saved, so a bad edit never reaches a letter."""
    problems = []
    try:
        t = templates(overrides)
    except (TypeError, AttributeError):
        return ["模板格式不正确"]
    # A name the templates do not have (lettrs, a letter kind of none) would be saved and never used.
    defaults = _defaults()
    problems += [f"没有名为“{k}”的模板项（可用：{'、'.join(defaults)}）" for k in overrides if k not in defaults]
    for part in ("letters", "decisions"):  # (an agency may add a ground of its own)
        own = overrides.get(part)
        if isinstance(own, Mapping):
            problems += [f"{part} 中没有名为“{k}”的项（可用：{'、'.join(defaults[part])}）" for k in own if k not in defaults[part]]
    own_letters = overrides.get("letters")
    if isinstance(own_letters, Mapping):
        for kind, spec in own_letters.items():
            if isinstance(spec, Mapping):
                problems += [f"letters.{kind} 中没有名为“{k}”的项（可用：label、title、to、paragraphs）"
                             for k in spec if k not in ("label", "title", "to", "paragraphs")]
    texts: list[tuple[str, str]] = [("救济途径", t.get("remedy", "")), ("文号格式", t.get("number_pattern", ""))]
    for kind in KINDS:
        spec = t["letters"].get(kind) or {}
        for key in ("title", "to"):
            texts.append((f"{spec.get('label', kind)}的{key}", spec.get(key, "")))
        for p in spec.get("paragraphs", []):
            texts.append((str(spec.get("label", kind)), p["text"] if isinstance(p, Mapping) else p))
    texts += [(f"答复意见（{code}）", v) for code, v in t["decisions"].items()]
    for label, text in texts:
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{label}不能为空")
            continue
        try:
            names = _names(text)
        except ValueError:
            problems.append(f"{label}中的花括号不成对")
            continue
        allowed = {"prefix", "year", "n"} if label == "文号格式" else set(FIELDS)
        problems += [f"{label}中的“{{{n}}}”不是可用的字段" for n in names if n not in allowed]
    if "{n}" not in t.get("number_pattern", ""):
        problems.append("文号格式必须含有序号 {n}")
    return problems


def format_number(pattern: str, prefix: str, year: int, n: int) -> str:
    """The 文号 of an agency's nth letter of a year, e.g. 市商务公开〔2026〕第12号."""
    return pattern.format(prefix=prefix, year=year, n=n)


def clean_content(text: str) -> str:
    """The request's content as quoted in a letter: one line, without the full stop the
    applicant wrote — the letter closes the quotation itself (no “…明细。”。)."""
    one = re.sub(r"\s+", " ", text).strip()
    return one.rstrip("。．.，,；;、 ") or one


def _value(v: Any) -> str:
    if isinstance(v, dt.date):
        return date_zh(v)
    if isinstance(v, Decimal | float):
        return decimal_text(Decimal(str(v)))
    return "" if v is None else str(v).strip()


def _fill(text: str, fields: Mapping[str, str], what: str) -> str:
    missing = [n for n in _names(text) if not fields.get(n)]
    if missing:
        names = "、".join(FIELDS.get(n, n) for n in dict.fromkeys(missing))
        raise LetterError("missing_field", f"{what}缺少：{names}", f"the {what} needs: {', '.join(dict.fromkeys(missing))}")
    return text.format_map(fields)


def withheld_list(parts: Sequence[tuple[str, str]], t: Mapping[str, Any]) -> str:
    """The 部分公开 letter's list: each withheld part with its ground and article, one per line."""
    lines = []
    for i, (part, code) in enumerate(parts, 1):
        g = t["grounds"].get(code)
        if g is None:
            raise LetterError("unknown_ground", "请为不予公开的部分选择不予公开的理由", f"unknown withholding ground {code!r}")
        part = clean_content(part)
        if not part:
            raise LetterError("missing_field", "请写明不予公开的部分", "a withheld part needs a description")
        lines.append(f"{i}.“{part}”，{g['reason']}，根据{t['regulation']}{g['basis']}的规定，不予公开。")
    return "\n".join(lines)


FREE_TEXT = ("content", "items", "reason", "party")


def _says_estimated(spec: Mapping[str, Any], flag: str) -> bool:
    mark = "{" + flag + "}"
    return any((isinstance(p, Mapping) and (p.get("when") == flag or mark in str(p.get("text", ""))))
               or mark in str(p) for p in spec.get("paragraphs", []))


def _estimate_sentence(flag: str) -> str:
    return next(p["text"] for p in _defaults()["letters"][_ESTIMATES[flag]]["paragraphs"]
                if isinstance(p, Mapping) and p.get("when") == flag)


def compose(kind: str, fields: Mapping[str, Any], *, agency: str, issued_on: dt.date, number: str,
            overrides: Mapping[str, Any] | None = None, outcome: str | None = None,
            withheld: Sequence[tuple[str, str]] = ()) -> Letter:
    """One letter. `fields` holds the values its template names (dates as dates); a reply
    needs `outcome`, and a 部分公开 reply the withheld parts as (part, ground code)."""
    t = templates(overrides)
    spec = t["letters"].get(kind)
    if spec is None:
        raise LetterError("unknown_letter", "没有这种文书", f"no letter of kind {kind!r}")
    values = {k: _value(v) for k, v in fields.items()}
    for k, v in (t.get("defaults") or {}).items():
        values[k] = values.get(k) or str(v)
    for free in FREE_TEXT:
        # Typed by staff or the applicant: the template supplies the punctuation around them.
        if free in values:
            values[free] = clean_content(values[free]).rstrip("：:")
    values.setdefault("agency", agency)
    values["regulation"] = t["regulation"]
    if values.get("channel") and not values.get("submitted_how"):
        from .validate import CHANNELS

        code = next((c for c, label in CHANNELS.items() if label == values["channel"]), "")
        values["submitted_how"] = (t.get("submitted_how") or {}).get(code) or f"通过{values['channel']}"
    if kind == "reply":
        decision = t["decisions"].get(outcome or "")
        if decision is None:
            raise LetterError("unknown_outcome", "请选择表三所列的一种办理结果", f"no reply letter for outcome {outcome!r}")
        ground = t["grounds"].get(outcome or "")
        if ground:
            values |= {"ground": ground["reason"], "basis": ground["basis"], "quote": ground["quote"]}
        else:
            values.pop("basis", None)
        if outcome == "partial" and not withheld:
            raise LetterError("missing_field", "部分公开的答复书须逐项写明不予公开的部分及其理由",
                              "a partial disclosure letter must list what is withheld and why")
        values["remedy"] = " ".join(t["remedy"].split())
    title, to, paragraphs = _render(spec, t, values, decision if kind == "reply" else "", withheld)
    for flag in _ESTIMATES:
        if values.get(flag) and not _says_estimated(spec, flag):
            # An agency's own wording of the letter, written before it could say so, still says
            # that the date is an estimate, as the default does.
            paragraphs = [*paragraphs, _estimate_sentence(flag)]
    # The template's own wording is checked with what the records supply set aside: an
    # applicant may well be called "XX公司" or write a bracket, a random query code may read
    # "XXTG…"; the template may not leave one. A value the template's defaults filled in is
    # its own wording, and checked.
    from_records = {k for k, v in fields.items() if _value(v)} | {"agency"}
    skeleton = {k: ("某" if k in from_records and v else v) for k, v in values.items()}
    probe = _render(spec, t, skeleton, decision if kind == "reply" else "", [("某", g) for _, g in withheld])
    bad = artefacts("\n".join([probe[0], probe[1], *probe[2]]))
    if bad:
        raise LetterError("artefact", f"{spec['label']}的文字有误：{'；'.join(bad)}", f"letter text is malformed: {bad}")
    return Letter(kind=kind, label=spec["label"], title=title, number=number, to=to, paragraphs=tuple(paragraphs),
                  agency=agency, issued_on=issued_on)


def _render(spec: Mapping[str, Any], t: Mapping[str, Any], values: dict[str, str], decision: str,
            withheld: Sequence[tuple[str, str]]) -> tuple[str, str, list[str]]:
    values = dict(values)
    if decision:
        values["decision"] = _fill(decision, values, spec["label"])
    if withheld:
        values["withheld_list"] = withheld_list(withheld, t)
    texts = [p if isinstance(p, str) else p["text"] for p in spec["paragraphs"]
             if isinstance(p, str) or values.get(p["when"])]
    # Every gap named at once: the clerk fills them in one go.
    _fill("".join([spec["title"], spec["to"], *texts]), values, spec["label"])
    paragraphs = [line for p in texts for line in _fill(p, values, spec["label"]).split("\n") if line.strip()]
    return _fill(spec["title"], values, spec["label"]), _fill(spec["to"], values, spec["label"]), paragraphs


_ARTEFACTS = [(re.compile(r"[{}]"), "留有未填写的字段"), (re.compile(r"[。，；：]”?[。，；]"), "标点重复"),
              (re.compile(r"[×＿_]{2,}|X{2,}|（\s*）|“\s*”"), "留有空白或占位符"), (re.compile(r"如下。"), "“如下”之后没有内容")]


def artefacts(text: str) -> list[str]:
    """Signs of a letter assembled carelessly, in Chinese; [] for a clean letter."""
    found = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        for pattern, what in _ARTEFACTS:
            if pattern.search(line):
                found.append(f"{what}（{line[:30]}…）")
        if line.endswith("如下：") and not (i + 1 < len(lines) and lines[i + 1].startswith("1.")):
            found.append(f"“如下”之后没有内容（{line[:30]}…）")
    return found
