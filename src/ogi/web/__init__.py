"""The web application (Django): the agency's request ledger, the supervisor's view, the
JSON API. Server-rendered Chinese pages, htmx where a page reacts."""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django for use from the CLI and scripts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogi.web.settings")
    import django

    django.setup()
