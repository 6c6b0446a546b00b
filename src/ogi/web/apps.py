from __future__ import annotations

from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site's shell: the layout every page extends, the error pages, the template tags
    and scripts the apps share."""

    name = "ogi.web"
    label = "site"
    verbose_name = "ogi"
