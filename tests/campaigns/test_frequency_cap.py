"""The frequency cap across every campaign and survey: a contact gets at most N emails in
D days; what the cap holds back is deferred or skipped, as its campaign chooses, and says why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from campaigns import pipeline
from campaigns.frequency import capped
from campaigns.models import Message, MessageStatus
from campaigns.services import queue_now
from lifecycle.lib.dates import yearly_date
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cap(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FREQUENCY_CAP_EMAILS = 2
    settings.FREQUENCY_CAP_DAYS = 7


@pytest.fixture
def contact():
    """A customer of three years whose birthday is today: four campaigns want them today."""
    today = timezone.localdate()
    account = AccountFactory()
    SubscriptionFactory(account=account, started_on=yearly_date(today, today.year - 3))
    return ContactFactory(
        account=account, email="busy@example.com", birth_month=today.month, birth_day=today.day
    )


def send(slug: str) -> Message:
    now = timezone.now()
    queue_now(campaign(slug), now=now)
    message = Message.objects.get(campaign__slug=slug)
    pipeline.send_chunk([message.pk])
    message.refresh_from_db()
    return message


def test_a_survey_and_two_lifecycle_emails_on_one_day_stop_at_the_cap(contact):
    review = campaign("review-request")
    review.review_url = "https://example.org/review"
    review.save()

    survey = send("nps-quarterly")
    birthday = send("birthday")
    anniversary = send("anniversary")  # date-bound: skipped, not late
    review_request = send("review-request")  # deferred

    assert (survey.status, birthday.status) == (MessageStatus.SENT, MessageStatus.SENT)
    assert anniversary.status == MessageStatus.SKIPPED
    assert anniversary.error == "Frequency cap: 2 emails in 7 days already"
    assert review_request.status == MessageStatus.QUEUED
    assert review_request.error.startswith("Frequency cap: 2 emails in 7 days already; deferred")
    assert review_request.attempts == 0  # being held back is not a failed attempt
    # It may go when the survey leaves the 7-day window, at the campaign's hour.
    frees_at = survey.sent_at + dt.timedelta(days=7)
    assert review_request.due_at >= frees_at
    assert review_request.due_at - frees_at <= dt.timedelta(days=1)
    assert [m.to for m in mail.outbox] == [["busy@example.com"], ["busy@example.com"]]


def test_a_deferred_message_goes_once_the_window_has_passed(contact):
    review = campaign("review-request")
    review.review_url = "https://example.org/review"
    review.save()
    send("nps-quarterly")
    send("birthday")
    deferred = send("review-request")
    # A week later the first two emails have left the window.
    Message.objects.filter(status=MessageStatus.SENT).update(
        sent_at=timezone.now() - dt.timedelta(days=8)
    )

    pipeline.send_chunk([deferred.pk])

    deferred.refresh_from_db()
    assert deferred.status == MessageStatus.SENT
    assert len(mail.outbox) == 3


def test_staff_notifications_and_tests_neither_count_nor_are_capped(contact, settings):
    settings.FREQUENCY_CAP_EMAILS = 1
    send("nps-quarterly")
    test = Message.objects.create(
        campaign=campaign("birthday"),
        recipient="admin@example.com",
        email="campaign-test",
        occurrence="test:en:0:abc",
        due_at=timezone.now(),
    )

    pipeline.send_chunk([test.pk])

    test.refresh_from_db()
    assert test.status == MessageStatus.SENT


def test_a_cap_of_zero_turns_it_off(contact, settings):
    settings.FREQUENCY_CAP_EMAILS = 0
    for slug in ("nps-quarterly", "birthday", "anniversary"):
        assert send(slug).status == MessageStatus.SENT


def test_two_workers_at_once_cannot_both_slip_under_the_cap(contact, settings):
    """Two messages to one contact claimed at once: the later claim sees the earlier one in
    flight and is held back; the earlier is not held back by the later."""
    settings.FREQUENCY_CAP_EMAILS = 1
    now = timezone.now()
    queue_now(campaign("birthday"), now=now)
    queue_now(campaign("anniversary"), now=now)
    first, second = Message.objects.order_by("pk")
    Message.objects.filter(pk=first.pk).update(status=MessageStatus.SENDING, claimed_at=now)
    Message.objects.filter(pk=second.pk).update(
        status=MessageStatus.SENDING, claimed_at=now + dt.timedelta(milliseconds=5)
    )
    first.refresh_from_db()
    second.refresh_from_db()

    assert capped(first, now=now) is None
    assert capped(second, now=now) is not None
