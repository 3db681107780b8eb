"""Periods are half-open [start, end) in calendar days of the site time zone (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lifecycle.lib.dates import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    ONE_DAY,
    add_months,
    months_between,
    shift_months,
    span_start,
    week_start,
    within_years,
)


class InvalidPeriod(ValueError):
    """A period or bucket request that cannot be measured; the message says why."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidPeriod("end must be after start (the period is [start, end)).")

    @property
    def day_before_start(self) -> dt.date:
        """The day whose close is the state "at start"."""
        return self.start - ONE_DAY

    @property
    def last_day(self) -> dt.date:
        """The day whose close is the state "at end"."""
        return self.end - ONE_DAY

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        try:
            return cls(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        except (TypeError, ValueError) as exc:
            if isinstance(exc, InvalidPeriod):
                raise
            raise InvalidPeriod("start and end must be dates as YYYY-MM-DD.") from exc


GRANULARITIES = ("week", "month", "quarter", "year")
MAX_BUCKETS = 156  # three years of weeks

# The longest period a request may measure: the overview and churn pages chart it month by
# month, and `buckets` cuts at most MAX_BUCKETS, so 156 calendar months (13 years), the
# first and last maybe partial. One limit for the pages, their CSVs, the API and the command.
MAX_PERIOD_MONTHS = MAX_BUCKETS


def check_year(day: dt.date) -> None:
    """Refuse a day (or month) outside the years a request may name: metrics also read the
    close of the day before the start and the previous period of the same length."""
    if not within_years(day):
        raise InvalidPeriod(
            _("Give a date in the years %(first)d to %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        )


def requested_period(start: dt.date, end: dt.date) -> Period:
    """The period [start, end) a page, the API or the command asks for, if it may be measured:
    both days in the years a request may name (lifecycle/lib/dates.py), end after start, at
    most MAX_PERIOD_MONTHS calendar months."""
    check_year(start)
    check_year(end)
    period = Period(start, end)
    months = months_between(period.start, period.last_day) + 1
    if months > MAX_PERIOD_MONTHS:
        raise InvalidPeriod(
            _("A period may span at most %(max)d calendar months; this one spans %(months)d.")
            % {"max": MAX_PERIOD_MONTHS, "months": months}
        )
    return period


_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _next_boundary(day: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return week_start(day) + dt.timedelta(days=7)
    return add_months(bucket_start(day, granularity), _MONTHS[granularity])


def bucket_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the calendar week (Monday), month, quarter or year holding `day`:
    what the database's date truncation gives for that day."""
    if granularity == "week":
        return week_start(day)
    return span_start(day, _MONTHS[granularity])


def buckets(period: Period, granularity: str) -> list[Period]:
    """The period cut at calendar boundaries; the first and last buckets may be partial."""
    if granularity not in GRANULARITIES:
        raise InvalidPeriod(f"granularity must be one of {', '.join(GRANULARITIES)}.")
    result: list[Period] = []
    start = period.start
    while start < period.end:
        end = min(_next_boundary(start, granularity), period.end)
        result.append(Period(start, end))
        if len(result) > MAX_BUCKETS:
            raise InvalidPeriod(f"at most {MAX_BUCKETS} {granularity}s at a time.")
        start = end
    return result


PRESETS = (
    "this-month",
    "last-month",
    "this-quarter",
    "last-quarter",
    "this-year",
    "last-year",
    "last-12-months",
)


def preset_period(name: str, today: dt.date) -> Period:
    """A named period; one still running ends after today (to date), never in the future."""
    month, quarter, year = span_start(today, 1), span_start(today, 3), span_start(today, 12)
    spans = {
        "this-month": (month, add_months(month, 1)),
        "last-month": (add_months(month, -1), month),
        "this-quarter": (quarter, add_months(quarter, 3)),
        "last-quarter": (add_months(quarter, -3), quarter),
        "this-year": (year, add_months(year, 12)),
        "last-year": (add_months(year, -12), year),
        "last-12-months": (add_months(month, -11), add_months(month, 1)),
    }
    if name not in spans:
        raise InvalidPeriod(f"unknown period {name!r}.")
    start, end = spans[name]
    return Period(start, min(end, today + ONE_DAY))


def previous_period(period: Period) -> Period:
    """The period to compare with: for a period starting on the 1st, the same calendar span
    that many months earlier (February with January, 1-22 Nov with 1-22 Oct); otherwise the
    same number of days just before."""
    if period.start.day != 1:
        return period.previous()
    months = months_between(period.start, period.end) + (1 if period.end.day > 1 else 0)
    # Shift the last day, not the exclusive end: 1-30 May compares with all of 1-30 April.
    last_day = shift_months(period.last_day, -months)
    return Period(add_months(period.start, -months), last_day + ONE_DAY)


def chart_period(period: Period, minimum_months: int = 3) -> Period:
    """What the monthly charts cover: the period, or the 12 months up to its end when the
    period is shorter than a few months (a chart of one bar says little)."""
    if months_between(period.start, period.last_day) + 1 >= minimum_months:
        return period
    return Period(add_months(period.last_day, -11), period.end)
