"""Workflows that create messages: a campaign's beat run, events, and "send it now"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Contact
from campaigns import pipeline
from campaigns.audience import eligible
from campaigns.extensions import PLANNERS, content_of
from campaigns.models import Campaign, Event, Message, MessageStatus, Trigger
from campaigns.planning import Planned, insert


class NoEmail(ValueError):
    """The campaign has nothing to send yet: no survey, no content written in admin, or a
    link its content needs (the review page) is not set."""


def email_for(campaign: Campaign) -> str:
    """The email template a campaign's messages use."""
    found = content_of(campaign)
    if found is None:
        raise NoEmail(_("It has no email yet: write its content in admin."))
    missing = found[0].missing(campaign)
    if missing:
        raise NoEmail(missing)
    return found[1]


def missing_email(campaign: Campaign) -> str:
    """What the campaign still needs before it can send, as staff read it; "" when ready."""
    try:
        email_for(campaign)
    except NoEmail as missing:
        return str(missing)
    return ""


def run_schedule(campaign: Campaign, *, now: dt.datetime) -> int:
    """A campaign's own beat run: what its trigger's rule plans by now, then each content's
    follow-ups (survey reminders). Returns how many messages were created."""
    if campaign.trigger == Trigger.DRIP:
        return _plan(campaign, now=now, email="")  # it enrols; its steps send
    try:
        email = email_for(campaign)
    except NoEmail:
        return 0  # nothing to send yet: admin says so, beat needn't fail
    created = _plan(campaign, now=now, email=email)
    return created + content_of(campaign)[0].plan(campaign, now)


def plan_enabled_campaigns(*, now: dt.datetime) -> int:
    """Every enabled campaign's beat run, at once (a fresh local instance)."""
    return sum(
        run_schedule(campaign, now=now) for campaign in Campaign.objects.filter(enabled=True)
    )


def plan(campaign: Campaign, *, now: dt.datetime, immediate: bool = False) -> int:
    """Queue what the campaign's trigger rule plans by `now` (`immediate`: today's matches,
    due now); returns how many messages are new. Raises NoEmail when nothing can be sent."""
    if campaign.trigger == Trigger.DRIP:
        return _plan(campaign, now=now, email="", immediate=immediate)
    return _plan(campaign, now=now, email=email_for(campaign), immediate=immediate)


def _plan(campaign: Campaign, *, now: dt.datetime, email: str, immediate: bool = False) -> int:
    planner = PLANNERS.get(campaign.trigger)
    if planner is None:  # event campaigns are queued by their events
        return 0
    planned = planner(campaign, now, immediate)
    return insert(campaign, planned, email=email, bring_forward_to=now if immediate else None)


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
        try:
            email = email_for(campaign)
        except NoEmail:
            continue  # an event campaign with nothing to send yet sends nothing
        # Throttled or unsubscribed contacts are skipped, not queued for later.
        if eligible(campaign, Contact.objects.filter(pk=event.contact_id), now=now).exists():
            due_at = max(event.occurred_at + dt.timedelta(minutes=campaign.delay_minutes), now)
            reason = f"Event {event.type} #{event.pk}"
            planned = Planned(event.contact_id, f"event:{event.pk}", due_at, reason)
            insert(campaign, [planned], email=email)


def queue_now(campaign: Campaign, *, now: dt.datetime) -> int:
    """Today's occurrence for the whole current audience, due now (send_campaign)."""
    if campaign.trigger == Trigger.EVENT:
        email_for(campaign)  # refuses a campaign with nothing to send, like the others
        # What the events queued for later goes now.
        waiting = Message.objects.filter(
            campaign=campaign, status=MessageStatus.QUEUED, due_at__gt=now
        )
        return waiting.update(due_at=now)
    return plan(campaign, now=now, immediate=True)


def send_now(
    campaign: Campaign, *, now: dt.datetime, enqueue: Callable[[list[int]], Any]
) -> tuple[int, int]:
    """What send_campaign and the admin's "Send now" do: today's occurrence for the whole
    audience, handed to the workers at once. Returns (new messages, messages dispatched)."""
    queued = queue_now(campaign, now=now)
    return queued, pipeline.dispatch_due(now=now, enqueue=enqueue)
