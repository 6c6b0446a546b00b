from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ogi.web.ledger"
    label = "ledger"
    verbose_name = "政府信息公开申请台账"
    default_auto_field = "django.db.models.BigAutoField"
