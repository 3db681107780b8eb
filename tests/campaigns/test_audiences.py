"""Saved audiences: a campaign reaches the contacts of its segment only, counted in admin
before it is activated; consent and unsubscribes always apply on top."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Tag
from campaigns.audience import audience_size
from campaigns.models import Audience, Campaign, CampaignContent, Message
from campaigns.services import plan
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ResponseFactory,
    SubscriptionFactory,
    UserFactory,
    campaign,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def broadcast() -> Campaign:
    news = Campaign.objects.create(slug="news", name="News", category="marketing", trigger="once")
    CampaignContent.objects.create(
        campaign=news, language="en", subject="News", text_body="Hi", html_body="<p>Hi</p>"
    )
    return news


def customer(email: str, *, mrr: str = "100", started: dt.date = dt.date(2024, 1, 1), **account):
    company = AccountFactory(**account)
    SubscriptionFactory(account=company, mrr=Decimal(mrr), started_on=started)
    return ContactFactory(account=company, email=email)


def reached(news: Campaign) -> set[str]:
    plan(news, now=timezone.now(), immediate=True)
    return set(Message.objects.filter(campaign=news).values_list("contact__email", flat=True))


def target(news: Campaign, **criteria) -> Audience:
    news.audience = Audience.objects.create(name="Segment", **criteria)
    news.save()
    return news.audience


def test_no_audience_means_every_customer_contact(broadcast):
    customer("paying@example.com")
    ContactFactory(email="prospect@example.com")

    assert reached(broadcast) == {"paying@example.com"}


def test_an_audience_narrows_by_account_and_contact_and_keeps_consent(broadcast):
    owner = UserFactory()
    match = customer(
        "ana@example.es", country="ES", industry="Software", employees=120, owner=owner
    )
    ContactFactory(account=match.account, email="joan@example.es", language="ca")
    ContactFactory(account=match.account, email="no@example.es", email_consent=False)
    customer("bob@example.com", country="US", industry="Software", employees=120, owner=owner)
    customer("eva@example.es", country="ES", industry="Retail", employees=120, owner=owner)
    customer("leo@example.es", country="ES", industry="Software", employees=5, owner=owner)
    match.language = "es-ES"
    match.save()
    target(
        broadcast,
        country="es",
        industry="software",
        employee_band="51-200",
        owner=owner,
        language="es",
    )

    assert reached(broadcast) == {"ana@example.es"}


def test_a_win_back_audience_reaches_churned_accounts_only(broadcast):
    customer("paying@example.com")
    gone = AccountFactory()
    SubscriptionFactory(account=gone, started_on=dt.date(2023, 1, 1), ended_on=dt.date(2025, 1, 1))
    ContactFactory(account=gone, email="gone@example.com")
    ContactFactory(email="prospect@example.com")
    target(broadcast, status="churned")

    assert reached(broadcast) == {"gone@example.com"}


def test_mrr_band_and_customer_since(broadcast):
    customer("small@example.com", mrr="99")
    customer("big@example.com", mrr="2500", started=dt.date(2025, 6, 1))
    customer("big-old@example.com", mrr="2500", started=dt.date(2021, 6, 1))
    target(broadcast, mrr_band="2000-10000", customer_since_from=dt.date(2025, 1, 1))

    assert reached(broadcast) == {"big@example.com"}


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("promoter", {"promoter@example.com"}),
        ("passive", {"passive@example.com"}),
        ("detractor", {"changed@example.com"}),
        ("unanswered", {"silent@example.com"}),
    ],
)
def test_the_nps_band_of_the_latest_answer(broadcast, band, expected):
    now = timezone.now()
    for email, score in [("promoter@example.com", 10), ("passive@example.com", 7)]:
        ResponseFactory(invitation__contact=customer(email), score=score)
    changed = customer("changed@example.com")
    ResponseFactory(invitation__contact=changed, score=10, submitted_at=now - dt.timedelta(days=60))
    ResponseFactory(invitation__contact=changed, score=2, submitted_at=now)
    customer("silent@example.com")
    target(broadcast, nps_band=band)

    assert reached(broadcast) == expected


def test_an_audience_applies_to_the_date_rules_too():
    today = timezone.localdate()
    for email, country in [("es@example.com", "ES"), ("us@example.com", "US")]:
        contact = customer(email, country=country)
        contact.birth_month, contact.birth_day = today.month, today.day
        contact.save()
    birthday = campaign("birthday")
    target(birthday, country="ES")

    assert reached(birthday) == {"es@example.com"}


def test_admin_counts_the_audience_before_the_campaign_is_activated(broadcast, admin_client_):
    customer("one@example.com", country="ES")
    customer("two@example.com", country="ES")
    customer("three@example.com", country="US")
    ContactFactory(account=customer("four@example.com", country="ES").account, email_consent=False)
    broadcast.enabled = False
    broadcast.save()
    segment = target(broadcast, country="ES")

    assert audience_size(broadcast, now=timezone.now()) == 3
    campaign_page = admin_client_.get(f"/admin/campaigns/campaign/{broadcast.pk}/change/")
    assert "3 contacts (consent and unsubscribes applied)" in campaign_page.content.decode()
    audience_page = admin_client_.get(f"/admin/campaigns/audience/{segment.pk}/change/")
    assert "3 contacts with consent" in audience_page.content.decode()
    assert "News" in audience_page.content.decode()


def test_an_audience_of_tags_reaches_accounts_with_any_of_them(broadcast):
    pilot, enterprise, other = (Tag.objects.create(name=n) for n in ("pilot", "enterprise", "x"))
    customer("pilot@example.com").account.tags.add(pilot)
    customer("both@example.com").account.tags.add(pilot, enterprise)
    customer("other@example.com").account.tags.add(other)
    customer("none@example.com")
    segment = target(broadcast)
    segment.tags.set([pilot, enterprise])

    assert reached(broadcast) == {"pilot@example.com", "both@example.com"}
