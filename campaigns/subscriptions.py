"""Unsubscribing and resubscribing a person, one category at a time.

An unsubscribe belongs to the address, not to the contact row that carried the link: it
puts the address on the suppression list for that category (campaigns.deliverability), so
the same person at another account, a contact created later with the address and a
re-import are all left out. The per-contact switches (`Contact.unsubscribed_*_at`) follow:
every contact with the address gets the same switch, set or cleared, so that each one's
page tells the same story.

Each change is a conditional UPDATE, so a one-click POST sent twice (or by two mailbox
providers at once) changes the contact once and records one Unsubscription (the unsubscribe
rate of the campaign that caused it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Contact
from campaigns import deliverability
from campaigns.audience import UNSUBSCRIBED_FIELD
from campaigns.models import Category, Message, Suppression, Unsubscription, address_hash


def suppressed_categories(contact: Contact) -> set[str]:
    """The categories the suppression list stops for the contact's address, in one query."""
    found = set(
        Suppression.objects.filter(address_hash=address_hash(contact.email)).values_list(
            "category", flat=True
        )
    )
    return set(Category.values) if deliverability.EVERY_CATEGORY in found else found


def is_subscribed(contact: Contact, category: str) -> bool:
    field = UNSUBSCRIBED_FIELD[Category(category)]
    return getattr(contact, field) is None and category not in suppressed_categories(contact)


def subscriptions(contact: Contact) -> dict[str, bool]:
    """Every category with whether the contact still receives it."""
    stopped = suppressed_categories(contact)
    return {
        category.value: getattr(contact, UNSUBSCRIBED_FIELD[category]) is None
        and category.value not in stopped
        for category in Category
    }


def same_person(contact: Contact) -> QuerySet[Contact]:
    """The other contacts with the contact's address (the same person at other accounts)."""
    others = deliverability.with_address(Contact.objects.exclude(pk=contact.pk), contact.email)
    return Contact.objects.filter(pk__in=others.values("pk"))


def unsubscribe(
    contact: Contact,
    category: str,
    *,
    source: str,
    message: Message | None = None,
    now: dt.datetime,
) -> bool:
    """Stop `category` for the contact's address; True only if this call changed the
    contact (an address unsubscribed through another contact still gets its entry)."""
    field = UNSUBSCRIBED_FIELD[Category(category)]
    still_on = {f"{field}__isnull": True}
    with transaction.atomic():
        changed = Contact.objects.filter(pk=contact.pk, **still_on).update(
            **{field: now, "updated_at": now}
        )
        if changed:
            Unsubscription.objects.create(
                contact=contact, category=category, message=message, source=source
            )
        same_person(contact).filter(**still_on).update(**{field: now, "updated_at": now})
        deliverability.suppress(
            contact.email, Suppression.Reason.UNSUBSCRIBE, category=category, message=message
        )
    if changed:
        setattr(contact, field, now)
    return bool(changed)


def resubscribe(contact: Contact, category: str, *, now: dt.datetime) -> bool:
    """Receive `category` again: lifts the address's unsubscribe from it, never a bounce, a
    complaint, a staff block or an erasure. True if the contact had unsubscribed from it."""
    field = UNSUBSCRIBED_FIELD[Category(category)]
    off = {f"{field}__isnull": False}
    with transaction.atomic():
        changed = Contact.objects.filter(pk=contact.pk, **off).update(
            **{field: None, "updated_at": now}
        )
        same_person(contact).filter(**off).update(**{field: None, "updated_at": now})
        lifted = deliverability.lift_unsubscribe(contact.email, category)
    setattr(contact, field, None)
    return bool(changed) or lifted


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
