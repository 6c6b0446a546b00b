from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ogi.web.portal"
    label = "portal"
    verbose_name = "公众服务"
    default_auto_field = "django.db.models.BigAutoField"
