"""Writing planned messages: one row per (campaign, contact, occurrence), never twice.

Every rule of every campaign kind (rolling cycles, birthdays, promoters...) comes down to a
list of Planned rows; the unique constraint on Message, not the caller, makes a rerun (a
beat firing twice, send_campaign pressed again) create nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from campaigns import schedule
from campaigns.models import Campaign, Message, MessageStatus

BATCH = 1000


@dataclass(frozen=True)
class Planned:
    contact_id: int
    occurrence: str
    due_at: dt.datetime
    reason: str = ""


def insert(
    campaign: Campaign,
    planned: Iterable[Planned],
    *,
    email: str,
    bring_forward_to: dt.datetime | None = None,
) -> int:
    """Insert the planned messages the database does not hold yet; returns how many are new.

    With `bring_forward_to` (send_campaign, "Send now"), the same messages already queued
    for later are made due then too. A contact of the campaign's holdout group gets a
    HELD_OUT row instead, which is never sent."""
    created = 0
    batch: list[Planned] = []
    for row in planned:
        batch.append(row)
        if len(batch) == BATCH:
            created += _insert_batch(campaign, batch, email, bring_forward_to)
            batch = []
    if batch:
        created += _insert_batch(campaign, batch, email, bring_forward_to)
    return created


def held_out(campaign: Campaign, contact_id: int) -> bool:
    """In the campaign's holdout group: the same contacts whenever it plans (a stable hash).
    A drip's steps hold out the drip's group, so that the drip as a whole is measured."""
    group = campaign.drip if campaign.drip_id else campaign
    return schedule.holdout_fraction(group.pk, contact_id) < group.holdout_percent / 100


def _insert_batch(
    campaign: Campaign, batch: list[Planned], email: str, bring_forward_to: dt.datetime | None
) -> int:
    by_occurrence: dict[str, set[int]] = {}
    for row in batch:
        by_occurrence.setdefault(row.occurrence, set()).add(row.contact_id)
    keys = Q(pk__in=[])
    for occurrence, contact_ids in by_occurrence.items():  # a batch holds one or two
        keys |= Q(occurrence=occurrence, contact_id__in=contact_ids)
    same_keys = Message.objects.filter(keys, campaign=campaign)
    before = same_keys.count()
    Message.objects.bulk_create(
        [
            Message(
                campaign=campaign,
                contact_id=row.contact_id,
                occurrence=row.occurrence,
                email=email,
                due_at=row.due_at,
                reason=row.reason[:200],
                status=MessageStatus.HELD_OUT
                if held_out(campaign, row.contact_id)
                else MessageStatus.QUEUED,
            )
            for row in batch
        ],
        ignore_conflicts=True,
    )
    created = same_keys.count() - before
    if bring_forward_to is not None:
        same_keys.filter(status=MessageStatus.QUEUED, due_at__gt=bring_forward_to).update(
            due_at=bring_forward_to
        )
    return created
