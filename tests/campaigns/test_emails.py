"""What a survey email looks like when a real SMTP server receives it."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.urls import resolve

from campaigns import pipeline
from campaigns.models import Message, MessageStatus
from lifecycle.lib import links
from lifecycle.lib.emails import language_for, make_message
from surveys.models import Invitation
from tests.factories import CustomerContactFactory, MessageFactory
from tests.smtp import SMTPServer

SITE_URL = "https://crm.example.com"
HREF = re.compile(r'href="([^"]*)"')
URL = re.compile(r"https?://[^\s<>\"]+")


@pytest.fixture
def smtp(smtp, settings):
    settings.SITE_URL = SITE_URL
    return smtp


def send_invitation(smtp: SMTPServer, language: str = "en") -> tuple[Message, EmailMessage]:
    message = MessageFactory(contact=CustomerContactFactory(language=language))
    pipeline.send_chunk([message.pk])
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT, message.error
    (received,) = smtp.messages
    return message, received


def text_and_html(received: EmailMessage) -> tuple[str, str]:
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    return text, html


@pytest.mark.django_db
def test_a_survey_email_is_multipart_with_text_and_html(smtp):
    _message, received = send_invitation(smtp)

    assert received.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in received.iter_parts()]
    assert types == ["text/plain", "text/html"]


@pytest.mark.django_db
def test_a_survey_email_offers_one_click_unsubscribe(smtp):
    message, received = send_invitation(smtp)

    header = str(received["List-Unsubscribe"]).strip()  # a folded header unfolds to " <..."
    match = re.fullmatch(r"<(https://[^>]+)>, <(mailto:[^>]+)>", header)
    assert match, header
    url = match.group(1)
    assert url.startswith(f"{SITE_URL}/")
    view = resolve(urlsplit(url).path)
    assert view.view_name == "campaigns:unsubscribe"
    assert links.unsign(links.UNSUBSCRIBE, view.kwargs["token"]) == message.public_id
    assert str(received["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_every_link_in_a_survey_email_is_absolute_under_the_site_url(smtp):
    _message, received = send_invitation(smtp)
    text, html = text_and_html(received)

    hrefs = HREF.findall(html)
    urls = URL.findall(text)

    # Eleven NPS scores, unsubscribe and preferences, in both parts.
    assert len(hrefs) == 13
    assert len(urls) == 13
    for url in [*hrefs, *urls]:
        assert url.startswith(f"{SITE_URL}/"), url
        resolve(urlsplit(url).path)  # and each one reaches a page of ours


@pytest.mark.django_db
def test_each_score_link_answers_the_invitation_of_this_email(smtp):
    message, received = send_invitation(smtp)
    invitation = Invitation.objects.get(message=message)
    _text, html = text_and_html(received)

    answers = [resolve(urlsplit(url).path) for url in HREF.findall(html)]
    answers = [view for view in answers if view.view_name == "surveys:answer"]

    assert [view.kwargs["score"] for view in answers] == list(range(11))
    for view in answers:
        assert links.unsign(links.SURVEY_ANSWER, view.kwargs["token"]) == invitation.public_id


@pytest.mark.django_db
def test_the_message_id_that_went_out_is_stored_on_the_message(smtp):
    message, received = send_invitation(smtp)

    assert message.message_id
    assert received["Message-ID"] == message.message_id
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", message.message_id)


@pytest.mark.django_db
def test_a_spanish_contact_gets_the_spanish_question(smtp):
    message, received = send_invitation(smtp, language="es")
    text, html = text_and_html(received)

    question = "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?"
    assert question in text
    assert question in html
    assert Invitation.objects.get(message=message).language == "es"


@pytest.mark.django_db
def test_a_regional_tag_gets_its_language(smtp):
    _message, received = send_invitation(smtp, language="es-MX")
    text, _html = text_and_html(received)

    assert "¿Qué probabilidad hay" in text


@pytest.mark.django_db
def test_a_contact_in_an_unsupported_language_gets_english(smtp):
    message, received = send_invitation(smtp, language="de")
    text, html = text_and_html(received)

    question = "How likely are you to recommend us to a friend or colleague?"
    assert question in text
    assert question in html
    assert Invitation.objects.get(message=message).language == "en"


@pytest.mark.parametrize(
    ("tag", "language"),
    [("es", "es"), ("es-MX", "es"), ("RU", "ru"), ("de", "en"), ("", "en"), ("x-bogus", "en")],
)
def test_language_for_maps_a_contact_tag_to_a_ui_language(tag, language):
    assert language_for(tag) == language


def test_links_follow_the_site_url_at_call_time():
    with override_settings(SITE_URL="https://one.example.com"):
        first = links.absolute("/s/abc/")
    with override_settings(SITE_URL="https://two.example.com"):
        second = links.absolute("/s/abc/")

    assert first == "https://one.example.com/s/abc/"
    assert second == "https://two.example.com/s/abc/"


@pytest.mark.django_db
def test_an_email_without_an_unsubscribe_url_carries_no_unsubscribe_headers():
    # Owner alerts go to staff: nothing to unsubscribe from.
    email = make_message(
        "owner-alert",
        "owner@example.com",
        {"response": None, "reasons": [], "response_url": "", "account_url": ""},
        language="en",
    )

    assert "List-Unsubscribe" not in email.extra_headers
    assert "List-Unsubscribe-Post" not in email.extra_headers


@pytest.mark.django_db
def test_the_email_says_which_company_is_asking(smtp, settings):
    settings.COMPANY_NAME = "Acme Analytics"
    settings.COMPANY_ADDRESS = "1 Main Street, Springfield"
    settings.COMPANY_LOGO_URL = "https://cdn.example.com/acme.png"
    settings.DEFAULT_FROM_EMAIL = "Acme Analytics <hello@acme.example>"

    _message, received = send_invitation(smtp)

    text, html = text_and_html(received)
    assert str(received["From"]) == "Acme Analytics <hello@acme.example>"
    assert '<img src="https://cdn.example.com/acme.png" alt="Acme Analytics"' in html
    assert "Sent by Acme Analytics · 1 Main Street, Springfield" in html
    assert "Sent by Acme Analytics, 1 Main Street, Springfield" in text


@pytest.mark.django_db
def test_without_a_logo_the_email_names_the_company(smtp, settings):
    settings.COMPANY_NAME = "Acme Analytics"

    _message, received = send_invitation(smtp)

    _text, html = text_and_html(received)
    assert "<img" not in html.split("</tr>")[0]
    assert "Acme Analytics</td></tr>" in html
