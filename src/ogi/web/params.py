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


def query_year(value: str | None, default: int | None, latest: int | None = None) -> int | None:
    """A report year (2019, the first year of the national format, up to `latest`)."""
    return query_int(value, default, 2019, latest or 2100)


def query_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()[:10]
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return d if dt.date(1900, 1, 1) <= d <= dt.date(2200, 12, 31) else None
