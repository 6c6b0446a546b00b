"""Today's date where the law counts it: China Standard Time, whatever zone the machine is
set to (a server kept in UTC is eight hours behind on the morning of 1 February, when the
last day to publish has passed)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()
