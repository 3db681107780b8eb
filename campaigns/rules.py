"""Who each kind of campaign emails, and when: one planner per trigger (docs/campaigns.md).

A planner returns the Planned messages of its rule, due at the campaign's hour in each
contact's own time zone. Each rule is one indexed lookup of the contacts it matches (a
birthday's month and day, a subscription's start), never a scan of every contact. With
`immediate` (send_campaign) a planner returns today's matches only, due now.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Account, Contact, Subscription
from campaigns import schedule
from campaigns.audience import eligible, rolling_audience
from campaigns.models import Campaign, Message
from campaigns.planning import BATCH, Planned
from lifecycle.lib.dates import whole_years, yearly_date

# Slots missed by up to this many days (beat down for a while) are still sent this cycle.
CATCH_UP_DAYS = 7
ONCE = "once"  # the one occurrence of a broadcast
WELCOME = "welcome"  # a contact is welcomed once, ever
# A welcome still goes out this many days after the first customer day (beat was down) or
# after the subscription was entered; a start backdated further is a customer of long
# standing, never welcomed.
WELCOME_WITHIN_DAYS = 1
WELCOME_BACKDATED_DAYS = 14
# Whose local today or tomorrow can a UTC day be? Zones run from UTC-12 to UTC+14.
ZONE_SPREAD = (-1, 0, 1, 2)


def plan_rolling(campaign: Campaign, now: dt.datetime, immediate: bool) -> Iterator[Planned]:
    """Every audience contact once per cycle, on a stable day of the cycle.

    Each contact's day is the same fraction of every cycle (schedule.slot_fraction), so two
    messages of consecutive cycles are about a cycle apart."""
    today = timezone.localdate(now)
    start = schedule.cycle_start(today, campaign.cycle_months)
    end = schedule.cycle_end(start, campaign.cycle_months)
    label = schedule.occurrence(start, campaign.cycle_months)
    reason = f"Every customer contact once per cycle ({label})"
    candidates = rolling_audience(campaign, now=now, day=today)
    if not immediate:
        already = Message.objects.filter(
            campaign=campaign, occurrence=label, contact=OuterRef("pk")
        )
        # Not `pk__in`: an erased contact's email (no contact) would make it NOT IN (…, NULL),
        # true for nobody.
        candidates = candidates.exclude(Exists(already))
    for contact_id, zone_name in candidates.values_list("pk", "timezone").iterator(BATCH):
        due_at = now if immediate else _slot_time(campaign, contact_id, zone_name, start, end, now)
        if due_at is not None:
            yield Planned(contact_id, label, due_at, reason)


def _slot_time(
    campaign: Campaign, contact_id: int, zone_name: str, start: dt.date, end: dt.date, now
) -> dt.datetime | None:
    day = schedule.slot_day(start, end, schedule.slot_fraction(campaign.pk, contact_id))
    today = schedule.local_today(now, zone_name)
    if day > today:
        return None  # a later run of this cycle queues it
    if (today - day).days > CATCH_UP_DAYS:
        # Long past (a campaign enabled mid-cycle, a new contact): wait for the next cycle
        # rather than email everyone whose slot has passed on the same day.
        return None
    return max(schedule.local_time(day, campaign.send_hour, zone_name), now)


def plan_once(campaign: Campaign, now: dt.datetime, immediate: bool) -> Iterator[Planned]:
    """A broadcast: sent when an admin sends it (never by beat), once per audience contact."""
    if not immediate:
        return
    audience = rolling_audience(campaign, now=now, day=timezone.localdate(now))
    for contact_id in audience.values_list("pk", flat=True).iterator(BATCH):
        yield Planned(contact_id, ONCE, now, "Broadcast to the campaign's audience")


def plan_welcomes(campaign: Campaign, now: dt.datetime, immediate: bool) -> Iterator[Planned]:
    """The contacts of accounts that have just become customers.

    Just: the first customer day (a date of the site's calendar, like every date of the
    metrics) is today or yesterday, or the paying subscription that made it was entered in
    the last WELCOME_WITHIN_DAYS days for a start at most WELCOME_BACKDATED_DAYS ago (a
    billing sync a few days late). An import of long-standing customers starts long ago:
    nobody there is welcomed. The welcome then waits for a decent hour in the contact's zone.
    """
    today = timezone.localdate(now)
    earliest = today - dt.timedelta(days=WELCOME_BACKDATED_DAYS)
    recent = Q(started_on__gte=today - dt.timedelta(days=WELCOME_WITHIN_DAYS)) | Q(
        created_at__gte=now - dt.timedelta(days=WELCOME_WITHIN_DAYS)
    )
    started = Subscription.objects.filter(
        recent, mrr__gt=0, started_on__range=(earliest, today)
    ).values("account")
    firsts = dict(
        Account.objects.filter(pk__in=started)
        .with_first_customer_day()
        .filter(first_customer_day__range=(earliest, today))
        .values_list("pk", "first_customer_day")
    )
    contacts = eligible(campaign, Contact.objects.filter(account__in=firsts.keys()), now=now)
    for contact_id, account_id, zone_name in contacts.values_list(
        "pk", "account", "timezone"
    ).iterator(BATCH):
        due_at = (
            now if immediate else schedule.next_sending_time(now, campaign.send_hour, zone_name)
        )
        reason = f"Customer since {firsts[account_id].isoformat()}"
        yield Planned(contact_id, WELCOME, due_at, reason)


def plan_birthdays(campaign: Campaign, now: dt.datetime, immediate: bool) -> Iterator[Planned]:
    """Customer contacts on their birthday in their own zone (29 February on 28 February
    in other years); tomorrow's are queued ahead so that staff see them coming."""
    days = _local_days(now)
    contacts = _customer_contacts(campaign, now).filter(
        _month_day_q(days, "birth_month", "birth_day")
    )
    rows = contacts.values_list("pk", "timezone", "birth_month", "birth_day")
    for contact_id, zone_name, month, day in rows.iterator(BATCH):
        birthday = dt.date(2000, month, day)  # a leap year holds every birthday
        for local_day in _days_ahead(now, zone_name, immediate):
            if yearly_date(birthday, local_day.year) == local_day:
                reason = f"Birthday {month:02d}-{day:02d}"
                if (month, day) != (local_day.month, local_day.day):
                    reason += f", sent on {local_day:%m-%d} this year"
                due_at = _due(campaign, local_day, zone_name, now, immediate)
                if due_at is not None:
                    yield Planned(contact_id, f"birthday:{local_day.year}", due_at, reason)


