"""Workflows that create messages: rolling cycles, events, and "send it now"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Contact
from campaigns import pipeline, schedule
from campaigns.audience import eligible, rolling_audience
from campaigns.extensions import content_of
from campaigns.models import Campaign, Event, Message, MessageStatus, Trigger

BATCH = 1000
# Slots missed by up to this many days (beat down for a while) are still sent this cycle.
CATCH_UP_DAYS = 7
ONCE = "once"  # the one occurrence of a broadcast


class NoEmail(ValueError):
    """The campaign has nothing to send yet: no survey, no content written in admin."""


def email_for(campaign: Campaign) -> str:
    """The email template a campaign's messages use (more kinds come with their campaigns)."""
    found = content_of(campaign)
    if found is None:
        raise NoEmail(f"Campaign {campaign.slug} has no email yet.")
    return found[1]


def run_schedule(campaign: Campaign, *, now: dt.datetime) -> int:
    """A campaign's own beat tick: this cycle's due contacts, then each content's follow-ups
    (survey reminders). Returns how many messages were created."""
    found = content_of(campaign)
    if found is None:
        return 0  # nothing written yet: nothing to plan (admin shows it, beat needn't fail)
    created = plan_rolling(campaign, now=now) if campaign.trigger == Trigger.ROLLING else 0
    return created + found[0].plan(campaign, now)


def plan_rolling(campaign: Campaign, *, now: dt.datetime, immediate: bool = False) -> int:
    """Queue this cycle's message for every audience contact whose slot has come.

    Each contact has a stable slot in the cycle and gets the message at the campaign's hour
    in their own time zone on that day; `immediate` (send_campaign) queues everyone now.
    Returns how many messages were created; running it again creates none twice.
    """
    today = timezone.localdate(now)
    start = schedule.cycle_start(today, campaign.cycle_months)
    end = schedule.cycle_end(start, campaign.cycle_months)
    label = schedule.occurrence(start, campaign.cycle_months)
    already = Message.objects.filter(campaign=campaign, occurrence=label).values("contact")
    candidates = (
        rolling_audience(campaign, now=now, day=today)
        .exclude(pk__in=already)
        .values_list("pk", "timezone")
    )
    rows = []
    email = email_for(campaign)
    for contact_id, zone_name in candidates.iterator(chunk_size=BATCH):
        due_at = now if immediate else _slot_time(campaign, contact_id, zone_name, start, end, now)
        if due_at is not None:
            rows.append(_message(campaign, contact_id, label, due_at, email))
    return _insert(rows)


def plan_once(campaign: Campaign, *, now: dt.datetime) -> int:
    """A broadcast: one message, due now, to every audience contact not sent it yet."""
    already = Message.objects.filter(campaign=campaign, occurrence=ONCE).values("contact")
    audience = rolling_audience(campaign, now=now, day=timezone.localdate(now))
    ids = audience.exclude(pk__in=already).values_list("pk", flat=True)
    email = email_for(campaign)
    return _insert(
        [_message(campaign, pk, ONCE, now, email) for pk in ids.iterator(chunk_size=BATCH)]
    )


def _slot_time(
    campaign: Campaign, contact_id: int, zone_name: str, start: dt.date, end: dt.date, now
) -> dt.datetime | None:
    day = schedule.slot_day(start, end, schedule.slot_fraction(campaign.pk, contact_id))
    today = schedule.local_today(now, zone_name)
    if day > today:
        return None  # a later run of this cycle queues it
    if (today - day).days > CATCH_UP_DAYS:
        # Long past (a campaign enabled mid-cycle, a new contact): wait for the next cycle
        # rather than survey everyone whose slot has passed on the same day.
        return None
    return max(schedule.local_time(day, campaign.send_hour, zone_name), now)


def _message(
    campaign: Campaign, contact_id: int, occurrence: str, due_at: dt.datetime, email: str
) -> Message:
    return Message(
        campaign=campaign, contact_id=contact_id, occurrence=occurrence, email=email, due_at=due_at
    )


def _insert(rows: list[Message]) -> int:
    """Insert, ignoring rows the unique constraint already holds; returns how many are new.

    All rows share one campaign and occurrence (one plan or one event)."""
    created = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        same_keys = Message.objects.filter(
            campaign=batch[0].campaign,
            occurrence=batch[0].occurrence,
            contact_id__in=[row.contact_id for row in batch],
        )
        before = same_keys.count()
        Message.objects.bulk_create(batch, ignore_conflicts=True)
        created += same_keys.count() - before
    return created


def record_event(
    *,
    type: str,
    contact: Contact,
    occurred_at: dt.datetime,
    external_id: str | None = None,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> tuple[Event, bool]:
    """Store an event once (by external_id) and queue the campaigns it triggers."""
    now = now or timezone.now()
    if external_id:
        existing = Event.objects.filter(external_id=external_id).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            event = Event.objects.create(
                type=type,
                contact=contact,
                occurred_at=occurred_at,
                external_id=external_id or None,
                data=data or {},
            )
            _queue_triggered(event, now=now)
    except IntegrityError:  # the same external_id, recorded by a concurrent call
        return Event.objects.get(external_id=external_id), False
    return event, True


def _queue_triggered(event: Event, *, now: dt.datetime) -> None:
    campaigns = Campaign.objects.filter(enabled=True, trigger=Trigger.EVENT, event_type=event.type)
    for campaign in campaigns:
        found = content_of(campaign)
        if found is None:
            continue  # an event campaign with nothing written yet sends nothing
        # Throttled or unsubscribed contacts are skipped, not queued for later.
        if eligible(campaign, Contact.objects.filter(pk=event.contact_id), now=now).exists():
            due_at = max(event.occurred_at + dt.timedelta(minutes=campaign.delay_minutes), now)
            occurrence = f"event:{event.pk}"
            _insert([_message(campaign, event.contact_id, occurrence, due_at, found[1])])


def queue_now(campaign: Campaign, *, now: dt.datetime) -> int:
    """Today's occurrence for the whole current audience, due now (send_campaign)."""
    waiting = Message.objects.filter(campaign=campaign, status=MessageStatus.QUEUED, due_at__gt=now)
    if campaign.trigger == Trigger.ROLLING:
        created = plan_rolling(campaign, now=now, immediate=True)
        # Contacts an earlier run planned for a later hour today go now too.
        start = schedule.cycle_start(timezone.localdate(now), campaign.cycle_months)
        label = schedule.occurrence(start, campaign.cycle_months)
        waiting.filter(occurrence=label).update(due_at=now)
        return created
    if campaign.trigger == Trigger.ONCE:
        return plan_once(campaign, now=now)
    # Triggered campaigns: what the events queued for later goes now.
    return waiting.update(due_at=now)


def send_now(
    campaign: Campaign, *, now: dt.datetime, enqueue: Callable[[list[int]], Any]
) -> tuple[int, int]:
    """What send_campaign and the admin's "Send now" do: today's occurrence for the whole
    audience, handed to the workers at once. Returns (new messages, messages dispatched)."""
    queued = queue_now(campaign, now=now)
    return queued, pipeline.dispatch_due(now=now, enqueue=enqueue)
