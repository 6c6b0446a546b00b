"""The public forms' limits as counters in the database: taken under a row lock, so
concurrent requests never pass more than the limit, and every server process sharing the
database sees the same count."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone


def take(key: str, limit: int, window: dt.timedelta) -> bool:
    """One more use of `key` within its window, if fewer than `limit` were taken: atomic
    across threads, processes and servers sharing the database (the row is locked)."""
    from .models import RateCounter

    now = timezone.now()
    for _ in range(3):
        try:
            with transaction.atomic():
                row = RateCounter.objects.select_for_update().filter(key=key).first()
                if row is None:
                    RateCounter.objects.create(key=key, count=1, expires=now + window)
                    return True
                if row.expires <= now:
                    row.count, row.expires = 1, now + window
                    row.save(update_fields=["count", "expires"])
                    return True
                if row.count >= limit:
                    return False
                RateCounter.objects.filter(pk=row.pk).update(count=F("count") + 1)
                return True
        except IntegrityError:
            continue  # another request created the row first: count again with it
    return False


def give_back(key: str) -> None:
    """A use taken for an attempt that turned out not to count (a correct query code)."""
    from .models import RateCounter

    RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def time_left(key: str) -> dt.timedelta:
    """How long until `key`'s window ends and its count starts again (zero when none runs)."""
    from .models import RateCounter

    expires = RateCounter.objects.filter(key=key).values_list("expires", flat=True).first()
    return max(expires - timezone.now(), dt.timedelta(0)) if expires is not None else dt.timedelta(0)


def purge_counters() -> int:
    from .models import RateCounter

    return RateCounter.objects.filter(expires__lte=timezone.now()).delete()[0]
