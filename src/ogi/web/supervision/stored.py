"""The JSON a collected report keeps (its Report, findings, figures, shares of repeated
text), read back defensively: a row edited in the database, or written by an older version,
is left out or shown as unreadable — the office's pages never fail because of one row."""

from __future__ import annotations

from typing import Any

from ogi.report import Report

_SEVERITIES = ("error", "warning", "info")


def findings(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [f for f in value if isinstance(f, dict) and isinstance(f.get("rule"), str)
            and f.get("severity") in _SEVERITIES and isinstance(f.get("message_zh"), str)]


def figures(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)}


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def report(value: Any, file: str | None = None) -> Report | None:
    """The Report kept with a row, or None when it cannot be read as one."""
    if not isinstance(value, dict):
        return None
    try:
        r = Report.from_json(value, file=file) if file else Report.from_json(value)
    except Exception:  # stored JSON of any shape
        return None
    return r if r.edition_obj is not None else None
