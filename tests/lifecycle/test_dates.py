from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from lifecycle.lib.dates import add_months, month_ends


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
