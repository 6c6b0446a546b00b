from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _fulltext_triggers(using: str = "default", **kwargs) -> None:  # type: ignore[no-untyped-def]
    # SQLite alters a table by rebuilding it, which drops its triggers: put them back.
    from django.db import connections

    from . import fulltext

    fulltext.ensure(connections[using])


class LedgerConfig(AppConfig):
    name = "ogi.web.ledger"
    label = "ledger"
    verbose_name = "政府信息公开申请台账"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_fulltext_triggers, sender=self)
