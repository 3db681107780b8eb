"""A real worker killed with SIGKILL mid-campaign: nobody gets an email twice, nothing is lost
silently, and what the dead worker was sending waits for a person in REVIEW."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from accounts.models import Contact
from campaigns import pipeline
from campaigns.models import Message, MessageStatus
from campaigns.services import queue_now
from tests.factories import AccountFactory, SubscriptionFactory, campaign
from tests.integration.conftest import SEND_CHUNK, redis_or_skip, wait_until
from tests.smtp import SMTPServer
from tests.workers import REDIS_URL, broker_connection

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CONTACTS = 2000
UNFINISHED = [MessageStatus.QUEUED, MessageStatus.SENDING]


def customer_contacts(count: int, accounts: int = 100) -> list[Contact]:
    owners = AccountFactory.create_batch(accounts)
    for account in owners:
        SubscriptionFactory(account=account)
    return Contact.objects.bulk_create(
        Contact(account=owners[n % accounts], email=f"worker{n}@example.com") for n in range(count)
    )


def unfinished() -> int:
    return Message.objects.filter(status__in=UNFINISHED).count()


def by_status() -> Counter:
    return Counter(Message.objects.values_list("status", flat=True))


@redis_or_skip()
def test_a_worker_killed_mid_campaign_sends_nobody_anything_twice(workers, settings):
    settings.CAMPAIGN_SEND_CHUNK = SEND_CHUNK  # 40 tasks of 50
    customer_contacts(CONTACTS)
    now = timezone.now()
    assert queue_now(campaign("nps-quarterly"), now=now) == CONTACTS

    with SMTPServer() as smtp, broker_connection(REDIS_URL) as conn:
        group = workers(REDIS_URL, smtp.port)
        dispatched = pipeline.dispatch_due(now=now, enqueue=group.enqueue(conn))
        first = group.start()
        wait_until(
            lambda: smtp.count >= CONTACTS // 3, timeout=90, what="a third sent", worker=first
        )
        group.kill(first)
        received_at_kill = smtp.count

        # What beat's next ticks do, once their time has come (no worker is alive meanwhile,
        # so nothing live is mistaken for stuck).
        later = timezone.now() + dt.timedelta(seconds=settings.CAMPAIGN_CLAIM_TIMEOUT + 1)
        reviewed = pipeline.review_stuck(now=later)
        redispatched = pipeline.dispatch_due(now=later, enqueue=group.enqueue(conn))
        second = group.start()
        wait_until(lambda: unfinished() == 0, timeout=120, what="every message done", worker=second)
        received = smtp.recipients()

    statuses = by_status()
    sent, review = statuses[MessageStatus.SENT], statuses[MessageStatus.REVIEW]
    assert dispatched == CONTACTS
    assert CONTACTS // 3 <= received_at_kill < CONTACTS
    assert 0 < redispatched < CONTACTS
    # Nobody got the survey twice.
    assert max(Counter(received).values()) == 1
    # Every message was sent, but the one the dead worker was sending (--pool=solo: one).
    assert sent + review == CONTACTS
    assert review == reviewed <= 1
    # The mail server got every SENT message, and perhaps the one in review.
    assert sent <= len(received) <= sent + review
    sent_to = set(
        Message.objects.filter(status=MessageStatus.SENT).values_list("contact__email", flat=True)
    )
    assert sent_to <= set(received)
    # Each message went out with its own Message-ID, stored on its row.
    assert Message.objects.filter(status=MessageStatus.SENT, message_id="").count() == 0
