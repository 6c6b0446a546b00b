from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "ogi.web.supervision"
    label = "supervision"
    verbose_name = "监督"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ogi.web.accounts.models import Agency
        from ogi.web.reporting.models import AnnualReport
        from ogi.web.reporting.signals import report_published

        from .publications import on_published
        from .services import agency_saved

        report_published.connect(on_published, sender=AnnualReport, dispatch_uid="supervision.file_publication")
        # The region cached for the office's pages is read again after any change of an agency.
        post_save.connect(agency_saved, sender=Agency, dispatch_uid="supervision.agency_saved")
        post_delete.connect(agency_saved, sender=Agency, dispatch_uid="supervision.agency_deleted")
