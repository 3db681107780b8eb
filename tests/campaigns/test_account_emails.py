"""The account page lists every campaign email its contacts got, and why, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Engagement, Message
from tests.factories import CustomerContactFactory, MessageFactory, campaign

pytestmark = pytest.mark.django_db


def page(client, account) -> str:
    return client.get(f"/accounts/{account.pk}/").content.decode()


def test_the_account_page_shows_each_email_with_its_reason_and_whether_it_was_clicked(
    viewer_client,
):
    contact = CustomerContactFactory(first_name="Lucía", last_name="Pérez")
    birthday = MessageFactory(
        contact=contact, campaign=campaign("birthday"), reason="Birthday 06-02", status="sent"
    )
    Engagement.objects.create(
        message=birthday, kind="open", occurred_at=timezone.now(), user_agent="Chrome"
    )
    MessageFactory(
        contact=contact,
        campaign=campaign("anniversary"),
        reason="3 years as a customer (since 2023-06-02)",
        status="skipped",
        error="Frequency cap: 3 emails in 7 days already",
    )

    html = page(viewer_client, contact.account)

    assert "Birthday 06-02" in html and "Birthday" in html
    assert "3 years as a customer (since 2023-06-02)" in html
    assert "Frequency cap: 3 emails in 7 days already" in html
    assert "Lucía Pérez" in html


def test_the_email_section_costs_the_same_queries_for_3_and_for_30_emails(viewer_client):
    contact = CustomerContactFactory()

    def queries_with(count: int) -> int:
        Message.objects.all().delete()
        for _ in range(count):
            MessageFactory(contact=contact, campaign=campaign("birthday"))
        with CaptureQueriesContext(connection) as captured:
            page(viewer_client, contact.account)
        return len(captured)

    assert queries_with(3) == queries_with(30)


def test_an_account_without_emails_says_so(viewer_client):
    contact = CustomerContactFactory()

    assert "No campaign has emailed this account’s contacts yet." in page(
        viewer_client, contact.account
    )
