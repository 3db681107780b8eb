"""Unsubscribing and resubscribing a contact, one category at a time.

Each change is a conditional UPDATE, so a one-click POST sent twice (or by two mailbox
providers at once) changes the contact once and records one Unsubscription.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from accounts.models import Contact
from campaigns.audience import UNSUBSCRIBED_FIELD
from campaigns.models import Category, Message, Unsubscription


def is_subscribed(contact: Contact, category: str) -> bool:
    return getattr(contact, UNSUBSCRIBED_FIELD[Category(category)]) is None


def subscriptions(contact: Contact) -> dict[str, bool]:
    """Every category with whether the contact still receives it."""
    return {category.value: is_subscribed(contact, category) for category in Category}


def unsubscribe(
    contact: Contact,
    category: str,
    *,
    source: str,
    message: Message | None = None,
    now: dt.datetime,
) -> bool:
    """Stop `category` for the contact; True only if this call changed anything."""
    field = UNSUBSCRIBED_FIELD[Category(category)]
    with transaction.atomic():
        changed = Contact.objects.filter(pk=contact.pk, **{f"{field}__isnull": True}).update(
            **{field: now, "updated_at": now}
        )
        if changed:
            Unsubscription.objects.create(
                contact=contact, category=category, message=message, source=source
            )
    if changed:
        setattr(contact, field, now)
    return bool(changed)


def resubscribe(contact: Contact, category: str, *, now: dt.datetime) -> bool:
    """Receive `category` again; True only if the contact had unsubscribed from it."""
    field = UNSUBSCRIBED_FIELD[Category(category)]
    changed = Contact.objects.filter(pk=contact.pk, **{f"{field}__isnull": False}).update(
        **{field: None, "updated_at": now}
    )
    setattr(contact, field, None)
    return bool(changed)


def set_subscriptions(
    contact: Contact,
    subscribed: Iterable[str],
    *,
    source: str,
    message: Message | None = None,
    now: dt.datetime,
) -> None:
    """Keep exactly the categories in `subscribed`, as the preference page asks."""
    wanted = set(subscribed)
    for category in Category:
        if category in wanted:
            resubscribe(contact, category, now=now)
        else:
            unsubscribe(contact, category, source=source, message=message, now=now)
