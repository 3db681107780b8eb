"""The outbox shows customers' signed links only to Admins: a Marketer reading a survey email
sees its answer, unsubscribe and preferences links as [token], in the HTML and the text
version and in the headers, and cannot act as the customer with them."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from campaigns import pipeline
from campaigns.models import MessageStatus
from lifecycle.lib.signed_paths import MASK
from lifecycle.outbox.models import OutboxEmail
from surveys.models import Response
from tests.factories import CustomerContactFactory, MessageFactory

pytestmark = pytest.mark.django_db

SIGNED = re.compile(r"/(s|u|preferences|t/o|t/c|r)/([^/\s\"'<>&\[]+)")


@pytest.fixture
def survey_email(settings) -> OutboxEmail:
    """A real survey invitation, sent through the pipeline into the local outbox."""
    settings.EMAIL_BACKEND = "lifecycle.outbox.backends.OutboxBackend"
    settings.SITE_URL = "https://crm.example.com"
    message = MessageFactory(contact=CustomerContactFactory())
    pipeline.send_chunk([message.pk])
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT, message.error
    return OutboxEmail.objects.get()


def boundary(email: OutboxEmail) -> str:
    return re.search(r'boundary="([^"]+)"', email.raw)[1]


def tokens_in(text: str) -> set[str]:
    return {token for _prefix, token in SIGNED.findall(html.unescape(text))}


def test_an_admin_sees_the_email_as_sent(admin_client_: Client, survey_email) -> None:
    page = admin_client_.get(survey_email.get_absolute_url()).content.decode()

    assert tokens_in(survey_email.body_text) <= tokens_in(page)
    assert f"--{boundary(survey_email)}" in page  # the raw message, part by part
    assert MASK not in page


def test_a_marketer_sees_no_signed_link_of_the_customer(
    marketer_client: Client, survey_email
) -> None:
    sent = tokens_in(survey_email.raw) | tokens_in(survey_email.body_html)
    assert len(sent) >= 3  # score links, unsubscribe, preferences

    response = marketer_client.get(survey_email.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert not sent & tokens_in(page)
    assert not any(token in page for token in sent)
    assert f"--{boundary(survey_email)}" not in page  # no raw source


def test_the_marketers_text_html_and_headers_show_the_links_masked(
    marketer_client: Client, survey_email
) -> None:
    context = marketer_client.get(survey_email.get_absolute_url()).context

    assert f"https://crm.example.com/s/{MASK}/9/" in context["text"]
    assert f'href="https://crm.example.com/s/{MASK}/9/"' in context["preview"]
    headers = dict(context["headers"])
    assert headers["List-Unsubscribe"].startswith(f"<https://crm.example.com/u/{MASK}/>")
    assert headers["Subject"] == survey_email.subject


def test_a_masked_link_answers_nothing(marketer_client: Client, survey_email, client) -> None:
    context = marketer_client.get(survey_email.get_absolute_url()).context
    (score_link,) = re.findall(r"https://crm\.example\.com(/s/[^\s]+/9/)", context["text"])

    response = client.get(score_link)

    assert response.status_code == 404
    assert not Response.objects.exists()
