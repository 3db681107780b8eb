"""Campaigns in a real browser: the admin's form follows the chosen trigger, and a reader
follows a tracked link from a broadcast received over real SMTP to its stored target,
counted once as a person's click."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.models import Campaign, CampaignContent, Engagement, Message
from campaigns.selectors import campaign_stats
from campaigns.services import send_now
from campaigns.tasks import send_messages
from tests.factories import CustomerContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A reader's browser: headless Chromium names itself "HeadlessChrome", which is a scanner's.
READER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "user_agent": READER}


def sign_in_to_admin(page: Page, live_server, admin_user) -> None:
    admin_user.set_password("pw")
    admin_user.save()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")


def test_the_new_campaign_form_shows_the_fields_of_the_chosen_trigger(
    live_server, admin_user, page: Page
):
    sign_in_to_admin(page, live_server, admin_user)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/add/")

    page.select_option("#id_trigger", "once")
    expect(page.locator(".field-send_hour")).to_be_hidden()
    expect(page.locator(".field-cycle_months")).to_be_hidden()
    page.select_option("#id_trigger", "birthday")
    expect(page.locator(".field-send_hour")).to_be_visible()
    expect(page.locator(".field-event_type")).to_be_hidden()
    page.select_option("#id_trigger", "event")
    expect(page.locator(".field-event_type")).to_be_visible()


def test_a_reader_follows_a_tracked_link_from_the_received_email(
    live_server, settings, smtp, page: Page
):
    settings.SITE_URL = live_server.url
    target = f"{live_server.url}/healthz?from=email"
    news = Campaign.objects.create(slug="news", name="News", category="marketing", trigger="once")
    CampaignContent.objects.create(
        campaign=news,
        language="en",
        subject="News",
        text_body=f"Read it: {target}",
        html_body=f'<p><a href="{target}">Read it</a></p>',
    )
    CustomerContactFactory(email="reader@example.com")
    send_now(news, now=timezone.now(), enqueue=lambda ids: send_messages.apply(args=[ids]))
    (email,) = smtp.messages
    html = email.get_body(("html",)).get_content()
    tracked = html.split('href="', 2)[1].split('"')[0]
    assert "/t/c/" in tracked
    # A person reads it a while later (a click seconds after delivery is a link scanner's).
    Message.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=5))

    page.set_content(html)  # the email as a mail client shows it
    page.click("text=Read it")
    page.wait_for_url("**/healthz?from=email")

    assert page.url == target
    clicks = Engagement.objects.filter(kind="click")
    assert clicks.count() == 1 and not clicks.get().machine
    assert campaign_stats(news).clicked == 1
