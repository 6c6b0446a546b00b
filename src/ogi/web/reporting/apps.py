from __future__ import annotations

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "ogi.web.reporting"
    label = "reporting"
    verbose_name = "年度报告编制"
    default_auto_field = "django.db.models.BigAutoField"
