"""The sending pipeline against a real database and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import pipeline
from campaigns.models import Message, MessageStatus
from campaigns.services import queue_now
from campaigns.tasks import tick
from tests.factories import CustomerContactFactory, MessageFactory, campaign
from tests.smtp import SMTPServer, use_smtp

pytestmark = pytest.mark.django_db

TIMEOUT = dt.timedelta(seconds=900)


@pytest.fixture
def smtp(smtp, settings):
    settings.CAMPAIGN_CLAIM_TIMEOUT = int(TIMEOUT.total_seconds())
    return smtp


def plain_email(message: Message) -> EmailMultiAlternatives:
    return EmailMultiAlternatives("Hello", "A plain test email.", to=[message.contact.email])


def collect(into: list[list[int]]):
    """An `enqueue` for dispatch_due that only remembers the chunks it was given."""
    return into.append


def send_now(chunk: list[int]) -> None:
    """An `enqueue` that sends at once, as a worker would."""
    pipeline.send_chunk(chunk)


def statuses(messages: list[Message]) -> list[str]:
    return [Message.objects.get(pk=message.pk).status for message in messages]


def test_a_message_is_claimed_by_one_worker_only():
    message = MessageFactory()
    now = timezone.now()

    claims = [pipeline.claim(message.pk, now=now), pipeline.claim(message.pk, now=now)]

    message.refresh_from_db()
    assert claims == [True, False]
    assert message.status == MessageStatus.SENDING
    assert message.claimed_at == now
    assert message.attempts == 1


def test_sending_the_same_chunk_twice_sends_each_message_once(smtp):
    messages = MessageFactory.create_batch(3)
    ids = [message.pk for message in messages]

    first = pipeline.send_chunk(ids)
    second = pipeline.send_chunk(ids)

    assert (first, second) == (3, 0)
    assert smtp.count == 3
    assert sorted(smtp.recipients()) == sorted(message.contact.email for message in messages)
    assert statuses(messages) == [MessageStatus.SENT] * 3


def test_dispatching_twice_within_the_redispatch_window_enqueues_once():
    message = MessageFactory()
    now = timezone.now()
    chunks: list[list[int]] = []

    pipeline.dispatch_due(now=now, enqueue=collect(chunks))
    pipeline.dispatch_due(
        now=now + pipeline.REDISPATCH_AFTER - dt.timedelta(seconds=1), enqueue=collect(chunks)
    )

    assert chunks == [[message.pk]]


def test_a_dispatched_message_still_queued_after_the_window_is_dispatched_again():
    message = MessageFactory()
    now = timezone.now()
    chunks: list[list[int]] = []

    pipeline.dispatch_due(now=now, enqueue=collect(chunks))
    pipeline.dispatch_due(
        now=now + pipeline.REDISPATCH_AFTER + dt.timedelta(seconds=1), enqueue=collect(chunks)
    )

    assert chunks == [[message.pk], [message.pk]]


def test_dispatch_leaves_messages_that_are_not_due_yet():
    now = timezone.now()
    due = MessageFactory(due_at=now - dt.timedelta(minutes=1))
    MessageFactory(due_at=now + dt.timedelta(minutes=1))
    chunks: list[list[int]] = []

    dispatched = pipeline.dispatch_due(now=now, enqueue=collect(chunks))

    assert dispatched == 1
    assert chunks == [[due.pk]]


def test_dispatch_hands_out_chunks_of_the_configured_size(settings):
    settings.CAMPAIGN_SEND_CHUNK = 2
    messages = MessageFactory.create_batch(5)
    chunks: list[list[int]] = []

    pipeline.dispatch_due(now=timezone.now(), enqueue=collect(chunks))

    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert sorted(pk for chunk in chunks for pk in chunk) == sorted(m.pk for m in messages)


def test_a_message_stuck_in_sending_goes_to_review_and_is_never_sent_again(smtp):
    now = timezone.now()
    stuck = MessageFactory()
    busy = MessageFactory()
    pipeline.claim(stuck.pk, now=now - TIMEOUT - dt.timedelta(seconds=1))
    pipeline.claim(busy.pk, now=now - TIMEOUT + dt.timedelta(seconds=30))
    chunks: list[list[int]] = []

    reviewed = pipeline.review_stuck(now=now)
    pipeline.dispatch_due(now=now + dt.timedelta(hours=1), enqueue=collect(chunks))
    sent = pipeline.send_chunk([stuck.pk, busy.pk])

    stuck.refresh_from_db()
    assert reviewed == 1
    assert stuck.status == MessageStatus.REVIEW
    assert "never finished" in stuck.error
    # A worker still inside its time limit keeps its claim.
    assert Message.objects.get(pk=busy.pk).status == MessageStatus.SENDING
    assert chunks == []
    assert sent == 0
    assert smtp.count == 0


def test_messages_wait_while_the_mail_server_is_down_and_go_once_when_it_is_back(settings):
    server = SMTPServer(start=False)
    use_smtp(settings, server.port)
    messages = MessageFactory.create_batch(3)
    now = timezone.now()

    try:
        dispatched_while_down = pipeline.dispatch_due(now=now, enqueue=send_now)
        waiting = list(Message.objects.filter(pk__in=[m.pk for m in messages]))
        server.start()
        # The next tick, a minute later: released messages need no redispatch window.
        pipeline.dispatch_due(now=now + dt.timedelta(minutes=1), enqueue=send_now)
        pipeline.dispatch_due(now=now + dt.timedelta(minutes=10), enqueue=send_now)
    finally:
        server.stop()

    assert dispatched_while_down == 3
    assert {m.status for m in waiting} == {MessageStatus.QUEUED}
    assert {m.dispatched_at for m in waiting} == {None}
    assert {m.attempts for m in waiting} == {0}
    assert all("Mail server unavailable" in m.error for m in waiting)
    assert sorted(server.recipients()) == sorted(m.contact.email for m in messages)
    assert statuses(messages) == [MessageStatus.SENT] * 3


def test_a_refused_recipient_fails_and_the_others_still_go(smtp):
    refused, accepted = MessageFactory(), MessageFactory()
    smtp.handler.refused.add(refused.contact.email)

    sent = pipeline.send_chunk([refused.pk, accepted.pk])

    refused.refresh_from_db()
    assert sent == 1
    assert refused.status == MessageStatus.FAILED
    assert refused.error.startswith("Refused")
    assert refused.sent_at is None
    assert statuses([accepted]) == [MessageStatus.SENT]
    assert smtp.recipients() == [accepted.contact.email]


def test_a_message_the_server_rejects_goes_back_to_the_queue_with_a_backoff(smtp):
    rejected, later = MessageFactory(), MessageFactory()
    smtp.handler.rejected.add(rejected.contact.email)
    before = timezone.now()

    pipeline.send_chunk([rejected.pk, later.pk])

    rejected.refresh_from_db()
    later.refresh_from_db()
    assert rejected.status == MessageStatus.QUEUED
    assert rejected.attempts == 1
    assert rejected.due_at >= before + dt.timedelta(minutes=2)
    assert rejected.error.startswith("Not accepted")
    # The rest of the chunk waits for the next tick instead of being lost.
    assert later.status == MessageStatus.QUEUED
    assert later.dispatched_at is None
    assert smtp.count == 0


def test_a_message_rejected_too_often_fails(smtp):
    message = MessageFactory(attempts=pipeline.MAX_ATTEMPTS - 1)
    smtp.handler.rejected.add(message.contact.email)

    pipeline.send_chunk([message.pk])

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == pipeline.MAX_ATTEMPTS


def test_a_connection_lost_during_a_send_puts_that_message_in_review(smtp):
    lost, later = MessageFactory(), MessageFactory()
    smtp.handler.dropped.add(lost.contact.email)

    pipeline.send_chunk([lost.pk, later.pk])

    lost.refresh_from_db()
    later.refresh_from_db()
    # Nobody knows whether the server took it: a person decides, the queue never retries it.
    assert lost.status == MessageStatus.REVIEW
    assert later.status == MessageStatus.QUEUED
    assert later.dispatched_at is None


def test_a_builder_skip_marks_the_message_skipped(smtp, monkeypatch):
    def skip(message: Message) -> EmailMultiAlternatives:
        raise pipeline.Skip("Not today.")

    monkeypatch.setitem(pipeline.BUILDERS, "test-skip", skip)
    message = MessageFactory(email="test-skip")

    sent = pipeline.send_chunk([message.pk])

    message.refresh_from_db()
    assert sent == 0
    assert message.status == MessageStatus.SKIPPED
    assert message.error == "Not today."
    assert smtp.count == 0


def test_one_builder_error_does_not_stop_the_others(smtp, monkeypatch):
    def broken(message: Message) -> EmailMultiAlternatives:
        raise RuntimeError("template bug")

    monkeypatch.setitem(pipeline.BUILDERS, "test-broken", broken)
    monkeypatch.setitem(pipeline.BUILDERS, "test-plain", plain_email)
    first = MessageFactory(email="test-plain")
    bad = MessageFactory(email="test-broken")
    last = MessageFactory(email="test-plain")

    sent = pipeline.send_chunk([first.pk, bad.pk, last.pk])

    bad.refresh_from_db()
    assert sent == 2
    assert bad.status == MessageStatus.FAILED
    assert "template bug" in bad.error
    assert statuses([first, last]) == [MessageStatus.SENT] * 2
    assert sorted(smtp.recipients()) == sorted([first.contact.email, last.contact.email])


def test_a_message_with_an_unknown_email_fails_without_stopping_the_chunk(smtp, monkeypatch):
    monkeypatch.setitem(pipeline.BUILDERS, "test-plain", plain_email)
    unknown = MessageFactory(email="no-such-email")
    known = MessageFactory(email="test-plain")

    pipeline.send_chunk([unknown.pk, known.pk])

    assert statuses([unknown, known]) == [MessageStatus.FAILED, MessageStatus.SENT]


def test_a_sent_message_keeps_the_message_id_it_went_out_with(smtp, monkeypatch):
    monkeypatch.setitem(pipeline.BUILDERS, "test-plain", plain_email)
    message = MessageFactory(email="test-plain")

    pipeline.send_chunk([message.pk])

    message.refresh_from_db()
    (received,) = smtp.messages
    assert message.message_id
    assert received["Message-ID"] == message.message_id
    assert message.sent_at is not None


def test_the_beat_tick_sends_what_is_due_and_flags_what_is_stuck(smtp, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    due = MessageFactory()
    later = MessageFactory(due_at=timezone.now() + dt.timedelta(hours=1))
    stuck = MessageFactory()
    pipeline.claim(stuck.pk, now=timezone.now() - TIMEOUT - dt.timedelta(minutes=1))

    tick()
    tick()

    assert statuses([due, later, stuck]) == [
        MessageStatus.SENT,
        MessageStatus.QUEUED,
        MessageStatus.REVIEW,
    ]
    assert smtp.recipients() == [due.contact.email]


def test_sending_a_survey_email_reads_the_campaigns_survey_in_the_messages_own_query(
    mailoutbox,
):
    CustomerContactFactory.create_batch(3)
    queue_now(campaign("nps-quarterly"), now=timezone.now())
    ids = list(Message.objects.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        assert pipeline.send_chunk(ids) == 3

    alone = [q["sql"] for q in queries if 'FROM "surveys_campaignsurvey"' in q["sql"]]
    assert alone == []
    assert len(mailoutbox) == 3
