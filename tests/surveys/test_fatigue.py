"""Survey fatigue: nobody gets two surveys too close together, whatever the campaign."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Contact
from campaigns import pipeline
from campaigns.models import Message, MessageStatus
from campaigns.services import plan, queue_now, record_event
from surveys.models import Invitation
from surveys.selectors import surveyable, throttled
from surveys.services import invitation_for
from tests.factories import (
    CustomerContactFactory,
    InvitationFactory,
    MessageFactory,
    campaign,
    survey,
)

pytestmark = pytest.mark.django_db


def invited(contact: Contact, slug: str, *, days_ago: int, now: dt.datetime) -> Invitation:
    invitation = InvitationFactory(contact=contact, survey=survey(slug))
    Invitation.objects.filter(pk=invitation.pk).update(created_at=now - dt.timedelta(days=days_ago))
    return invitation


def nps_audience(now: dt.datetime) -> set[int]:
    queue_now(campaign("nps-quarterly"), now=now)
    return set(Message.objects.values_list("contact", flat=True))


def test_a_contact_invited_to_csat_ten_days_ago_is_not_invited_to_nps():
    now = timezone.now()
    recent, fresh = CustomerContactFactory(), CustomerContactFactory()
    invited(recent, "csat", days_ago=10, now=now)

    assert nps_audience(now) == {fresh.pk}


def test_any_survey_blocks_every_other_for_the_fatigue_days(settings):
    settings.SURVEY_FATIGUE_DAYS = 30
    now = timezone.now()
    blocked, free = CustomerContactFactory(), CustomerContactFactory()
    invited(blocked, "ces", days_ago=29, now=now)
    invited(free, "ces", days_ago=30, now=now)

    assert nps_audience(now) == {free.pk}


def test_the_fatigue_days_come_from_the_settings(settings):
    settings.SURVEY_FATIGUE_DAYS = 7
    now = timezone.now()
    contact = CustomerContactFactory()
    invited(contact, "csat", days_ago=8, now=now)

    assert nps_audience(now) == {contact.pk}


def test_an_nps_within_ninety_days_is_skipped_and_after_it_is_not():
    now = timezone.now()
    within, after = CustomerContactFactory(), CustomerContactFactory()
    invited(within, "nps", days_ago=89, now=now)
    invited(after, "nps", days_ago=90, now=now)

    assert nps_audience(now) == {after.pk}


def test_a_throttled_contact_is_skipped_not_queued_for_later():
    now = timezone.now()
    contact = CustomerContactFactory()
    invited(contact, "nps", days_ago=5, now=now)

    event, created = record_event(
        type="ticket_closed", contact=contact, occurred_at=now, external_id="t-1", now=now
    )
    queued_later = queue_now(campaign("csat"), now=now + dt.timedelta(days=60))

    assert created
    assert event.pk
    assert queued_later == 0
    assert not Message.objects.exists()


def test_a_throttled_contact_is_left_out_of_the_rolling_plan():
    now = timezone.now()
    contact = CustomerContactFactory()
    invited(contact, "csat", days_ago=1, now=now)

    created = plan(campaign("nps-quarterly"), now=now, immediate=True)

    assert created == 0


def test_a_message_throttled_by_the_time_it_is_sent_is_skipped(mailoutbox):
    message = MessageFactory()
    # A CSAT went out after the NPS was planned.
    InvitationFactory(contact=message.contact, survey=survey("csat"))

    sent = pipeline.send_chunk([message.pk])

    message.refresh_from_db()
    assert sent == 0
    assert message.status == MessageStatus.SKIPPED
    assert "fatigue" in message.error
    assert mailoutbox == []
    assert not Invitation.objects.filter(message=message).exists()


def test_a_retried_message_is_not_throttled_by_its_own_invitation(mailoutbox):
    message = MessageFactory()
    # An earlier attempt made the invitation, then the mail server refused the data.
    invitation_for(message, language="en")

    pipeline.send_chunk([message.pk])

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mailoutbox) == 1
    assert Invitation.objects.filter(contact=message.contact).count() == 1


def test_unsubscribed_from_surveys_contacts_are_never_invited(mailoutbox):
    now = timezone.now()
    contact = CustomerContactFactory(unsubscribed_surveys_at=now - dt.timedelta(days=400))

    planned = plan(campaign("nps-quarterly"), now=now, immediate=True)
    record_event(type="ticket_closed", contact=contact, occurred_at=now)

    assert planned == 0
    assert not Message.objects.exists()
    assert not surveyable(Contact.objects.all(), survey("nps"), now=now).exists()


@pytest.mark.parametrize(
    "change",
    [{"unsubscribed_surveys_at": timezone.now()}, {"email_consent": False}],
    ids=["unsubscribed", "consent-withdrawn"],
)
def test_a_contact_who_opts_out_after_planning_is_skipped_at_sending(change, mailoutbox):
    message = MessageFactory()
    Contact.objects.filter(pk=message.contact_id).update(**change)

    pipeline.send_chunk([message.pk])

    message.refresh_from_db()
    assert message.status == MessageStatus.SKIPPED
    assert mailoutbox == []


def test_an_invitation_sent_makes_the_contact_throttled_for_other_surveys(mailoutbox):
    message = MessageFactory()
    now = timezone.now()

    pipeline.send_chunk([message.pk])

    assert throttled(message.contact, survey("csat"), now=now)
    assert throttled(message.contact, survey("nps"), now=now + dt.timedelta(days=89))
    assert not throttled(message.contact, survey("nps"), now=now + dt.timedelta(days=91))


def test_two_tickets_closed_the_same_day_make_one_csat_email(mailoutbox):
    contact = CustomerContactFactory()
    now = timezone.now()
    for ticket in ("t-1", "t-2"):
        record_event(
            type="ticket_closed", contact=contact, occurred_at=now, external_id=ticket, now=now
        )
    messages = list(Message.objects.order_by("pk"))

    pipeline.send_chunk([message.pk for message in messages])

    assert [Message.objects.get(pk=m.pk).status for m in messages] == [
        MessageStatus.SENT,
        MessageStatus.SKIPPED,
    ]
    assert len(mailoutbox) == 1
