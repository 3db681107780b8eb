from __future__ import annotations

import calendar
import datetime as dt
import itertools
import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from lifecycle.lib.dates import (
    ONE_DAY,
    add_months,
    day_start,
    month_ends,
    month_last_day,
    months_between,
    quarter_of,
    quarter_start,
    shift_months,
    span_start,
    week_start,
    whole_years,
    yearly_date,
)

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1))
# Zones whose clocks have not jumped at midnight since 2000 (New York, Madrid and Lord Howe
# change at night, Lord Howe by half an hour; Tokyo not at all), so every day has a 00:00.
ZONES = ["UTC", "America/New_York", "Europe/Madrid", "Asia/Tokyo", "Australia/Lord_Howe"]
recent_dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))


def test_add_months_crosses_years_both_ways():
    assert add_months(dt.date(2024, 11, 30), 2) == dt.date(2025, 1, 1)
    assert add_months(dt.date(2024, 1, 31), -1) == dt.date(2023, 12, 1)


def test_month_ends_stop_at_the_given_day_not_in_the_future():
    assert month_ends(dt.date(2024, 3, 15), 3) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 15),
    ]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)), st.integers(1, 40))
def test_month_ends_are_the_last_days_of_consecutive_months(day, count):
    ends = month_ends(day, count)
    assert len(ends) == count and ends[-1] == day
    for earlier, later in itertools.pairwise(ends):
        assert (earlier + dt.timedelta(days=1)).day == 1
        assert add_months(earlier, 1) == dt.date(later.year, later.month, 1)


@given(dates, dates)
def test_months_between_counts_the_month_steps_from_one_month_to_another(start, end):
    months = months_between(start, end)
    assert add_months(start, months) == add_months(end, 0)
    assert months_between(end, start) == -months
    assert months_between(start, add_months(start, 7)) == 7


@given(dates)
def test_a_months_last_day_is_the_day_before_the_next_months_first(day):
    last = month_last_day(day)
    assert (last.year, last.month) == (day.year, day.month) and last >= day
    assert last + dt.timedelta(days=1) == add_months(day, 1)


@given(dates, st.sampled_from([1, 2, 3, 4, 6, 12]))
def test_calendar_spans_start_on_a_first_and_tile_the_calendar(day, months):
    start = span_start(day, months)
    following = add_months(start, months)
    assert start <= day < following
    assert start.day == 1 and (start.month - 1) % months == 0
    assert span_start(following, months) == following
    assert span_start(following - dt.timedelta(days=1), months) == start


@given(dates)
def test_a_week_starts_on_the_monday_of_its_iso_week(day):
    monday = week_start(day)
    assert monday.weekday() == 0 and 0 <= (day - monday).days < 7
    assert monday.isocalendar()[:2] == day.isocalendar()[:2]


@given(dates)
def test_a_quarter_number_and_its_first_day_agree_with_three_month_spans(day):
    quarter = quarter_of(day)
    assert 1 <= quarter <= 4
    assert quarter_start(day.year, quarter) == span_start(day, 3)


@given(dates, st.integers(-40, 40))
def test_shifting_months_keeps_the_day_of_the_month_or_clamps_it(day, months):
    shifted = shift_months(day, months)
    assert add_months(shifted, 0) == add_months(day, months)
    assert shifted.day == min(day.day, month_last_day(shifted).day)


def test_shifting_months_clamps_to_short_months():
    assert shift_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert shift_months(dt.date(2023, 3, 31), -1) == dt.date(2023, 2, 28)
    assert shift_months(dt.date(2024, 1, 15), 1) == dt.date(2024, 2, 15)


@given(recent_dates, st.sampled_from(ZONES), st.integers(0, 23))
def test_a_day_starts_at_midnight_on_the_zones_clocks(day, zone_name, hour):
    zone = zoneinfo.ZoneInfo(zone_name)
    start = day_start(day, zone)
    assert start.utcoffset() is not None  # aware
    local = start.astimezone(zone)
    assert (local.date(), local.time()) == (day, dt.time())
    # The next day starts 23 to 25 hours later, whatever daylight saving does.
    following = day_start(day + dt.timedelta(days=1), zone)
    assert dt.timedelta(hours=23) <= following - start <= dt.timedelta(hours=25)
    at_hour = day_start(day, zone, hour=hour)
    assert (at_hour.date(), at_hour.hour, at_hour.minute, at_hour.tzinfo) == (day, hour, 0, zone)


