"""Campaign emails written in admin: checked in a sandbox before they are saved, rendered per
language with an English fallback, and sent once to a broadcast's whole audience."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns import content
from campaigns.models import Campaign, CampaignContent, Message, MessageStatus
from campaigns.schedules import ensure_schedule
from campaigns.services import record_event, run_schedule
from tests.campaigns.admin_forms import campaign_form
from tests.factories import (
    AccountFactory,
    CustomerContactFactory,
    SubscriptionFactory,
    written_campaign,
)

CAMPAIGNS = "/admin/campaigns/campaign/"


@pytest.mark.parametrize(
    "source",
    [
        "Hello {{ fist_name }}",  # a typo
        "{{ first_name.upper.__class__ }}",
        "{{ account_name.pk }}",  # reaching into a value
        "{% load static %}{% static 'x' %}",
        "{% for x in y %}{% endfor %}",
        "{% include 'base.html' %}",
        "{{ first_name|safe }}",
        "{% if secret %}x{% endif %}",
        "{% if first_name %}unclosed",
    ],
)
def test_a_template_with_an_unknown_variable_or_a_forbidden_tag_is_refused(source):
    assert content.problems(source)


def test_the_allowed_variables_and_the_if_tag_pass_and_render():
    source = "{% if years_as_customer > 1 %}{{ years_as_customer }} years{% else %}New{% endif %}"

    assert content.problems(source) == []
    assert content.render(source, {**content.SAMPLE, "years_as_customer": 3}, html=False) == (
        "3 years"
    )


def test_html_is_escaped_and_text_is_not():
    values = {**content.SAMPLE, "account_name": "<b>Acme & Co</b>"}

    assert content.render("{{ account_name }}", values, html=True) == (
        "&lt;b&gt;Acme &amp; Co&lt;/b&gt;"
    )
    assert content.render("{{ account_name }}", values, html=False) == "<b>Acme & Co</b>"


def broadcast_form(**content_values: str) -> dict[str, object]:
    """A one-off broadcast with its English email, as admin posts it."""
    return campaign_form(
        name="December news",
        slug="december-news",
        trigger="once",
        **{
            "contents-TOTAL_FORMS": "1",
            "contents-0-language": "en",
            "contents-0-subject": content_values.get("subject", "News for {{ account_name }}"),
            "contents-0-text_body": content_values.get("text", "Hi {{ first_name }}"),
            "contents-0-html_body": content_values.get("html", "<p>Hi {{ first_name }}</p>"),
        },
    )


@pytest.mark.django_db
def test_the_admin_refuses_content_with_an_unknown_variable_and_saves_nothing(admin_client_):
    response = admin_client_.post(CAMPAIGNS + "add/", broadcast_form(html="<p>{{ nmae }}</p>"))

    assert response.status_code == 200
    assert "Unknown variable “nmae”" in response.content.decode()
    assert not Campaign.objects.filter(slug="december-news").exists()


@pytest.mark.django_db
def test_the_admin_saves_content_that_renders(admin_client_):
    response = admin_client_.post(CAMPAIGNS + "add/", broadcast_form())

    assert response.status_code == 302
    written = CampaignContent.objects.get(campaign__slug="december-news")
    assert written.subject == "News for {{ account_name }}"


@pytest.fixture
def smtp(smtp, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the workers run inside this process
    return smtp


@pytest.fixture
def broadcast(db) -> Campaign:
    campaign = written_campaign(
        "december-news",
        subject="News for {{ account_name }}",
        body="Hi {{ first_name }}, {{ years_as_customer }} years with us.",
    )
    CampaignContent.objects.create(
        campaign=campaign,
        language="es",
        subject="Novedades para {{ account_name }}",
        text_body="Hola {{ first_name }}",
        html_body="<p>Hola {{ first_name }}</p>",
    )
    ensure_schedule(campaign)
    return campaign


def send_campaign(slug: str) -> str:
    out = StringIO()
    call_command("send_campaign", slug, stdout=out)
    return out.getvalue()


def test_a_broadcast_reaches_every_customer_contact_once_in_their_language(smtp, broadcast):
    account = AccountFactory(name="Acme")
    today = timezone.localdate()
    SubscriptionFactory(account=account, started_on=today.replace(year=today.year - 3))
    CustomerContactFactory(account=account, first_name="Ann", email="ann@acme.test", paying=False)
    CustomerContactFactory(first_name="Ana", email="ana@acme.test", language="es-MX")
    CustomerContactFactory(first_name="Олег", email="oleg@acme.test", language="ru")
    CustomerContactFactory(email="out@acme.test", unsubscribed_marketing_at=timezone.now())
    CustomerContactFactory(email="prospect@acme.test", paying=False)

    first = send_campaign("december-news")
    second = send_campaign("december-news")

    by_address = {str(message["To"]): message for message in smtp.messages}
    assert sorted(by_address) == ["ana@acme.test", "ann@acme.test", "oleg@acme.test"]
    assert by_address["ann@acme.test"]["Subject"] == "News for Acme"
    ann = by_address["ann@acme.test"].get_body(("plain",)).get_content()
    assert "Hi Ann, 3 years with us." in ann
    assert by_address["ana@acme.test"].get_body(("plain",)).get_content().startswith("Hola Ana")
    assert "Hi Олег" in by_address["oleg@acme.test"].get_body(("plain",)).get_content()
    assert all(message["List-Unsubscribe-Post"] for message in smtp.messages)
    assert "3 new messages queued" in first
    assert "0 new messages queued" in second
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_the_admins_send_now_asks_first_then_sends_a_broadcast_once(smtp, broadcast, admin_client_):
    CustomerContactFactory.create_batch(2)
    action = {"action": "send_now", "_selected_action": [broadcast.pk]}

    confirmation = admin_client_.post(CAMPAIGNS, action)
    assert "2 contacts in its audience today" in confirmation.content.decode()
    assert not Message.objects.exists()
    admin_client_.post(CAMPAIGNS, {**action, "confirmed": "yes"})
    admin_client_.post(CAMPAIGNS, {**action, "confirmed": "yes"})

    assert smtp.count == 2


@pytest.mark.django_db
def test_the_preview_shows_the_email_a_contact_would_get_in_spanish(broadcast, admin_client_):
    contact = CustomerContactFactory(first_name="Lucía", account__name="Café <Ñ>")
    url = f"{CAMPAIGNS}{broadcast.pk}/preview/"

    page = admin_client_.get(url, {"language": "es", "contact": contact.email}).content.decode()

    assert "Novedades para Café &lt;Ñ&gt;" in page
    assert "Hola Lucía" in page
    # The HTML part sits escaped in the iframe's srcdoc: it cannot reach the admin page.
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in page
    assert "&lt;p&gt;Hola Lucía&lt;/p&gt;" in page


@pytest.mark.django_db
def test_an_unknown_contact_or_language_previews_with_sample_values_in_english(
    broadcast, admin_client_
):
    url = f"{CAMPAIGNS}{broadcast.pk}/preview/"

    page = admin_client_.get(url, {"language": "xx", "contact": "nobody"}).content.decode()

    assert "News for Acme" in page  # the sample account name


def test_send_a_test_to_me_goes_through_the_pipeline_to_the_admin_only(
    smtp, broadcast, admin_client_, admin_user, django_capture_on_commit_callbacks
):
    contact = CustomerContactFactory(first_name="Lucía")
    url = f"{CAMPAIGNS}{broadcast.pk}/preview/"

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(url, {"language": "es", "contact": contact.email})

    (test,) = smtp.messages
    assert test["To"] == admin_user.email
    assert test["Subject"] == "[Test] Novedades para " + contact.account.name
    assert "Hola Lucía" in test.get_body(("plain",)).get_content()
    sent = Message.objects.get(email="campaign-test")
    assert (sent.contact, sent.status) == (None, MessageStatus.SENT)


def test_content_nested_too_deeply_is_refused_rather_than_failing_at_send_time():
    nested = "{% if first_name %}" * 400 + "x" + "{% endif %}" * 400

    assert content.problems(nested) == ["Nested too deeply."]


@pytest.mark.django_db
def test_the_admin_asks_for_the_english_email_the_other_languages_fall_back_to(admin_client_):
    form = broadcast_form()
    form["contents-0-language"] = "es"

    response = admin_client_.post(CAMPAIGNS + "add/", form)

    assert response.status_code == 200
    assert "Write the English email too" in response.content.decode()
    assert not Campaign.objects.filter(slug="december-news").exists()


@pytest.mark.django_db
def test_a_contacts_name_cannot_inject_html_into_the_preview(broadcast, admin_client_):
    attack = "<img src=x onerror=alert(1)>"
    contact = CustomerContactFactory(first_name=attack, language="en")

    url = f"{CAMPAIGNS}{broadcast.pk}/preview/"
    page = admin_client_.get(url, {"contact": contact.email}).content.decode()

    assert attack not in page
    assert "Hi &lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.django_db
def test_the_preview_speaks_the_contacts_language_unless_told_otherwise(broadcast, admin_client_):
    contact = CustomerContactFactory(first_name="Lucía", language="es-MX")
    url = f"{CAMPAIGNS}{broadcast.pk}/preview/"

    page = admin_client_.get(url, {"contact": contact.email}).content.decode()

    assert "Hola Lucía" in page


@pytest.mark.django_db
def test_sending_a_campaign_with_nothing_written_says_so(admin_client_):
    empty = Campaign.objects.create(
        slug="empty", name="Empty", category="marketing", trigger="once"
    )

    response = admin_client_.post(
        CAMPAIGNS,
        {"action": "send_now", "_selected_action": [empty.pk], "confirmed": "yes"},
        follow=True,
    )

    assert "cannot send yet. It has no email yet" in response.content.decode()
    with pytest.raises(CommandError, match="no email yet"):
        send_campaign("empty")


@pytest.mark.django_db
def test_the_confirmation_says_what_is_missing_and_offers_no_send_when_nothing_can_go(
    admin_client_,
):
    CustomerContactFactory.create_batch(2)
    empty = Campaign.objects.create(
        slug="empty", name="Empty", category="marketing", trigger="once"
    )

    page = admin_client_.post(
        CAMPAIGNS, {"action": "send_now", "_selected_action": [empty.pk]}
    ).content.decode()

    assert "cannot send yet: It has no email yet: write its content in admin." in page
    assert "Yes, send now" not in page and "Nothing can be sent: take me back" in page


@pytest.mark.django_db
def test_the_confirmation_still_offers_to_send_what_can_go_beside_what_cannot(
    broadcast, admin_client_
):
    CustomerContactFactory.create_batch(2)
    empty = Campaign.objects.create(
        slug="empty", name="Empty", category="marketing", trigger="once"
    )

    page = admin_client_.post(
        CAMPAIGNS, {"action": "send_now", "_selected_action": [broadcast.pk, empty.pk]}
    ).content.decode()

    assert "2 contacts in its audience today" in page and "cannot send yet:" in page
    assert "Yes, send now" in page


def test_an_event_campaign_with_nothing_written_yet_neither_fails_the_event_nor_sends(db):
    Campaign.objects.create(
        slug="after-demo",
        name="After a demo",
        category="marketing",
        trigger="event",
        event_type="demo_done",
    )
    rolling = Campaign.objects.create(
        slug="monthly", name="Monthly", category="marketing", trigger="rolling"
    )
    contact = CustomerContactFactory()

    _event, created = record_event(
        type="demo_done", contact=contact, occurred_at=timezone.now(), now=timezone.now()
    )

    assert created
    assert run_schedule(rolling, now=timezone.now()) == 0
    assert not Message.objects.exists()
