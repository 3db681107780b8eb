"""Bounces and complaints from the email provider, and the suppression list they feed.

django-anymail turns every provider's tracking webhook (Postmark, SendGrid, Mailgun, Amazon
SES...) into one normalized event; `record` stores it on the message it is about and puts
the address on the suppression list on a hard bounce, a rejection for an invalid address,
or a spam complaint.

The suppression list is the one home of "may this address get this category of email":
unsubscribes (campaigns.subscriptions), bounces and complaints (here), staff blocks (admin)
and erasure (lifecycle.ops.personal_data) all write it, by the hash of the address and a
category (empty: every category). Every campaign kind checks it at planning
(campaigns.audience.reachable, `without_suppressed`) and just before sending (`suppressed`,
campaigns.pipeline).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import sys
import uuid
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Contact
from campaigns.models import (
    AddressHash,
    DeliveryEvent,
    Message,
    Suppression,
    address_hash,
    normalized_address,
)
from lifecycle.lib.nul import without_nul

logger = logging.getLogger(__name__)

# anymail's normalized event types this module keeps (opens and clicks it tracks itself).
KEPT = {"delivered", "deferred", "bounced", "rejected", "failed", "complained"}
# (event type, anymail reject reason or None for any): what suppresses the address.
SUPPRESSING = {
    ("bounced", None): Suppression.Reason.BOUNCE,
    ("rejected", "invalid"): Suppression.Reason.BOUNCE,
    ("rejected", "bounced"): Suppression.Reason.BOUNCE,
    ("complained", None): Suppression.Reason.COMPLAINT,
    ("rejected", "spam"): Suppression.Reason.COMPLAINT,
}
METADATA_KEY = "lifecycle_message"  # the Message.public_id sent along as ESP metadata


def metadata_for(message: Message) -> dict[str, str]:
    return {METADATA_KEY: str(message.public_id)}


def find_message(event: Any) -> Message | None:
    metadata = getattr(event, "metadata", None)
    public_id = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if public_id:
        try:
            found = Message.objects.filter(public_id=uuid.UUID(str(public_id))).first()
        except ValueError:
            found = None
        if found:
            return found
    message_id = clean(getattr(event, "message_id", None), 255)
    if message_id:
        return Message.objects.filter(message_id=message_id).order_by("-pk").first()
    return None


def clean(value: Any, length: int) -> str:
    """A provider's text fit to store: no NUL (PostgreSQL refuses it), at most `length`."""
    return without_nul(str(value or ""))[:length]


def record(event: Any, provider: str) -> DeliveryEvent | None:
    """Store one anymail tracking event; returns None for what is not kept or not ours."""
    kind = getattr(event, "event_type", "")
    if kind not in KEPT:
        return None
    message = find_message(event)
    if message is None:
        # With a plain SMTP relay the provider knows neither our metadata nor its own id
        # for the message: use its anymail backend (docs/operations.md).
        logger.warning("A %s event from %s names no message of ours", kind, provider)
        return None
    occurred_at = getattr(event, "timestamp", None) or timezone.now()
    # Some providers give events no id (Brevo, Mailjet): one made of what they do say keeps
    # a retried webhook from counting twice.
    event_id = (
        clean(getattr(event, "event_id", None), 200)
        or hashlib.sha256(
            f"{provider}:{message.pk}:{kind}:{occurred_at.isoformat()}".encode()
        ).hexdigest()
    )
    try:
        with transaction.atomic():
            stored = DeliveryEvent.objects.create(
                message=message,
                kind=kind,
                occurred_at=occurred_at,
                provider=clean(provider, 40),
                event_id=event_id,
                description=clean(getattr(event, "description", ""), 500),
            )
    except (IntegrityError, DataError):  # delivered twice, or nothing we can store
        return None
    reason = SUPPRESSING.get((kind, None)) or SUPPRESSING.get(
        (kind, getattr(event, "reject_reason", None))
    )
    if kind == "bounced" and soft(event) and soft_bounces(message.to) < SOFT_BOUNCE_LIMIT:
        reason = None  # a full mailbox today may take mail tomorrow
    if reason:
        # The message's own recipient, never an address the event merely names: a forged or
        # mistaken event must not suppress somebody else.
        named = normalized_address(clean(getattr(event, "recipient", None), 254))
        if named and named != normalized_address(message.to):
            logger.warning("A %s event for message %s names another address", kind, message.pk)
        else:
            suppress(message.to, reason, message=message, description=stored.description)
    return stored


