"""Today's date in the site's time zone (Asia/Shanghai): the one place the web application
asks it, so that a test sets it once."""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