def test_a_day_starts_in_the_site_time_zone_by_default(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    start = day_start(dt.date(2024, 7, 1))
    assert start == dt.datetime(2024, 6, 30, 15, tzinfo=dt.UTC)


def test_buckets_follow_calendar_months_and_keep_partial_ends():
    from lifecycle.metrics.periods import Period, buckets

    got = buckets(Period(dt.date(2024, 1, 15), dt.date(2024, 4, 10)), "month")

    assert [(b.start, b.end) for b in got] == [
        (dt.date(2024, 1, 15), dt.date(2024, 2, 1)),
        (dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
        (dt.date(2024, 3, 1), dt.date(2024, 4, 1)),
        (dt.date(2024, 4, 1), dt.date(2024, 4, 10)),
    ]


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.integers(1, 700),
    st.sampled_from(["week", "month", "quarter", "year"]),
)
def test_buckets_tile_the_period_without_gaps(start, days, granularity):
    from lifecycle.metrics.periods import Period, buckets

    period = Period(start, start + dt.timedelta(days=days))
    got = buckets(period, granularity)
    assert got[0].start == period.start and got[-1].end == period.end
    assert all(a.end == b.start for a, b in itertools.pairwise(got))


def test_the_previous_period_is_the_same_calendar_span_earlier():
    from lifecycle.metrics.periods import Period, preset_period, previous_period

    today = dt.date(2026, 11, 22)
    month_to_date = preset_period("this-month", today)
    assert (month_to_date.start, month_to_date.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 23))
    assert previous_period(month_to_date) == Period(dt.date(2026, 10, 1), dt.date(2026, 10, 23))
    assert previous_period(preset_period("last-quarter", today)) == Period(
        dt.date(2026, 4, 1), dt.date(2026, 7, 1)
    )
    # 1-30 March (to date) compares with the whole of February, no day lost to clamping.
    assert previous_period(Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31))) == Period(
        dt.date(2024, 2, 1), dt.date(2024, 3, 1)
    )
    assert previous_period(Period(dt.date(2024, 5, 1), dt.date(2024, 5, 31))) == Period(
        dt.date(2024, 4, 1), dt.date(2024, 5, 1)
    )
    assert previous_period(Period(dt.date(2025, 3, 1), dt.date(2025, 3, 30))) == Period(
        dt.date(2025, 2, 1), dt.date(2025, 3, 1)
    )
    assert previous_period(Period(dt.date(2024, 3, 5), dt.date(2024, 3, 15))) == Period(
        dt.date(2024, 2, 24), dt.date(2024, 3, 5)
    )


@given(
    st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2099, 1, 1)),
    st.sampled_from(
        [
            "this-month",
            "last-month",
            "this-quarter",
            "last-quarter",
            "this-year",
            "last-year",
            "last-12-months",
        ]
    ),
)
def test_presets_never_reach_past_today_and_precede_their_comparison(today, name):
    from lifecycle.metrics.periods import preset_period, previous_period

    period = preset_period(name, today)
    assert period.last_day <= today
    previous = previous_period(period)
    assert previous.end <= period.start
    assert previous.start < period.start


@given(day=st.dates(min_value=dt.date(1904, 1, 1)), year=st.integers(1904, 2400))
def test_a_yearly_date_keeps_its_month_and_day_or_falls_on_28_february(day, year):
    yearly = yearly_date(day, year)

    assert yearly.year == year
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        assert (yearly.month, yearly.day) == (2, 28)
    else:
        assert (yearly.month, yearly.day) == (day.month, day.day)


@given(
    since=st.dates(min_value=dt.date(1900, 1, 2), max_value=dt.date(2300, 1, 1)),
    years=st.integers(0, 99),
)
def test_whole_years_count_up_on_each_yearly_date_and_not_a_day_before(since, years):
    anniversary = yearly_date(since, since.year + years)

    assert whole_years(since, anniversary) == years
    if years:
        assert whole_years(since, anniversary - ONE_DAY) == years - 1
    assert whole_years(since, since - ONE_DAY) == 0
