"""`manage.py send_campaign SLUG`: today's occurrence now, through the workers' path."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns.models import Campaign, Message, MessageStatus
from campaigns.services import plan, record_event
from tests.factories import CustomerContactFactory, campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(smtp, settings):
    # Beat's path, with the workers inside this process.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CAMPAIGN_SEND_CHUNK = 2
    return smtp


def send_campaign(slug: str) -> str:
    out = StringIO()
    call_command("send_campaign", slug, stdout=out)
    return out.getvalue()


def test_it_sends_the_survey_to_the_whole_audience_now(smtp):
    contacts = CustomerContactFactory.create_batch(5)
    CustomerContactFactory(paying=False)
    CustomerContactFactory(unsubscribed_surveys_at=timezone.now())

    output = send_campaign("nps-quarterly")

    # Whatever each contact's slot in the quarter: everyone goes now.
    assert sorted(smtp.recipients()) == sorted(contact.email for contact in contacts)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert "5 new messages queued" in output


def test_running_it_twice_the_same_day_sends_nothing_twice(smtp):
    CustomerContactFactory.create_batch(3)

    send_campaign("nps-quarterly")
    output = send_campaign("nps-quarterly")

    assert smtp.count == 3
    assert Message.objects.count() == 3
    assert "0 new messages queued" in output


def test_it_sends_now_what_the_rolling_plan_had_queued_for_later_today(smtp):
    nps = campaign("nps-quarterly")
    contact = CustomerContactFactory(timezone="Pacific/Kiritimati")
    # Planned by an earlier run of this cycle for a later hour.
    plan(nps, now=timezone.now(), immediate=True)
    Message.objects.update(due_at=timezone.now() + dt.timedelta(hours=10))

    send_campaign("nps-quarterly")

    assert smtp.recipients() == [contact.email]
    assert Message.objects.get().status == MessageStatus.SENT


def test_it_sends_the_queued_emails_of_an_event_campaign_now(smtp):
    contact = CustomerContactFactory()
    record_event(type="ticket_closed", contact=contact, occurred_at=timezone.now())

    send_campaign("csat")

    assert smtp.recipients() == [contact.email]
    assert Message.objects.get().campaign.slug == "csat"


def test_an_unknown_slug_is_an_error_that_lists_the_campaigns():
    with pytest.raises(CommandError, match="nps-quarterly"):
        send_campaign("no-such-campaign")


def test_a_disabled_campaign_is_an_error(smtp):
    Campaign.objects.filter(slug="nps-quarterly").update(enabled=False)
    CustomerContactFactory()

    with pytest.raises(CommandError, match="disabled"):
        send_campaign("nps-quarterly")
    assert smtp.count == 0
