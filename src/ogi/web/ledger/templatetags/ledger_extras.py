from __future__ import annotations

from django import template

from ogi.corpus.indicators import figure_text

register = template.Library()


@register.filter
def get_item(mapping, key):  # type: ignore[no-untyped-def]
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def figure(value, rate):  # type: ignore[no-untyped-def]
    """An indicator's value: per cent when `rate`, "—" when unknown."""
    return figure_text(value, bool(rate))
