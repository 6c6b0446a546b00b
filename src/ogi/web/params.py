"""Query parameters read leniently: a value that is not what the page expects (a year
typed with full-width digits, 5000 digits, a date of 13 months) is ignored or clamped,
never a server error."""

from __future__ import annotations

import datetime as dt
import unicodedata


def query_int(value: str | None, default: int | None = None, low: int | None = None, high: int | None = None) -> int | None:
    """A whole number from a query string (full-width digits accepted), or `default`."""
    if not value:
        return default
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return default
    n = int(text)
    if (low is not None and n < low) or (high is not None and n > high):
        return default
    return n


# The first year of the national format: no report of an earlier year is in this form.
FIRST_REPORT_YEAR = 2019


def query_year(value: str | None, default: int | None, latest: int | None = None) -> int | None:
    """A report year (FIRST_REPORT_YEAR up to `latest`)."""
    return query_int(value, default, FIRST_REPORT_YEAR, latest or 2100)


def is_report_year(year: int) -> bool:
    """From the national format's first year to this one (whose report is written next year)."""
    from ogi.web import clock

    return FIRST_REPORT_YEAR <= year <= clock.today().year


def report_years_zh() -> str:
    from ogi.web import clock

    return f"年度应在 {FIRST_REPORT_YEAR} 至 {clock.today().year} 之间"


def query_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()[:10]
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return d if dt.date(1900, 1, 1) <= d <= dt.date(2200, 12, 31) else None
