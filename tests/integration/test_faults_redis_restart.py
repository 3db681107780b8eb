"""Redis restarted mid-send: a private `redis-server` without persistence is the broker of a
real worker and a real beat; killed mid-campaign it loses every task it held, and once it is
back the beat's ticks hand the lost messages out again. Nobody gets an email twice, none is
lost, nothing stays queued or sending."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.utils import timezone

from campaigns.models import Message, MessageStatus
from campaigns.services import queue_now
from tests.factories import campaign, customer_contacts
from tests.integration.conftest import tick_every_second, wait_until
from tests.smtp import SMTPServer
from tests.workers import REDISPATCH_ENV

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CONTACTS = 200
UNFINISHED = [MessageStatus.QUEUED, MessageStatus.SENDING]
TICK = "campaigns.tick"


def test_a_redis_restart_mid_campaign_loses_no_email_and_sends_none_twice(
    private_redis, workers, tmp_path
):
    customer_contacts(CONTACTS, prefix="restart")
    assert queue_now(campaign("nps-quarterly"), now=timezone.now()) == CONTACTS
    tick_every_second()

    # 200 emails at 20 ms each: about 5 s of sending, four chunks of 50.
    with SMTPServer(delay=0.02) as smtp:
        group = workers(private_redis.url, smtp.port, logs=tmp_path, **{REDISPATCH_ENV: "3"})
        worker, beat = group.start(), group.start_beat()
        wait_until(
            lambda: smtp.count >= CONTACTS // 4, timeout=30, what="a quarter sent", worker=worker
        )
        private_redis.kill()  # with every queued task: the chunks not yet taken are gone
        killed_at = smtp.count
        time.sleep(2)  # the worker and the beat lose their connection, and retry
        private_redis.start()  # empty, on the same port
        restarted_at = smtp.count
        ticks_at_restart = group.sent_by(beat, TICK)

        wait_until(
            lambda: not Message.objects.filter(status__in=UNFINISHED).exists(),
            timeout=40,
            what="every message sent after the restart",
            worker=worker,
        )
        assert beat.poll() is None, "the beat died"
        received = smtp.received_by()

    # The fault really hit mid-send, and the beat ticked again once Redis was back.
    assert CONTACTS // 4 <= killed_at <= restarted_at < CONTACTS
    assert group.sent_by(beat, TICK) > ticks_at_restart
    # No duplicate: each contact got exactly one email.
    assert len(received) == CONTACTS
    assert set(received.values()) == {1}
    # No lost message, none stuck: every planned message sent (the worker never died, so
    # none was left for review).
    assert Counter(Message.objects.values_list("status", flat=True)) == {
        MessageStatus.SENT: CONTACTS
    }
    assert set(received) == set(Message.objects.values_list("contact__email", flat=True))
