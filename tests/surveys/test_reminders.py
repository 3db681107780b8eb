"""One reminder per unanswered invitation, never after an answer, never twice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from campaigns import pipeline
from campaigns.models import Campaign, Message, MessageStatus
from campaigns.tasks import run_campaign
from lifecycle.lib import links
from surveys.models import Invitation
from surveys.services import REMINDER_EMAIL, plan_reminders, record_answer
from tests.factories import CustomerContactFactory, MessageFactory, campaign

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
ANSWER_TOKEN = re.compile(r"/s/([^/]+)/\d+/")


def linked_invitations(body: str) -> set:
    """The public ids of the invitations that the answer links in `body` name."""
    return {links.unsign(links.SURVEY_ANSWER, token) for token in ANSWER_TOKEN.findall(body)}


def invite(**contact_fields) -> Invitation:
    """An NPS invitation that really went out (sent now)."""
    message = MessageFactory(contact=CustomerContactFactory(**contact_fields))
    pipeline.send_chunk([message.pk])
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT, message.error
    return Invitation.objects.get(message=message)


def reminders() -> list[Message]:
    return list(Message.objects.filter(email=REMINDER_EMAIL))


def send_reminders() -> None:
    pipeline.send_chunk([message.pk for message in reminders()])


def test_an_unanswered_invitation_gets_one_reminder_after_five_days(mailoutbox):
    invitation = invite()
    nps = campaign("nps-quarterly")
    now = timezone.now()

    too_early = plan_reminders(nps, now=now + 5 * DAY - dt.timedelta(minutes=1))
    on_time = plan_reminders(nps, now=now + 5 * DAY)
    again = plan_reminders(nps, now=now + 6 * DAY)

    (reminder,) = reminders()
    invitation.refresh_from_db()
    assert (too_early, on_time, again) == (0, 1, 0)
    assert invitation.reminder == reminder
    assert reminder.contact == invitation.contact
    assert reminder.occurrence == f"reminder:{invitation.pk}"
    assert reminder.due_at == now + 5 * DAY


def test_the_reminder_carries_the_links_of_the_same_invitation(mailoutbox):
    invitation = invite()
    plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 5 * DAY)

    send_reminders()

    first, reminder = mailoutbox
    assert reminder.subject != first.subject
    # Same invitation, not the same token: each email is signed when it is sent, so the
    # reminder's links carry a later timestamp (and a later expiry) for the same public id.
    assert linked_invitations(reminder.body) == {invitation.public_id}
    assert linked_invitations(first.body) == {invitation.public_id}
    assert "List-Unsubscribe" in reminder.extra_headers
    # A reminder is not a new survey: it makes no invitation of its own.
    assert Invitation.objects.count() == 1
    assert reminders()[0].status == MessageStatus.SENT


def test_the_reminder_speaks_the_language_of_the_invitation(mailoutbox):
    invite(language="es")
    plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 5 * DAY)

    send_reminders()

    assert "¿Qué probabilidad hay" in mailoutbox[-1].body


def test_an_answered_invitation_gets_no_reminder():
    answered, waiting = invite(), invite()
    record_answer(answered, score=9, now=timezone.now())

    created = plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 5 * DAY)

    assert created == 1
    assert [message.contact for message in reminders()] == [waiting.contact]


def test_an_answer_between_queuing_and_sending_skips_the_reminder(mailoutbox):
    invitation = invite()
    plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 5 * DAY)
    record_answer(invitation, score=0, now=timezone.now())

    send_reminders()

    (reminder,) = reminders()
    assert reminder.status == MessageStatus.SKIPPED
    assert reminder.error == "Already answered."
    assert len(mailoutbox) == 1  # the invitation only


def test_an_expired_invitation_gets_no_reminder():
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + 5 * DAY + dt.timedelta(hours=12)
    )

    created = plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 5 * DAY)

    assert created == 0
    assert reminders() == []


def test_an_invitation_that_expires_before_its_reminder_goes_skips_it(mailoutbox):
    invitation = invite()
    plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 5 * DAY)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - DAY)

    send_reminders()

    assert reminders()[0].status == MessageStatus.SKIPPED
    assert len(mailoutbox) == 1


def test_a_contact_who_unsubscribed_gets_no_reminder(mailoutbox):
    invitation = invite()
    plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 5 * DAY)
    invitation.contact.unsubscribed_surveys_at = timezone.now()
    invitation.contact.save(update_fields=["unsubscribed_surveys_at"])

    send_reminders()

    assert reminders()[0].status == MessageStatus.SKIPPED
    assert len(mailoutbox) == 1


def test_a_campaign_with_no_reminder_delay_sends_none():
    invite()
    Campaign.objects.filter(slug="nps-quarterly").update(reminder_after_days=0)

    created = plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 30 * DAY)

    assert created == 0


def test_a_skipped_invitation_message_gets_no_reminder():
    message = MessageFactory(contact=CustomerContactFactory(email_consent=False))
    pipeline.send_chunk([message.pk])

    created = plan_reminders(campaign("nps-quarterly"), now=timezone.now() + 5 * DAY)

    assert created == 0


def test_the_campaign_task_plans_the_reminders():
    invitation = invite()
    Message.objects.filter(pk=invitation.message_id).update(sent_at=timezone.now() - 6 * DAY)

    run_campaign(campaign("nps-quarterly").pk)
    run_campaign(campaign("nps-quarterly").pk)

    assert len(reminders()) == 1
