"""Pure scheduling maths: cycles, slots, local sending times. No database."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import schedule

UTC = dt.UTC
ZONES = sorted(zoneinfo.available_timezones())
NPS_INTERVAL_DAYS = 90
DEFAULT_SEND_HOUR = 9

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
cycle_months = st.sampled_from([1, 3, 6, 12])
ids = st.integers(min_value=1, max_value=2**40)


def quarters(first_year: int, count: int) -> list[tuple[dt.date, dt.date]]:
    start = dt.date(first_year, 1, 1)
    result = []
    for _ in range(count):
        end = schedule.cycle_end(start, 3)
        result.append((start, end))
        start = end
    return result


def test_quarterly_cycles_are_calendar_quarters():
    assert schedule.cycle_start(dt.date(2026, 5, 17), 3) == dt.date(2026, 4, 1)
    assert schedule.cycle_end(dt.date(2026, 10, 1), 3) == dt.date(2027, 1, 1)
    assert schedule.occurrence(dt.date(2026, 10, 1), 3) == "2026-10/3m"


@given(day=days, months=cycle_months)
def test_every_day_lies_in_the_cycle_that_contains_it(day, months):
    start = schedule.cycle_start(day, months)
    end = schedule.cycle_end(start, months)

    assert start <= day < end
    assert start.day == 1
    assert schedule.cycle_start(end, months) == end  # cycles tile the calendar


@given(campaign_id=ids, contact_id=ids)
def test_a_slot_fraction_is_stable_and_within_zero_and_one(campaign_id, contact_id):
    fraction = schedule.slot_fraction(campaign_id, contact_id)

    assert 0 <= fraction < 1
    assert fraction == schedule.slot_fraction(campaign_id, contact_id)


@given(
    day=days, months=cycle_months, fraction=st.floats(min_value=0, max_value=1, exclude_max=True)
)
def test_a_slot_day_lies_inside_its_cycle(day, months, fraction):
    start = schedule.cycle_start(day, months)
    end = schedule.cycle_end(start, months)

    assert start <= schedule.slot_day(start, end, fraction) < end


def test_slot_fractions_spread_contacts_evenly_over_a_quarter():
    start, end = dt.date(2026, 7, 1), dt.date(2026, 10, 1)
    length = (end - start).days
    per_day = [0] * length
    for contact_id in range(1, 9001):
        day = schedule.slot_day(start, end, schedule.slot_fraction(7, contact_id))
        per_day[(day - start).days] += 1

    mean = 9000 / length
    assert min(per_day) > mean / 2
    assert max(per_day) < mean * 1.5


@settings(max_examples=300)
@given(
    campaign_id=ids,
    contact_id=ids,
    first_year=st.integers(min_value=2024, max_value=2060),
    zone_name=st.sampled_from(ZONES),
)
def test_consecutive_quarters_invite_a_contact_at_least_90_days_apart(
    campaign_id, contact_id, first_year, zone_name
):
    # Several years of quarters: the same fraction of each quarter, at 09:00 local time.
    fraction = schedule.slot_fraction(campaign_id, contact_id)
    sends = [
        schedule.local_time(schedule.slot_day(start, end, fraction), DEFAULT_SEND_HOUR, zone_name)
        for start, end in quarters(first_year, 16)
    ]

    for earlier, later in itertools.pairwise(sends):
        assert (later - earlier) >= dt.timedelta(days=NPS_INTERVAL_DAYS - 1)
        # The NPS interval's own test (surveys.selectors) never throttles the next quarter.
        assert earlier < schedule.day_cutoff(later, NPS_INTERVAL_DAYS)


def test_nine_in_tokyo_is_midnight_utc():
    due = schedule.local_time(dt.date(2026, 7, 15), 9, "Asia/Tokyo")

    assert due == dt.datetime(2026, 7, 15, 0, 0, tzinfo=UTC)
    assert due.utcoffset() == dt.timedelta(0)


def test_nine_in_new_york_follows_daylight_saving_time():
    summer = schedule.local_time(dt.date(2026, 7, 15), 9, "America/New_York")
    winter = schedule.local_time(dt.date(2026, 12, 15), 9, "America/New_York")

    assert summer == dt.datetime(2026, 7, 15, 13, 0, tzinfo=UTC)
    assert winter == dt.datetime(2026, 12, 15, 14, 0, tzinfo=UTC)


def test_an_unknown_time_zone_falls_back_to_utc():
    assert schedule.local_time(dt.date(2026, 7, 15), 9, "Mars/Olympus") == dt.datetime(
        2026, 7, 15, 9, 0, tzinfo=UTC
    )
    assert schedule.local_time(dt.date(2026, 7, 15), 9, "") == dt.datetime(
        2026, 7, 15, 9, 0, tzinfo=UTC
    )


def test_local_today_is_the_contacts_date():
    now = dt.datetime(2026, 7, 15, 20, 0, tzinfo=UTC)

    assert schedule.local_today(now, "Asia/Tokyo") == dt.date(2026, 7, 16)
    assert schedule.local_today(now, "America/New_York") == dt.date(2026, 7, 15)


def test_within_n_days_counts_calendar_days():
    now = dt.datetime(2026, 7, 15, 8, 0, tzinfo=UTC)
    cutoff = schedule.day_cutoff(now, 90)

    # Surveyed 90 calendar days ago (late in the day): may be surveyed again today.
    assert dt.datetime(2026, 4, 16, 23, 59, tzinfo=UTC) < cutoff
    # 89 days ago, however early: not yet.
    assert dt.datetime(2026, 4, 17, 0, 0, tzinfo=UTC) >= cutoff
