"""Two `celery beat` processes at once (a second scheduler started by mistake, a deploy that
overlaps the old one): both tick the DatabaseScheduler, their ticks hand the same due
messages to two workers, and still each contact gets the email once.

On Redis and on the embedded filesystem broker. Stock kombu's filesystem transport let a
worker read a task file a producer had created but not yet written, and die
("Unrecoverable error: JSONDecodeError", kombu issue #1551): two beats writing every second
hit it about once in four runs, until lifecycle/lib/brokers.py wrote each file whole."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from campaigns.models import Message, MessageStatus
from campaigns.services import queue_now
from tests.factories import campaign, customer_contacts
from tests.integration.conftest import redis_or_skip, tick_every_second, wait_until
from tests.smtp import SMTPServer
from tests.workers import REDIS_URL, REDISPATCH_ENV

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CONTACTS = 150
UNFINISHED = [MessageStatus.QUEUED, MessageStatus.SENDING]
TICK = "campaigns.tick"


BROKERS = [
    pytest.param("filesystem://localhost/", id="filesystem"),
    pytest.param(REDIS_URL, id="redis", marks=redis_or_skip()),
]


@pytest.mark.parametrize("broker_url", BROKERS)
def test_two_beats_ticking_at_once_email_each_contact_once(broker_url, workers, tmp_path):
    customer_contacts(CONTACTS, prefix="beat")
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert queue_now(campaign("nps-quarterly"), now=timezone.now()) == CONTACTS
    Message.objects.update(due_at=tomorrow)  # nothing due until every process is up
    tick_every_second()

    # A slow mail server (a chunk of 50 takes over 1.5 s) and a dispatched message waiting
    # only 1 s for its task before a tick hands it out again: while one worker sends the
    # third chunk, the other runs a tick that hands the rest of it out again, so both
    # workers claim from the same rows at once.
    with SMTPServer(delay=0.03) as smtp:
        group = workers(broker_url, smtp.port, logs=tmp_path, **{REDISPATCH_ENV: "1"})
        first_worker, second_worker = group.start(), group.start()
        first_beat, second_beat = group.start_beat(), group.start_beat()
        wait_until(
            lambda: len(group.results_of(TICK)) >= 2,
            timeout=30,
            what="the workers run the beats' first ticks",
            worker=first_worker,
        )
        Message.objects.update(due_at=timezone.now())
        wait_until(
            lambda: not Message.objects.filter(status__in=UNFINISHED).exists(),
            timeout=45,
            what="every message sent",
            worker=first_worker,
        )
        # Two more ticks of each beat once everything is out: they must send nothing more.
        ticks = group.sent_by(first_beat, TICK), group.sent_by(second_beat, TICK)
        wait_until(
            lambda: (
                group.sent_by(first_beat, TICK) >= ticks[0] + 2
                and group.sent_by(second_beat, TICK) >= ticks[1] + 2
            ),
            timeout=15,
            what="two more ticks of each beat",
        )
        for process in (first_worker, second_worker, first_beat, second_beat):
            assert process.poll() is None, "a worker or a beat died"
        received = smtp.received_by()

    # Both schedulers really ticked, several times each, and the ticks handed some messages
    # out twice.
    assert group.sent_by(first_beat, TICK) >= 4
    assert group.sent_by(second_beat, TICK) >= 4
    assert sum(group.results_of(TICK)) > CONTACTS
    # No duplicate: every contact got exactly one email.
    assert len(received) == CONTACTS
    assert set(received.values()) == {1}
    # No lost message, none stuck: every planned message sent, each claimed once.
    assert Counter(Message.objects.values_list("status", flat=True)) == {
        MessageStatus.SENT: CONTACTS
    }
    assert Message.objects.filter(attempts=1).count() == CONTACTS
    assert set(received) == set(Message.objects.values_list("contact__email", flat=True))
