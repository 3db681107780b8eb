"""Periods are half-open [start, end) in calendar days of the site time zone (METRICS.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


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


def _next_boundary(day: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return day + dt.timedelta(days=7 - day.weekday())  # next Monday
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    index = day.year * 12 + day.month - 1
    index = (index // months + 1) * months  # next calendar month/quarter/year start
    return dt.date(index // 12, index % 12 + 1, 1)


def bucket_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the calendar week (Monday), month, quarter or year holding `day`:
    what the database's date truncation gives for that day."""
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    index = day.year * 12 + day.month - 1
    index -= index % months
    return dt.date(index // 12, index % 12 + 1, 1)


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


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _month_start(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


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
    quarter = _month_start(today, -((today.month - 1) % 3))
    year = dt.date(today.year, 1, 1)
    spans = {
        "this-month": (_month_start(today), _month_start(today, 1)),
        "last-month": (_month_start(today, -1), _month_start(today)),
        "this-quarter": (quarter, _month_start(quarter, 3)),
        "last-quarter": (_month_start(quarter, -3), quarter),
        "this-year": (year, dt.date(today.year + 1, 1, 1)),
        "last-year": (dt.date(today.year - 1, 1, 1), year),
        "last-12-months": (_month_start(today, -11), _month_start(today, 1)),
    }
    if name not in spans:
        raise InvalidPeriod(f"unknown period {name!r}.")
    start, end = spans[name]
    return Period(start, min(end, today + ONE_DAY))


def _shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's length (31 Mar - 1 = 28/29 Feb)."""
    first = _month_start(day, months)
    following = _month_start(first, 1)
    return min(first.replace(day=1) + dt.timedelta(days=day.day - 1), following - ONE_DAY)


def previous_period(period: Period) -> Period:
    """The period to compare with: for a period starting on the 1st, the same calendar span
    that many months earlier (February with January, 1-22 Nov with 1-22 Oct); otherwise the
    same number of days just before."""
    if period.start.day != 1:
        return period.previous()
    months = _months_between(period.start, period.end) + (1 if period.end.day > 1 else 0)
    # Shift the last day, not the exclusive end: 1-30 May compares with all of 1-30 April.
    last_day = _shift_months(period.last_day, -months)
    return Period(_month_start(period.start, -months), last_day + ONE_DAY)


def chart_period(period: Period, minimum_months: int = 3) -> Period:
    """What the monthly charts cover: the period, or the 12 months up to its end when the
    period is shorter than a few months (a chart of one bar says little)."""
    if _months_between(period.start, period.last_day) + 1 >= minimum_months:
        return period
    return Period(_month_start(period.last_day, -11), period.end)