def plan_anniversaries(campaign: Campaign, now: dt.datetime, immediate: bool) -> Iterator[Planned]:
    """Customer contacts on each yearly date of their account's first customer day."""
    days = _local_days(now)
    started = Subscription.objects.filter(mrr__gt=0).filter(
        _month_day_q(days, "started_on__month", "started_on__day")
    )
    firsts = dict(
        Account.objects.filter(pk__in=started.values("account"))
        .with_first_customer_day()
        .filter(_month_day_q(days, "first_customer_day__month", "first_customer_day__day"))
        .values_list("pk", "first_customer_day")
    )
    contacts = _customer_contacts(campaign, now).filter(account__in=firsts.keys())
    for contact_id, account_id, zone_name in contacts.values_list(
        "pk", "account", "timezone"
    ).iterator(BATCH):
        first_day = firsts[account_id]
        for local_day in _days_ahead(now, zone_name, immediate):
            years = whole_years(first_day, local_day)
            if years >= 1 and yearly_date(first_day, local_day.year) == local_day:
                reason = f"{years} years as a customer (since {first_day.isoformat()})"
                due_at = _due(campaign, local_day, zone_name, now, immediate)
                if due_at is not None:
                    yield Planned(contact_id, f"anniversary:{local_day.year}", due_at, reason)


def _customer_contacts(campaign: Campaign, now: dt.datetime) -> QuerySet[Contact]:
    return rolling_audience(campaign, now=now, day=timezone.localdate(now))


def _local_days(now: dt.datetime) -> list[dt.date]:
    """Every date that is today or tomorrow somewhere on Earth at `now`."""
    utc_today = now.astimezone(dt.UTC).date()
    return [utc_today + dt.timedelta(days=offset) for offset in ZONE_SPREAD]


def _days_ahead(now: dt.datetime, zone_name: str, immediate: bool) -> list[dt.date]:
    today = schedule.local_today(now, zone_name)
    return [today] if immediate else [today, today + dt.timedelta(days=1)]


def _due(
    campaign: Campaign, day: dt.date, zone_name: str, now: dt.datetime, immediate: bool
) -> dt.datetime | None:
    """The campaign's hour on `day` in the contact's zone, or now if that has passed;
    None once the day's evening has begun (a birthday wish at 23:30 is worse than none)."""
    if immediate:
        return now
    at_hour = schedule.local_time(day, campaign.send_hour, zone_name)
    if at_hour > now:
        return at_hour
    if now.astimezone(schedule.zone(zone_name)).hour >= schedule.EVENING_HOUR:
        return None
    return now


def _month_day_q(days: list[dt.date], month_field: str, day_field: str) -> Q:
    """Rows whose month and day fall on one of `days`; 29 February counts on 28 February
    of a year that has none."""
    condition = Q(pk__in=[])
    for day in days:
        condition |= Q(**{month_field: day.month, day_field: day.day})
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            condition |= Q(**{month_field: 2, day_field: 29})
    return condition
