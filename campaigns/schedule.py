"""Pure scheduling maths: cycles, each contact's slot in a cycle, local sending times."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo

from lifecycle.lib.dates import add_months, day_start, span_start


def cycle_start(day: dt.date, months: int) -> dt.date:
    """First day of the cycle containing `day`; cycles of 3 months are calendar quarters."""
    return span_start(day, months)


def cycle_end(start: dt.date, months: int) -> dt.date:
    """First day after the cycle (exclusive, like every period in the product)."""
    return add_months(start, months)


def occurrence(start: dt.date, months: int) -> str:
    return f"{start:%Y-%m}/{months}m"


def slot_fraction(campaign_id: int, contact_id: int) -> float:
    """A stable, evenly spread number in [0, 1) for one contact in one campaign."""
    return _fraction(f"{campaign_id}:{contact_id}")


def holdout_fraction(campaign_id: int, contact_id: int) -> float:
    """Another, independent of the slot: who is held out does not depend on when they'd go."""
    return _fraction(f"holdout:{campaign_id}:{contact_id}")


def _fraction(key: str) -> float:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def slot_day(start: dt.date, end: dt.date, fraction: float) -> dt.date:
    """The contact's day in the cycle: the same fraction of every cycle, so two invitations
    of consecutive cycles are about a cycle apart whatever the cycles' lengths."""
    return start + dt.timedelta(days=int(fraction * (end - start).days))


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_today(now: dt.datetime, zone_name: str) -> dt.date:
    return now.astimezone(zone(zone_name)).date()


def local_time(day: dt.date, hour: int, zone_name: str) -> dt.datetime:
    """`hour`:00 on `day` in the contact's zone, as an aware datetime (stored in UTC)."""
    return day_start(day, zone(zone_name), hour=hour).astimezone(dt.UTC)


# After this local hour a message that could go "now" waits for the next day's hour.
EVENING_HOUR = 20


def next_sending_time(now: dt.datetime, hour: int, zone_name: str) -> dt.datetime:
    """The first moment from `now` a message may go at the campaign's `hour`: today at
    that hour if it is still ahead, now during the rest of the day, tomorrow's hour once
    the local evening has begun (nobody wants a welcome at midnight)."""
    local_now = now.astimezone(zone(zone_name))
    today_at = local_time(local_now.date(), hour, zone_name)
    if today_at > now:
        return today_at
    if local_now.hour < EVENING_HOUR:
        return now
    return local_time(local_now.date() + dt.timedelta(days=1), hour, zone_name)


def day_cutoff(now: dt.datetime, days: int) -> dt.datetime:
    """Start of the UTC day `days - 1` days before `now`: "within N days" counts calendar
    days, so a contact surveyed 90 days ago may be surveyed again today."""
    first_blocked = now.astimezone(dt.UTC).date() - dt.timedelta(days=days - 1)
    return day_start(first_blocked, dt.UTC)
