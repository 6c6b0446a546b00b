"""Today's date where the law counts it: China Standard Time, whatever zone the machine is
set to (a server kept in UTC is eight hours behind on the morning of 1 February, when the
last day to publish has passed)."""

from __future__ import annotations

import datetime as dt

# China keeps one zone and no daylight saving: a fixed offset needs no time-zone database
# (Windows has none, and the tzdata package would be one more dependency for this).
ZONE = dt.timezone(dt.timedelta(hours=8), "CST")


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()
