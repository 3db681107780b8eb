"""The sending pipeline every email of the product goes through.

A message is sent at most once: a worker claims its row with a conditional UPDATE
(QUEUED -> SENDING) and only the worker whose UPDATE changed a row sends it. A row found in
SENDING after CAMPAIGN_CLAIM_TIMEOUT belonged to a worker that died mid-send; nobody knows
whether the mail server took it, so it goes to REVIEW instead of back to the queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from campaigns import deliverability, extensions, frequency
from campaigns.models import Campaign, Message, MessageStatus
from lifecycle.lib import claims
from lifecycle.lib.emails import open_connection

logger = logging.getLogger(__name__)

# A message dispatched this long ago and still queued lost its task (a killed worker, a lost
# broker message): the next tick dispatches it again. Claims make the repeat harmless.
REDISPATCH_AFTER = dt.timedelta(minutes=5)
DISPATCH_LIMIT = 20_000
MAX_ATTEMPTS = 5
FIRST_RETRY = dt.timedelta(minutes=2)  # then 4, 8, 16 minutes

Builder = Callable[[Message], EmailMultiAlternatives]
BUILDERS: dict[str, Builder] = {}
# Relations of Message the builders read, joined when a message is loaded to be sent
# (surveys: the campaign's survey), so building costs no query per relation.
RELATED: set[str] = {"campaign__drip", "contact__account"}


class Skip(Exception):
    """A builder's verdict that this message must not go (answered, throttled, unsubscribed)."""


def builder(email: str, *, select_related: tuple[str, ...] = ()) -> Callable[[Builder], Builder]:
    def register(function: Builder) -> Builder:
        BUILDERS[email] = function
        RELATED.update(select_related)
        return function

    return register


def chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def due_ids(*, now: dt.datetime) -> list[int]:
    stale = now - REDISPATCH_AFTER
    return list(
        Message.objects.filter(status=MessageStatus.QUEUED, due_at__lte=now)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
        # A paused campaign's messages (a paused drip's steps' too) wait in the queue;
        # admins' tests still go.
        .exclude(contact__isnull=False, campaign__enabled=False)
        .exclude(contact__isnull=False, campaign__drip__enabled=False)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:DISPATCH_LIMIT]
    )


def dispatch_due(*, now: dt.datetime, enqueue: Callable[[list[int]], None]) -> int:
    """Hand every due message to `enqueue` in chunks; returns how many were dispatched."""
    ids = due_ids(now=now)
    for chunk in chunks(ids, settings.CAMPAIGN_SEND_CHUNK):
        Message.objects.filter(pk__in=chunk, status=MessageStatus.QUEUED).update(dispatched_at=now)
        enqueue(chunk)
    return len(ids)


REQUEUEABLE = (MessageStatus.REVIEW, MessageStatus.FAILED)


def queue_again(messages: QuerySet[Message], *, now: dt.datetime) -> int:
    """Put REVIEW and FAILED messages back in the queue, due now; attempts are kept so the
    retry limit still counts them. Others are left alone. Returns how many were queued."""
    return messages.filter(status__in=REQUEUEABLE).update(
        status=MessageStatus.QUEUED, due_at=now, dispatched_at=None, claimed_at=None
    )


def review_stuck(*, now: dt.datetime) -> int:
    cutoff = now - dt.timedelta(seconds=settings.CAMPAIGN_CLAIM_TIMEOUT)
    return Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff).update(
        status=MessageStatus.REVIEW,
        error="A worker claimed this message and never finished: check the mail server's log "
        "before sending it again.",
    )


def claim(pk: int, *, now: dt.datetime) -> bool:
    return claims.claim(
        Message.objects.filter(pk=pk, status=MessageStatus.QUEUED),
        status=MessageStatus.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )


def send_chunk(ids: Iterable[int]) -> int:
    """Send the given messages over one connection; returns how many were sent."""
    ids = list(ids)
    connection = open_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        # Nothing was claimed: the next tick dispatches these again.
        logger.warning("Mail server unavailable, %d messages wait: %s", len(ids), exc)
        release(ids, f"Mail server unavailable: {exc}")
        return 0
    sent = 0
    try:
        for index, pk in enumerate(ids):
            outcome = send_one(pk, connection)
            sent += outcome == MessageStatus.SENT
            if outcome is None:  # the connection broke: leave the rest for the next tick
                release(ids[index + 1 :], "Mail server connection lost")
                break
    finally:
        connection.close()
    return sent


