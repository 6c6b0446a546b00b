"""What every page's layout needs, for pages that are not the ledger's own views (the
error pages): the signed-in user's staff record, for the header's links and name."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def staff(request: HttpRequest) -> dict[str, Any]:
    from .access import staff_of

    # Lazy: the ledger's views pass their own, and then no query is made for this one.
    return {"staff": SimpleLazyObject(lambda: staff_of(getattr(request, "user", None)))}
