"""The public's side keeps one table of its own: the counters behind the public forms' limits."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Uses of a public form by one address (or on one tracking number) within a window:
    a row per key, incremented under a row lock, so concurrent requests never exceed the
    limit and every server process sees the same count."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "ledger_ratecounter"
