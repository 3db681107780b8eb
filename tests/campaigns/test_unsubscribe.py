"""RFC 8058 one-click unsubscribe, its confirmation page, and the preference page."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from campaigns import subscriptions
from campaigns.message_links import unsubscribe_links
from campaigns.models import Campaign, Category, Trigger, Unsubscription
from lifecycle.lib import links
from tests.factories import InvitationFactory, MessageFactory
from tests.fuzz import FUZZ

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"
BAD_LINK = "This link doesn’t work"


@pytest.fixture
def message():
    """An NPS survey email: its campaign is in the surveys category."""
    return MessageFactory()


@pytest.fixture
def bare_client() -> Client:
    """What a mailbox provider is: no cookie, no session, and CSRF checks enforced."""
    return Client(enforce_csrf_checks=True)


def unsubscribe_url(message) -> str:
    return reverse("campaigns:unsubscribe", args=[links.sign(links.UNSUBSCRIBE, message.public_id)])


def preferences_url(message) -> str:
    return reverse("campaigns:preferences", args=[links.sign(links.PREFERENCES, message.public_id)])


def marketing_message():
    newsletter = Campaign.objects.create(
        slug="newsletter",
        name="Newsletter",
        category=Category.MARKETING,
        trigger=Trigger.EVENT,
        event_type="newsletter",
    )
    return MessageFactory(campaign=newsletter, email="newsletter")


def preferences_link_of(html: str) -> uuid.UUID | None:
    """The message a page's preference link points to (tokens carry their signing time)."""
    href = re.search(r'href="(/preferences/[^"]+)"', html).group(1)
    return links.unsign(links.PREFERENCES, resolve(href).kwargs["token"])


def state(contact) -> tuple[bool, bool, bool]:
    """(surveys, lifecycle, marketing) unsubscribed, read back from the database."""
    contact.refresh_from_db()
    return (
        contact.unsubscribed_surveys_at is not None,
        contact.unsubscribed_lifecycle_at is not None,
        contact.unsubscribed_marketing_at is not None,
    )


# --- One-click ------------------------------------------------------------------------------------


def test_a_bare_one_click_post_unsubscribes_without_cookie_or_csrf_token(bare_client, message):
    page = bare_client.post(unsubscribe_url(message), ONE_CLICK, content_type=FORM)

    assert page.status_code == 200
    assert "You are unsubscribed" in page.text
    assert state(message.contact) == (True, False, False)
    unsubscription = Unsubscription.objects.get()
    assert (unsubscription.contact, unsubscription.category, unsubscription.message) == (
        message.contact,
        Category.SURVEYS,
        message,
    )
    assert unsubscription.source == Unsubscription.Source.ONE_CLICK


def test_a_multipart_one_click_post_unsubscribes(bare_client, message):
    page = bare_client.post(unsubscribe_url(message), {"List-Unsubscribe": "One-Click"})

    assert page.status_code == 200
    assert state(message.contact) == (True, False, False)


def test_an_empty_post_unsubscribes(bare_client, message):
    page = bare_client.post(unsubscribe_url(message))

    assert page.status_code == 200
    assert state(message.contact) == (True, False, False)


def test_a_malformed_body_still_unsubscribes(bare_client, message):
    page = bare_client.generic(
        "POST",
        unsubscribe_url(message),
        b"--\xff\r\nContent-Disposition: nonsense\r\n\r\n\x00",
        content_type="multipart/form-data; boundary=",
    )

    assert page.status_code == 200
    assert state(message.contact) == (True, False, False)


def test_one_click_twice_changes_the_contact_once(bare_client, message):
    bare_client.post(unsubscribe_url(message), ONE_CLICK, content_type=FORM)
    message.contact.refresh_from_db()
    first = message.contact.unsubscribed_surveys_at

    again = bare_client.post(unsubscribe_url(message), ONE_CLICK, content_type=FORM)

    assert again.status_code == 200
    message.contact.refresh_from_db()
    assert message.contact.unsubscribed_surveys_at == first
    assert Unsubscription.objects.count() == 1


def test_an_earlier_unsubscribe_is_kept_as_it_was(bare_client, message):
    earlier = timezone.now() - dt.timedelta(days=40)
    message.contact.unsubscribed_surveys_at = earlier
    message.contact.save()

    bare_client.post(unsubscribe_url(message), ONE_CLICK, content_type=FORM)

    message.contact.refresh_from_db()
    assert message.contact.unsubscribed_surveys_at == earlier
    assert not Unsubscription.objects.exists()


def test_one_click_stops_only_the_category_of_the_email(bare_client):
    message = marketing_message()

    bare_client.post(unsubscribe_url(message), ONE_CLICK, content_type=FORM)

    assert state(message.contact) == (False, False, True)
    assert Unsubscription.objects.get().category == Category.MARKETING


