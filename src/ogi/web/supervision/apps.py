from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "ogi.web.supervision"
    label = "supervision"
    verbose_name = "监督"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ogi.web.reporting.models import AnnualReport
        from ogi.web.reporting.signals import report_published

        from .publications import on_published

        report_published.connect(on_published, sender=AnnualReport, dispatch_uid="supervision.file_publication")
