"""Scoring as data: a rubric (YAML: items, points, conditions, caps; the default one is
rubric.yaml, its format documented there) applied to what is known of one agency's report
— its timeliness, its findings, the share of repeated text. Every score keeps its
deductions item by item. Points are decimals (0.5, 0.2): summed exactly, never as floats."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

import yaml

from ..checks.registry import SEVERITIES
from ..report import Finding
from .timeliness import STATUS_ZH, Timeliness

AGAINST = {"previous": "上年度报告", "sibling": "同级机关同年度报告"}
_CONDITIONS = {"timeliness", "late_days_over", "rules", "severity", "repetition"}
MAX_ITEMS = 200


class RubricError(ValueError):
    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh, self.message_en = message_zh, message_en


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    points: Decimal
    per_finding: bool = False
    cap: Decimal | None = None
    timeliness: tuple[str, ...] = ()
    late_days_over: int | None = None
    rules: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    repetition: tuple[str, float] | None = None  # (against, share over which it deducts)
    # Deducted for each `every` days late begun (per: days_late): lateness costs as it grows.
    every_days_late: int | None = None

    @property
    def about_findings(self) -> bool:
        return bool(self.rules or self.severity)


@dataclass(frozen=True)
class Rubric:
    name: str
    full_marks: Decimal
    items: tuple[Item, ...]


@dataclass
class Facts:
    """What one agency's year is judged on."""

    agency: str
    year: int
    timeliness: Timeliness
    findings: Sequence[Finding] = ()
    repetition: dict[str, float] = field(default_factory=dict)  # against → highest share


@dataclass
class Deduction:
    item: str
    label: str
    points: Decimal  # deducted, after the cap
    count: int = 1  # findings matched (1 for a condition that holds once)
    capped: bool = False
    evidence: list[str] = field(default_factory=list)  # in Chinese
    unit: str = "处"  # what `count` counts: places found, or periods of days late (个30日)

    @property
    def name_zh(self) -> str:
        """The item's name without its rubric's （每处）: the deduction says per what itself."""
        return self.label.removesuffix("（每处）")

    @property
    def text_zh(self) -> str:
        """"-0.8 统计表单元格缺失或数值格式错误（共 4 处，每处扣 0.2）": read as "-0.8 …（每处）（4
        处）" the total looked like each place's."""
        base = self.name_zh
        if self.count > 1:
            each = "已达上限" if self.capped else \
                f"每{self.unit.removeprefix('个')}扣 {(self.points / self.count).normalize():f}"
            return f"-{self.points} {base}（共 {self.count} {self.unit}，{each}）"
        return f"-{self.points} {base}" + ("（已达上限）" if self.capped else "")

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "label": self.label, "points": str(self.points), "count": self.count,
                "capped": self.capped, "evidence": self.evidence}


@dataclass
class Score:
    agency: str
    year: int
    full_marks: Decimal
    total: Decimal
    deductions: list[Deduction]
    # No report yet and its deadline not passed: nothing deducted, and nothing to rank either
    # (full marks beside an agency that has published would say it did as well).
    pending: bool = False
    # Its deadline passed with no report found: nothing of its content could lose a mark, so
    # its total says nothing beside those of reports that were read.
    unpublished: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"agency": self.agency, "year": self.year, "full_marks": str(self.full_marks), "total": str(self.total),
                "pending": self.pending, "unpublished": self.unpublished,
                "deductions": [d.to_json() for d in self.deductions]}


def _decimal(v: Any, where: str) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise RubricError(f"{where}应为数字", f"{where}: not a number")
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        raise RubricError(f"{where}应为数字，而不是“{v}”", f"{where}: not a number: {v!r}") from None
    if not d.is_finite() or d < 0:
        raise RubricError(f"{where}应为不小于 0 的数字", f"{where}: must be a number ≥ 0")
    return d


