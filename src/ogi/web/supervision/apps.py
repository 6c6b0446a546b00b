from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "ogi.web.supervision"
    label = "supervision"
    verbose_name = "监督"
    default_auto_field = "django.db.models.BigAutoField"
