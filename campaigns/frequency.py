"""The frequency cap: at most FREQUENCY_CAP_EMAILS emails to one contact in any
FREQUENCY_CAP_DAYS days, across every campaign and survey (docs/campaigns.md).

Checked by the pipeline just before a contact's message is built, against what was really
sent. A capped message is deferred to the moment the oldest email of the window leaves it
(at a decent local hour), or skipped, as its campaign chooses; the reason is on the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from campaigns import schedule
from campaigns.models import Message, MessageStatus, WhenCapped


@dataclass(frozen=True)
class Capped:
    reason: str
    until: dt.datetime | None  # when it may go; None: skip it


def capped(message: Message, *, now: dt.datetime) -> Capped | None:
    """Whether the cap holds `message` back now (one indexed query), and until when."""
    limit, days = settings.FREQUENCY_CAP_EMAILS, settings.FREQUENCY_CAP_DAYS
    if message.contact_id is None or message.campaign_id is None or limit <= 0:
        return None  # notifications and tests are not the contact's mail
    window = dt.timedelta(days=days)
    mine = message.contact_id
    recent = list(
        Message.objects.filter(contact_id=mine, status=MessageStatus.SENT, sent_at__gt=now - window)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)[:limit]
    )
    # Messages to the same contact that other workers claimed before this one are on their
    # way: they count, so two workers at once cannot both slip under the cap. (Only earlier
    # claims count, so two claims at once never hold each other back.)
    earlier = Q(claimed_at__lt=message.claimed_at) | Q(
        claimed_at=message.claimed_at, pk__lt=message.pk
    )
    in_flight = Message.objects.filter(earlier, contact_id=mine, status=MessageStatus.SENDING)
    recent += [now] * in_flight.count() if len(recent) < limit else []
    recent = sorted(recent, reverse=True)[:limit]
    if len(recent) < limit:
        return None
    reason = f"Frequency cap: {limit} emails in {days} days already"
    if message.campaign.when_capped == WhenCapped.SKIP:
        return Capped(reason, None)
    # The oldest of the `limit` latest leaves the window first.
    frees_at = recent[-1] + window
    until = schedule.next_sending_time(
        frees_at, message.campaign.send_hour, message.contact.timezone
    )
    return Capped(f"{reason}; deferred to {until:%Y-%m-%d %H:%M} UTC", until)
