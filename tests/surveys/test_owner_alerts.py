"""The owner alert waits OWNER_ALERT_DELAY_MINUTES for the customer's comment, goes as soon
as the comment comes, is sent by the every-minute beat tick once due, and never twice."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from campaigns import tasks as campaign_tasks
from campaigns.models import Message, MessageStatus
from lifecycle.lib import links
from surveys.models import FollowUp, Invitation, Response
from surveys.services import record_answer
from tests.factories import AccountFactory, CustomerContactFactory, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DELAY = 10
NO_COMMENT = "None: the customer gave only a score."


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.OWNER_ALERT_DELAY_MINUTES = DELAY


@pytest.fixture
def invitation() -> Invitation:
    account = AccountFactory(name="Acme", owner=UserFactory(email="owner@example.com"))
    return InvitationFactory(contact=CustomerContactFactory(account=account))


@pytest.fixture
def answer(django_capture_on_commit_callbacks):
    """record_answer as a request makes it: committed, then its after-commit tasks run."""

    def record(invitation: Invitation, score: int, comment: str | None = None, **kw) -> Response:
        with django_capture_on_commit_callbacks(execute=True):
            return record_answer(
                invitation, score=score, comment=comment, now=kw.get("now") or timezone.now()
            )

    return record


def alert_of(response: Response) -> Message:
    return Message.objects.get(alerted_response=response)


def test_the_one_click_score_queues_the_alert_for_later_and_sends_nothing_yet(
    invitation, answer, mailoutbox
):
    before = timezone.now()

    response = answer(invitation, score=3)
    campaign_tasks.tick()  # the beat's minute tick: not due yet

    alert = alert_of(response)
    assert alert.status == MessageStatus.QUEUED
    assert before + dt.timedelta(minutes=DELAY) <= alert.due_at
    assert alert.due_at <= timezone.now() + dt.timedelta(minutes=DELAY)
    assert mailoutbox == []


def test_the_comment_sends_the_waiting_alert_at_once_with_the_comment_and_every_reason(
    invitation, answer, mailoutbox
):
    earlier = InvitationFactory(contact=invitation.contact)
    answer(earlier, score=9, now=timezone.now() - dt.timedelta(days=90))
    response = answer(invitation, score=3)
    assert mailoutbox == []

    answer(invitation, score=3, comment="Support never called back")

    (email,) = mailoutbox
    assert email.to == ["owner@example.com"]
    assert "Support never called back" in email.body
    assert "NPS detractor, Score dropped" in email.body
    html = email.alternatives[0][0]
    assert "Support never called back" in html
    assert "NPS detractor, Score dropped" in html
    assert FollowUp.objects.get(response=response).get_absolute_url() in email.body
    assert alert_of(response).status == MessageStatus.SENT


def test_the_form_sent_without_a_comment_sends_the_alert_saying_there_is_none(
    invitation, answer, mailoutbox
):
    answer(invitation, score=2)

    answer(invitation, score=2, comment="")

    (email,) = mailoutbox
    assert NO_COMMENT in email.body
    assert NO_COMMENT in email.alternatives[0][0]


def test_without_a_comment_the_beat_tick_sends_the_alert_once_it_is_due(
    invitation, answer, mailoutbox
):
    answered_at = timezone.now() - dt.timedelta(minutes=DELAY + 1)
    response = answer(invitation, score=1, now=answered_at)
    assert mailoutbox == []  # not handed to the workers when it was queued

    campaign_tasks.tick()
    campaign_tasks.tick()

    (email,) = mailoutbox
    assert NO_COMMENT in email.body
    assert alert_of(response).status == MessageStatus.SENT


def test_the_tick_that_sends_due_alerts_runs_every_minute_in_beat():
    tick = PeriodicTask.objects.get(task="campaigns.tick")

    assert tick.enabled
    assert (tick.interval.every, tick.interval.period) == (60, "seconds")


def test_a_comment_after_the_alert_went_sends_nothing_more(invitation, answer, mailoutbox):
    response = answer(invitation, score=2, now=timezone.now() - dt.timedelta(minutes=DELAY + 1))
    campaign_tasks.tick()
    assert len(mailoutbox) == 1

    answer(invitation, score=2, comment="Also, the invoices are wrong")
    campaign_tasks.tick()

    assert len(mailoutbox) == 1
    assert Message.objects.filter(email="owner-alert").count() == 1
    assert alert_of(response).status == MessageStatus.SENT


def test_a_first_answer_that_brings_its_comment_sends_the_alert_at_once(
    invitation, answer, mailoutbox
):
    answer(invitation, score=4, comment="Too slow")  # the form without JavaScript

    (email,) = mailoutbox
    assert "Too slow" in email.body


def test_a_delay_of_zero_sends_the_alert_at_once(invitation, answer, mailoutbox, settings):
    settings.OWNER_ALERT_DELAY_MINUTES = 0

    response = answer(invitation, score=3)

    (email,) = mailoutbox
    assert NO_COMMENT in email.body
    assert alert_of(response).due_at == response.owner_alerted_at


def test_a_score_corrected_to_a_good_one_before_the_alert_went_sends_none(
    invitation, answer, mailoutbox
):
    response = answer(invitation, score=2)

    answer(invitation, score=9, comment="Sorry, I clicked the wrong number")

    assert mailoutbox == []
    alert = alert_of(response)
    assert alert.status == MessageStatus.SKIPPED
    assert "no longer needs a follow-up" in alert.error


def test_the_answer_pages_hold_the_alert_until_the_comment_is_sent(
    client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    token = links.sign(links.SURVEY_ANSWER, invitation.public_id)
    form = reverse("surveys:answer-form", args=[token])

    # The page's script records the clicked score alone, before the customer types.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form, {"score": "3"}, HTTP_ACCEPT="application/json")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form, {"score": "3", "comment": "Reports time out every Monday"})

    (email,) = mailoutbox
    assert "Reports time out every Monday" in email.body


@pytest.mark.parametrize("value", ["-1", "ten"])
def test_a_malformed_delay_stops_the_app_from_starting(value):
    env = {**os.environ, "OWNER_ALERT_DELAY_MINUTES": value}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "OWNER_ALERT_DELAY_MINUTES" in result.stderr
