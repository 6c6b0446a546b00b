"""Who may see what: a user's staff record (agency and role), and the rule for the
applicant's personal data — the agency's own staff only, never a supervisor."""

from __future__ import annotations

from typing import Any

from .models import Staff


def staff_of(user) -> Staff | None:  # type: ignore[no-untyped-def]
    if not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.select_related("agency").filter(user=user).first()


def can_see_personal_data(user, r: Any) -> bool:  # type: ignore[no-untyped-def]
    s = staff_of(user)
    return s is not None and s.role != "supervisor" and s.agency_id == r.agency_id


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_id(value: str) -> str:
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_contact(value: str) -> str:
    if len(value) >= 7:
        return value[:3] + "****" + value[-4:]
    return "*" * len(value)
