from __future__ import annotations

from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site's shell: the layout every page extends, the error pages, the template tags
    and scripts the apps share."""

    name = "ogi.web"
    label = "site"
    # The module holds another app's configuration too: this one is the site's.
    default = True
    verbose_name = "ogi"

    def ready(self) -> None:
        from django.core.validators import ProhibitNullCharactersValidator

        # Django's own Chinese for this one reads garbled (不允许是用空字符串); every text
        # field of every form checks it.
        ProhibitNullCharactersValidator.message = "不能含有空字符（多由复制粘贴带入），请删除后重新提交"


class LoginThrottleConfig(AxesConfig):
    """django-axes as the operator's admin lists it: its app had no name but "Axes"."""

    verbose_name = "登录限制"
    default = False
