"""Calendar arithmetic the rules share."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` moved forward by whole calendar months, clamped to the month's last day
    (31 August + 6 months = 28 February). Raises ValueError for a negative count, which this
    forward-only arithmetic would otherwise ignore."""
    if months < 0:
        raise ValueError(f"months: must not be negative (got {months})")
    first = start.replace(day=1)
    for _ in range(months):
        first += dt.timedelta(days=calendar.monthrange(first.year, first.month)[1])
    last_day = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=min(start.day, last_day))