def _strings(v: Any, where: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        raise RubricError(f"{where}应为文字列表", f"{where}: must be a list of strings")
    return tuple(v)


def _item(raw: Any, n: int) -> Item:
    where = f"第 {n} 项"
    if not isinstance(raw, dict):
        raise RubricError(f"{where}应为包含 id、label、points、when 的条目", f"item {n}: not a mapping")
    item_id, label = raw.get("id"), raw.get("label")
    if not isinstance(item_id, str) or not item_id:
        raise RubricError(f"{where}缺少 id", f"item {n}: no id")
    where = f"第 {n} 项（{item_id}）"
    if not isinstance(label, str) or not label:
        raise RubricError(f"{where}缺少 label（扣分说明）", f"item {n}: no label")
    unknown = set(raw) - {"id", "label", "points", "per", "every", "cap", "when"}
    if unknown:
        raise RubricError(f"{where}有无法识别的字段：{'、'.join(sorted(map(str, unknown)))}", f"item {n}: unknown keys {unknown}")
    points = _decimal(raw.get("points"), f"{where}的 points（分值）")
    per = raw.get("per")
    if per not in (None, "finding", "days_late"):
        raise RubricError(f"{where}的 per 只能是 finding（按每处问题扣分）或 days_late（按逾期天数扣分，配合 every）",
                          f"item {n}: per must be 'finding' or 'days_late'")
    every = raw.get("every")
    if per == "days_late" and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
        raise RubricError(f"{where}按逾期天数扣分（per: days_late），须用 every 写明每多少天扣一次（不小于 1 的整数）",
                          f"item {n}: per days_late needs every: N days (an integer ≥ 1)")
    if every is not None and per != "days_late":
        raise RubricError(f"{where}的 every 只用于 per: days_late", f"item {n}: every is for per: days_late only")
    cap = _decimal(raw["cap"], f"{where}的 cap（扣分上限）") if raw.get("cap") is not None else None
    when = raw.get("when")
    if not isinstance(when, dict) or not when:
        raise RubricError(f"{where}缺少 when（扣分条件）", f"item {n}: no condition")
    unknown = set(when) - _CONDITIONS
    if unknown:
        raise RubricError(f"{where}的条件无法识别：{'、'.join(sorted(map(str, unknown)))}（可用：{'、'.join(sorted(_CONDITIONS))}）",
                          f"item {n}: unknown conditions {unknown}")
    timeliness = _strings(when["timeliness"], f"{where}的 timeliness") if "timeliness" in when else ()
    if set(timeliness) - set(STATUS_ZH):
        raise RubricError(f"{where}的 timeliness 只能是：{'、'.join(STATUS_ZH)}", f"item {n}: unknown timeliness")
    late = when.get("late_days_over")
    if late is not None and (isinstance(late, bool) or not isinstance(late, int) or late < 0):
        raise RubricError(f"{where}的 late_days_over 应为不小于 0 的整数（天）", f"item {n}: late_days_over must be an integer ≥ 0")
    rules = _strings(when["rules"], f"{where}的 rules") if "rules" in when else ()
    severity = _strings(when["severity"], f"{where}的 severity") if "severity" in when else ()
    if set(severity) - set(SEVERITIES):
        raise RubricError(f"{where}的 severity 只能是：{'、'.join(SEVERITIES)}", f"item {n}: unknown severity")
    repetition = None
    if "repetition" in when:
        rep = when["repetition"]
        if not isinstance(rep, dict) or rep.get("against") not in AGAINST or "over" not in rep:
            raise RubricError(f"{where}的 repetition 应写作 {{against: previous 或 sibling, over: 0.5}}",
                              f"item {n}: repetition needs against (previous|sibling) and over")
        over = _decimal(rep["over"], f"{where}的 repetition.over")
        if over > 1:
            raise RubricError(f"{where}的 repetition.over 是比例，应在 0 与 1 之间（50% 写作 0.5）", f"item {n}: over must be ≤ 1")
        repetition = (rep["against"], float(over))
    if per == "days_late" and (rules or severity):
        raise RubricError(f"{where}按逾期天数扣分（per: days_late），不能同时按问题（rules、severity）扣分：请分为两项",
                          f"item {n}: per days_late cannot be combined with rules or severity")
    if per == "finding" and not (rules or severity):
        raise RubricError(f"{where}按每处问题扣分（per: finding），须用 rules 或 severity 指明哪些问题",
                          f"item {n}: per finding needs rules or severity")
    return Item(item_id, label, points, per == "finding", cap, timeliness, late, rules, severity, repetition,
                every if per == "days_late" else None)


def parse_rubric(text: str | bytes) -> Rubric:
    """A rubric from YAML; a RubricError says in Chinese what is wrong and where."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f"（第 {mark.line + 1} 行）" if mark is not None else ""
        raise RubricError(f"评分细则不是有效的 YAML{at}", f"invalid YAML: {e}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list) or not raw["items"]:
        raise RubricError("评分细则应包含 items（评分项列表）", "a rubric needs a list of items")
    if len(raw["items"]) > MAX_ITEMS:
        raise RubricError(f"评分项超过 {MAX_ITEMS} 项", f"more than {MAX_ITEMS} items")
    items = tuple(_item(x, n) for n, x in enumerate(raw["items"], start=1))
    ids = [i.id for i in items]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise RubricError(f"评分项编号重复：{'、'.join(dup)}", f"duplicate item ids: {dup}")
    name = raw.get("name") if isinstance(raw.get("name"), str) else "评分细则"
    return Rubric(name, _decimal(raw.get("full_marks", 100), "full_marks（满分）"), items)


def default_rubric_text() -> str:
    return resources.files("ogi.supervision").joinpath("rubric.yaml").read_text(encoding="utf-8")


def default_rubric() -> Rubric:
    return parse_rubric(default_rubric_text())


def _matches(item: Item, f: Finding) -> bool:
    if item.rules and not any(fnmatch.fnmatchcase(f.rule, p) for p in item.rules):
        return False
    return not item.severity or f.severity in item.severity


def _holds(item: Item, facts: Facts) -> tuple[bool, list[str]]:
    """Whether the item's conditions other than findings hold, and why (in Chinese)."""
    why = []
    t = facts.timeliness
    if item.timeliness:
        if t.status not in item.timeliness:
            return False, []
        why.append(t.status_zh + (f"（截止 {t.deadline.isoformat()}，发布 {t.published_on.isoformat()}）" if t.published_on else
                                  f"（截止 {t.deadline.isoformat()}{'，' + t.reason_zh if t.reason_zh else ''}）"))
    if item.late_days_over is not None:
        if t.status != "late" or t.days_late <= item.late_days_over:
            return False, []
        why.append(f"逾期 {t.days_late} 天，超过 {item.late_days_over} 天")
    if item.repetition is not None:
        against, over = item.repetition
        share = facts.repetition.get(against, 0.0)
        if share <= over:
            return False, []
        why.append(f"与{AGAINST[against]}重复 {share:.0%}，超过 {over:.0%}")
    return True, why


def score(rubric: Rubric, facts: Facts) -> Score:
    deductions = []
    for item in rubric.items:
        ok, why = _holds(item, facts)
        if not ok:
            continue
        if item.about_findings:
            hits = [f for f in facts.findings if _matches(item, f)]
            if not hits:
                continue
            count = len(hits) if item.per_finding else 1
            why += [f.message_zh for f in hits]
        elif item.every_days_late is not None:
            t = facts.timeliness
            if t.status != "late" or t.days_late <= 0:
                continue
            count = -(-t.days_late // item.every_days_late)  # each period begun
            why.append(f"逾期 {t.days_late} 天，计 {count} 个{item.every_days_late}日")
        else:
            count = 1
        points = item.points * count
        capped = item.cap is not None and points > item.cap
        if capped:
            points = item.cap  # type: ignore[assignment]
        if points > 0:
            unit = f"个{item.every_days_late}日" if item.every_days_late is not None else "处"
            deductions.append(Deduction(item.id, item.label, points, count, capped, why, unit))
    total = max(Decimal(0), rubric.full_marks - sum((d.points for d in deductions), Decimal(0)))
    for d in deductions:
        d.points = plain(d.points)
    return Score(facts.agency, facts.year, rubric.full_marks, plain(total), deductions,
                 pending=facts.timeliness.status == "not_due", unpublished=facts.timeliness.status == "not_found")


def plain(d: Decimal) -> Decimal:
    """The same number without trailing zeros (99.50 → 99.5, 95.0 → 95), never in exponent form."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
