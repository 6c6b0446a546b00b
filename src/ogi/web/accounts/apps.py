from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ogi.web.accounts"
    label = "accounts"
    verbose_name = "机关与工作人员"
    default_auto_field = "django.db.models.BigAutoField"
