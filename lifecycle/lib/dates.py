"""Pure calendar maths for periods and month series (no database)."""

from __future__ import annotations

import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_ends(last_day: dt.date, count: int) -> list[dt.date]:
    """The last day of each of `count` months ending with the month of `last_day`, oldest
    first; the current month's point is `last_day` itself, not a day in the future."""
    firsts = [add_months(last_day, -offset) for offset in range(count - 1, -1, -1)]
    ends = [add_months(first, 1) - dt.timedelta(days=1) for first in firsts]
    ends[-1] = last_day
    return ends