def test_the_list_unsubscribe_link_of_a_survey_email_works(bare_client, message):
    url = unsubscribe_links(message)["unsubscribe_url"].removeprefix(django_settings.SITE_URL)

    assert bare_client.post(url, ONE_CLICK, content_type=FORM).status_code == 200
    assert state(message.contact) == (True, False, False)


# --- The confirmation page ------------------------------------------------------------------------


def test_a_get_shows_a_confirmation_and_unsubscribes_nothing(client, message):
    page = client.get(unsubscribe_url(message))
    head = client.head(unsubscribe_url(message))

    assert (page.status_code, head.status_code) == (200, 200)
    assert '<form method="post">' in page.text
    assert message.contact.email in page.text
    assert preferences_link_of(page.text) == message.public_id
    assert state(message.contact) == (False, False, False)
    assert not Unsubscription.objects.exists()


def test_the_confirmation_button_unsubscribes_with_the_page_as_source(bare_client, message):
    page = bare_client.post(unsubscribe_url(message), {"confirm": "1"})

    assert page.status_code == 200
    assert Unsubscription.objects.get().source == Unsubscription.Source.PAGE


def test_the_confirmation_page_says_when_the_contact_already_left(client, message):
    subscriptions.unsubscribe(message.contact, Category.SURVEYS, source="staff", now=timezone.now())

    page = client.get(unsubscribe_url(message))

    assert "You are already unsubscribed" in page.text
    assert '<form method="post">' not in page.text


def test_the_confirmation_page_speaks_the_contact_language(client):
    message = MessageFactory(contact__language="es-MX")

    page = client.get(unsubscribe_url(message))

    assert '<html lang="es">' in page.text
    assert page["Content-Language"] == "es"


def test_an_unsupported_contact_language_falls_back_to_english(client):
    message = MessageFactory(contact__language="de")

    assert '<html lang="en">' in client.get(unsubscribe_url(message)).text


def test_other_methods_are_refused(client, message):
    assert client.put(unsubscribe_url(message)).status_code == 405
    assert state(message.contact) == (False, False, False)


# --- Broken and foreign tokens --------------------------------------------------------------------


def tampered(token: str) -> str:
    value, signature = token.rsplit(":", 1)
    return f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def broken_tokens(message) -> dict[str, str]:
    good = links.sign(links.UNSUBSCRIBE, message.public_id)
    return {
        "tampered": tampered(good),
        "truncated": good[:-4],
        "random": "definitely-not-a-token",
        "unknown message": links.sign(links.UNSUBSCRIBE, uuid.uuid4()),
        "survey salt": links.sign(links.SURVEY_ANSWER, message.public_id),
        "preferences salt": links.sign(links.PREFERENCES, message.public_id),
    }


@pytest.mark.parametrize(
    "kind",
    ["tampered", "truncated", "random", "unknown message", "survey salt", "preferences salt"],
)
def test_a_broken_or_foreign_token_gets_a_friendly_404(bare_client, message, kind):
    url = reverse("campaigns:unsubscribe", args=[broken_tokens(message)[kind]])

    pages = [bare_client.get(url), bare_client.post(url, ONE_CLICK, content_type=FORM)]

    assert [page.status_code for page in pages] == [404, 404]
    assert all(BAD_LINK in page.text for page in pages)
    assert state(message.contact) == (False, False, False)


def test_a_survey_invitation_token_is_refused_by_the_unsubscribe_page(bare_client, message):
    """Invitation and message ids are both UUIDs: only the salt tells the links apart."""
    invitation = InvitationFactory(contact=message.contact, message=message)
    survey_token = links.sign(links.SURVEY_ANSWER, invitation.public_id)

    page = bare_client.post(reverse("campaigns:unsubscribe", args=[survey_token]))

    assert page.status_code == 404
    assert state(message.contact) == (False, False, False)


def test_an_unsubscribe_token_is_refused_by_the_survey_page(client, message):
    invitation = InvitationFactory(contact=message.contact, message=message)
    # The same UUID signed for unsubscribing must not open the survey.
    token = links.sign(links.UNSUBSCRIBE, invitation.public_id)

    page = client.post(reverse("surveys:answer-form", args=[token]), {"score": "9"})

    assert page.status_code == 404


def test_an_unsubscribe_token_is_refused_by_the_preference_page(client, message):
    token = links.sign(links.UNSUBSCRIBE, message.public_id)

    assert client.get(reverse("campaigns:preferences", args=[token])).status_code == 404