# Soft bounces in a row (distinct messages) before the address is suppressed anyway.
SOFT_BOUNCE_LIMIT = 3


# SparkPost's bounce classes of a temporary failure (mailbox full, too large, DNS...).
SPARKPOST_SOFT_CLASSES = {"21", "22", "23", "24", "40", "60", "70", "100"}


def soft(event: Any) -> bool:
    """A temporary bounce, as each provider that reports them among bounces says it (anymail
    keeps their own words in esp_event): Postmark, Brevo, Mailjet, SparkPost."""
    raw = getattr(event, "esp_event", None)
    if not isinstance(raw, dict):
        return False
    sparkpost = raw.get("msys") if isinstance(raw.get("msys"), dict) else {}
    bounce_class = next(
        (str(part.get("bounce_class")) for part in sparkpost.values() if isinstance(part, dict)),
        "",
    )
    return (
        raw.get("Type") == "SoftBounce"  # Postmark
        or raw.get("event") == "soft_bounce"  # Brevo
        or raw.get("hard_bounce") is False  # Mailjet
        or bounce_class in SPARKPOST_SOFT_CLASSES
    )


def soft_bounces(address: str) -> int:
    """Messages to the address that bounced since it last took one."""
    sent_to = _messages_to(address)
    last_delivered = (
        DeliveryEvent.objects.filter(kind="delivered", message__in=sent_to)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    bounced = DeliveryEvent.objects.filter(kind="bounced", message__in=sent_to)
    if last_delivered:
        bounced = bounced.filter(occurred_at__gt=last_delivered)
    return bounced.values("message").distinct().count()


def _messages_to(address: str) -> QuerySet[Message]:
    """Messages to the contacts with the address (their lower-cased email is indexed) or to
    it as a notification."""
    address = normalized_address(address)
    contacts = Contact.objects.alias(address=Lower("email")).filter(address=address)
    return Message.objects.filter(Q(contact__in=contacts) | Q(recipient__iexact=address))


EVERY_CATEGORY = Suppression.EVERY_CATEGORY


def suppress(
    address: str,
    reason: str,
    *,
    category: str = EVERY_CATEGORY,
    message: Message | None = None,
    description: str = "",
) -> Suppression:
    """Put an address on the suppression list for `category` (empty: every category), once:
    the first reason stays. The provider's description is kept without the address."""
    suppression, _created = Suppression.objects.get_or_create(
        address_hash=address_hash(address),
        category=category,
        defaults={
            "reason": reason,
            "message": message,
            "description": without_address(description, address)[:500],
        },
    )
    return suppression


def lift_unsubscribe(address: str, category: str) -> bool:
    """A resubscribe: drop the address's unsubscribe from `category`, and nothing else (a
    bounce, a complaint, a staff block or an erasure stays). True if there was one."""
    deleted, _by_model = Suppression.objects.filter(
        address_hash=address_hash(address),
        category=category,
        reason=Suppression.Reason.UNSUBSCRIBE,
    ).delete()
    return bool(deleted)


def categories_q(category: str | None) -> Q:
    """Entries that stop `category`: its own and those of every category. None (a
    notification to staff, an admin's test) is stopped only by those of every category."""
    if category is None:
        return Q(category=EVERY_CATEGORY)
    return Q(category__in=[EVERY_CATEGORY, category])


def suppressed(address: str, category: str | None) -> Suppression | None:
    """The entry that stops an email of `category` to `address`, if any."""
    return (
        Suppression.objects.filter(categories_q(category), address_hash=address_hash(address))
        .order_by("category", "created_at")  # every category's first: it explains most
        .first()
    )


def listed(category: str | None, address_field: str) -> Exists:
    """Over a queryset: the address in its `address_field` is suppressed for `category`."""
    return Exists(
        Suppression.objects.filter(
            categories_q(category), address_hash=AddressHash(OuterRef(address_field))
        )
    )


def without_suppressed(contacts: QuerySet, category: str | None) -> QuerySet:
    """`contacts` without those whose address is suppressed for `category`."""
    return contacts.exclude(listed(category, "email"))


# Spellings of one address looked up at once; beyond (each non-ASCII capital, and the Kelvin
# sign for "k", doubles them) every row is read and compared instead: exact, only slower.
MAX_SPELLINGS = 128


def with_address(rows: QuerySet, address: str, field: str = "email") -> QuerySet:
    """The rows (contacts, leads) whose `field` is `address` by the suppression list's own
    rule, `address_hash` in Python. SQL's lower() is not Python's (SQLite lowers ASCII only,
    PostgreSQL follows its locale: 'İ', a final 'Σ'), so the index on lower(email) only
    narrows the rows, by every spelling Python lower-cases to the address, and Python
    decides; both databases return the same rows. Stored addresses are stripped (forms, the
    API and the import strip and validate them): one with spaces around is not found."""
    wanted = address_hash(address)
    spellings = _spellings(normalized_address(address))
    candidates = rows.order_by()
    if spellings is not None:
        candidates = candidates.alias(lowered_address=Lower(field)).filter(
            lowered_address__in=[Lower(Value(spelling)) for spelling in sorted(spellings)]
        )
    found = [
        pk
        for pk, value in candidates.values_list("pk", field).iterator(chunk_size=2000)
        if address_hash(value) == wanted
    ]
    return rows.filter(pk__in=found)


def _spellings(lowered: str) -> set[str] | None:
    """Every text whose str.lower() is `lowered`, up to ASCII case (which lower() folds on
    both databases), or None when there are more than MAX_SPELLINGS."""
    capitals = _capitals()
    # spelt[end]: the spellings of lowered[:end]; a capital stands for one or two characters.
    spelt: list[set[str]] = [{""}]
    for end in range(1, len(lowered) + 1):
        here = {start + lowered[end - 1] for start in spelt[end - 1]}
        for size in range(1, min(end, 2) + 1):
            for capital in capitals.get(lowered[end - size : end], ()):
                here.update(start + capital for start in spelt[end - size])
        if len(here) > MAX_SPELLINGS:
            return None
        spelt.append(here)
    return spelt[-1]


@functools.cache
def _capitals() -> dict[str, tuple[str, ...]]:
    """What str.lower() makes of each non-ASCII character that it changes, reversed:
    "å" <- "Å" and the angstrom sign, "i̇" <- "İ", "k" <- the Kelvin sign (0.2 s, once)."""
    found: dict[str, list[str]] = {"ς": ["Σ"]}  # a capital sigma ending a word lowers to ς
    for code in range(0x80, sys.maxunicode + 1):
        lowered = chr(code).lower()
        if lowered != chr(code):
            found.setdefault(lowered, []).append(chr(code))
    return {lowered: tuple(chars) for lowered, chars in found.items()}


def without_address(text: str, address: str) -> str:
    """`text` (a provider's bounce description) with the address taken out."""
    address = normalized_address(address)
    if not address or not text:
        return text
    return re.sub(re.escape(address), "<address>", text, flags=re.IGNORECASE)


def on_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail.signals.tracking receiver (connected in CampaignsConfig.ready())."""
    record(event, esp_name)
