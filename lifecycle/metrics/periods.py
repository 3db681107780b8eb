"""Periods are half-open [start, end) in calendar days of the site time zone (METRICS.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


class InvalidPeriod(ValueError):
    pass


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
