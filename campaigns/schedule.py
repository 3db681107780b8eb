"""Pure scheduling maths: cycles, each contact's slot in a cycle, local sending times."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo


def cycle_start(day: dt.date, months: int) -> dt.date:
    """First day of the cycle containing `day`; cycles of 3 months are calendar quarters."""
    month = (day.month - 1) // months * months + 1
    return dt.date(day.year, month, 1)


def cycle_end(start: dt.date, months: int) -> dt.date:
    """First day after the cycle (exclusive, like every period in the product)."""
    month_index = start.month - 1 + months
    return dt.date(start.year + month_index // 12, month_index % 12 + 1, 1)


def occurrence(start: dt.date, months: int) -> str:
    return f"{start:%Y-%m}/{months}m"


def slot_fraction(campaign_id: int, contact_id: int) -> float:
    """A stable, evenly spread number in [0, 1) for one contact in one campaign."""
    digest = hashlib.blake2b(f"{campaign_id}:{contact_id}".encode(), digest_size=8).digest()
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
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone(zone_name)).astimezone(dt.UTC)


def day_cutoff(now: dt.datetime, days: int) -> dt.datetime:
    """Start of the UTC day `days - 1` days before `now`: "within N days" counts calendar
    days, so a contact surveyed 90 days ago may be surveyed again today."""
    first_blocked = now.astimezone(dt.UTC).date() - dt.timedelta(days=days - 1)
    return dt.datetime.combine(first_blocked, dt.time(), tzinfo=dt.UTC)
