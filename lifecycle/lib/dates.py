"""Calendar maths, defined once: month, quarter and week stepping, month ends, the start
of a local day. Pure functions of their arguments (no database); only `day_start` reads the
site time zone, and only when given no zone."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

ONE_DAY = dt.timedelta(days=1)
# The years a request or an import may name (metrics periods, filters, CSV dates): whatever
# the code derives from such a day (the day before, the period before, the instant in another
# time zone) is still a real date, far from the years 1 and 9999 where Python's dates end.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def within_years(day: dt.date) -> bool:
    """Whether `day` (or a datetime) is in the years a request or an import may name."""
    return EARLIEST_YEAR <= day.year <= LATEST_YEAR


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after the month of `day` (0: its own month)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> int:
    """How many months the month of `end` is after the month of `start` (days ignored)."""
    return (end.year - start.year) * 12 + end.month - start.month


def month_last_day(day: dt.date) -> dt.date:
    """The last day of the month of `day`."""
    return add_months(day, 1) - ONE_DAY


def span_start(day: dt.date, months: int) -> dt.date:
    """The first day of the calendar span of `months` months holding `day`, for `months`
    dividing 12: its month (1), quarter (3), half-year (6) or year (12)."""
    return add_months(day, -((day.month - 1) % months))


def week_start(day: dt.date) -> dt.date:
    """The Monday of the (ISO) week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def quarter_of(day: dt.date) -> int:
    """The calendar quarter of `day`, 1 to 4."""
    return (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> dt.date:
    """The first day of quarter `quarter` (1 to 4) of `year`."""
    return dt.date(year, (quarter - 1) * 3 + 1, 1)


def shift_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, clamped to that month's length
    (31 March - 1 month = 28 or 29 February)."""
    first = add_months(day, months)
    return min(first + dt.timedelta(days=day.day - 1), month_last_day(first))


def day_start(day: dt.date, zone: dt.tzinfo | None = None, *, hour: int = 0) -> dt.datetime:
    """The instant `day` starts on the clocks of `zone` (the site time zone by default) as an
    aware datetime, or when those clocks show `hour`:00 that day: the bound of a half-open
    period of days."""
    if zone is None:
        zone = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone)


def month_ends(last_day: dt.date, count: int) -> list[dt.date]:
    """The last day of each of `count` months ending with the month of `last_day`, oldest
    first; the current month's point is `last_day` itself, not a day in the future."""
    firsts = [add_months(last_day, -offset) for offset in range(count - 1, -1, -1)]
    ends = [month_last_day(first) for first in firsts]
    ends[-1] = last_day
    return ends


def yearly_date(day: dt.date, year: int) -> dt.date:
    """`day`'s month and day in `year`; 29 February falls on 28 February in other years."""
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def whole_years(since: dt.date, day: dt.date) -> int:
    """Completed years from `since` to `day`, never less than 0: a year completes on its
    yearly date (yearly_date), so a 29 February start completes on 28 February."""
    years = day.year - since.year - (day < yearly_date(since, day.year))
    return max(years, 0)
