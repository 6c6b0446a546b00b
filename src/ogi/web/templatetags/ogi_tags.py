from __future__ import annotations

from django import template

from ogi.corpus.indicators import figure_text

register = template.Library()


@register.filter(name="person")
def person_filter(user) -> str:  # type: ignore[no-untyped-def]
    from ogi.web.accounts.models import person

    return person(user)


@register.filter
def person_login(user) -> str:  # type: ignore[no-untyped-def]
    """For the audit logs, where the login is what an account is traced by: 张明（swj-jingban）."""
    from ogi.web.accounts.models import person

    name = person(user)
    return name if not name or name == user.get_username() else f"{name}（{user.get_username()}）"


@register.filter
def get_item(mapping, key):  # type: ignore[no-untyped-def]
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def figure(value, rate):  # type: ignore[no-untyped-def]
    """An indicator's value: per cent when `rate`, "—" when unknown."""
    return figure_text(value, bool(rate))


@register.filter
def calendar_zh(version: str) -> str:
    from ogi.workdays import version_zh

    return version_zh(version)


SEVERITY_ZH = {"error": "错误", "warning": "提醒", "info": "提示"}


@register.filter
def severity_zh(value: str) -> str:
    return SEVERITY_ZH.get(value, value)


@register.filter
def rule_title(rule_id: str) -> str:
    """A rule's Chinese title (the id stays beside it, small, for a technician)."""
    from ogi.checks import RULES

    r = RULES.get(rule_id)
    return r.title_zh if r else "检查"


def _value_zh(field: str, value) -> str:  # type: ignore[no-untyped-def]
    from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes
    from ogi.records.validate import CHANNELS, DELIVERY
    from ogi.workflow.requests import STATES

    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    names = {"state": STATES, "outcome": outcomes(), "applicant_category": APPLICANT_CATEGORIES, "channel": CHANNELS,
             "delivery": DELIVERY}.get(field)
    if names is not None:
        return names.get(str(value), "（无效值）")
    if field == "pauses" and isinstance(value, list):
        kinds = {"consultation": "征求意见", "fee": "等待缴费"}
        parts = []
        for p in value:
            if isinstance(p, dict):
                parts.append(f"{kinds.get(p.get('kind'), '暂停')} {p.get('start') or '?'} 至 {p.get('end') or '今'}")
        return "；".join(parts) or "—"
    if field == "fee_amount":
        return f"{value} 元"
    if field == "calendar_version":
        return calendar_zh(str(value))
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "……"


@register.filter
def changes_zh(changes) -> list[str]:  # type: ignore[no-untyped-def]
    """An audit entry's changes in Chinese: “状态：办理中 → 待补正”, never field codes."""
    from ogi.records.validate import FIELD_ZH

    out = []
    if not isinstance(changes, dict):
        return out
    extra = {"due": "截止日", "provisional": "推定", "calendar_version": "日历版本", "rows": "行数", "personal": "含个人信息",
             "file": "文件", "proposed": "提请内容"}
    for k, v in changes.items():
        if k == "returned":
            continue  # which submission went back: the entry's label and reason say it
        name = FIELD_ZH.get(k) or extra.get(k) or k
        if isinstance(v, (list, tuple)) and len(v) == 2:
            out.append(f"{name}：{_value_zh(k, v[0])} → {_value_zh(k, v[1])}")
        elif isinstance(v, dict) and k == "proposed":
            inner = "，".join(f"{FIELD_ZH.get(a, a)} {_value_zh(a, b)}" for a, b in v.items())
            out.append(f"{name}：{inner}")
        else:
            out.append(f"{name}：{_value_zh(k, v)}")
    return out
