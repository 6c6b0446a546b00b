"""Today's date for the web application: the one place it asks, so that a test sets it
once. China's date, as the command line counts it (ogi.clock)."""

from __future__ import annotations

import datetime as dt

from ogi import clock as china


def today() -> dt.date:
    return china.today()
