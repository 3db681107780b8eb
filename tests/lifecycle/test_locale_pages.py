"""Every staff page shows money with its currency and dates in one style per kind, in the
language of the page: English, Spanish and Russian (docs/architecture.md, "Numbers and
dates on screen")."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import CancelType
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InvitationFactory,
    ResponseFactory,
    SubscriptionFactory,
    UserFactory,
    survey,
)

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
# What each language shows for the same facts.
EXPECTED = {
    "en": {
        "money": "$22,704.00",
        "short": "$22.7K",
        "day": "Jun 2, 2025",
        "moment": "Jun 2, 2025, 1:54 PM",
        "month": "Jun 2025",
        "birthday": "February 29",
        "churn_day": "Oct 11, 2025",
    },
    "es": {
        "money": f"22{NBSP}704,00{NBSP}$",
        "short": f"22,7{NBSP}mil{NBSP}$",
        "day": "02/06/2025",
        "moment": "02/06/2025 13:54",
        "month": "jun 2025",
        "birthday": "29 de febrero",
        "churn_day": "11/10/2025",
    },
    "ru": {
        "money": f"22{NBSP}704,00{NBSP}$",
        "short": f"22,7{NBSP}тыс.{NBSP}$",
        "day": "02.06.2025",
        "moment": "02.06.2025 13:54",
        "month": "июн 2025",
        "birthday": "29 февраля",
        "churn_day": "11.10.2025",
    },
}
# Formats that must never show: ISO dates, US short dates, Django's "a.m."/"p.m.", raw
# decimals without grouping, and the money bug "22,704,00".
WRONG = [r"2025-06-02", r"06/02/2025", r"p\.m\.", r"22704\.00", r"22,704,00", r"--02-29"]


@pytest.fixture
def facts(settings):
    settings.TIME_ZONE = "UTC"
    timezone.activate(dt.UTC)
    owner = UserFactory(username="david.kim", first_name="David", last_name="Kim")
    acme = AccountFactory(name="Acme", owner=owner, employees=500)
    SubscriptionFactory(account=acme, mrr=Decimal("22704.00"), started_on=dt.date(2025, 6, 2))
    ember = AccountFactory(name="Ember")
    SubscriptionFactory(
        account=ember,
        mrr=Decimal("1000"),
        started_on=dt.date(2024, 1, 1),
        ended_on=dt.date(2025, 10, 11),
        cancel_type=CancelType.VOLUNTARY,
        cancel_reason="Budget",
    )
    contact = ContactFactory(account=acme, birth_year=None, birth_month=2, birth_day=29)
    invitation = InvitationFactory(survey=survey("nps"), contact=contact, account=acme)
    response = ResponseFactory(
        invitation=invitation,
        score=9,
        comment="Good",
        submitted_at=dt.datetime(2025, 6, 2, 13, 54, tzinfo=dt.UTC),
    )
    yield {"acme": acme, "response": response}
    timezone.deactivate()


def page(client, language: str, url: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    assert f'<html lang="{language}"' in response.content.decode()
    return response.content.decode()


def assert_no_wrong_format(text: str, url: str) -> None:
    visible = re.sub(r"<script.*?</script>|<[^>]+>", " ", text, flags=re.S)
    for pattern in WRONG:
        assert not re.search(pattern, visible), f"{url} shows {pattern!r}"


@pytest.mark.parametrize("language", ["en", "es", "ru"])
def test_each_page_shows_money_and_dates_in_its_language(admin_client_, facts, language):
    want = EXPECTED[language]
    acme, response = facts["acme"], facts["response"]
    year = "period=custom&start=2025-01-01&end=2026-01-01"
    pages = {
        "/accounts/": [want["money"]],
        acme.get_absolute_url(): [want["money"], want["day"], want["birthday"], want["month"]],
        f"/?{year}": [want["short"], want["money"], want["month"]],
        f"/dashboard/churn/?{year}": [want["churn_day"]],
        "/dashboard/cohorts/?start=2025-01&end=2025-12": [want["month"]],
        "/surveys/responses/": [want["moment"]],
        response.get_absolute_url(): [want["moment"]],
    }
    for url, expected in pages.items():
        text = page(admin_client_, language, url)
        for shown in expected:
            assert shown in text, f"{url} in {language} lacks {shown!r}"
        assert_no_wrong_format(text, url)


@pytest.mark.parametrize("language", ["en", "es", "ru"])
def test_owners_are_named_the_same_in_filters_and_tables(admin_client_, facts, language):
    text = page(admin_client_, language, "/accounts/")

    assert re.search(r"<option value=\"\d+\">David Kim</option>", text)
    assert "david.kim" not in re.sub(r'title="[^"]*"', "", text)
