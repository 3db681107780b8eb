"""Open and click tracking: links pass through signed per-link tokens, the redirect goes to
the stored link only, each hit is counted, and machines' hits are told from people's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaigns import pipeline
from campaigns.models import Campaign, CampaignContent, Engagement, Message, TrackedLink
from campaigns.selectors import campaign_stats
from campaigns.services import plan
from lifecycle.lib import links
from tests.factories import CustomerContactFactory

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)
PRICING = "https://example.org/pricing?plan=pro&ref=email"
DOCS = "https://docs.example.org/start"


@pytest.fixture
def news(db) -> Campaign:
    campaign = Campaign.objects.create(
        slug="news", name="News", category="marketing", trigger="once"
    )
    CampaignContent.objects.create(
        campaign=campaign,
        language="en",
        subject="News",
        text_body=f"See {PRICING}. Docs: {DOCS}",
        html_body=f'<p><a href="{PRICING.replace("&", "&amp;")}">Pricing</a> '
        f"<a href='{DOCS}'>Docs</a> <a href=\"mailto:help@example.org\">Mail us</a></p>",
    )
    return campaign


@pytest.fixture
def sent(news) -> tuple[Message, str, str]:
    """A message of `news` built as the pipeline builds it, sent a minute ago."""
    CustomerContactFactory(email="reader@example.com")
    plan(news, now=timezone.now(), immediate=True)
    message = Message.objects.get(campaign=news)
    email = pipeline.build(message)
    message.status, message.sent_at = "sent", timezone.now() - dt.timedelta(minutes=1)
    message.save()
    return message, email.alternatives[0][0], email.body


def click_urls(html: str) -> list[str]:
    return re.findall(r"""href=["']([^"']*/t/c/[^"']+)["']""", html)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_every_link_of_the_email_goes_through_its_own_click_token(sent):
    message, html, text = sent
    tracked = click_urls(html)

    assert len(tracked) == 2
    assert PRICING not in html and DOCS not in html
    assert 'href="mailto:help@example.org"' in html  # not a web link: left alone
    assert [link.url for link in message.links.all()] == [PRICING, DOCS]
    # The text part's links are the same tracked links; its sentence's full stop stays.
    assert tracked[0] in text and f"{tracked[0]}. Docs: {tracked[1]}" in text
    # Unsubscribing is not a click: those links are left as they are.
    assert "/u/" in html and "/preferences/" in html
    assert all("/u/" not in url for url in tracked)
    assert html.count("/t/o/") == 1  # the open pixel


def test_building_the_email_again_reuses_its_links(sent):
    message, html, _text = sent

    again = pipeline.build(message).alternatives[0][0]

    assert message.links.count() == 2
    assert click_urls(again) == click_urls(html)


def test_a_click_redirects_to_the_stored_link_and_counts_once_per_click(client, sent):
    message, html, _text = sent
    url = path_of(click_urls(html)[0])

    response = client.get(url, HTTP_USER_AGENT=CHROME)
    client.get(url, HTTP_USER_AGENT=CHROME)

    assert response.status_code == 302
    assert response["Location"] == PRICING
    clicks = Engagement.objects.filter(message=message, kind="click")
    assert clicks.count() == 2
    assert not clicks.filter(machine=True).exists()


def test_the_query_string_cannot_change_where_a_click_leads(client, sent):
    _message, html, _text = sent
    url = path_of(click_urls(html)[1])

    response = client.get(url + "?next=https://evil.example&url=//evil.example")

    assert response["Location"] == DOCS


def test_another_messages_token_leads_to_that_messages_own_link_only(client, sent, news):
    other_contact = CustomerContactFactory(email="other@example.com")
    plan(news, now=timezone.now(), immediate=True)
    other = Message.objects.get(campaign=news, contact=other_contact)
    other_html = pipeline.build(other).alternatives[0][0]

    response = client.get(path_of(click_urls(other_html)[0]))

    assert response["Location"] == PRICING
    assert Engagement.objects.get().message == other


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "a" * 2000,
        "%00",
        "..%2F..%2Fadmin",
    ],
)
def test_a_bad_click_token_is_a_404_page_and_redirects_nowhere(client, token):
    response = client.get(f"/t/c/{token}/")

    assert response.status_code == 404
    assert "Location" not in response
    assert not Engagement.objects.exists()