@pytest.mark.parametrize("token", ["%FF%FE", "%C0%AF", "a%00b", "..%2F..%2Fetc"])
def test_broken_bytes_in_the_link_are_a_404(bare_client, token):
    assert bare_client.get(f"/u/{token}/").status_code == 404
    assert bare_client.post(f"/u/{token}/", ONE_CLICK, content_type=FORM).status_code == 404
    assert bare_client.get(f"/preferences/{token}/").status_code == 404


@FUZZ
@given(token=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=120))
def test_no_token_makes_a_500(client, db, token):
    quoted = quote(token, safe="")

    for url in (f"/u/{quoted}/", f"/preferences/{quoted}/"):
        assert client.get(url).status_code == 404
        assert client.post(url, ONE_CLICK, content_type=FORM).status_code in (403, 404)


# --- The preference page --------------------------------------------------------------------------


def checked_boxes(html: str) -> set[str]:
    return {
        name
        for name in ("surveys", "lifecycle", "marketing")
        if f'name="{name}" id="id_{name}" checked' in html
    }


def test_the_preference_page_shows_the_current_state(client, message):
    message.contact.unsubscribed_marketing_at = timezone.now()
    message.contact.save()

    page = client.get(preferences_url(message))

    assert page.status_code == 200
    assert page.text.count('type="checkbox"') == 3
    assert checked_boxes(page.text) == {"surveys", "lifecycle"}
    assert "Your preferences are saved." not in page.text


def test_unchecking_unsubscribes_and_checking_resubscribes(client, message):
    message.contact.unsubscribed_marketing_at = timezone.now()
    message.contact.save()

    page = client.post(preferences_url(message), {"lifecycle": "on", "marketing": "on"})

    assert page.status_code == 303
    assert state(message.contact) == (True, False, False)
    unsubscription = Unsubscription.objects.get()
    assert (unsubscription.category, unsubscription.source, unsubscription.message) == (
        Category.SURVEYS,
        Unsubscription.Source.PAGE,
        message,
    )
    saved = client.get(page["Location"])
    assert "Your preferences are saved." in saved.text
    assert checked_boxes(saved.text) == {"lifecycle", "marketing"}


def test_a_one_click_unsubscribe_can_be_undone_on_the_preference_page(bare_client, client, message):
    bare_client.post(unsubscribe_url(message), ONE_CLICK, content_type=FORM)

    client.post(preferences_url(message), {"surveys": "on", "lifecycle": "on", "marketing": "on"})

    assert state(message.contact) == (False, False, False)
    assert Unsubscription.objects.count() == 1  # the history stays


def test_saving_the_same_preferences_twice_records_one_unsubscribe(client, message):
    client.post(preferences_url(message), {"lifecycle": "on"})
    client.post(preferences_url(message), {"lifecycle": "on"})

    assert state(message.contact) == (True, False, True)
    assert Unsubscription.objects.count() == 2  # surveys and marketing, once each


def test_the_preference_page_needs_its_csrf_token(message):
    client = Client(enforce_csrf_checks=True)

    refused = client.post(preferences_url(message), {})
    client.get(preferences_url(message))
    accepted = client.post(
        preferences_url(message), {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )

    assert (refused.status_code, accepted.status_code) == (403, 303)
    assert state(message.contact) == (True, True, True)


def test_the_preference_page_speaks_the_contact_language(client):
    message = MessageFactory(contact__language="ru")

    assert '<html lang="ru">' in client.get(preferences_url(message)).text


def test_the_preference_page_runs_few_queries(client, message, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(preferences_url(message)).status_code == 200


# --- Services and rate limit ----------------------------------------------------------------------


def test_unsubscribe_reports_a_change_only_once(message):
    now = timezone.now()
    contact = message.contact

    first = subscriptions.unsubscribe(contact, Category.SURVEYS, source="page", now=now)
    second = subscriptions.unsubscribe(contact, Category.SURVEYS, source="page", now=now)

    assert (first, second) == (True, False)
    assert subscriptions.subscriptions(contact) == {
        "surveys": False,
        "lifecycle": True,
        "marketing": True,
    }


def test_resubscribe_reports_a_change_only_once(message):
    now = timezone.now()
    contact = message.contact
    subscriptions.unsubscribe(contact, Category.SURVEYS, source="page", now=now)

    first = subscriptions.resubscribe(contact, Category.SURVEYS, now=now)
    second = subscriptions.resubscribe(contact, Category.SURVEYS, now=now)

    assert (first, second) == (True, False)
    assert state(contact) == (False, False, False)


def test_the_unsubscribe_page_is_rate_limited(bare_client, message, settings):
    settings.RATE_LIMITS = {"unsubscribe": 2}

    answers = [bare_client.get(unsubscribe_url(message)).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
