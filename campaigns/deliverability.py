"""Bounces and complaints from the email provider, and the suppression list they feed.

django-anymail turns every provider's tracking webhook (Postmark, SendGrid, Mailgun, Amazon
SES...) into one normalized event; `record` stores it on the message it is about and puts
the address on the suppression list on a hard bounce, a rejection for an invalid address,
or a spam complaint. The pipeline then refuses the address for every campaign kind, at
planning (campaigns.audience) and just before sending (`suppressed`).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from campaigns.models import DeliveryEvent, Message, Suppression, normalized_address

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
    public_id = (getattr(event, "metadata", None) or {}).get(METADATA_KEY)
    if public_id:
        try:
            found = Message.objects.filter(public_id=uuid.UUID(str(public_id))).first()
        except ValueError:
            found = None
        if found:
            return found
    message_id = getattr(event, "message_id", None)
    if message_id:
        return Message.objects.filter(message_id=str(message_id)).order_by("-pk").first()
    return None


def record(event: Any, provider: str) -> DeliveryEvent | None:
    """Store one anymail tracking event; returns None for what is not kept or not ours."""
    kind = getattr(event, "event_type", "")
    if kind not in KEPT:
        return None
    message = find_message(event)
    if message is None:
        logger.info("A %s event from %s names no message of ours", kind, provider)
        return None
    try:
        with transaction.atomic():
            stored = DeliveryEvent.objects.create(
                message=message,
                kind=kind,
                occurred_at=getattr(event, "timestamp", None) or timezone.now(),
                provider=provider,
                event_id=getattr(event, "event_id", None) or None,
                description=str(getattr(event, "description", "") or "")[:500],
            )
    except IntegrityError:  # the provider delivered this webhook twice
        return None
    reason = SUPPRESSING.get((kind, None)) or SUPPRESSING.get(
        (kind, getattr(event, "reject_reason", None))
    )
    if kind == "bounced" and soft(event) and soft_bounces(message.to) < SOFT_BOUNCE_LIMIT:
        reason = None  # a full mailbox today may take mail tomorrow
    if reason:
        address = normalized_address(getattr(event, "recipient", None) or message.to)
        suppress(address, reason, message=message, description=stored.description)
    return stored


# Soft bounces in a row (distinct messages) before the address is suppressed anyway.
SOFT_BOUNCE_LIMIT = 3


def soft(event: Any) -> bool:
    """A temporary bounce, as the providers that report them among bounces say it (anymail
    keeps their own words in esp_event): Postmark, SendGrid, Mailgun."""
    raw = getattr(event, "esp_event", None)
    if not isinstance(raw, dict):
        return False
    return (
        raw.get("Type") == "SoftBounce"
        or raw.get("type") == "blocked"
        or raw.get("severity") == "temporary"
    )


def soft_bounces(address: str) -> int:
    return (
        DeliveryEvent.objects.filter(kind="bounced")
        .filter(message__in=_messages_to(address))
        .values("message")
        .distinct()
        .count()
    )


def _messages_to(address: str) -> QuerySet[Message]:
    address = normalized_address(address)
    return Message.objects.alias(
        to_contact=Lower("contact__email"), to_staff=Lower("recipient")
    ).filter(Q(to_contact=address) | Q(to_staff=address))


def suppress(address: str, reason: str, *, message: Message | None = None, description: str = ""):
    """Put an address on the suppression list (once; the first reason stays)."""
    suppression, _created = Suppression.objects.get_or_create(
        address=normalized_address(address),
        defaults={"reason": reason, "message": message, "description": description[:500]},
    )
    return suppression


def suppressed(address: str) -> Suppression | None:
    return Suppression.objects.filter(address=normalized_address(address)).first()


def without_suppressed(contacts: QuerySet) -> QuerySet:
    """`contacts` without those whose address is on the suppression list."""
    listed = Suppression.objects.filter(address=OuterRef("address_normalized"))
    return contacts.alias(address_normalized=Lower("email")).exclude(Exists(listed))


def on_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail.signals.tracking receiver (connected in CampaignsConfig.ready())."""
    record(event, esp_name)