def test_a_tampered_or_foreign_token_is_refused(client, sent):
    message, html, _text = sent
    token = click_urls(html)[0].rstrip("/").rsplit("/", 1)[1]
    unsubscribe = links.sign(links.UNSUBSCRIBE, message.public_id)
    open_token = links.sign(links.OPEN, message.public_id)

    for bad in [token[:-1] + ("A" if token[-1] != "A" else "B"), unsubscribe, open_token]:
        assert client.get(f"/t/c/{bad}/").status_code == 404
    assert not Engagement.objects.exists()


@hypothesis_settings(max_examples=60, deadline=None)
@given(token=st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=300))
def test_no_token_makes_the_tracking_endpoints_fail(token):
    client = Client()
    quoted = token.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
    assert client.get(f"/t/c/{quoted}/").status_code in (404, 429)
    opened = client.get(f"/t/o/{quoted}/")
    assert opened.status_code in (200, 404, 429)


def test_an_open_loads_a_transparent_gif_and_is_recorded(client, sent):
    message, html, _text = sent
    pixel = re.search(r'<img src="([^"]+/t/o/[^"]+)"', html).group(1)

    response = client.get(path_of(pixel), HTTP_USER_AGENT=CHROME)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert "no-cache" in response["Cache-Control"]
    assert Engagement.objects.get(kind="open", machine=False).message == message


def test_a_bad_open_token_still_answers_a_gif_and_records_nothing(client):
    response = client.get("/t/o/forged/")

    assert response["Content-Type"] == "image/gif"
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(
    ("user_agent", "method", "reason"),
    [
        ("Mozilla/5.0", "GET", "Apple Mail Privacy Protection"),
        (
            "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com "
            "GoogleImageProxy)",
            "GET",
            "Gmail image proxy",
        ),
        (
            "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
            "GET",
            "Yahoo image proxy",
        ),
        (CHROME, "HEAD", "HEAD request"),
        ("", "GET", "no user agent"),
    ],
)
def test_machine_opens_are_recorded_apart_with_the_reason(client, sent, user_agent, method, reason):
    _message, html, _text = sent
    pixel = path_of(re.search(r'<img src="([^"]+)"', html).group(1))

    getattr(client, method.lower())(pixel, HTTP_USER_AGENT=user_agent)

    assert Engagement.objects.get().machine_reason == reason


def test_a_click_seconds_after_delivery_is_a_link_scanners(client, sent):
    message, html, _text = sent
    message.sent_at = timezone.now() - dt.timedelta(seconds=2)
    message.save()

    client.get(path_of(click_urls(html)[0]), HTTP_USER_AGENT=CHROME)

    assert Engagement.objects.get().machine_reason == "within seconds of delivery"


def test_a_scanner_that_clicks_every_link_within_a_minute_is_told_apart(client, sent):
    _message, html, _text = sent
    first, second = (path_of(url) for url in click_urls(html))

    client.get(first, HTTP_USER_AGENT=CHROME)
    assert not Engagement.objects.get().machine  # one link: could be a person
    client.get(second, HTTP_USER_AGENT=CHROME)

    assert set(Engagement.objects.values_list("machine_reason", flat=True)) == {
        "every link at once"
    }


def test_tracking_is_rate_limited_per_client(client, sent, settings):
    _message, html, _text = sent
    settings.RATE_LIMITS = {"tracking": 2}
    url = path_of(click_urls(html)[0])

    statuses = [client.get(url, HTTP_USER_AGENT=CHROME).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]


def test_campaign_stats_count_people_once_per_message_and_machines_apart(client, sent, news):
    _message, html, _text = sent
    other_contact = CustomerContactFactory(email="clicker@example.com")
    plan(news, now=timezone.now(), immediate=True)
    other = Message.objects.get(campaign=news, contact=other_contact)
    other_html = pipeline.build(other).alternatives[0][0]
    Message.objects.filter(pk=other.pk).update(
        status="sent", sent_at=timezone.now() - dt.timedelta(minutes=5)
    )
    pixel = path_of(re.search(r'<img src="([^"]+)"', html).group(1))

    client.get(pixel, HTTP_USER_AGENT="Mozilla/5.0")  # Apple's proxy
    client.get(pixel, HTTP_USER_AGENT=CHROME)
    client.get(pixel, HTTP_USER_AGENT=CHROME)  # the same person opening it again
    client.get(path_of(click_urls(other_html)[0]), HTTP_USER_AGENT=CHROME)  # images off

    stats = campaign_stats(news)
    assert (stats.sent, stats.opened, stats.clicked) == (2, 2, 1)
    assert (stats.machine_opens, stats.machine_clicks) == (1, 0)
    assert stats.open_rate == 1.0 and stats.click_to_open == 0.5


