"""The referrals page's "Needs review" filter takes yes or no; anything else is the form's
error on the page, as on the other list pages, never a filter silently dropped."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Lead
from campaigns.models import Referral
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals() -> None:
    referrer = ContactFactory()
    for email, needs_review in (("flagged@peer.example", True), ("clean@peer.example", False)):
        lead = Lead.objects.create(email=email, source=Lead.Source.REFERRAL)
        Referral.objects.create(referrer=referrer, lead=lead, needs_review=needs_review)


def leads_listed(client: Client, **query: str) -> list[str]:
    page = client.get("/referrals/", query)
    assert page.status_code == 200
    return [referral.lead.email for referral in page.context["page"]]


@pytest.mark.parametrize(
    ("value", "listed"),
    [
        ("true", ["flagged@peer.example"]),
        ("false", ["clean@peer.example"]),
        ("", ["flagged@peer.example", "clean@peer.example"]),
    ],
)
def test_the_filter_lists_the_referrals_asked_for(referrals, viewer_client, value, listed):
    assert leads_listed(viewer_client, needs_review=value) == listed


@pytest.mark.parametrize("value", ["banana", "yes", "2", "on"])
def test_a_bogus_value_is_shown_as_the_filters_error(referrals, viewer_client, value):
    page = viewer_client.get("/referrals/", {"needs_review": value})

    assert page.status_code == 200
    assert page.context["filter"].errors == {"needs_review": ["Give true or false."]}
    assert "Give true or false." in page.text
    # The select still offers the three choices, none of them taken for the bogus value.
    assert '<option value="true">' in page.text and '<option value="false">' in page.text