def release(ids: list[int], error: str) -> None:
    Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).update(
        dispatched_at=None, error=error
    )


def send_one(pk: int, connection: BaseEmailBackend) -> str | None:
    """Claim, build and send one message. None means the connection can't be used further."""
    if not claim(pk, now=timezone.now()):
        return ""  # another worker has it, or it is no longer queued
    message = Message.objects.select_related(*sorted(RELATED)).get(pk=pk)
    if message.contact_id is not None and paused(message.campaign):
        # Paused after it was dispatched: back to the queue, for when it is switched on.
        hold_back(message, frequency.Capped("The campaign is paused.", message.due_at))
        return MessageStatus.QUEUED
    # The last word of the suppression list, whatever was true when the message was planned:
    # a contact's email by its campaign's category, a notification or test only by what
    # stops every category (a bounce, a complaint, a staff block).
    category = message.campaign.category if message.contact_id is not None else None
    blocked = deliverability.suppressed(message.to, category)
    if blocked is not None:
        reason = f"Suppressed address: {blocked.get_reason_display()} ({blocked.scope})"
        return finish(message, MessageStatus.SKIPPED, error=reason)
    held = frequency.capped(message, now=timezone.now())
    if held is not None:
        return hold_back(message, held)
    try:
        email = build(message)
    except Skip as reason:
        return finish(message, MessageStatus.SKIPPED, error=str(reason))
    except Exception as exc:  # a bug in a template or builder must not stop the others
        logger.exception("Could not build message %s", pk)
        return finish(message, MessageStatus.FAILED, error=f"Could not build: {exc!r}")
    try:
        connection.send_messages([email])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        return finish(message, MessageStatus.FAILED, error=f"Refused: {exc}")
    except smtplib.SMTPDataError as exc:
        # The server answered with an error: it did not take the message, so retrying is safe.
        retry_later(message, error=f"Not accepted: {exc}")
        return None
    except (OSError, smtplib.SMTPException) as exc:
        # The connection broke while the message was on the wire: it may have been taken.
        finish(message, MessageStatus.REVIEW, error=f"Connection lost while sending: {exc}")
        return None
    # An email provider's own id (anymail backends) is what its webhooks name the message by.
    status = getattr(email, "anymail_status", None)
    provider_id = getattr(status, "message_id", None)
    sent_id = provider_id if isinstance(provider_id, str) else email.extra_headers["Message-ID"]
    outcome = finish(message, MessageStatus.SENT, message_id=sent_id)
    if message.contact_id is not None:
        after_sent(message)
    return outcome


def after_sent(message: Message) -> None:
    for hook in extensions.SENT_HOOKS:
        try:
            hook(message.campaign, message.contact_id)
        except Exception:  # the email is out: a follow-up that fails must not change that
            logger.exception("A hook after sending message %s failed", message.pk)


def paused(campaign: Campaign) -> bool:
    return not campaign.enabled or (campaign.drip_id is not None and not campaign.drip.enabled)


def hold_back(message: Message, held: frequency.Capped) -> str:
    """The frequency cap says not now: skipped, or queued again for later without counting
    as an attempt."""
    if held.until is None:
        return finish(message, MessageStatus.SKIPPED, error=held.reason)
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED,
        due_at=held.until,
        dispatched_at=None,
        claimed_at=None,
        attempts=F("attempts") - 1,
        error=held.reason,
    )
    return MessageStatus.QUEUED


def build(message: Message) -> EmailMultiAlternatives:
    email = BUILDERS[message.email](message)
    email.extra_headers.setdefault("Message-ID", make_msgid(domain=settings.EMAIL_MESSAGE_DOMAIN))
    # Sent along by anymail backends, and given back by the provider's webhooks.
    email.metadata = deliverability.metadata_for(message)
    return email


def finish(message: Message, status: str, *, error: str = "", message_id: str = "") -> str:
    now = timezone.now()
    message.status = status
    message.error = error
    message.message_id = message_id
    message.sent_at = now if status == MessageStatus.SENT else None
    message.save(update_fields=["status", "error", "message_id", "sent_at"])
    return status


def retry_later(message: Message, *, error: str) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        finish(message, MessageStatus.FAILED, error=error)
        return
    wait = claims.backoff(message.attempts, first=FIRST_RETRY)
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED,
        due_at=timezone.now() + wait,
        dispatched_at=None,
        claimed_at=None,
        error=error,
    )