def test_the_campaign_admin_page_shows_its_results(admin_client_, sent, news):
    page = admin_client_.get(f"/admin/campaigns/campaign/{news.pk}/change/").content.decode()

    assert "Click-to-open" in page
    assert f"?campaign__id__exact={news.pk}" in page


def test_a_message_page_lists_its_links_and_every_open_and_click(admin_client_, client, sent):
    message, html, _text = sent
    client.get(path_of(click_urls(html)[0]), HTTP_USER_AGENT=CHROME)

    page = admin_client_.get(f"/admin/campaigns/message/{message.pk}/change/").content.decode()

    assert PRICING.replace("&", "&amp;") in page
    assert "Click" in page and CHROME[:40] in page


def build_news(html: str, text: str = "x", **contact) -> tuple[Message, str, str]:
    campaign = Campaign.objects.create(slug="n2", name="N2", category="marketing", trigger="once")
    CampaignContent.objects.create(
        campaign=campaign, language="en", subject="S", text_body=text, html_body=html
    )
    CustomerContactFactory(email="n2@example.com", **contact)
    plan(campaign, now=timezone.now(), immediate=True)
    message = Message.objects.get(campaign=campaign)
    email = pipeline.build(message)
    return message, email.alternatives[0][0], email.body


def test_a_url_typed_as_a_contacts_name_is_never_made_a_redirect():
    message, html, text = build_news(
        "<p>Hi {{ first_name }}</p>", "Hi {{ first_name }}", first_name="https://evil.example/x"
    )

    assert not message.links.exists()
    assert "/t/c/" not in html and "/t/c/" not in text


def test_a_malformed_url_is_left_alone_and_no_stored_link_makes_a_500(client):
    message, html, _text = build_news('<p><a href="http://[oops/">x</a></p>', "Go http://[oops/")
    assert not message.links.exists()
    assert 'href="http://[oops/"' in html
    # A bad URL stored some other way: a friendly page, not an error.
    broken = TrackedLink.objects.create(message=message, position=0, url="http://[oops/")

    response = client.get(f"/t/c/{links.sign(links.CLICK, broken.public_id)}/")

    assert response.status_code == 404
    assert not Engagement.objects.exists()


def test_only_the_href_of_a_link_is_rewritten():
    message, html, _text = build_news(
        '<p><a data-href="https://a.example/" title="href=\'https://c.example/\'" '
        'href="https://b.example/">b</a></p>'
    )

    assert [link.url for link in message.links.all()] == ["https://b.example/"]
    assert 'data-href="https://a.example/"' in html


def test_a_url_ending_in_a_parenthesis_it_opened_keeps_it():
    url = "https://en.wikipedia.org/wiki/Mercury_(planet)"
    message, _html, _text = build_news(f'<a href="{url}">M</a>', f"Read {url}. (See {DOCS})")

    assert [link.url for link in message.links.all()] == [url, DOCS]


def test_the_pixel_goes_before_the_documents_own_closing_body_tag():
    _message, html, _text = build_news("<p>a</p><!-- </body> -->")

    assert html.rindex("/t/o/") > html.index("<!-- </body> -->")


def test_outlook_loading_images_is_a_person_but_outlook_checking_links_is_not(client, sent):
    _message, html, _text = sent
    outlook = "Mozilla/4.0 (compatible; ms-office; MSOffice 16)"
    pixel = path_of(re.search(r'<img src="([^"]+)"', html).group(1))

    client.get(pixel, HTTP_USER_AGENT=outlook)
    client.get(path_of(click_urls(html)[0]), HTTP_USER_AGENT=outlook)

    assert dict(Engagement.objects.values_list("kind", "machine")) == {"open": False, "click": True}


def test_control_characters_in_the_user_agent_are_not_stored(client, sent):
    _message, html, _text = sent

    client.get(path_of(click_urls(html)[0]), HTTP_USER_AGENT="Mozilla\x00/5.0\x1b (X11) Chrome/1")

    assert Engagement.objects.get().user_agent == "Mozilla/5.0 (X11) Chrome/1"
