"""A real worker while the mail server is down, then up: nothing lost, nothing sent twice."""

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
from tests.integration.conftest import redis_or_skip, wait_until
from tests.smtp import SMTPServer
from tests.workers import REDIS_URL, broker_connection

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CONTACTS = 120
UNFINISHED = [MessageStatus.QUEUED, MessageStatus.SENDING]
BROKERS = [
    pytest.param("filesystem://", id="filesystem"),
    pytest.param(REDIS_URL, id="redis", marks=redis_or_skip()),
]


def customer_contacts(count: int) -> None:
    account = AccountFactory()
    SubscriptionFactory(account=account)
    Contact.objects.bulk_create(
        Contact(account=account, email=f"outage{n}@example.com") for n in range(count)
    )


def released() -> int:
    return Message.objects.filter(
        status=MessageStatus.QUEUED,
        dispatched_at__isnull=True,
        error__startswith="Mail server unavailable",
    ).count()


@pytest.mark.parametrize("broker_url", BROKERS)
def test_a_mail_server_outage_delays_the_emails_and_loses_none(broker_url, workers):
    customer_contacts(CONTACTS)
    now = timezone.now()
    queue_now(campaign("nps-quarterly"), now=now)
    smtp = SMTPServer(start=False)  # its port is free: nothing listens there yet

    try:
        with broker_connection(broker_url) as conn:
            group = workers(broker_url, smtp.port)
            worker = group.start()
            pipeline.dispatch_due(now=now, enqueue=group.enqueue(conn))
            wait_until(lambda: released() == CONTACTS, timeout=60, what="released", worker=worker)
            received_while_down = smtp.count

            smtp.start()
            # Beat's next tick: released messages go again without waiting out the window.
            redispatched = pipeline.dispatch_due(
                now=now + dt.timedelta(minutes=1), enqueue=group.enqueue(conn)
            )
            wait_until(
                lambda: not Message.objects.filter(status__in=UNFINISHED).exists(),
                timeout=60,
                what="every message sent",
                worker=worker,
            )
        received = smtp.recipients()
    finally:
        smtp.stop()

    assert received_while_down == 0
    assert redispatched == CONTACTS
    assert Counter(Message.objects.values_list("status", flat=True)) == {
        MessageStatus.SENT: CONTACTS
    }
    assert len(received) == len(set(received)) == CONTACTS
