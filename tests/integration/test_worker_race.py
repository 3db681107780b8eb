"""Two real workers handed the same chunks at the same time (a broker that redelivers, two
ticks that overlap): the claims let each message go once."""

from __future__ import annotations

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

CONTACTS = 300
BROKERS = [
    pytest.param("filesystem://", id="filesystem"),
    pytest.param(REDIS_URL, id="redis", marks=redis_or_skip()),
]


@pytest.mark.parametrize("broker_url", BROKERS)
def test_two_workers_given_the_same_chunks_send_each_message_once(broker_url, workers):
    account = AccountFactory()
    SubscriptionFactory(account=account)
    Contact.objects.bulk_create(
        Contact(account=account, email=f"race{n}@example.com") for n in range(CONTACTS)
    )
    now = timezone.now()
    queue_now(campaign("nps-quarterly"), now=now)

    with SMTPServer() as smtp, broker_connection(broker_url) as conn:
        group = workers(broker_url, smtp.port)
        send = group.enqueue(conn)

        def twice(ids: list[int]) -> None:
            send(ids)
            send(ids)

        pipeline.dispatch_due(now=now, enqueue=twice)
        first, second = group.start(), group.start()
        wait_until(
            lambda: (
                not Message.objects.filter(
                    status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
                ).exists()
            ),
            timeout=60,
            what="every message sent",
            worker=first,
        )
        assert second.poll() is None, "the second worker died"
        received = smtp.recipients()

    assert Counter(Message.objects.values_list("status", flat=True)) == {
        MessageStatus.SENT: CONTACTS
    }
    assert len(received) == len(set(received)) == CONTACTS
    assert Message.objects.filter(attempts=1).count() == CONTACTS
