"""Email engagement in the period metrics (docs/metrics.md): counted by when the mail server
took each email, people's opens and clicks only, a click proving an open."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from campaigns.models import DeliveryEvent, Engagement, Message, TrackedLink, Unsubscription
from lifecycle.metrics.periods import Period
from lifecycle.metrics.queries import Segment, period_metrics
from tests.factories import AccountFactory, CustomerContactFactory, MessageFactory, campaign

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


def sent(contact=None, *, on: int = 5) -> Message:
    return MessageFactory(
        contact=contact or CustomerContactFactory(),
        campaign=campaign("birthday"),
        status="sent",
        sent_at=at(on),
        due_at=at(on),
    )


def hit(message: Message, kind: str, *, machine: bool = False) -> None:
    link = None
    if kind == "click":
        link, _ = TrackedLink.objects.get_or_create(
            message=message, position=0, defaults={"url": "https://example.org/"}
        )
    Engagement.objects.create(
        message=message, link=link, kind=kind, occurred_at=at(6), machine=machine
    )


def test_people_s_opens_and_clicks_over_the_emails_sent_in_the_period():
    opened, clicked_only, machine_only, bounced, quit_, _untouched = (sent() for _ in range(6))
    hit(opened, "open")
    hit(opened, "open")  # the same person twice: one open
    hit(clicked_only, "click")  # images off, but the click proves the open
    hit(machine_only, "open", machine=True)
    hit(machine_only, "click", machine=True)
    DeliveryEvent.objects.create(message=bounced, kind="bounced", occurred_at=at(6), provider="x")
    Unsubscription.objects.create(
        contact=quit_.contact, category="lifecycle", message=quit_, source="one_click"
    )
    sent(on=31)  # the period's last day
    MessageFactory(status="sent", sent_at=at(1) - dt.timedelta(days=1))  # February
    MessageFactory(status="queued")  # not sent
    Message.objects.create(  # a notification to staff is not a contact's email
        recipient="owner@example.com", email="owner-alert", occurrence="owner-alert:1",
        due_at=at(5), status="sent", sent_at=at(5),
    )  # fmt: skip

    found = period_metrics(MARCH)

    assert found["emails_sent"] == 7
    assert (found["unique_opens"], found["unique_clicks"]) == (2, 1)
    assert (found["emails_bounced"], found["unsubscribes"]) == (1, 1)
    assert found["open_rate"] == pytest.approx(2 / 7)
    assert found["click_rate"] == pytest.approx(1 / 7)
    assert found["click_to_open_rate"] == 0.5
    assert found["bounce_rate"] == pytest.approx(1 / 7)
    assert found["unsubscribe_rate"] == pytest.approx(1 / 7)


def test_no_email_sent_means_no_rate():
    found = period_metrics(MARCH)

    assert found["emails_sent"] == 0
    assert found["open_rate"] is None and found["click_to_open_rate"] is None


def test_the_segment_keeps_its_accounts_emails_only():
    retail = AccountFactory(industry="Retail")
    sent(CustomerContactFactory(account=retail))
    sent()

    assert period_metrics(MARCH, Segment(industry="Retail"))["emails_sent"] == 1


def test_the_command_and_the_api_give_the_email_keys(viewer_client):
    hit(sent(), "click")
    out = StringIO()

    call_command("metrics", "--start", "2026-03-01", "--end", "2026-04-01", "--json", stdout=out)
    api = viewer_client.get("/api/v1/metrics/?start=2026-03-01&end=2026-04-01").json()

    assert json.loads(out.getvalue()) == api
    assert (api["emails_sent"], api["unique_clicks"], api["click_rate"]) == (1, 1, 1.0)


def test_the_overview_shows_email_engagement_clicks_first(viewer_client):
    hit(sent(), "click")

    page = viewer_client.get("/?start=2026-03-01&end=2026-04-01").content.decode()

    section = page[page.index('id="email-engagement"') :]
    assert section.index('data-metric="click_rate"') < section.index('data-metric="open_rate"')
    assert "100.0%" in section
